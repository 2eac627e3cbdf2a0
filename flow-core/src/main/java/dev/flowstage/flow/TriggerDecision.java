package dev.flowstage.flow;

import java.util.List;
import java.util.Objects;

/**
 * What a user trigger function ({@link Window#trigger}) decides for a batch of raw events. Flow
 * (Elixir): {@code {:cont, acc}}, {@code {:cont, events, acc}} or {@code {:trigger, name, pre, pos,
 * acc}}.
 *
 * @param fire the trigger name to fire, or {@code null} to fire nothing
 * @param reduce the events to reduce now (before firing, if firing), or {@code null} for the whole
 *     batch
 * @param rest when firing: the events the function is called again with afterwards (they may
 *     overlap {@code reduce}, for moving windows); empty otherwise
 * @param state the trigger function's new state
 * @param <T> the event type
 * @param <S> the trigger state type
 */
public record TriggerDecision<T, S>(String fire, List<T> reduce, List<T> rest, S state) {
  /** Checks that a firing decision says what comes after. */
  public TriggerDecision {
    Objects.requireNonNull(rest, "rest");
  }

  /**
   * Reduces the whole batch and fires nothing.
   *
   * @param state the new trigger state
   * @param <T> the event type
   * @param <S> the state type
   * @return the decision
   */
  public static <T, S> TriggerDecision<T, S> cont(S state) {
    return new TriggerDecision<>(null, null, List.of(), state);
  }

  /**
   * Reduces only {@code events} (instead of the batch) and fires nothing.
   *
   * @param events the events to reduce
   * @param state the new trigger state
   * @param <T> the event type
   * @param <S> the state type
   * @return the decision
   */
  public static <T, S> TriggerDecision<T, S> cont(List<T> events, S state) {
    return new TriggerDecision<>(null, Objects.requireNonNull(events, "events"), List.of(), state);
  }

  /**
   * Reduces {@code pre}, fires the trigger {@code name}, then calls the function again with {@code
   * rest}.
   *
   * @param name the trigger name given to {@link Flow#onTrigger}
   * @param pre the events reduced before firing
   * @param rest the events handled after firing
   * @param state the new trigger state
   * @param <T> the event type
   * @param <S> the state type
   * @return the decision
   */
  public static <T, S> TriggerDecision<T, S> fire(String name, List<T> pre, List<T> rest, S state) {
    return new TriggerDecision<>(
        Objects.requireNonNull(name, "name"), Objects.requireNonNull(pre, "pre"), rest, state);
  }
}
