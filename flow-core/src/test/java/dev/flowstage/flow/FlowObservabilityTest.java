package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.StageStats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collector;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Final statistics after every kind of end, the JFR events, and the flow listeners. */
final class FlowObservabilityTest {
  private static final int N = 2_000;

  private static List<Integer> numbers(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  private static long sourceEventsOut(FlowStatistics s, FlowGraph g) {
    return s.byNode(g).get(g.nodes().get(0).id()).stream().mapToLong(StageStats::eventsOut).sum();
  }

  @Test
  void statistics_afterCompletion_areFinalAndStable() {
    RunningFlow<List<Integer>> run =
        Flow.fromEnumerable(numbers(N), o -> o.stages(2))
            .map(x -> x + 1)
            .partition(o -> o.stages(3))
            .start(Collectors.toList());
    assertEquals(N, run.await().size());
    FlowStatistics s = run.statistics();
    assertEquals(FlowState.COMPLETED, s.state());
    assertTrue(s.flow().matches("flow-\\d+"), s.flow());
    assertTrue(s.elapsed().compareTo(Duration.ZERO) > 0);
    FlowGraph g = run.graph();
    assertEquals(g.nodes().stream().mapToInt(FlowGraph.Node::stages).sum(), s.stages().size());
    assertEquals(N, sourceEventsOut(s, g));
    String last = g.nodes().get(g.nodes().size() - 2).id(); // the partition layer
    assertEquals(3, s.byNode(g).get(last).size());
    assertEquals(N, s.byNode(g).get(last).stream().mapToLong(StageStats::eventsIn).sum());
    assertSame(s, run.statistics(), "frozen once ended");
    assertTrue(s.waiting(s.stages().get(0)).compareTo(s.elapsed()) <= 0);
  }

  /**
   * The run's own consumers of the last layer are stages of the run too: its terminal (what {@code
   * toList}, {@code stream}, {@code start} read) or the consumers {@code intoConsumers} starts are
   * the graph's last node, {@code g<n>}, and the statistics' last stages, {@code g<n>.<i>},
   * counting every event they were given; a caller's consumers ({@code into}) are the caller's
   * stages and are in neither.
   */
  @Test
  void statistics_includeTheRunsOwnConsumers_namedAsTheGraphsLastNode() throws Exception {
    Flow<Integer> flow =
        Flow.fromEnumerable(numbers(N), o -> o.stages(2))
            .map(x -> x + 1)
            .partition(o -> o.stages(3));
    FlowGraph plan = flow.graph(); // the plan's groups, g0..g<n-1>: no consumer yet
    assertTrue(plan.nodes().stream().noneMatch(n -> n.kind().equals("terminal")), plan.toText());

    RunningFlow<List<Integer>> toList = flow.start(Collectors.toList());
    assertEquals(N, toList.await().size());
    assertConsumers(plan, toList, "terminal", 1);

    RunningFlow<Void> owned =
        flow.intoConsumers(List.of(FlowObservabilityTest::discard, FlowObservabilityTest::discard));
    owned.await();
    assertConsumers(plan, owned, "into", 2);

    try (dev.flowstage.stage.StageSystem system = new dev.flowstage.stage.StageSystem("callers")) {
      dev.flowstage.stage.Stage<?> theirs = system.startConsumer("theirs", discard());
      RunningFlow<Void> into = flow.into(List.of(theirs));
      into.await();
      assertEquals(plan, into.graph());
      assertEquals(stages(plan), into.statistics().stages().size());
      assertEquals(plan.nodes().size(), into.statistics().byNode(plan).size());
    }
  }

  /** A consumer that takes every event and does nothing with it. */
  private static dev.flowstage.stage.Consumer<Integer> discard() {
    return (events, from, ctx) -> {};
  }

  private static int stages(FlowGraph g) {
    return g.nodes().stream().mapToInt(FlowGraph.Node::stages).sum();
  }

  /** The run's graph is the plan's plus its consumers, fed by the plan's last node. */
  private static void assertConsumers(FlowGraph plan, RunningFlow<?> run, String kind, int n) {
    FlowGraph g = run.graph();
    String id = "g" + plan.nodes().size();
    String last = plan.nodes().get(plan.nodes().size() - 1).id();
    assertEquals(plan.nodes(), g.nodes().subList(0, plan.nodes().size()));
    assertEquals(
        List.of(new FlowGraph.Node(id, kind, n, "")),
        g.nodes().subList(plan.nodes().size(), g.nodes().size()));
    assertTrue(g.edges().contains(new FlowGraph.Edge(last, id, "demand")), g.toText());
    FlowStatistics s = run.statistics();
    List<StageStats> consumers = s.byNode(g).get(id);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add(id + "." + i);
    }
    assertEquals(names, consumers.stream().map(StageStats::name).toList());
    assertEquals(s.stages().subList(stages(plan), s.stages().size()), consumers, "listed last");
    assertEquals(N, consumers.stream().mapToLong(StageStats::eventsIn).sum());
  }

  @Test
  void statistics_afterStageFailure_sayFailedAndKeepCounters() {
    RunningFlow<List<Integer>> run =
        Flow.fromEnumerable(numbers(N))
            .map(
                x -> {
                  if (x == 1500) {
                    throw new IllegalStateException("boom at " + x);
                  }
                  return x;
                })
            .start(Collectors.toList());
    assertThrows(FlowException.class, run::await);
    FlowStatistics s = run.statistics();
    assertEquals(FlowState.FAILED, s.state());
    assertTrue(s.stages().stream().mapToLong(StageStats::eventsIn).sum() > 0);
    assertSame(s, run.statistics());
  }

  @Test
  void statistics_afterCancel_sayCancelled() throws InterruptedException {
    CountDownLatch flowing = new CountDownLatch(1);
    RunningFlow<Void> run =
        Flow.fromEnumerable(Stream.iterate(0, x -> x + 1))
            .map(
                x -> {
                  flowing.countDown();
                  return x;
                })
            .start();
    flowing.await();
    run.cancel();
    assertThrows(CancellationException.class, run::await);
    FlowStatistics s = run.statistics();
    assertEquals(FlowState.CANCELLED, s.state());
    assertTrue(s.stages().get(0).eventsOut() > 0);
  }

  @Test
  void statistics_whenTheCollectorFails_sayFailed() {
    Collector<Integer, List<Integer>, List<Integer>> failing =
        Collector.of(
            ArrayList::new,
            (l, x) -> {
              if (x == 10) {
                throw new IllegalArgumentException("collector refuses " + x);
              }
              l.add(x);
            },
            (a, b) -> a);
    RunningFlow<List<Integer>> run = Flow.fromEnumerable(numbers(N)).start(failing);
    assertThrows(IllegalArgumentException.class, run::await);
    assertEquals(FlowState.FAILED, run.statistics().state());
  }

  @Test
  void statistics_countLateEventsDroppedByFixedWindows() {
    // Events of window 0 after events of window 2 on the same input are late: dropped.
    List<Long> times = List.of(0L, 1L, 2_500L, 5L, 6L, 7L);
    RunningFlow<List<Long>> run =
        Flow.fromEnumerable(times)
            .partition(
                o ->
                    o.stages(1)
                        .maxDemand(1) // one event per batch: the watermark moves between events
                        .window(Window.fixed(Duration.ofSeconds(1), (Long t) -> t)))
            .reduce(() -> 0L, (Long t, Long acc) -> acc + 1)
            .start(Collectors.toList());
    run.await();
    FlowStatistics s = run.statistics();
    assertEquals(3L, s.lateDropped().values().stream().mapToLong(Long::longValue).sum());
    assertTrue(s.toText().contains("late events dropped by g1.0: 3"), s.toText());
  }

  @Test
  void jfr_aJvmThatRecordsNothing_neverInitializesTheRecorder() throws Exception {
    // Initializing JFR costs most of a second: a flow must not do it for a JVM that records
    // nothing.
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                javaBin.toString(),
                "-Xlog:class+load=info", // lists every class loaded
                "-cp",
                cp,
                FlowWithoutRecording.class.getName())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(50, TimeUnit.SECONDS), "forked JVM did not finish");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("1000 events; jfr initialized: false"), out);
    assertFalse(out.contains("jdk.jfr.internal.MetadataRepository"), "JFR metadata was set up");
    for (String event : List.of("Started", "Ended", "StageFailed", "StageSample")) {
      assertFalse(out.contains("FlowJfr$" + event + " "), "event class loaded: " + event);
    }
  }

  @Test
  void jfr_recordsStartEndFailureAndSampledStageCounters(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("flows.jfr");
    String ok;
    String failed;
    FlowGraph okGraph;
    Set<String> okStages;
    // JFR schedules a periodic hook added during a recording only after up to a second; a flow
    // already running when the recording starts has its hook in place, so samples come at once.
    // Flows register the hook only once the recorder is initialized (never initializing it).
    jdk.jfr.FlightRecorder.getFlightRecorder();
    java.util.concurrent.CompletableFuture<Void> release =
        new java.util.concurrent.CompletableFuture<>();
    RunningFlow<Void> keeper =
        Flow.fromEnumerable(List.of(1))
            .map(
                x -> {
                  release.join();
                  return x;
                })
            .start();
    try (Recording r = new Recording()) {
      r.enable("dev.flowstage.FlowStarted");
      r.enable("dev.flowstage.FlowEnded");
      r.enable("dev.flowstage.StageFailed");
      r.enable("dev.flowstage.StageStatistics").withPeriod(Duration.ofMillis(10));
      r.start();
      RunningFlow<List<Integer>> run =
          Flow.fromEnumerable(numbers(200), o -> o.stages(1).maxDemand(10))
              .map(
                  x -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // samples
                    return x;
                  })
              .start(Collectors.toList());
      assertEquals(200, run.await().size());
      ok = run.statistics().flow();
      okGraph = run.graph();
      okStages =
          run.statistics().stages().stream().map(StageStats::name).collect(Collectors.toSet());
      RunningFlow<List<Integer>> bad =
          Flow.fromEnumerable(numbers(100))
              .map(
                  x -> {
                    if (x == 50) {
                      throw new IllegalStateException("no <50> & more");
                    }
                    return x;
                  })
              .start(Collectors.toList());
      assertThrows(FlowException.class, bad::await);
      failed = bad.statistics().flow();
      release.complete(null);
      keeper.await();
      r.stop();
      r.dump(file);
    }
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);

    RecordedEvent started = only(events, "dev.flowstage.FlowStarted", ok);
    assertEquals(
        okGraph.nodes().stream().mapToInt(FlowGraph.Node::stages).sum(), started.getInt("stages"));
    assertEquals(okGraph.toText(), started.getString("graph"));

    RecordedEvent ended = only(events, "dev.flowstage.FlowEnded", ok);
    assertEquals("COMPLETED", ended.getString("outcome"));
    assertEquals(200, ended.getLong("sourceEvents"));
    assertEquals(200, ended.getLong("resultEvents"));
    assertNull(ended.getString("failure"));
    assertTrue(ended.getDuration().toMillis() >= 200, () -> "duration " + ended.getDuration());
    assertTrue(ended.getDuration("elapsed").toMillis() >= 200, "the whole run");
    assertFalse(ended.getStartTime().isAfter(started.getStartTime()), "spans the whole run");

    RecordedEvent failure = only(events, "dev.flowstage.StageFailed", failed);
    assertEquals("g1.0", failure.getString("stage"));
    assertEquals(IllegalStateException.class.getName(), failure.getString("exceptionClass"));
    assertEquals("no <50> & more", failure.getString("message"));
    RecordedEvent failedEnd = only(events, "dev.flowstage.FlowEnded", failed);
    assertEquals("FAILED", failedEnd.getString("outcome"));
    assertTrue(failedEnd.getString("failure").contains("no <50> & more"));

    List<RecordedEvent> samples = of(events, "dev.flowstage.StageStatistics", ok);
    Set<String> sampled =
        samples.stream().map(e -> e.getString("stage")).collect(Collectors.toSet());
    assertEquals(okStages, sampled);
    long maxAsks =
        samples.stream()
            .filter(e -> e.getString("stage").equals("g1.0"))
            .mapToLong(e -> e.getLong("asksSent"))
            .max()
            .orElseThrow();
    assertTrue(maxAsks > 0, "the map stage asks upstream in batches of 10");
    assertTrue(
        samples.stream().allMatch(e -> e.getLong("eventsIn") <= 200 && e.getLong("busyTime") >= 0));
  }

  private static List<RecordedEvent> of(List<RecordedEvent> all, String type, String flow) {
    return all.stream()
        .filter(e -> e.getEventType().getName().equals(type))
        .filter(e -> flow.equals(e.getString("flow")))
        .toList();
  }

  private static RecordedEvent only(List<RecordedEvent> all, String type, String flow) {
    List<RecordedEvent> found = of(all, type, flow);
    assertEquals(1, found.size(), () -> type + " for " + flow + ": " + found);
    return found.get(0);
  }

  // snippet-start: slow-runs
  static FlowListener.Registration warnAboutSlowRuns(Duration limit, Consumer<String> warn) {
    return FlowListener.register(
        new FlowListener() {
          @Override
          public void flowEnded(FlowRunInfo flow) {
            FlowStatistics s = flow.statistics(); // final: the run's threads have exited
            if (s.elapsed().compareTo(limit) > 0) {
              warn.accept(
                  flow.name() + " " + s.state() + " after " + s.elapsed().toMillis() + " ms");
            }
          }
        });
  }

  // snippet-end: slow-runs

  @Test
  void slowRunListener_warnsOnceTheRunEnded() {
    List<String> warnings = new CopyOnWriteArrayList<>();
    String name;
    FlowListener.Registration registration = warnAboutSlowRuns(Duration.ZERO, warnings::add);
    try {
      RunningFlow<Void> run = Flow.fromEnumerable(numbers(100)).start();
      run.await();
      name = run.statistics().flow();
    } finally {
      registration.close();
    }
    assertTrue(
        warnings.stream().anyMatch(w -> w.startsWith(name + " COMPLETED after ")),
        warnings::toString);
  }

  @Test
  void listeners_seeStartFailureAndEnd_andUnregister() {
    List<String> seen = new CopyOnWriteArrayList<>();
    FlowListener listener = recording(seen);
    String name;
    FlowListener.Registration reg = FlowListener.register(listener);
    try {
      RunningFlow<List<Integer>> run =
          Flow.fromEnumerable(numbers(10))
              .map(
                  x -> {
                    if (x == 5) {
                      throw new IllegalStateException("five");
                    }
                    return x;
                  })
              .start(Collectors.toList());
      assertThrows(FlowException.class, run::await);
      name = run.statistics().flow();
    } finally {
      reg.close();
    }
    reg.close(); // idempotent
    List<String> mine = seen.stream().filter(s -> s.contains(name + " ")).toList();
    assertEquals(
        List.of(
            "started " + name + " RUNNING",
            "failed " + name + " g1.0 five",
            "ended " + name + " FAILED"),
        mine);
    int before = seen.size();
    Flow.fromEnumerable(numbers(3)).start().await();
    assertEquals(before, seen.size(), "unregistered");
  }

  @Test
  void
      fromStages_holdsTheUsersProducersUntilTheRunIsWired_soAFirstEventFailureIsSeenStartedFailedEnded() {
    // The user's producer has events at once; before the fix the flow's first layer subscribed to
    // it while the run was still starting, a step failed on the first event, and the listener saw
    // that failure for a run it was never told started, and no end (found by FlowFuzzProperties).
    // Repeated: the early start was a race.
    for (int i = 0; i < 30; i++) {
      List<String> seen = new CopyOnWriteArrayList<>();
      FlowListener.Registration reg = FlowListener.register(recording(seen));
      String name;
      try (dev.flowstage.stage.StageSystem mine =
          new dev.flowstage.stage.StageSystem("users-" + i)) {
        dev.flowstage.stage.Stage<Integer> producer =
            mine.startProducer(dev.flowstage.stage.Producers.fromIterable(numbers(10)));
        RunningFlow<List<Integer>> run =
            Flow.<Integer>fromStages(List.of(producer), o -> o.stages(2))
                .<Integer>map(
                    x -> {
                      throw new IllegalStateException("first");
                    })
                .start(Collectors.toList());
        assertThrows(FlowException.class, run::await);
        name = run.statistics().flow();
      } finally {
        reg.close();
      }
      // either stage of the mapping layer may meet the first event
      List<String> mine =
          seen.stream()
              .filter(s -> s.contains(name + " "))
              .map(s -> s.replaceAll(" g\\d+\\.\\d+ ", " STAGE "))
              .toList();
      assertEquals(
          List.of(
              "started " + name + " RUNNING",
              "failed " + name + " STAGE first",
              "ended " + name + " FAILED"),
          mine);
    }
  }

  @Test
  void fromStages_aProducerFailingBeforeAllItsReadersSubscribed_isOneFailure_withItsOwnCause() {
    // The producer fails at its first demand: the reader that asked first ends with its failure,
    // the others, subscribing to a stage already gone, with a StageNotAliveException around it.
    // Before the fix each was reported as a failure of its own and the FlowException's cause could
    // be the StageNotAliveException (found by FlowFuzzProperties). Repeated: it is a race.
    for (int i = 0; i < 30; i++) {
      List<String> seen = new CopyOnWriteArrayList<>();
      FlowListener.Registration reg = FlowListener.register(recording(seen));
      String name;
      try (dev.flowstage.stage.StageSystem mine =
          new dev.flowstage.stage.StageSystem("users-" + i)) {
        IllegalStateException boom = new IllegalStateException("producer");
        dev.flowstage.stage.Stage<Integer> failing =
            mine.startProducer(
                (long demand, dev.flowstage.stage.ProducerContext<Integer> ctx) -> {
                  throw boom;
                });
        RunningFlow<List<Integer>> run =
            Flow.<Integer>fromStages(List.of(failing), o -> o.stages(4))
                .map(x -> x)
                .start(Collectors.toList());
        FlowException e = assertThrows(FlowException.class, run::await);
        assertSame(boom, e.getCause());
        name = run.statistics().flow();
      } finally {
        reg.close();
      }
      List<String> failures =
          seen.stream().filter(s -> s.startsWith("failed " + name + " ")).toList();
      assertEquals(1, failures.size(), failures::toString);
    }
  }

  /** A listener writing what it sees into {@code seen}, one line per callback. */
  private static FlowListener recording(List<String> seen) {
    return new FlowListener() {
      @Override
      public void flowStarted(FlowRunInfo flow) {
        seen.add("started " + flow.name() + " " + flow.statistics().state());
      }

      @Override
      public void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {
        seen.add("failed " + flow.name() + " " + stage + " " + cause.getMessage());
      }

      @Override
      public void flowEnded(FlowRunInfo flow) {
        seen.add("ended " + flow.name() + " " + flow.statistics().state());
      }
    };
  }
}
