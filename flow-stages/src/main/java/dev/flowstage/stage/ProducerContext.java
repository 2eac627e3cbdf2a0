package dev.flowstage.stage;

import java.util.List;

/**
 * The context of a producer or producer-consumer: adds emitting events, finishing, and demand modes
 * to {@link StageContext}.
 *
 * <p>Events emitted from any callback (handleDemand, handleEvents, handleCall, handleCast,
 * handleInfo, handleSubscribe, handleCancel) are dispatched when the callback returns, within the
 * demand consumers asked for; what cannot be sent waits in the producer's buffer. A producer with
 * nothing to emit when asked keeps the demand in its own fields and emits later, from any callback.
 *
 * @param <E> the type of emitted events
 */
public interface ProducerContext<E> extends StageContext {
  /**
   * Emits one event. Prefer {@link #emit(List)} for many events.
   *
   * @param event the event, not null
   * @throws IllegalStateException after {@link #done()}; thrown from a callback, it fails the stage
   *     with that cause
   */
  void emit(E event);

  /**
   * Emits a batch of events, in order. The runtime takes ownership of the list: do not modify it
   * afterwards.
   *
   * @param events the events, none null; empty does nothing
   * @throws IllegalStateException when {@code events} is not empty and {@link #done()} was called;
   *     thrown from a callback, it fails the stage with that cause
   */
  void emit(List<? extends E> events);

  /**
   * Queues an info message behind every event emitted so far. GenStage: {@code async_info(self(),
   * msg)}. Once those events are dispatched, this stage's {@code handleInfo} receives {@code
   * message} and each consumer subscribed at that time receives a {@link ProducerInfo}.
   *
   * @param message the message
   */
  void asyncInfo(Object message);

  /**
   * Finishes this producer: once every event emitted so far has been delivered to consumers, the
   * stage exits with {@link ExitReason#normal()}, which ends each downstream subscription with that
   * reason (consumers react per their cancel mode: permanent ones stop normally, transient and
   * temporary ones carry on). GenStage: the {@code from_enumerable} idiom {@code async_info(self(),
   * :stop)} then {@code {:stop, :normal, state}}. Emit the last events before calling it: emitting
   * after it throws {@link IllegalStateException} (those events would come after the end it
   * announced). Calling it again does nothing.
   */
  void done();

  /**
   * Sets the demand mode of this producer. GenStage: {@code demand/2}. Switching to {@link
   * DemandMode#FORWARD} replays the demand and events held while accumulating, in order.
   *
   * @param mode the new mode
   * @throws IllegalStateException on a producer-consumer, which always forwards
   */
  void demandMode(DemandMode mode);

  /**
   * Returns the demand mode.
   *
   * @return the current demand mode
   */
  DemandMode demandMode();

  /**
   * Returns the live downstream subscriptions of this stage.
   *
   * @return the consumers' subscriptions, in subscription order
   */
  List<Subscription> consumers();

  /**
   * Returns the number of events in this stage's buffer (plus those held by its dispatcher).
   * GenStage: {@code estimate_buffered_count}.
   *
   * @return the buffered count
   */
  long bufferedCount();
}
