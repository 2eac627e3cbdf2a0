package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.flowstage.stage.testing.LogRecorder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.LogRecord;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failure audit, as a demanding user would test it: an exception from any user callback reaches
 * the caller once (a {@link FlowException} whose cause is the user's), nothing is logged or printed
 * as well, and no thread of the run is left behind.
 */
final class FlowFailureAuditTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<Integer> EVENTS = IntStream.range(0, 200).boxed().toList();

  /** A failure the test recognises as its own. */
  static final class Boom extends RuntimeException {
    @java.io.Serial private static final long serialVersionUID = 1L;

    Boom(String where) {
      super("boom in " + where);
    }
  }

  private LogRecorder log;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream realErr;

  @BeforeEach
  void listen() {
    log = new LogRecorder("dev.flowstage");
    realErr = System.err;
    System.setErr(new PrintStream(err, true));
  }

  @AfterEach
  void stopListening() {
    System.setErr(realErr);
    log.close();
  }

  /** One flow whose named callback throws {@link Boom}. */
  record Case(String name, Supplier<Flow<?>> flow) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static <T> T boom(String where) {
    throw new Boom(where);
  }

  private static Flow<Integer> src() {
    return Flow.fromEnumerable(EVENTS, o -> o.stages(2).maxDemand(10));
  }

  static List<Case> callbacks() {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("map", () -> src().map(x -> x == 50 ? boom("map") : x)));
    cases.add(
        new Case("flatMap", () -> src().flatMap(x -> x == 50 ? boom("flatMap") : List.of(x))));
    cases.add(new Case("filter", () -> src().filter(x -> x == 50 ? boom("filter") : true)));
    cases.add(
        new Case(
            "each",
            () ->
                src()
                    .each(
                        x -> {
                          if (x == 50) {
                            boom("each");
                          }
                        })));
    cases.add(new Case("mapBatch", () -> src().mapBatch(b -> boom("mapBatch"))));
    cases.add(
        new Case("reduce init", () -> src().partition().reduce(() -> boom("init"), (a, x) -> a)));
    cases.add(
        new Case(
            "reducer",
            () -> src().partition().reduce(() -> 0, (a, x) -> x == 50 ? boom("reducer") : a + x)));
    cases.add(
        new Case(
            "combiner",
            () -> src().partition().reduce(() -> 0, (a, x) -> a + x, (a, b) -> boom("combiner"))));
    cases.add(
        new Case(
            "partition key",
            () ->
                src().partition(o -> o.key(x -> (Integer) x == 50 ? boom("key") : x)).map(x -> x)));
    cases.add(
        new Case(
            "partition hash",
            () ->
                src()
                    .partition(o -> o.hash(x -> (Integer) x == 50 ? boom("hash") : 0))
                    .map(x -> x)));
    cases.add(
        new Case(
            "reduceByKey key",
            () -> src().reduceByKey(x -> x == 50 ? boom("rbk key") : x % 3, x -> x, Integer::sum)));
    cases.add(
        new Case(
            "reduceByKey merge",
            () -> src().reduceByKey(x -> x % 3, x -> x, (a, b) -> boom("rbk merge"))));
    cases.add(new Case("uniqBy", () -> src().uniqBy(x -> x == 50 ? boom("uniqBy") : x)));
    cases.add(
        new Case(
            "fixed window time",
            () ->
                src()
                    .partition(
                        o ->
                            o.window(
                                Window.<Integer>fixed(
                                    Duration.ofSeconds(1), x -> x == 50 ? boom("event time") : x)))
                    .reduce(() -> 0, (a, x) -> a + x)));
    cases.add(
        new Case(
            "trigger function",
            () ->
                src()
                    .partition(
                        o ->
                            o.window(
                                Window.global()
                                    .<Integer, Integer>trigger(
                                        () -> 0, (events, s) -> boom("trigger"))))
                    .reduce(() -> 0, (a, x) -> a + x)));
    cases.add(
        new Case(
            "trigger init",
            () ->
                src()
                    .partition(
                        o ->
                            o.window(
                                Window.global()
                                    .<Integer, Integer>trigger(
                                        () -> boom("trigger init"),
                                        (events, s) -> TriggerDecision.cont(s))))
                    .reduce(() -> 0, (a, x) -> a + x)));
    cases.add(
        new Case(
            "onTrigger",
            () ->
                src()
                    .partition()
                    .reduce(() -> 0, (a, x) -> a + x)
                    .onTrigger((a, t) -> boom("onTrigger"))));
    cases.add(
        new Case(
            "emitAndReduce",
            () ->
                src()
                    .partition()
                    .emitAndReduce(
                        () -> 0,
                        (x, a) -> x == 50 ? boom("emitAndReduce") : TriggerResult.none(a))));
    cases.add(
        new Case(
            "departition init",
            () ->
                src()
                    .partition()
                    .reduce(() -> 0, (a, x) -> a + x)
                    .departition(() -> boom("dep init"), (a, x) -> a, a -> a)));
    cases.add(
        new Case(
            "departition merge",
            () ->
                src()
                    .partition()
                    .reduce(() -> 0, (a, x) -> a + x)
                    .departition(() -> 0, (a, x) -> boom("dep merge"), a -> a)));
    cases.add(
        new Case(
            "departition done",
            () ->
                src()
                    .partition()
                    .reduce(() -> 0, (a, x) -> a + x)
                    .departition(() -> 0, (a, x) -> a + x, a -> boom("dep done"))));
    cases.add(
        new Case("takeSort comparator", () -> src().takeSort(3, (a, b) -> boom("comparator"))));
    cases.add(
        new Case(
            "zip combiner",
            () ->
                Flow.zip(
                    Flow.fromEnumerable(EVENTS),
                    Flow.fromEnumerable(EVENTS),
                    (a, b) -> a == 50 ? boom("zip") : a + b)));
    cases.add(
        new Case(
            "source iterator",
            () -> Flow.fromEnumerable(failingIterator(50), o -> o.stages(1)).map(x -> x)));
    cases.add(
        new Case(
            "source stream",
            () ->
                Flow.fromEnumerable(
                        Stream.iterate(0, i -> i + 1).map(i -> i == 50 ? boom("stream") : i))
                    .map(x -> x)));
    cases.add(
        new Case(
            "source iterable",
            () -> Flow.fromEnumerable((Iterable<Integer>) () -> boom("iterable"))));
    cases.add(new Case("publisher", () -> Flow.fromPublisher(new FailingPublisher(), o -> o)));
    return cases;
  }

  private static Iterator<Integer> failingIterator(int at) {
    return new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        if (next == at) {
          throw new Boom("iterator");
        }
        return next++;
      }
    };
  }

  /** Signals a few items, then onError. */
  static final class FailingPublisher implements java.util.concurrent.Flow.Publisher<Integer> {
    @Override
    public void subscribe(java.util.concurrent.Flow.Subscriber<? super Integer> s) {
      s.onSubscribe(
          new java.util.concurrent.Flow.Subscription() {
            boolean done;

            @Override
            public void request(long n) {
              if (!done) {
                done = true;
                s.onNext(1);
                s.onError(new Boom("publisher"));
              }
            }

            @Override
            public void cancel() {}
          });
    }
  }

  @ParameterizedTest
  @MethodSource("callbacks")
  void failingCallback_toList_throwsOnceWithTheCause_logsNothing_leavesNoThread(Case c) {
    checkFails(() -> c.flow().get().toList());
  }

  @ParameterizedTest
  @MethodSource("callbacks")
  void failingCallback_stream_throwsOnceWithTheCause_logsNothing_leavesNoThread(Case c) {
    checkFails(
        () -> {
          try (Stream<?> s = c.flow().get().stream()) {
            s.forEach(x -> {});
          }
        });
  }

  @ParameterizedTest
  @MethodSource("callbacks")
  void failingCallback_start_await_throwsOnceWithTheCause(Case c) {
    checkFails(
        () -> {
          try (RunningFlow<Void> run = c.flow().get().start()) {
            run.await();
          }
        });
  }

  @Test
  void groupByKey_ofEventsThatAreNoEntries_failsTheRunOnce_sayingWhatToDo() {
    // Java cannot restrict T for groupByKey(): the run says what is wrong and what to do, instead
    // of a bare ClassCastException from inside a stage.
    Flow<java.util.Map<Object, List<Object>>> flow = src().partition().groupByKey();
    FlowException e = assertThrows(FlowException.class, flow::toList);
    IllegalArgumentException cause =
        assertInstanceOf(IllegalArgumentException.class, e.getCause(), e.toString());
    for (String f :
        List.of(
            "groupByKey()",
            "java.lang.Integer",
            "Map.entry(key, value)",
            "groupBy(keyFn)",
            "groupBy(keyFn, valueFn)")) {
      assertTrue(cause.getMessage().contains(f), () -> cause.getMessage() + " lacks " + f);
    }
    assertTrue(e.getMessage().contains("groupByKey()"), e.getMessage());
    assertEquals(
        List.of(java.util.Map.of(1, List.of("a"))),
        Flow.fromEnumerable(List.of(java.util.Map.entry(1, "a"))).groupByKey().toList().stream()
            .filter(m -> !m.isEmpty()) // one map per stage: those that got no event are empty
            .toList(),
        "entries are grouped as before");
    assertNoFlowThreads();
    assertEquals(List.of(), log.records().stream().map(LogRecord::getMessage).toList());
    assertEquals("", err.toString());
  }

  @Test
  void stream_limitOnEndlessSource_closedByTryWithResources_endsEveryStageAndClosesTheSource()
      throws InterruptedException {
    CountDownLatch sourceClosed = new CountDownLatch(1);
    Stream<Integer> endless = Stream.iterate(0, i -> i + 1).onClose(sourceClosed::countDown);
    try (Stream<Integer> s =
        Flow.fromEnumerable(endless, o -> o.maxDemand(10))
            .map(x -> x + 1)
            .partition(o -> o.stages(3))
            .map(x -> x * 2)
            .stream()) {
      assertEquals(5, s.limit(5).count());
    }
    assertTrue(sourceClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the source stayed open");
    assertNoFlowThreads();
    assertEquals(List.of(), log.records().stream().map(LogRecord::getMessage).toList());
    assertEquals("", err.toString());
  }

  /**
   * A stream read without try-with-resources whose action throws: the user's exception arrives
   * unchanged and the run is already over (no stage left, the endless source closed), not only once
   * the stream is garbage collected. forEach uses forEachRemaining, anyMatch tryAdvance.
   */
  @Test
  void stream_forEachActionThrows_withoutClose_endsTheRunAndRethrowsUnchanged()
      throws InterruptedException {
    checkStreamActionThrows(
        (s, boom) ->
            s.forEach(
                x -> {
                  if (x == 20) {
                    throw boom;
                  }
                }));
  }

  @Test
  void stream_shortCircuitingActionThrows_withoutClose_endsTheRunAndRethrowsUnchanged()
      throws InterruptedException {
    checkStreamActionThrows(
        (s, boom) ->
            s.map(x -> x == 20 ? boom("unused") : x)
                .anyMatch(
                    x -> {
                      if (x == 10) {
                        throw boom;
                      }
                      return false;
                    }));
  }

  private void checkStreamActionThrows(
      java.util.function.BiConsumer<Stream<Integer>, RuntimeException> read)
      throws InterruptedException {
    CountDownLatch sourceClosed = new CountDownLatch(1);
    Stream<Integer> endless = Stream.iterate(0, i -> i + 1).onClose(sourceClosed::countDown);
    Flow<Integer> flow =
        Flow.fromEnumerable(endless, o -> o.maxDemand(10)).partition(o -> o.stages(2)).map(x -> x);
    RuntimeException boom = new Boom("the reader");
    RuntimeException thrown =
        assertThrows(RuntimeException.class, () -> read.accept(flow.stream(), boom));
    assertTrue(thrown == boom, "not the user's exception: " + thrown);
    assertNoFlowThreads();
    assertTrue(sourceClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the source stayed open");
    assertEquals("", err.toString());
    assertEquals(List.of(), log.records().stream().map(LogRecord::getMessage).toList());
  }

  @Test
  void runningFlow_closeOnEndlessSource_throwsCancellationToAwait_andLeavesNoThread()
      throws InterruptedException {
    CountDownLatch sourceClosed = new CountDownLatch(1);
    CountDownLatch flowing = new CountDownLatch(100);
    Stream<Integer> endless = Stream.iterate(0, i -> i + 1).onClose(sourceClosed::countDown);
    RunningFlow<Void> run;
    try (RunningFlow<Void> r =
        Flow.fromEnumerable(endless, o -> o.maxDemand(10))
            .partition(o -> o.stages(2))
            .each(x -> flowing.countDown())
            .start()) {
      run = r;
      assertTrue(flowing.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
    assertThrows(java.util.concurrent.CancellationException.class, run::await);
    assertTrue(run.isTerminated());
    assertTrue(sourceClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the source stayed open");
    assertNoFlowThreads();
    assertEquals("", err.toString());
  }

  @Test
  void failingMap_inOneOfManyPartitions_endsTheEndlessSourceToo() throws InterruptedException {
    CountDownLatch sourceClosed = new CountDownLatch(1);
    Stream<Integer> endless = Stream.iterate(0, i -> i + 1).onClose(sourceClosed::countDown);
    Flow<Integer> f =
        Flow.fromEnumerable(endless, o -> o.maxDemand(10))
            .partition(o -> o.stages(4))
            .map(x -> x == 1000 ? boom("map") : x);
    checkFails(f::run);
    assertTrue(sourceClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the source stayed open");
  }

  @Test
  void toPublisher_subscriberThrowingInOnNext_endsTheFlowAndLeavesNoThread() throws Exception {
    CountDownLatch sourceClosed = new CountDownLatch(1);
    Stream<Integer> endless = Stream.iterate(0, i -> i + 1).onClose(sourceClosed::countDown);
    java.util.concurrent.Flow.Publisher<Integer> p =
        Flow.fromEnumerable(endless, o -> o.maxDemand(10)).map(x -> x).toPublisher();
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    p.subscribe(
        new java.util.concurrent.Flow.Subscriber<Integer>() {
          @Override
          public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(Integer item) {
            if (item == 20) {
              throw new Boom("onNext");
            }
          }

          @Override
          public void onError(Throwable t) {
            errors.add(t);
          }

          @Override
          public void onComplete() {}
        });
    assertTrue(sourceClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the flow still runs");
    // no terminal returns here: the publisher's threads end on their own, soon
    awaitNoFlowThreads();
    assertEquals("", err.toString());
  }

  /**
   * A publisher that breaks rule 1.1 (signals beyond the request) fails the flow once with a
   * FlowException saying so, and has its subscription cancelled; nothing is logged.
   */
  @Test
  void fromPublisher_signallingMoreThanRequested_failsTheFlowNamingRule11_andCancels()
      throws Exception {
    CountDownLatch cancelled = new CountDownLatch(1);
    java.util.concurrent.Flow.Publisher<Integer> greedy =
        s ->
            s.onSubscribe(
                new java.util.concurrent.Flow.Subscription() {
                  int next;

                  @Override
                  public void request(long n) {
                    for (int i = 0; i < n + 5; i++) { // 5 more than asked, every time
                      s.onNext(next++);
                    }
                  }

                  @Override
                  public void cancel() {
                    cancelled.countDown();
                  }
                });
    FlowException e =
        assertThrows(
            FlowException.class,
            () -> Flow.fromPublisher(greedy, o -> o.maxDemand(10)).map(x -> x).toList());
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("more items than requested"), e.toString());
    assertTrue(e.getCause().getMessage().contains("rule 1.1"), e.toString());
    assertTrue(cancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS), "not cancelled");
    assertNoFlowThreads();
    assertEquals("", err.toString());
    assertEquals(List.of(), log.records().stream().map(LogRecord::getMessage).toList());
  }

  @Test
  void into_consumerFailing_failsAwaitNamingIt_andEndsTheEndlessSource() throws Exception {
    CountDownLatch sourceClosed = new CountDownLatch(1);
    Stream<Integer> endless = Stream.iterate(0, i -> i + 1).onClose(sourceClosed::countDown);
    try (dev.flowstage.stage.StageSystem mine = new dev.flowstage.stage.StageSystem("mine")) {
      dev.flowstage.stage.Stage<Void> consumer =
          mine.startConsumer(
              "mine-consumer",
              (List<Object> events,
                  dev.flowstage.stage.Subscription from,
                  dev.flowstage.stage.StageContext ctx) -> {
                if (events.contains(30)) {
                  throw new Boom("consumer");
                }
              });
      RunningFlow<Void> run =
          Flow.fromEnumerable(endless, o -> o.maxDemand(10)).map(x -> x).into(List.of(consumer));
      FlowException e = assertThrows(FlowException.class, run::await);
      assertTrue(hasBoom(e), e.toString());
      assertTrue(run.isTerminated());
    }
    assertTrue(sourceClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the source stayed open");
    assertNoFlowThreads();
    assertEquals("", err.toString());
    assertEquals(List.of(), log.records().stream().map(LogRecord::getMessage).toList());
  }

  @TempDir Path dir;

  /** The descriptors this JVM holds open on {@code file} (Linux's /proc; empty elsewhere). */
  private static List<String> openDescriptors(Path file) throws IOException {
    Path fds = Path.of("/proc/self/fd");
    List<String> open = new ArrayList<>();
    if (!Files.isDirectory(fds)) {
      return open;
    }
    Path real = file.toRealPath();
    try (Stream<Path> all = Files.list(fds)) {
      for (Path fd : all.toList()) {
        try {
          if (Files.readSymbolicLink(fd).equals(real)) {
            open.add(fd.toString());
          }
        } catch (IOException | UnsupportedOperationException e) {
          // closed while listing
        }
      }
    }
    return open;
  }

  @Test
  void fileSource_failingMapMidFile_closesTheFile() throws IOException {
    Path file = dir.resolve("lines.txt");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      b.append("line ").append(i).append('\n');
    }
    Files.writeString(file, b);
    checkFails(
        () ->
            Flow.fromFiles(List.of(file), o -> o.maxDemand(10))
                .map(l -> l.equals("line 100") ? boom("map over a file") : l)
                .run());
    assertEquals(List.of(), openDescriptors(file));
  }

  @Test
  void fileSource_streamClosedEarly_closesTheFile() throws IOException {
    Path file = dir.resolve("many.txt");
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      b.append("line ").append(i).append('\n');
    }
    Files.writeString(file, b);
    try (Stream<String> s = Flow.fromFiles(List.of(file), o -> o.maxDemand(10)).stream()) {
      assertEquals(3, s.limit(3).count());
    }
    assertNoFlowThreads();
    assertEquals(List.of(), openDescriptors(file));
  }

  /**
   * A missing file fails every terminal with a FlowException naming the file, the
   * NoSuchFileException its cause; nothing starts, nothing is logged. The plan stays reusable: once
   * the file exists the same flow reads it.
   */
  @Test
  void missingFile_failsEveryTerminalWithAFlowExceptionNamingIt_andThePlanStaysReusable()
      throws Exception {
    Path missing = dir.resolve("missing.txt");
    Flow<String> lines = Flow.fromFiles(missing).map(l -> l);
    Flow<KeyCount<String>> fused = Flow.fromFiles(missing).flatMap(Tokenizer.SPACE).frequencies();
    List<Runnable> terminals = new ArrayList<>();
    terminals.add(lines::toList);
    terminals.add(lines::run);
    terminals.add(fused::toList);
    terminals.add(
        () -> {
          try (Stream<String> s = lines.stream()) {
            s.forEach(x -> {});
          }
        });
    terminals.add(
        () -> {
          try (RunningFlow<Void> run = lines.start()) {
            run.await();
          }
        });
    try (dev.flowstage.stage.StageSystem mine = new dev.flowstage.stage.StageSystem("mine")) {
      dev.flowstage.stage.Stage<Void> consumer =
          mine.startConsumer(
              (List<Object> events,
                  dev.flowstage.stage.Subscription from,
                  dev.flowstage.stage.StageContext ctx) -> {});
      terminals.add(() -> lines.into(List.of(consumer)).await());
      for (Runnable terminal : terminals) {
        RuntimeException e = assertThrows(RuntimeException.class, terminal::run);
        assertInstanceOf(FlowException.class, e, "not a FlowException");
        assertInstanceOf(java.nio.file.NoSuchFileException.class, e.getCause(), e.toString());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
      }
      assertTrue(consumer.isAlive(), "the user's consumer is not the flow's to stop");
    }
    assertNoFlowThreads(); // no run left a thread (the user's own system is closed now)
    java.util.concurrent.CompletableFuture<Throwable> error =
        new java.util.concurrent.CompletableFuture<>();
    lines
        .toPublisher()
        .subscribe(
            new java.util.concurrent.Flow.Subscriber<String>() {
              @Override
              public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                s.request(1);
              }

              @Override
              public void onNext(String item) {}

              @Override
              public void onError(Throwable t) {
                error.complete(t);
              }

              @Override
              public void onComplete() {
                error.complete(null);
              }
            });
    Throwable t = error.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertInstanceOf(FlowException.class, t);
    assertInstanceOf(java.nio.file.NoSuchFileException.class, t.getCause());
    awaitNoFlowThreads();
    assertEquals("", err.toString());
    assertEquals(List.of(), log.records().stream().map(LogRecord::getMessage).toList());
    Files.writeString(missing, "now here\n");
    assertEquals(List.of("now here"), lines.toList());
    assertEquals(2, fused.toList().size()); // "now" and "here"
  }

  @Test
  void malformedGzip_failsTheRunWithAFlowExceptionNamingTheFile() throws IOException {
    Path gz = dir.resolve("bad.gz");
    Files.writeString(gz, "not gzip at all\n");
    FlowException e = assertThrows(FlowException.class, () -> Flow.fromFiles(gz).toList());
    assertInstanceOf(IOException.class, e.getCause());
    assertTrue(e.getMessage().contains(gz.toString()), e.getMessage());
    assertNoFlowThreads();
    assertEquals(List.of(), log.records().stream().map(LogRecord::getMessage).toList());
  }

  @Test
  void interruptingTheCallerOfRun_endsTheEndlessFlow() throws Exception {
    CountDownLatch sourceClosed = new CountDownLatch(1);
    CountDownLatch flowing = new CountDownLatch(50);
    Stream<Integer> endless = Stream.iterate(0, i -> i + 1).onClose(sourceClosed::countDown);
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean stillInterrupted =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    Flow.fromEnumerable(endless, o -> o.maxDemand(10))
                        .partition(o -> o.stages(2))
                        .each(x -> flowing.countDown())
                        .run();
                  } catch (Throwable t) {
                    thrown.set(t);
                    stillInterrupted.set(Thread.currentThread().isInterrupted());
                  }
                });
    assertTrue(flowing.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    caller.interrupt();
    caller.join(WAIT);
    assertTrue(!caller.isAlive(), "run() ignored the interrupt");
    assertTrue(
        thrown.get() instanceof java.util.concurrent.CancellationException, "" + thrown.get());
    assertTrue(stillInterrupted.get(), "the caller's interrupt status was cleared");
    assertTrue(sourceClosed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the source stayed open");
    assertNoFlowThreads();
  }

  @Test
  void fromStages_userProducerFails_failsTheFlowWithItsCause_andCancelLeavesTheUsersStageRunning()
      throws Exception {
    try (dev.flowstage.stage.StageSystem mine = new dev.flowstage.stage.StageSystem("users")) {
      dev.flowstage.stage.Stage<Integer> endless =
          mine.startProducer(
              dev.flowstage.stage.Producers.fromIterator(
                  Stream.iterate(0, i -> i + 1).iterator(),
                  dev.flowstage.stage.Producers.OnCancel.CONTINUE));
      RunningFlow<Void> run =
          Flow.<Integer>fromStages(List.of(endless), o -> o).map(x -> x).start();
      run.cancel();
      assertThrows(java.util.concurrent.CancellationException.class, run::await);
      assertTrue(run.isTerminated());
      assertTrue(endless.isAlive(), "the user's producer is not the flow's to stop");
      endless.stop(dev.flowstage.stage.ExitReason.shutdown());
      endless.awaitExit(WAIT);
      // dying at its first demand, which comes once the run is released, while its readers are
      // still subscribing: repeated, as that race is what it checks
      for (int i = 0; i < 30; i++) {
        dev.flowstage.stage.Stage<Integer> failing =
            mine.startProducer(
                (long demand, dev.flowstage.stage.ProducerContext<Integer> ctx) -> {
                  throw new Boom("user producer");
                });
        checkFails(
            () -> {
              try {
                Flow.<Integer>fromStages(List.of(failing), o -> o.stages(4)).map(x -> x).run();
              } finally {
                // The user's producer is not the flow's: the terminal need not wait for its thread
                // to end, and the check below is about the flow's own threads.
                failing.awaitExit(WAIT);
              }
            });
      }
    }
  }

  private void checkFails(Runnable run) {
    RuntimeException e = assertThrows(RuntimeException.class, run::run);
    assertTrue(e instanceof FlowException, "not a FlowException: " + e);
    assertTrue(hasBoom(e), "the user's exception is not the cause: " + e);
    assertTrue(e.getMessage().contains("'"), "names no stage: " + e.getMessage());
    assertNoFlowThreads();
    assertEquals("", err.toString(), "printed to stderr");
    assertEquals(
        List.of(),
        log.records().stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList());
  }

  private static boolean hasBoom(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Boom) {
        return true;
      }
    }
    return false;
  }

  private static final Pattern NAME = Pattern.compile("\"name\": \"([^\"]*)\"");

  /** The names of every live thread, virtual ones included (a JSON thread dump lists them). */
  static List<String> flowThreads() {
    try {
      Path f = Files.createTempFile("threads", ".json");
      Files.delete(f);
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
          .dumpThreads(f.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
      String json = Files.readString(f);
      Files.delete(f);
      List<String> names = new ArrayList<>();
      Matcher m = NAME.matcher(json);
      while (m.find()) {
        String n = m.group(1);
        // The "users" system's stages are the test's own, standing for a user's: no flow owns
        // them, so a terminal need not outlive their threads (a failed one's thread can still be
        // ending just after its exit completed).
        // FlowClock.system()'s timer thread is one per JVM, started by the first run with a
        // timer and kept (a daemon): no run owns it. An iterator source's reader is named after
        // its stage (g0.0-reader).
        if ((n.startsWith("flowstage-") || n.startsWith("flow-") || n.endsWith("-reader"))
            && !n.startsWith("flowstage-users-")
            && !n.equals("flowstage-clock")) {
          names.add(n);
        }
      }
      return names;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The run's threads end, without anything to wait on (a publisher's subscriber that threw). */
  static void awaitNoFlowThreads() {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> left = flowThreads();
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      left = flowThreads();
    }
    assertEquals(List.of(), left, "leaked threads");
  }

  /** The run's threads are gone once its terminal returned or threw. */
  static void assertNoFlowThreads() {
    List<String> left = flowThreads();
    if (!left.isEmpty()) {
      // tell a slow exit apart from a leak
      long deadline = System.nanoTime() + WAIT.toNanos();
      List<String> still = left;
      while (!still.isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        still = flowThreads();
      }
      fail(
          "threads still running after the terminal returned: "
              + left
              + (still.isEmpty() ? " (they ended later)" : " (leaked: " + still + ")"));
    }
  }
}
