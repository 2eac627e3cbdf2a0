package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Rules of the Elixir reference's Part B (B3-B6) that no other test pinned, each checked on a small
 * ordered flow ({@code stages(1)}, as the reference's own window tests run) with its expected
 * result written out; where Flowstage differs from Elixir on purpose (docs/guides/windows.md,
 * flow.md's Elixir table), the test says so and pins the documented choice.
 */
final class FlowElixirPartBAuditTest {
  private static List<Integer> range(int from, int toInclusive) {
    return IntStream.rangeClosed(from, toInclusive).boxed().toList();
  }

  /** B4: stages = schedulers online, max/min demand 1000/500 (batches of 500). */
  @Test
  void defaults_areFlowsStagesPerCoreAndDemand1000Over500() {
    Options o = Options.defaults();
    assertEquals(Runtime.getRuntime().availableProcessors(), o.stages());
    assertEquals(1000, o.maxDemand());
    assertEquals(500, o.effectiveMinDemand());
    assertEquals(Window.Kind.GLOBAL, o.window().kind());
  }

  /**
   * B5.2: without a partition, each stage of the source layer reduces what it received and emits
   * its accumulator at done, an empty stage its initial accumulator.
   */
  @Test
  void reduce_onTheSourceLayer_eachStageEmitsItsAccumulator() {
    List<Integer> out =
        Flow.fromEnumerable(range(1, 10), o -> o.stages(3).maxDemand(1))
            .reduce(() -> 0, Integer::sum)
            .toList();
    assertEquals(3, out.size(), out::toString);
    assertEquals(55, out.stream().mapToInt(Integer::intValue).sum());
  }

  /**
   * B3.4 on_trigger: the returned accumulator replaces the window's for the rest of the window; the
   * one returned at done is discarded (nothing follows it).
   */
  @Test
  void onTrigger_returnedAccumulator_replacesItForTheRestOfTheWindow() {
    List<Integer> out =
        Flow.fromEnumerable(range(1, 5), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.global().triggerEvery(2)))
            .reduce(() -> 0, Integer::sum)
            .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), 100))
            .toList();
    // 1+2 = 3, then 100+3+4 = 107, then done 100+5 = 105.
    assertEquals(List.of(3, 107, 105), out);
  }

  /**
   * B3.4 emit_and_reduce: what the function returns goes downstream at once, not at a trigger: an
   * endless source's first events come out of a global-window layer that never completes.
   */
  @Test
  void emitAndReduce_emitsDownstreamBeforeTheWindowEnds() {
    Iterator<Integer> endless = Stream.iterate(1, x -> x + 1).iterator();
    try (Stream<Integer> s =
        Flow.fromEnumerable(endless, o -> o.stages(1).maxDemand(2))
            .partition(o -> o.stages(1).maxDemand(2))
            .emitAndReduce(() -> 0, (e, sum) -> TriggerResult.of(List.of(sum + e), sum + e))
            .stream()) {
      assertEquals(List.of(1, 3, 6, 10), s.limit(4).toList());
    }
  }

  /**
   * B6.1 fixed: the id given to triggers is the window's start in ms; a window is floor(time /
   * size), so negative times fall in the earlier window (Elixir's {@code div} truncates towards 0
   * and would put -1 and 999 in one two-second window 0). Windows without events emit nothing
   * (Elixir emits their initial accumulator: reference B11.9, a documented difference).
   */
  @Test
  void fixedWindow_idIsItsStart_negativeTimesFloor_andGapsEmitNoPane() {
    List<Long> times = List.of(-1500L, -1L, 0L, 999L, 1000L, 4500L);
    List<String> out =
        Flow.fromEnumerable(times, o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.<Long>fixed(Duration.ofSeconds(1), t -> t)))
            .reduce(() -> 0, (n, t) -> n + 1)
            .onTrigger(
                (n, t) -> TriggerResult.of(List.of(t.windowId() + ":" + t.name() + ":" + n), n))
            .toList();
    assertEquals(
        List.of("-2000:done:1", "-1000:done:1", "0:done:2", "1000:done:1", "4000:done:1"), out);
  }

  /** B6.1 count: ids 0, 1, 2... per stage; at the end the current, empty, window is done too. */
  @Test
  void countWindow_idsCountFromZero_andTheLastEmptyWindowIsDone() {
    List<String> out =
        Flow.fromEnumerable(range(1, 6), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(3)))
            .reduce(() -> 0, Integer::sum)
            .onTrigger(
                (n, t) -> TriggerResult.of(List.of(t.windowId() + ":" + t.name() + ":" + n), n))
            .toList();
    assertEquals(List.of("0:done:6", "1:done:15", "2:done:0"), out);
  }

  /**
   * B6.1 trigger: {@code cont(events, acc)} reduces only the events given ({@code []} reduces
   * nothing), not the batch.
   */
  @Test
  void userTrigger_contWithEvents_reducesOnlyThoseEvents() {
    Window odd =
        Window.global()
            .trigger(
                () -> 0,
                (List<Integer> events, Integer s) ->
                    TriggerDecision.cont(events.stream().filter(x -> x % 2 == 1).toList(), s));
    List<Integer> out =
        Flow.fromEnumerable(range(1, 10), o -> o.stages(1).maxDemand(3))
            .partition(o -> o.stages(1).maxDemand(3).window(odd))
            .reduce(() -> 0, Integer::sum)
            .toList();
    assertEquals(List.of(1 + 3 + 5 + 7 + 9), out);
  }

  /**
   * B6.1 trigger: the trigger's own state starts afresh for every window. A trigger that fires once
   * its window has seen three events fires in each count window of five.
   */
  @Test
  void userTrigger_stateIsResetForEveryWindow() {
    Window third =
        Window.count(5)
            .trigger(
                () -> 0,
                (List<Integer> events, Integer seen) -> {
                  int need = 3 - seen;
                  if (need > 0 && events.size() >= need) {
                    return TriggerDecision.fire(
                        "third", events.subList(0, need), events.subList(need, events.size()), 3);
                  }
                  return TriggerDecision.cont(seen + events.size());
                });
    List<String> out =
        Flow.fromEnumerable(range(1, 10), o -> o.stages(1).maxDemand(4))
            .partition(o -> o.stages(1).maxDemand(4).window(third))
            .reduce(() -> 0, Integer::sum)
            .onTrigger(
                (n, t) -> TriggerResult.of(List.of(t.windowId() + ":" + t.name() + ":" + n), 0))
            .toList();
    assertEquals(List.of("0:third:6", "0:done:9", "1:third:21", "1:done:19", "2:done:0"), out);
  }

  /**
   * B6.1: one {@code trigger}/{@code triggerEvery} per window, whichever comes first, while {@code
   * triggerPeriodically} may be added several times.
   */
  @Test
  void oneTriggerFunctionPerWindow_butPeriodicTriggersMayRepeat() {
    var t =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Window.global()
                    .triggerEvery(2)
                    .trigger(() -> 0, (l, s) -> TriggerDecision.cont(s)));
    assertTrue(t.getMessage().contains("one"), t::getMessage);
    assertThrows(
        IllegalArgumentException.class,
        () -> Window.global().trigger(() -> 0, (l, s) -> TriggerDecision.cont(s)).triggerEvery(2));
    Window w =
        Window.count(4)
            .triggerPeriodically(Duration.ofSeconds(1))
            .triggerPeriodically(Duration.ofSeconds(3));
    assertEquals(List.of(1000L, 3000L), w.triggers().periodicallyMillis());
  }

  /**
   * B3.3 departition per window over count windows of several stages: each stage's windows (ids 0,
   * 1, 2... counted per stage) are merged by id, every event in exactly one of them, including the
   * final (possibly empty) window of each stage.
   */
  @Test
  void countWindows_overThreeStages_departitionMergesEveryEventOnce() {
    List<Integer> sums =
        Flow.fromEnumerable(range(1, 100), o -> o.stages(2).maxDemand(3))
            .partition(o -> o.stages(3).maxDemand(4).window(Window.count(10)))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, x -> x)
            .toList();
    assertEquals(5050, sums.stream().mapToInt(Integer::intValue).sum(), sums::toString);
    List<ArrayList<Integer>> emitted =
        Flow.fromEnumerable(range(1, 50), o -> o.stages(2).maxDemand(3))
            .partition(o -> o.stages(3).maxDemand(4).window(Window.count(7)))
            .emitAndReduce(() -> 0, (Integer e, Integer s) -> TriggerResult.of(List.of(e), s + e))
            .departition(
                ArrayList<Integer>::new,
                (l, e) -> {
                  l.add(e);
                  return l;
                },
                l -> l)
            .toList();
    List<Integer> all = new ArrayList<>();
    emitted.forEach(all::addAll);
    all.sort(null);
    assertEquals(range(1, 50), all); // each emitted event once, in the window it was emitted in
  }
}
