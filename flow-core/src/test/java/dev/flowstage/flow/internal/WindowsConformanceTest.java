package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rules of the Elixir reference's B6 (windows with several producers, periodic triggers on fixed
 * windows, allowed lateness at the end of input) that no other test pinned; rows of
 * docs/conformance.md. Driven through {@link Logic}: no threads, no timing.
 */
final class WindowsConformanceTest {
  /** Emits "name@windowId=acc" and keeps the accumulator. */
  private static final SerializableBiFunction<Integer, Trigger, TriggerResult<String, Integer>>
      LABEL = (acc, t) -> TriggerResult.of(List.of(t.name() + "@" + t.windowId() + "=" + acc), acc);

  /** A sum per fixed window of 10 ms over two producers (inputs 0 and 1) in one stage. */
  private static Logic twoProducers(Window w) {
    return Logic.of(
        Flow.fromEnumerables(List.of(List.of(1), List.of(2)), o -> o.stages(1).window(w))
            .reduce(() -> 0, Integer::sum)
            .onTrigger(LABEL));
  }

  private static Window fixed10() {
    return Window.<Integer>fixed(Duration.ofMillis(10), x -> x);
  }

  @Test
  void fixed_lateEventOfAProducer_isKept_whileAnotherProducerHoldsItsWindowOpen() {
    // B6.2: a window is done only when every producer moved past it, and an event older than its
    // producer's latest window is dropped only if that window is no longer held.
    Logic l = twoProducers(fixed10());
    assertEquals(List.of(), l.events(0, List.of(1, 12))); // input 0 is in window 10 now
    assertEquals(List.of(), l.events(0, List.of(5))); // window 0 is still held by input 1
    assertEquals(List.of("done@0=9"), l.events(1, List.of(3, 14)));
    assertEquals(List.of("done@10=26"), l.finish());
  }

  @Test
  void fixed_nothingIsDone_untilEveryProducerHasSentAnEvent() {
    // B6.2: "until every producer has sent at least one event, nothing is triggered".
    Logic l = twoProducers(fixed10());
    assertEquals(List.of(), l.events(0, List.of(1, 15, 27, 38)));
    assertEquals(List.of("done@0=1", "done@10=15", "done@20=27"), l.events(1, List.of(40)));
  }

  @Test
  void fixed_periodicTrigger_firesOnEveryHeldWindow_inWindowOrder() {
    // B6.1 trigger_periodically: with fixed windows it applies to all windows currently open.
    Logic l = twoProducers(fixed10().triggerPeriodically(Duration.ofMillis(20)));
    l.events(0, List.of(1, 12)); // windows 0 and 10 held: input 1 has sent nothing
    assertEquals(List.of("periodically@0=1", "periodically@10=12"), l.advance(20));
    assertEquals(List.of("done@0=1", "done@10=12"), l.finish());
  }

  @Test
  void allowedLateness_endOfInput_givesEveryHeldWindowOneDone_andATimerLaterNone() {
    // B6.1 allowed_lateness: at the end of input every held window gets done. Elixir can deliver
    // a second done when a lateness timer fires before the stage stops (issue #126); Flowstage
    // delivers done exactly once (windows.md, "Choices that differ from Elixir").
    Window w = fixed10().allowedLateness(Duration.ofMillis(100));
    Logic l =
        Logic.of(
            Flow.fromEnumerable(List.of(1), o -> o.stages(1).window(w))
                .reduce(() -> 0, Integer::sum)
                .onTrigger(LABEL));
    assertEquals(List.of("watermark@0=3"), l.events(List.of(1, 2, 15)));
    assertEquals(List.of("done@0=3", "done@10=15"), l.finish());
    assertEquals(List.of(), l.advance(1_000));
  }
}
