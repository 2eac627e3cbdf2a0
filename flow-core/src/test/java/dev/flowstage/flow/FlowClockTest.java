package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Periodic triggers and allowed lateness run on the flow's {@link FlowClock}: with a virtual clock
 * they fire exactly when the test moves time, never by themselves, and nothing sleeps.
 */
class FlowClockTest {
  private static final Object END = new Object();

  /** A source fed from a queue by the test; {@code END} finishes it. */
  @SuppressWarnings("unchecked")
  private static <E> Flow<E> source(StageSystem sys, BlockingQueue<Object> in) {
    boolean[] ended = new boolean[1];
    Stage<?> src =
        sys.startProducer(
            Producers.<Object>polling(
                n -> {
                  if (ended[0]) {
                    return null;
                  }
                  List<Object> batch = new ArrayList<>();
                  Object e;
                  while (batch.size() < n && (e = in.poll()) != null) {
                    if (e == END) {
                      ended[0] = true;
                      break;
                    }
                    batch.add(e);
                  }
                  return batch.isEmpty() && ended[0] ? null : batch;
                },
                Duration.ofMillis(1)));
    return Flow.fromStages(List.of((Stage<E>) src), o -> o.stages(1));
  }

  /**
   * Moves the clock a period at a time, each advance firing one periodic pane (each starting with
   * {@code prefix}), until the pane {@code last}.
   */
  private static void advanceUntil(
      ManualClock clock, Duration period, BlockingQueue<?> out, String prefix, String last)
      throws InterruptedException {
    int advances = 0;
    Object pane;
    do {
      clock.advance(period);
      advances++;
      pane = out.take();
      assertTrue(String.valueOf(pane).startsWith(prefix), String.valueOf(pane));
    } while (!pane.equals(last) && advances < 10_000);
    assertEquals(last, pane);
  }

  /** Requests everything and puts each signal in a queue: events, the failure, or {@code END}. */
  private record QueueSubscriber<E>(BlockingQueue<Object> signals)
      implements java.util.concurrent.Flow.Subscriber<E> {
    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(E item) {
      signals.add(item);
    }

    @Override
    public void onError(Throwable t) {
      signals.add(t);
    }

    @Override
    public void onComplete() {
      signals.add(END);
    }
  }

  @Test
  void periodicTrigger_firesOncePerAdvance_andNeverOnItsOwn() throws Exception {
    ManualClock clock = new ManualClock(0);
    BlockingQueue<Object> in = new LinkedBlockingQueue<>();
    BlockingQueue<String> out = new LinkedBlockingQueue<>();
    try (StageSystem sys = new StageSystem("clock-src")) {
      // snippet-start: virtual-clock
      RunningFlow<Void> run =
          FlowClockTest.<Integer>source(sys, in)
              .partition(
                  o ->
                      o.stages(1)
                          .window(Window.global().triggerPeriodically(Duration.ofSeconds(10))))
              .reduce(() -> 0, Integer::sum)
              .onTrigger((acc, t) -> TriggerResult.of(List.of(t.name() + "=" + acc), acc))
              .each(out::add)
              .withClock(clock)
              .start();
      // snippet-end: virtual-clock
      in.add(1);
      in.add(2);
      advanceUntil(clock, Duration.ofSeconds(10), out, "periodically=", "periodically=3");
      in.add(END);
      run.await();
      // one periodic pane per advance, none from the wall clock, then the final pane
      assertEquals(List.of("done=3"), List.copyOf(out));
    }
  }

  /**
   * Reference B6.1 periodic: each period of processing time closes the stage's window with {@code
   * done} and opens the next with a fresh accumulator; ids count 0, 1, 2...; at the end the open
   * window is done too. The emitted events say when the reduce has seen an event, so the clock
   * moves only after it.
   */
  @Test
  void periodicWindow_eachPeriodIsANewWindow_idsFromZero_freshAccumulator() throws Exception {
    ManualClock clock = new ManualClock(0);
    BlockingQueue<Object> in = new LinkedBlockingQueue<>();
    BlockingQueue<String> out = new LinkedBlockingQueue<>();
    try (StageSystem sys = new StageSystem("clock-periodic")) {
      RunningFlow<Void> run =
          FlowClockTest.<Integer>source(sys, in)
              .partition(o -> o.stages(1).window(Window.periodic(Duration.ofSeconds(10))))
              .emitAndReduce(
                  () -> 0,
                  (Integer e, Integer sum) -> TriggerResult.of(List.of("seen " + e), sum + e),
                  (sum, t) ->
                      TriggerResult.of(List.of(t.windowId() + ":" + t.name() + ":" + sum), sum))
              .each(out::add)
              .withClock(clock)
              .start();
      in.add(1);
      in.add(2);
      assertEquals("seen 1", out.take());
      assertEquals("seen 2", out.take());
      clock.awaitPending();
      clock.advance(Duration.ofSeconds(10));
      assertEquals("0:done:3", out.take());
      in.add(4);
      assertEquals("seen 4", out.take());
      clock.awaitPending();
      clock.advance(Duration.ofSeconds(10));
      assertEquals("1:done:4", out.take());
      in.add(END);
      run.await();
      assertEquals(List.of("2:done:0"), List.copyOf(out));
    }
  }

  @Test
  void toPublisher_runsOnTheFlowsClock() throws Exception {
    ManualClock clock = new ManualClock(0);
    BlockingQueue<Object> in = new LinkedBlockingQueue<>();
    BlockingQueue<Object> out = new LinkedBlockingQueue<>();
    try (StageSystem sys = new StageSystem("clock-src")) {
      Window every = Window.global().triggerPeriodically(Duration.ofMinutes(1));
      java.util.concurrent.Flow.Publisher<String> publisher =
          FlowClockTest.<Integer>source(sys, in)
              .partition(o -> o.stages(1).window(every))
              .reduce(() -> 0, Integer::sum)
              .map(sum -> "sum=" + sum) // each trigger emits the sum so far
              .withClock(clock)
              .toPublisher();
      publisher.subscribe(new QueueSubscriber<>(out));
      clock.awaitPending(); // the subscription starts the run on its own thread
      in.add(1);
      in.add(2);
      // On the system clock a 1 min periodic trigger would not fire before the test ends: each pane
      // here comes from the virtual clock, one per advance.
      advanceUntil(clock, Duration.ofMinutes(1), out, "sum=", "sum=3");
      in.add(END);
      assertEquals("sum=3", out.take()); // the final trigger
      assertEquals(END, out.take());
    }
  }

  /** A virtual clock that counts how often a run reads it. */
  private static final class CountingClock implements FlowClock {
    private final ManualClock clock = new ManualClock(0);
    private final AtomicInteger reads = new AtomicInteger();

    @Override
    public long millis() {
      reads.incrementAndGet();
      return clock.millis();
    }

    @Override
    public Cancellable schedule(long atMillis, Runnable wake) {
      return clock.schedule(atMillis, wake);
    }
  }

  /** One way to run a flow to its end. */
  private interface Terminal {
    void run(Flow<Integer> flow) throws Exception;
  }

  static Stream<Arguments> terminals() {
    return Stream.of(
        terminal("run", Flow::run),
        terminal("toList", Flow::toList),
        terminal("collect", f -> f.collect(Collectors.counting())),
        terminal(
            "stream",
            f -> {
              try (Stream<Integer> s = f.stream()) {
                s.forEach(e -> {});
              }
            }),
        terminal(
            "stream iterator",
            f -> {
              try (Stream<Integer> s = f.stream()) {
                Iterator<Integer> it = s.iterator();
                while (it.hasNext()) {
                  it.next();
                }
              }
            }),
        terminal("start", f -> f.start().await()),
        terminal("toCompletableFuture", f -> f.start().toCompletableFuture().get()),
        terminal(
            "writeTo",
            f -> {
              Path dir = Files.createTempDirectory("flow-clock");
              try {
                f.writeTo(dir.resolve("out"));
              } finally {
                try (Stream<Path> files = Files.walk(dir)) {
                  for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                  }
                }
              }
            }),
        terminal(
            "into",
            f -> {
              try (StageSystem sys = new StageSystem("clock-into")) {
                Stage<Void> sink =
                    sys.startConsumer(
                        "sink",
                        new Consumer<Object>() {
                          @Override
                          public void handleEvents(
                              List<Object> events, Subscription from, StageContext ctx) {}
                        });
                f.into(List.of(sink)).await();
              }
            }),
        terminal(
            "toPublisher",
            f -> {
              BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
              f.toPublisher().subscribe(new QueueSubscriber<>(signals));
              Object signal;
              while ((signal = signals.take()) != END) {
                if (signal instanceof Throwable t) {
                  throw new AssertionError(t);
                }
              }
            }));
  }

  private static Arguments terminal(String name, Terminal t) {
    return Arguments.of(name, t);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("terminals")
  void everyTerminal_runsOnTheFlowsClock(String name, Terminal terminal) throws Exception {
    CountingClock clock = new CountingClock();
    // A periodic trigger reads the clock when its stage starts, whatever the terminal.
    Flow<Integer> flow =
        Flow.fromEnumerable(List.of(1, 2, 3), o -> o.stages(1))
            .partition(
                o -> o.stages(1).window(Window.global().triggerPeriodically(Duration.ofHours(1))))
            .reduce(() -> 0, Integer::sum)
            .withClock(clock);
    terminal.run(flow);
    assertTrue(clock.reads.get() > 0, name + " ran the flow without reading its clock");
  }

  @Test
  void allowedLateness_expiresWhenTheClockSaysSo() throws Exception {
    ManualClock clock = new ManualClock(0);
    BlockingQueue<Object> in = new LinkedBlockingQueue<>();
    BlockingQueue<String> out = new LinkedBlockingQueue<>();
    try (StageSystem sys = new StageSystem("clock-src")) {
      RunningFlow<Void> run =
          FlowClockTest.<Long>source(sys, in)
              .partition(
                  o ->
                      o.stages(1)
                          .window(
                              Window.<Long>fixed(Duration.ofMillis(10), e -> e)
                                  .triggerEvery(1)
                                  .allowedLateness(Duration.ofSeconds(1))))
              .reduce(() -> 0L, Long::sum)
              .onTrigger(
                  (acc, t) ->
                      TriggerResult.of(List.of(t.name() + "@" + t.windowId() + "=" + acc), acc))
              .each(out::add)
              .withClock(clock)
              .start();
      in.add(5L);
      assertEquals("every@0=5", out.take());
      in.add(15L); // watermark passes window 0: it stays open for late events for 1 s
      assertEquals("every@10=15", out.take());
      assertEquals("watermark@0=5", out.take());
      clock.advance(Duration.ofMillis(999));
      in.add(7L); // late, still accepted
      assertEquals("every@0=12", out.take());
      clock.advance(Duration.ofMillis(1));
      assertEquals("done@0=12", out.take());
      in.add(8L); // too late now: dropped
      in.add(25L);
      assertEquals("every@20=25", out.take());
      assertEquals("watermark@10=15", out.take());
      in.add(END);
      run.await();
      assertEquals(List.of("done@10=15", "done@20=25"), List.copyOf(out));
      assertEquals(1, run.statistics().lateEvents()); // the 8
    }
  }

  @Test
  void eventsOfAClosedWindow_areCountedAsLate() {
    RunningFlow<List<Long>> run =
        // batches of one event: the watermark moves after each (within a batch it moves at its end)
        Flow.fromEnumerable(List.of(5L, 15L, 7L, 25L, 3L, 26L), o -> o.stages(1).maxDemand(1))
            .partition(
                o ->
                    o.stages(1)
                        .maxDemand(1)
                        .window(Window.<Long>fixed(Duration.ofMillis(10), e -> e)))
            .reduce(() -> 0L, Long::sum)
            .start(Collectors.toList());
    assertEquals(List.of(5L, 15L, 51L), run.await());
    assertEquals(2, run.statistics().lateEvents()); // 7 and 3
    assertTrue(run.statistics().toText().contains("late events dropped: 2"));
  }

  @Test
  void withClock_rejectsNullAndTwoClocks() {
    assertThrows(
        IllegalArgumentException.class, () -> Flow.fromEnumerable(List.of(1)).withClock(null));
    Flow<Integer> a = Flow.fromEnumerable(List.of(1)).withClock(new ManualClock(0));
    Flow<Integer> b = Flow.fromEnumerable(List.of(2)).withClock(new ManualClock(0));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Flow.merge(List.of(a, b), o -> o.stages(1)));
    assertTrue(e.getMessage().contains("two different clocks"), e.getMessage());
    ManualClock c = new ManualClock(0);
    Flow.merge(List.of(a.withClock(c), Flow.fromEnumerable(List.of(2))), o -> o.stages(1));
  }

  @Test
  void aTimerDueWhileTheRunStarts_firesOnceTheRunIsWired_soItsFailureIsReportedOnce() {
    // A clock that leaps a second at each reading: every wake-up is due when it is scheduled, so a
    // layer's periodic trigger fires at once after the stage's init. Before the fix it ran while
    // the next layer was still starting: the trigger's failure ended the stage before the
    // departition could subscribe, which then failed too, and the run reported two failures
    // (found by FlowFuzzProperties). Repeated: it was a race with the starting thread.
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    FlowClock leaping =
        new FlowClock() {
          @Override
          public long millis() {
            return now.addAndGet(1000);
          }

          @Override
          public Cancellable schedule(long atMillis, Runnable wake) {
            assertTrue(atMillis <= millis(), "due when scheduled");
            wake.run();
            return () -> {};
          }
        };
    for (int i = 0; i < 30; i++) {
      List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      FlowListener.Registration reg =
          FlowListener.register(
              new FlowListener() {
                @Override
                public void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {
                  failures.add(flow.name() + " " + cause);
                }
              });
      String name;
      try {
        RunningFlow<List<Long>> run =
            Flow.fromEnumerable(List.<Integer>of())
                .withClock(leaping)
                .partition(
                    o ->
                        o.stages(1)
                            .window(Window.global().triggerPeriodically(Duration.ofMillis(5))))
                .reduce(() -> 0L, (a, x) -> a + x)
                .<Long>onTrigger(
                    (a, t) -> {
                      throw new IllegalStateException("trigger");
                    })
                .departition(() -> 0L, Long::sum, a -> a)
                .start(Collectors.toList());
        FlowException e = assertThrows(FlowException.class, run::await);
        assertEquals("trigger", e.getCause().getMessage());
        name = run.statistics().flow();
      } finally {
        reg.close();
      }
      List<String> mine = failures.stream().filter(f -> f.startsWith(name + " ")).toList();
      assertEquals(List.of(name + " java.lang.IllegalStateException: trigger"), mine);
    }
  }
}
