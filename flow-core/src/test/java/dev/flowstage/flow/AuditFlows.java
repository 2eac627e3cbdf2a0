package dev.flowstage.flow;

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
}
