package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.TriggerDecision;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The windows and triggers that used to be rejected on Flink run flow-core's logic there too: fixed
 * (event-time) windows, periodic windows and {@code triggerPeriodically} (Flink processing-time
 * timers), and trigger functions; each compared with the local runtime.
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

  @Test
  void periodicWindowAndTriggerPeriodically_boundedInput_finalPanesLikeLocal() throws Exception {
    // An hour-long period: the input ends first, so only the end of input fires, on both.
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
}
