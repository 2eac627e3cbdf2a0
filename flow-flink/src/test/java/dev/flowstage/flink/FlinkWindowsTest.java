package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.AuditFlows;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.TriggerDecision;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The windows and triggers that used to be rejected on Flink run flow-core's logic there too: fixed
 * (event-time) windows, periodic windows and {@code triggerPeriodically} (Flink processing-time
 * timers, the job in streaming mode when the plan has them), and trigger functions; each compared
 * with the local runtime. A fixed window tracks each upstream subtask as an input of its own, as a
 * local stage tracks each upstream stage, so sources whose times interleave out of order, or a
 * producer out of order across partitions, give the local panes.
 */
final class FlinkWindowsTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final List<Integer> NUMBERS = IntStream.range(0, 60).boxed().toList();

  private static void assertSameAsLocal(Flow<?> flow) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    List<String> flink = new ArrayList<>();
    FlinkFlows.collect(env, flow).forEach(e -> flink.add(String.valueOf(e)));
    List<String> local = new ArrayList<>();
    flow.toList().forEach(e -> local.add(String.valueOf(e)));
    flink.sort(null);
    local.sort(null);
    assertFalse(local.isEmpty());
    assertEquals(local, flink);
  }

  @Test
  void fixedWindow_eventTimeInOrder_samePanesAsLocal() throws Exception {
    // One enumerable, so each partition sees its events in time order on both runtimes.
    assertSameAsLocal(
        Flow.fromEnumerable(NUMBERS, o -> o.stages(1))
            .partition(
                o ->
                    o.stages(2)
                        .key(i -> (Integer) i % 3)
                        .window(Window.fixed(Duration.ofSeconds(1), i -> (Integer) i * 100L)))
            .reduce(() -> 0, Integer::sum));
  }

  /** Events {@code [source, time]}, {@code n} per source, each source in time order. */
  private static List<List<int[]>> interleaved(int sources, int n) {
    List<List<int[]>> all = new ArrayList<>();
    for (int s = 0; s < sources; s++) {
      List<int[]> events = new ArrayList<>();
      for (int t = 0; t < n; t++) {
        events.add(new int[] {s, t});
      }
      all.add(events);
    }
    return all;
  }

  private static final Window BY_TIME =
      Window.fixed(Duration.ofSeconds(1), e -> ((int[]) e)[1] * 100L);

  @Test
  void fixedWindow_upstreamSourcesInterleaveOutOfOrder_samePanesAsLocal() throws Exception {
    // Two sources, each in time order, interleaved as Flink reads their channels (in batch mode
    // often one channel after the other): a pane closes only when every source has passed it, as
    // each tracked as an input of its own, so nothing is late, as locally.
    Flow<String> flow =
        Flow.<int[]>fromEnumerables(interleaved(2, 60), o -> o.stages(1))
            .partition(o -> o.stages(2).key(e -> ((int[]) e)[1] % 3).window(BY_TIME))
            .reduce(() -> 0, (n, e) -> n + 1)
            .map(n -> "pane of " + n);
    assertSameAsLocal(flow);
    int events = 0;
    for (String pane : flow.toList()) {
      events += Integer.parseInt(pane.substring("pane of ".length()));
    }
    assertEquals(120, events, "no event is late");
    // A departition per window merges a window once both partitions have closed it.
    assertSameAsLocal(
        Flow.<int[]>fromEnumerables(interleaved(2, 60), o -> o.stages(1))
            .partition(o -> o.stages(2).key(e -> ((int[]) e)[1] % 3).window(BY_TIME))
            .reduce(() -> 0, (n, e) -> n + 1)
            .departition(() -> 0, Integer::sum, n -> "window of " + n));
  }

  @Test
  void fixedWindow_upstreamSubtasksInterleaveOutOfOrder_withLateness_samePanesAsLocal()
      throws Exception {
    // Each upstream flow is a layer of its own (one subtask running a map), an input of its own;
    // the windows with lateness fire "watermark" when both have passed them, then
    // "done" at the end, as locally.
    List<Flow<? extends int[]>> ups = new ArrayList<>();
    for (List<int[]> events : interleaved(2, 60)) {
      ups.add(Flow.fromEnumerable(events, o -> o.stages(1)).map(e -> e));
    }
    assertSameAsLocal(
        Flow.merge(
                ups,
                o ->
                    o.stages(2)
                        .key(e -> ((int[]) e)[1] % 3)
                        .window(BY_TIME.allowedLateness(Duration.ofHours(1))))
            .reduce(() -> 0, (n, e) -> n + 1)
            .onTrigger(
                (n, t) -> TriggerResult.of(List.of(t.name() + " " + t.windowId() + " " + n), n)));
  }

  @Test
  void fixedWindow_producerOutOfOrderAcrossPartitions_countsWhatLocalCounts() throws Exception {
    // Each producer first sends partition 1 an event of window 5, then partition 0 its events of
    // windows 0..3 in time order. Locally partition 0's view of a producer is what that producer
    // sent partition 0, in order, so nothing is late; a Flink watermark would carry window 5 to
    // partition 0 too and make its windows 0..3 late. Tracked per upstream subtask on Flink, they
    // count as locally.
    List<Flow<? extends int[]>> ups = new ArrayList<>();
    for (int producer = 0; producer < 2; producer++) {
      List<int[]> events = new ArrayList<>();
      events.add(new int[] {1, 50});
      for (int t = 0; t < 40; t++) {
        events.add(new int[] {0, t});
      }
      ups.add(Flow.fromEnumerable(events, o -> o.stages(1)).map(e -> e));
    }
    Flow<String> flow =
        Flow.merge(ups, o -> o.stages(2).hash(e -> ((int[]) e)[0]).window(BY_TIME))
            .reduce(() -> 0, (n, e) -> n + 1)
            .onTrigger((n, t) -> TriggerResult.of(List.of("window " + t.windowId() + ": " + n), n));
    assertSameAsLocal(flow);
    assertEquals(
        List.of(
            "window 0: 20",
            "window 1000: 20",
            "window 2000: 20",
            "window 3000: 20",
            "window 5000: 2"),
        flow.toList().stream().sorted().toList());
  }

  @Test
  void periodicWindowAndTriggerPeriodically_boundedInput_finalPanesLikeLocal() throws Exception {
    // An hour-long period: the input ends first, so only the end of input fires, on both (the job
    // runs in streaming mode, and ends with its bounded input).
    assertSameAsLocal(
        Flow.fromEnumerable(NUMBERS, o -> o.stages(1))
            .partition(o -> o.stages(2).window(Window.periodic(Duration.ofHours(1))))
            .reduce(() -> 0, Integer::sum));
    assertSameAsLocal(
        Flow.fromEnumerable(NUMBERS, o -> o.stages(1))
            .partition(
                o -> o.stages(2).window(Window.global().triggerPeriodically(Duration.ofHours(1))))
            .reduce(() -> 0, Integer::sum));
  }

  @Test
  void triggerPeriodically_streamingMode_firesOnFlinkTimers() throws Exception {
    // Batch mode runs a layer only after the one before it ended, so periodic triggers can fire
    // mid-input only in streaming mode. Events trickle in for ~600 ms; a 50 ms periodic trigger
    // must fire in between on Flink's processing-time timers.
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.STREAMING);
    Flow<Integer> flow =
        FlinkFlows.fromDataStream(env.fromData(NUMBERS), o -> o.stages(1).maxDemand(1))
            .map(
                i -> {
                  LockSupport.parkNanos(10_000_000L);
                  return i;
                })
            .partition(
                o -> o.stages(1).window(Window.global().triggerPeriodically(Duration.ofMillis(50))))
            .reduce(() -> 0, (n, i) -> n + 1);
    List<Integer> panes = FlinkFlows.collect(env, flow);
    assertTrue(panes.size() > 1, "panes: " + panes);
    assertEquals(NUMBERS.size(), (int) panes.get(panes.size() - 1), "panes keep their count");
  }

  @Test
  void triggerPeriodically_boundedSlowInput_firesBeforeTheLastEvent() throws Exception {
    // A bounded flow with a periodic trigger runs in streaming mode, chosen from the plan: the
    // trigger fires on Flink's timers while the events still trickle in (~1.2 s), not only at the
    // end as batch mode would. Generous: one mid-input pane among ~24 chances is enough.
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Flow<Integer> flow =
        Flow.fromEnumerable(NUMBERS, o -> o.stages(1).maxDemand(1))
            .map(
                i -> {
                  LockSupport.parkNanos(20_000_000L);
                  return i;
                })
            .partition(
                o -> o.stages(1).window(Window.global().triggerPeriodically(Duration.ofMillis(50))))
            .reduce(() -> 0, (n, i) -> n + 1);
    List<Integer> panes = FlinkFlows.collect(env, flow);
    // A pane holding some events but not all was emitted before the last event arrived (a timer
    // firing before the first event would emit an empty pane, in batch mode too).
    assertTrue(panes.stream().anyMatch(n -> n > 0 && n < NUMBERS.size()), "panes: " + panes);
    assertEquals(
        RuntimeExecutionMode.STREAMING, env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE));
    assertEquals(NUMBERS.size(), (int) panes.get(panes.size() - 1), "the end fires the full pane");
    List<Integer> local = flow.toList();
    assertEquals(local.get(local.size() - 1), panes.get(panes.size() - 1), "the local final pane");
  }

  @Test
  void executionMode_chosenFromThePlan() {
    Flow<Integer> counted =
        Flow.fromEnumerable(NUMBERS).partition(o -> o.stages(2)).reduce(() -> 0, Integer::sum);
    assertEquals(RuntimeExecutionMode.BATCH, modeOf(counted));
    assertEquals(
        RuntimeExecutionMode.STREAMING,
        modeOf(
            Flow.fromEnumerable(NUMBERS)
                .partition(o -> o.window(Window.periodic(Duration.ofSeconds(1))))
                .reduce(() -> 0, Integer::sum)));
    assertEquals(
        RuntimeExecutionMode.STREAMING,
        modeOf(
            Flow.fromEnumerable(NUMBERS)
                .partition(
                    o -> o.window(Window.global().triggerPeriodically(Duration.ofSeconds(1))))
                .reduce(() -> 0, Integer::sum)
                .departition(() -> 0, Integer::sum, n -> n)));
    assertEquals(
        RuntimeExecutionMode.STREAMING,
        modeOf(
            Flow.fromEnumerable(NUMBERS)
                .partition(
                    o ->
                        o.window(
                            Window.fixed(Duration.ofSeconds(1), i -> (Integer) i * 10L)
                                .allowedLateness(Duration.ofSeconds(1))))
                .reduce(() -> 0, Integer::sum)));
  }

  private static RuntimeExecutionMode modeOf(Flow<?> flow) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    FlinkFlows.toDataStream(env, flow);
    return env.getConfiguration().get(ExecutionOptions.RUNTIME_MODE);
  }

  @Test
  void triggerFunction_everyThreeEvents_cumulativePanesLikeLocal() throws Exception {
    // One partition seeing the events in order, one event per batch: the function fires every
    // third event and the reduce keeps its accumulator (Elixir's default), then the end fires.
    Flow<List<Integer>> flow =
        Flow.fromEnumerable(NUMBERS, o -> o.stages(1))
            .partition(
                o ->
                    o.stages(1)
                        .maxDemand(1)
                        .window(
                            Window.global()
                                .trigger(
                                    () -> 0,
                                    (events, n) -> {
                                      int seen = n + events.size();
                                      return seen >= 3
                                          ? TriggerDecision.fire("three", events, List.of(), 0)
                                          : TriggerDecision.cont(events, seen);
                                    })))
            // A new list per event: a pane's emitted accumulator must not change afterwards.
            .reduce(
                List::<Integer>of,
                (l, i) -> {
                  List<Integer> c = new ArrayList<>(l);
                  c.add(i);
                  return List.copyOf(c);
                });
    List<List<Integer>> expected = new ArrayList<>();
    for (int k = 3; k <= NUMBERS.size(); k += 3) {
      expected.add(NUMBERS.subList(0, k));
    }
    expected.add(NUMBERS);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assertEquals(expected, FlinkFlows.collect(env, flow));
    assertEquals(expected, flow.toList(), "the local runtime");
  }

  @Test
  void uniqAfterAWindowedReduce_perWindow_sameAsLocal() throws Exception {
    // flow-core's stage logic keeps a set per pane after the reduce too: the same on Flink.
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    assertEquals(
        FlinkFlowsTest.multiset(List.of(2, 2, 0)),
        FlinkFlowsTest.multiset(FlinkFlows.collect(env, AuditFlows.uniqAfterCountWindowReduce())));
    assertSameAsLocal(AuditFlows.uniqAfterCountWindowReduce());
    assertSameAsLocal(AuditFlows.uniqAfterEveryTriggerInFixedWindows());
    assertSameAsLocal(AuditFlows.uniqAfterEmitAndReduceInCountWindows());
  }

  @Test
  void uniqAlone_withATriggerFunctionInTheGlobalWindow_takesTheEventsItGives() throws Exception {
    // The shared stage logic runs the function on both engines (the 0s are left out).
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    assertEquals(
        List.of(1, 2, 3), FlinkFlows.collect(env, AuditFlows.uniqMarkedBy0(Window.global())));
    assertSameAsLocal(AuditFlows.uniqMarkedBy0(Window.global()));
  }
}
