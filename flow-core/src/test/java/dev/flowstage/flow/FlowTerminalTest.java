package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageStats;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

final class FlowTerminalTest {
  private static final List<Integer> ONE_TO_1000 = IntStream.rangeClosed(1, 1000).boxed().toList();

  private static Iterator<Integer> counting(AtomicInteger pulled) {
    return Stream.iterate(0, i -> i + 1).peek(i -> pulled.incrementAndGet()).iterator();
  }

  @Test
  void toList_ofManyBatches_isAMutableListInArrivalOrder_asCollectorsToListGives() {
    List<Integer> input = java.util.stream.IntStream.range(0, 25_000).boxed().toList();
    // One stage end to end: arrival order is the source's; batches of at most 7 events.
    Flow<Integer> flow =
        Flow.fromEnumerable(input, o -> o.stages(1).maxDemand(7))
            .map(i -> i)
            .partition(o -> o.stages(1).maxDemand(7));
    List<Integer> out = flow.toList();
    assertEquals(input, out);
    assertEquals(flow.collect(Collectors.toList()), out);
    assertInstanceOf(ArrayList.class, out);
    out.add(-1); // the caller's to change, as Collectors.toList()'s
    assertEquals(List.of(), Flow.fromEnumerable(List.<Integer>of()).map(i -> i).toList());
  }

  @Test
  void stream_beforeFirstPull_startsNothing_thenReaderDrivesDemand() {
    AtomicInteger pulled = new AtomicInteger();
    try (Stream<Integer> s = Flow.fromEnumerable(counting(pulled), o -> o.stages(1)).stream()) {
      assertEquals(0, pulled.get());
      assertEquals(List.of(0, 1, 2, 3, 4), s.limit(5).toList());
    }
  }

  @Test
  void stream_closedEarlyOnInfiniteSource_cancelsWithoutHanging() {
    AtomicInteger pulled = new AtomicInteger();
    try (Stream<Integer> s =
        Flow.fromEnumerable(counting(pulled), o -> o.maxDemand(10)).map(x -> x * 2).stream()) {
      assertEquals(20, s.limit(20).count());
    }
    assertTrue(pulled.get() >= 20);
  }

  @Test
  void stream_abandonedAfterLimitWithoutClose_cancelsTheFlowOnceUnreachable() throws Exception {
    java.util.concurrent.CountDownLatch sourceClosed = new java.util.concurrent.CountDownLatch(1);
    assertEquals(List.of(0, 1, 2, 3, 4), firstFive(sourceClosed));
    // Java never closes it; the flow is cancelled once the stream is garbage, closing the source
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (sourceClosed.getCount() > 0 && System.nanoTime() < deadline) {
      System.gc();
      sourceClosed.await(20, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    assertEquals(0, sourceClosed.getCount(), "the abandoned flow still runs");
  }

  /** Leaves no reference to the stream behind. */
  private static List<Integer> firstFive(java.util.concurrent.CountDownLatch closed) {
    Stream<Integer> source = Stream.iterate(0, i -> i + 1).onClose(closed::countDown);
    return Flow.fromEnumerable(source, o -> o.stages(1)).stream().limit(5).toList();
  }

  @Test
  void collect_withCollector_reducesLastLayer() {
    int sum =
        Flow.fromEnumerable(ONE_TO_1000)
            .map(x -> x * 2)
            .collect(Collectors.summingInt(Integer::intValue));
    assertEquals(1000 * 1001, sum);
  }

  @Test
  void run_sideEffects_allHappenBeforeReturn() {
    ConcurrentLinkedQueue<Integer> seen = new ConcurrentLinkedQueue<>();
    Flow.fromEnumerable(ONE_TO_1000).partition().each(seen::add).run();
    assertEquals(1000, seen.size());
  }

  @Test
  void failingMapper_failsTerminalWithFlowExceptionNamingTheStage() {
    IllegalStateException boom = new IllegalStateException("boom");
    Flow<Integer> f =
        Flow.fromEnumerable(ONE_TO_1000)
            .map(
                x -> {
                  if (x == 500) {
                    throw boom;
                  }
                  return x;
                })
            .partition()
            .reduce(() -> 0, Integer::sum);
    FlowException e = assertThrows(FlowException.class, f::toList);
    assertEquals(boom, e.getCause());
    assertTrue(e.stage().startsWith("g1."), e.stage()); // g0 = source, g1 = the mapper layer
  }

  @Test
  void failingReducer_inPartition_failsTerminalNamingPartitionStage() {
    Flow<Integer> f =
        Flow.fromEnumerable(ONE_TO_1000)
            .partition(o -> o.stages(3))
            .reduce(
                () -> 0,
                (a, x) -> {
                  if (x == 777) {
                    throw new ArithmeticException("bad " + x);
                  }
                  return a + x;
                });
    FlowException e = assertThrows(FlowException.class, f::run);
    assertInstanceOf(ArithmeticException.class, e.getCause());
    assertTrue(e.stage().startsWith("g1."), e.stage());
  }

  @Test
  void failingSource_failsTerminalNamingTheSource() {
    Iterator<Integer> bad =
        new Iterator<>() {
          int n;

          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Integer next() {
            if (++n == 50) {
              throw new IllegalStateException("source broke");
            }
            return n;
          }
        };
    RunningFlow<Void> run = Flow.fromEnumerable(bad).map(x -> x).start();
    FlowException e = assertThrows(FlowException.class, run::await);
    assertEquals("g0.0", e.stage());
    assertEquals("source broke", e.getCause().getMessage());
    assertTrue(run.isTerminated());
  }

  @Test
  void start_cancelOnInfiniteFlow_leavesNoThread() {
    RunningFlow<Void> run =
        Flow.fromEnumerable(Stream.iterate(0, i -> i + 1)).map(x -> x).partition().start();
    assertFalse(run.awaitTermination(Duration.ofMillis(20)));
    run.cancel();
    assertThrows(CancellationException.class, run::await);
    assertTrue(run.isTerminated());
  }

  @Test
  void start_finiteFlow_finishesWithStatisticsForEveryStage() {
    RunningFlow<Long> run =
        Flow.fromEnumerable(ONE_TO_1000, o -> o.stages(2))
            .map(x -> x)
            .partition(o -> o.stages(3))
            .start(Collectors.counting());
    assertEquals(1000L, run.await());
    assertTrue(run.isTerminated());
    List<StageStats> stats = run.statistics().stages();
    assertEquals(1 + 2 + 3 + 1, stats.size(), "the terminal too");
    StageStats terminal = stats.get(stats.size() - 1);
    assertEquals("g3.0", terminal.name());
    assertEquals(1000, terminal.eventsIn());
    long partitionIn =
        stats.stream()
            .filter(s -> s.name().startsWith("g2."))
            .mapToLong(StageStats::eventsIn)
            .sum();
    assertEquals(1000, partitionIn);
    assertTrue(run.statistics().toText().contains("g2.2"));
    assertTrue(run.graph().toMermaid().contains("partition"));
  }

  @Test
  void into_runningConsumer_receivesEveryEvent() {
    ConcurrentLinkedQueue<Object> got = new ConcurrentLinkedQueue<>();
    try (StageSystem system = new StageSystem("into-test")) {
      Stage<Void> sink =
          system.startConsumer(
              "sink",
              new Consumer<Object>() {
                @Override
                public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {
                  got.addAll(events);
                }
              });
      RunningFlow<Void> run = Flow.fromEnumerable(ONE_TO_1000).map(x -> -x).into(List.of(sink));
      run.await();
      assertTrue(run.isTerminated());
    }
    List<Integer> sorted = new ArrayList<>();
    got.forEach(o -> sorted.add((Integer) o));
    sorted.sort(null);
    assertEquals(ONE_TO_1000.stream().map(x -> -x).sorted().toList(), sorted);
  }

  @Test
  void fromStages_userProducers_areConsumedToTheirEnd() {
    try (StageSystem system = new StageSystem("from-stages-test")) {
      Stage<Integer> a = system.startProducer(Producers.fromIterable(List.of(1, 2, 3)));
      Stage<Integer> b = system.startProducer(Producers.fromIterable(List.of(4, 5)));
      List<Integer> out =
          new ArrayList<>(
              Flow.<Integer>fromStages(List.of(a, b), o -> o.stages(2)).map(x -> x * 10).toList());
      out.sort(null);
      assertEquals(List.of(10, 20, 30, 40, 50), out);
    }
  }
}
