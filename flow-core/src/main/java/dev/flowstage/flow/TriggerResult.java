package dev.flowstage.flow;

import java.util.List;
import java.util.Objects;

/**
 * What a pane emits and the accumulator the window continues with: the result of an {@link
 * Flow#onTrigger} function and of an {@link Flow#emitAndReduce} reducer. Flow (Elixir): the {@code
 * {events, acc}} tuple.
 *
 * @param events the events to emit downstream, in order
 * @param accumulator the accumulator to keep (return the old one to keep it, a fresh one to reset)
 * @param <R> the emitted event type
 * @param <A> the accumulator type
 */
public record TriggerResult<R, A>(List<R> events, A accumulator) {
  /** Checks that {@code events} is not null. */
  public TriggerResult {
    Objects.requireNonNull(events, "events: return List.of() to emit nothing");
  }

  /**
   * Emits the events and continues with the accumulator.
   *
   * @param events what to emit
   * @param accumulator what the window continues with
   * @param <R> the emitted event type
   * @param <A> the accumulator type
   * @return the result
   */
  public static <R, A> TriggerResult<R, A> of(List<R> events, A accumulator) {
    return new TriggerResult<>(events, accumulator);
  }

  /**
   * Emits nothing and continues with the accumulator.
   *
   * @param accumulator what the window continues with
   * @param <R> the emitted event type
   * @param <A> the accumulator type
   * @return the result
   */
  public static <R, A> TriggerResult<R, A> none(A accumulator) {
    return new TriggerResult<>(List.of(), accumulator);
  }
}
