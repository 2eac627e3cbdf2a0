package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * User trigger functions: one that terminates is accepted even when a fire does not shorten its
 * input (its state made the progress); one that never consumes fails with a clear message.
 */
class FlowTriggerFunctionTest {
  /**
   * A moving window over the last two events: every event closes the pane {previous, this}. The
   * state is how many events the open pane holds (0 or 1); with one, the next event completes the
   * pane and starts the next one, so that fire keeps its whole input as rest.
   */
  private static TriggerDecision<Integer, Integer> lastTwo(List<Integer> events, int held) {
    if (held == 1) {
      return TriggerDecision.fire("pair", events.subList(0, 1), events, 0);
    }
    if (events.size() == 1) {
      return TriggerDecision.cont(1);
    }
    return TriggerDecision.fire("pair", events.subList(0, 2), events.subList(1, events.size()), 0);
  }

  private static List<List<Integer>> pairs(int n, int maxDemand) {
    return Flow.fromEnumerable(IntStream.rangeClosed(1, n).boxed().toList(), o -> o.stages(1))
        .partition(
            o ->
                o.stages(1)
                    .maxDemand(maxDemand)
                    .window(
                        Window.global()
                            .<Integer, Integer>trigger(() -> 0, FlowTriggerFunctionTest::lastTwo)))
        .reduce(
            () -> new ArrayList<Integer>(),
            (acc, x) -> {
              acc.add(x);
              return acc;
            })
        .onTrigger(
            (acc, t) ->
                t.name().equals("pair")
                    ? TriggerResult.of(List.of(List.copyOf(acc)), new ArrayList<>())
                    : TriggerResult.<List<Integer>, ArrayList<Integer>>none(acc))
        .toList();
  }

  @Test
  void movingWindowOverTheLastTwoEvents_isAccepted_whateverTheBatches() {
    List<List<Integer>> expected = List.of(List.of(1, 2), List.of(2, 3), List.of(3, 4));
    assertEquals(expected, pairs(4, 1)); // every batch one event: the rest never shrinks
    assertEquals(expected, pairs(4, 3));
    assertEquals(expected, pairs(4, 1000));
  }

  @Test
  void triggerThatNeverConsumes_failsNamingTheTrigger() {
    FlowException e =
        assertThrows(
            FlowException.class,
            () ->
                Flow.fromEnumerable(List.of(1, 2, 3), o -> o.stages(1))
                    .partition(
                        o ->
                            o.stages(1)
                                .window(
                                    Window.global()
                                        .<Integer, Integer>trigger(
                                            () -> 0,
                                            (events, n) ->
                                                TriggerDecision.fire(
                                                    "stuck", List.of(), events, n + 1))))
                    .reduce(() -> 0, Integer::sum)
                    .toList());
    String m = e.getCause().getMessage();
    assertTrue(m.contains("'stuck'") && m.contains("without consuming"), m);
  }

  @Test
  void triggerWhoseRestGrows_fails() {
    FlowException e =
        assertThrows(
            FlowException.class,
            () ->
                Flow.fromEnumerable(List.of(1, 2, 3), o -> o.stages(1))
                    .partition(
                        o ->
                            o.stages(1)
                                .window(
                                    Window.global()
                                        .<Integer, Integer>trigger(
                                            () -> 0,
                                            (events, n) -> {
                                              List<Integer> more = new ArrayList<>(events);
                                              more.add(0);
                                              return TriggerDecision.fire(
                                                  "grow", List.of(), more, n);
                                            })))
                    .reduce(() -> 0, Integer::sum)
                    .toList());
    String m = e.getCause().getMessage();
    assertTrue(m.contains("'grow'") && m.contains("longer than its input"), m);
  }
}
