package dev.flowstage.flow;

import java.io.Serializable;
import java.util.List;

/**
 * A user trigger ("punctuation") function, called on every batch of raw events a window receives.
 * Flow (Elixir): the function given to {@code Flow.Window.trigger/3}.
 *
 * @param <T> the event type
 * @param <S> the trigger's own state, reset for every window
 */
@FunctionalInterface
public interface TriggerFunction<T, S> extends Serializable {
  /**
   * Decides what to reduce and whether to fire.
   *
   * @param events the batch's events (raw: before this layer's mappers)
   * @param state the trigger's state
   * @return the decision
   */
  TriggerDecision<T, S> apply(List<T> events, S state);
}
