package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** uniq per window: in a windowed layer each window (pane) remembers its own keys. */
final class FlowUniqWindowTest {
  private static final List<Integer> EVENTS = List.of(1, 1, 2, 1, 2, 3, 3);

  private static Flow<Integer> counted(int n) {
    return Flow.fromEnumerable(EVENTS, o -> o.stages(1))
        .partition(o -> o.stages(1).window(Window.count(n)));
  }

  @Test
  void uniq_inACountWindowWithoutReduce_passesTheFirstOfEachKeyPerWindow() {
    assertEquals(List.of(1, 2, 1, 2, 3, 3), counted(3).uniq().map(x -> x).toList());
  }

  @Test
  void uniq_beforeAReduce_isPerPane() {
    assertEquals(List.of(2, 3, 1), counted(3).uniq().reduce(() -> 0, (n, e) -> n + 1).toList());
  }

  @Test
  void uniq_afterAWindowedReduce_isPerWindow() {
    assertEquals(List.of(2, 2, 0), AuditFlows.uniqAfterCountWindowReduce().toList());
  }

  @Test
  void uniq_afterAWindowedReduce_keepsKeysAcrossEveryTriggers_forgetsThemAtDone() {
    assertEquals(List.of(2, 2, 0, 0), AuditFlows.uniqAfterEveryTriggerInFixedWindows().toList());
  }

  @Test
  void uniq_afterEmitAndReduce_isPerWindow() {
    assertEquals(List.of(1, 1), AuditFlows.uniqAfterEmitAndReduceInCountWindows().toList());
  }

  @Test
  void uniq_afterAReduceInTheGlobalWindow_remembersKeysForTheWholeRun() {
    // every(2) without a reset: 2, 4, then 4 again at done (dropped: one pane for the run)
    List<Integer> out =
        Flow.fromEnumerable(
                List.of(1, 1, 1, 1), o -> o.stages(1).window(Window.global().triggerEvery(2)))
            .reduce(() -> 0, (n, e) -> n + 1)
            .uniq()
            .toList();
    assertEquals(List.of(2, 4), out);
  }

  /**
   * A user trigger function decides which events a windowed layer takes, also on the global window
   * and also when the layer's only state is uniq's: before, a uniq-only layer of the global window
   * left its window out, so the function never ran (the 0s passed, and a throwing function did not
   * fail the run), while a count window ran it (found by FlowFuzzProperties, -Dfuzz.seed=2316).
   */
  @Test
  void uniq_withATriggerFunction_takesTheEventsItGives_inTheGlobalWindowToo() {
    assertEquals(List.of(1, 2, 3), AuditFlows.uniqMarkedBy0(Window.count(100)).toList());
    assertEquals(List.of(1, 2, 3), AuditFlows.uniqMarkedBy0(Window.global()).toList());
  }

  @Test
  void uniq_withAThrowingTriggerFunction_failsTheRun_inTheGlobalWindowToo() {
    for (Window w : new Window[] {Window.global(), Window.count(100)}) {
      Flow<Integer> flow =
          Flow.fromEnumerable(EVENTS, o -> o.stages(1))
              .partition(
                  o ->
                      o.stages(1)
                          .window(
                              w.<Integer, Integer>trigger(
                                  () -> 0,
                                  (events, fired) -> {
                                    throw new IllegalStateException("the trigger function threw");
                                  })))
              .uniq();
      FlowException e = assertThrows(FlowException.class, flow::toList, w.kind() + " window");
      assertTrue(String.valueOf(e.getCause()).contains("the trigger function threw"), e.toString());
    }
  }

  @Test
  void uniq_inTheGlobalWindow_remembersKeysForTheWholeRun() {
    assertEquals(List.of(1, 2, 3), Flow.fromEnumerable(EVENTS, o -> o.stages(1)).uniq().toList());
  }

  @Test
  void uniqBy_perFixedWindowOfEventTime() {
    // Event time = the value * 10 ms; windows of 20 ms: {1}, {2,3}, {4,5}: keys by parity.
    List<Integer> out =
        Flow.fromEnumerable(List.of(1, 2, 3, 4, 5), o -> o.stages(1))
            .partition(
                o -> o.stages(1).window(Window.<Integer>fixed(Duration.ofMillis(20), x -> x * 10L)))
            .uniqBy(x -> x % 2)
            .toList();
    assertEquals(List.of(1, 2, 3, 4, 5), out);
    List<Integer> sameParity =
        Flow.fromEnumerable(List.of(1, 3, 5, 7), o -> o.stages(1))
            .partition(
                o -> o.stages(1).window(Window.<Integer>fixed(Duration.ofMillis(40), x -> x * 10L)))
            .uniqBy(x -> x % 2)
            .toList();
    // windows of 40 ms: {1,3}, {5,7}: one odd value each
    assertEquals(List.of(1, 5), sameParity);
  }
}
