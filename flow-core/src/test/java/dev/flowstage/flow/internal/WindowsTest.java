package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerDecision;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class WindowsTest {
  private static final List<Integer> ONE_TO_100 = IntStream.rangeClosed(1, 100).boxed().toList();

  /** Emits "name@windowId=acc" and keeps the accumulator. */
  private static final SerializableBiFunction<Integer, Trigger, TriggerResult<String, Integer>>
      LABEL = (acc, t) -> TriggerResult.of(List.of(t.name() + "@" + t.windowId() + "=" + acc), acc);

  private static Flow<Integer> source(Window w) {
    return Flow.fromEnumerable(ONE_TO_100, o -> o.stages(1).window(w));
  }

  private static Flow<Integer> sum(Flow<Integer> f) {
    return f.reduce(() -> 0, Integer::sum);
  }

  @Test
  void global_finish_emitsAccumulatorOnceWithDoneTrigger() {
    Logic l = Logic.of(sum(source(Window.global())).onTrigger(LABEL));
    assertEquals(List.of(), l.events(List.of(1, 2, 3)));
    assertEquals(List.of(), l.events(List.of(4)));
    assertEquals(List.of("done@0=10"), l.finish());
  }

  @Test
  void global_noEvents_emitsInitialAccumulatorAtDone() {
    Logic l = Logic.of(sum(source(Window.global())));
    assertEquals(List.of(0), l.finish());
  }

  @Test
  void count10_over1to100_emitsTenFullWindowsAndAFinalEmptyOne() {
    Logic l = Logic.of(sum(source(Window.count(10))));
    List<Object> out = new ArrayList<>(l.events(ONE_TO_100.subList(0, 33)));
    out.addAll(l.events(ONE_TO_100.subList(33, 100)));
    out.addAll(l.finish());
    List<Object> expected = new ArrayList<>();
    for (int w = 0; w < 10; w++) {
      expected.add(IntStream.rangeClosed(w * 10 + 1, w * 10 + 10).sum());
    }
    expected.add(0);
    assertEquals(expected, out);
  }

  @Test
  void triggerEvery5_withEvenFilter_countsRawEventsBeforeFilters() {
    Flow<List<Integer>> f =
        source(Window.global().triggerEvery(5))
            .filter(x -> x % 2 == 0)
            .reduce(
                () -> (List<Integer>) new ArrayList<Integer>(),
                (acc, x) -> {
                  acc.add(x);
                  return acc;
                })
            .onTrigger((acc, t) -> TriggerResult.of(List.of(List.copyOf(acc)), new ArrayList<>()));
    Logic l = Logic.of(f);
    List<Object> out = new ArrayList<>(l.events(ONE_TO_100.subList(0, 20)));
    assertEquals(
        List.of(List.of(2, 4), List.of(6, 8, 10), List.of(12, 14), List.of(16, 18, 20)), out);
    assertEquals(List.of(List.of()), l.finish());
  }

  @Test
  void fixed_twoInputs_closesWindowOnlyWhenEveryInputMovedPast() {
    Window w = Window.<Integer>fixed(Duration.ofMillis(10), x -> x);
    Flow<String> f =
        sum(Flow.fromEnumerables(List.of(List.of(1), List.of(2)), o -> o.stages(1).window(w)))
            .onTrigger(LABEL);
    Logic l = Logic.of(f);
    assertEquals(List.of(), l.events(0, List.of(1, 2, 11)));
    assertEquals(List.of("done@0=6"), l.events(1, List.of(3, 12)));
    assertEquals(List.of(), l.events(0, List.of(25)));
    assertEquals(List.of(), l.events(0, List.of(5))); // late for input 0: dropped
    assertEquals(List.of("done@10=23", "done@20=25"), l.finish());
  }

  @Test
  void fixed_finishedInput_stopsHoldingTheWatermark() {
    Window w = Window.<Integer>fixed(Duration.ofMillis(10), x -> x);
    Flow<String> f =
        sum(Flow.fromEnumerables(List.of(List.of(1), List.of(2)), o -> o.stages(1).window(w)))
            .onTrigger(LABEL);
    Logic l = Logic.of(f);
    assertEquals(List.of(), l.events(0, List.of(1, 12)));
    assertEquals(List.of("done@0=1"), l.inputDone(1));
  }

  @Test
  void fixedWithLateness_watermarkThenLateEventThenDoneAfterLateness() {
    Window w =
        Window.<Integer>fixed(Duration.ofMillis(10), x -> x)
            .allowedLateness(Duration.ofMillis(100));
    Logic l = Logic.of(sum(source(w)).onTrigger(LABEL));
    assertEquals(List.of("watermark@0=3"), l.events(List.of(1, 2, 15)));
    assertEquals(List.of(), l.events(List.of(4)));
    assertEquals(List.of(), l.advance(50));
    assertEquals(List.of("done@0=7"), l.advance(50));
    assertEquals(List.of("done@10=15"), l.finish());
  }

  @Test
  void periodic_timer_closesWindowAndOpensNext() {
    Logic l = Logic.of(sum(source(Window.periodic(Duration.ofMillis(50)))).onTrigger(LABEL));
    l.events(List.of(1, 2));
    assertEquals(List.of(), l.advance(49));
    assertEquals(List.of("done@0=3"), l.advance(1));
    l.events(List.of(3));
    assertEquals(50 + 1_050, l.logic.nextTimer());
    assertEquals(List.of("done@1=3"), l.finish());
  }

  @Test
  void triggerPeriodically_timer_firesOnOpenWindowAndKeepsIt() {
    Window w = Window.global().triggerPeriodically(Duration.ofMillis(20));
    Logic l = Logic.of(sum(source(w)).onTrigger(LABEL));
    l.events(List.of(1));
    assertEquals(List.of("periodically@0=1"), l.advance(20));
    l.events(List.of(2));
    assertEquals(List.of("done@0=3"), l.finish());
  }

  @Test
  void userTrigger_punctuation_firesWithItsNameAndReducesOnlyPre() {
    Window w =
        Window.global()
            .<Integer, Integer>trigger(
                () -> 0,
                (events, seen) -> {
                  int i = events.indexOf(0);
                  if (i < 0) {
                    return TriggerDecision.cont(seen + events.size());
                  }
                  return TriggerDecision.fire(
                      "punct", events.subList(0, i), events.subList(i + 1, events.size()), 0);
                });
    Flow<String> f =
        sum(Flow.fromEnumerable(List.of(1), o -> o.stages(1).window(w)))
            .onTrigger((acc, t) -> TriggerResult.of(List.of(t.name() + "=" + acc), 0));
    Logic l = Logic.of(f);
    assertEquals(List.of("punct=3", "punct=4"), l.events(List.of(1, 2, 0, 4, 0, 5)));
    assertEquals(List.of("done=5"), l.finish());
  }

  @Test
  void userTrigger_restNotShorter_failsInsteadOfLooping() {
    Window w =
        Window.global()
            .<Integer, Integer>trigger(
                () -> 0, (events, s) -> TriggerDecision.fire("x", List.of(), events, s));
    Logic l = Logic.of(sum(Flow.fromEnumerable(List.of(1), o -> o.stages(1).window(w))));
    assertThrows(IllegalStateException.class, () -> l.events(List.of(1, 2)));
  }

  @Test
  void emitAndReduce_twoArgs_emitsWhileReducingAndNothingAtDone() {
    Flow<Integer> f =
        source(Window.global())
            .emitAndReduce(
                () -> 0, (Integer x, Integer acc) -> TriggerResult.of(List.of(acc + x), acc + x));
    Logic l = Logic.of(f);
    assertEquals(List.of(1, 3, 6), l.events(List.of(1, 2, 3)));
    assertEquals(List.of(), l.finish());
  }

  @Test
  void emitAndReduce_withOnTrigger_emitsFinalAccumulatorAtDone() {
    Flow<Integer> f =
        source(Window.global())
            .emitAndReduce(
                () -> 0,
                (Integer x, Integer acc) -> TriggerResult.none(acc + x),
                (acc, t) -> TriggerResult.of(List.of(-acc), acc));
    Logic l = Logic.of(f);
    assertEquals(List.of(), l.events(List.of(1, 2, 3)));
    assertEquals(List.of(-6), l.finish());
  }

  @Test
  void mappersAfterReduce_applyToTriggerEmissions() {
    Logic l = Logic.of(sum(source(Window.count(2))).map(x -> x * 10).filter(x -> x > 30));
    assertEquals(List.of(70), l.events(List.of(1, 2, 3, 4)));
  }

  @Test
  void trigger_reportsPartitionAndKind() {
    Flow<Trigger> f =
        sum(source(Window.count(3))).onTrigger((acc, t) -> TriggerResult.of(List.of(t), acc));
    Logic l = Logic.of(f);
    assertEquals(
        List.of(new Trigger(Trigger.DONE, Window.Kind.COUNT, 0, 0, 1)), l.events(List.of(1, 2, 3)));
  }
}
