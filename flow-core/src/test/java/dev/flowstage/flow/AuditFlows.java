package dev.flowstage.flow;

import java.time.Duration;
import java.util.List;

/** Flows of the composition audit that the Flink parity audit runs too (flow-flink's tests). */
public final class AuditFlows {
  private AuditFlows() {}

  /**
   * A count window of 5 with a punctuation trigger firing at each {@code "END"}, over {@code a b
   * END c d e END f} in one stage, concatenating each pane with the trigger's window and name.
   *
   * @return the flow
   */
  public static Flow<String> punctuationOnCountWindow() {
    return Flow.fromEnumerable(
            List.of("a", "b", "END", "c", "d", "e", "END", "f"), o -> o.stages(1))
        .partition(
            o ->
                o.stages(1)
                    .window(
                        Window.count(5)
                            .<String, Integer>trigger(
                                () -> 0,
                                (events, seen) -> {
                                  int i = events.indexOf("END");
                                  return i < 0
                                      ? TriggerDecision.cont(seen)
                                      : TriggerDecision.fire(
                                          "p",
                                          events.subList(0, i),
                                          events.subList(i + 1, events.size()),
                                          0);
                                })))
        .reduce(() -> "", (s, e) -> s + e)
        .onTrigger((acc, t) -> TriggerResult.of(List.of(t.windowId() + t.name() + acc), ""));
  }

  /**
   * {@code uniq} alone in a layer whose window has a trigger function that leaves out the 0s of
   * {@code [1, 0, 1, 2, 0, 2, 3]} (they mark where a pane ends): the function decides which events
   * the layer takes, in the global window too, so {@code [1, 2, 3]} (a count window of 100 keeps
   * one set for all of them as well).
   *
   * @param window the window the trigger is added to (global or a long count window)
   * @return the flow
   */
  public static Flow<Integer> uniqMarkedBy0(Window window) {
    return Flow.fromEnumerable(List.of(1, 0, 1, 2, 0, 2, 3), o -> o.stages(1))
        .partition(
            o ->
                o.stages(1)
                    .window(
                        window.<Integer, Integer>trigger(
                            () -> 0,
                            (events, fired) -> {
                              int i = events.indexOf(0);
                              return i < 0
                                  ? TriggerDecision.cont(fired)
                                  : TriggerDecision.fire(
                                      "marked",
                                      events.subList(0, i),
                                      events.subList(i + 1, events.size()),
                                      fired + 1);
                            })))
        .uniq();
  }

  /**
   * {@code uniq} after a reduce in a layer of count windows of 2, over {@code [1, 1, 1, 1]} in one
   * stage, counting each window's events: each window's count passes its own set, the last (empty)
   * window's 0 too, so {@code [2, 2, 0]}.
   *
   * @return the flow
   */
  public static Flow<Integer> uniqAfterCountWindowReduce() {
    return Flow.fromEnumerable(List.of(1, 1, 1, 1), o -> o.stages(1))
        .partition(o -> o.stages(1).window(Window.count(2)))
        .reduce(() -> 0, (n, e) -> n + 1)
        .uniq();
  }

  /**
   * {@code uniq} after a reduce in fixed windows of 1 s that fire {@code every} 2 events and reset
   * their count: events at 100-400 ms (window 0) and 1100-1200 ms (window 1), in one stage. A
   * window keeps its keys across its {@code every} triggers and forgets them at {@code done}:
   * window 0 emits 2 twice (the second dropped) and 0 at done, window 1 emits 2 and 0, so {@code
   * [2, 2, 0, 0]} in some order.
   *
   * @return the flow
   */
  public static Flow<Integer> uniqAfterEveryTriggerInFixedWindows() {
    return Flow.fromEnumerable(List.of(1, 2, 3, 4, 11, 12), o -> o.stages(1))
        .partition(
            o ->
                o.stages(1)
                    .window(
                        Window.<Integer>fixed(Duration.ofSeconds(1), x -> x * 100L)
                            .triggerEvery(2)))
        .reduce(() -> 0, (n, e) -> n + 1)
        .onTrigger((n, t) -> TriggerResult.of(List.of(n), 0))
        .uniq();
  }

  /**
   * {@code uniq} after an {@code emitAndReduce} that emits each event, in count windows of 2 over
   * {@code [1, 1, 1, 1]} in one stage: the first event of each window passes, so {@code [1, 1]}.
   *
   * @return the flow
   */
  public static Flow<Integer> uniqAfterEmitAndReduceInCountWindows() {
    return Flow.fromEnumerable(List.of(1, 1, 1, 1), o -> o.stages(1))
        .partition(o -> o.stages(1).window(Window.count(2)))
        .<Integer, Integer>emitAndReduce(() -> 0, (e, n) -> TriggerResult.of(List.of(e), n + 1))
        .uniq();
  }
}
