package dev.flowstage.stage;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * What a stage's callbacks can do besides returning: subscribe, ask, cancel, watch, schedule, stop.
 * Every callback receives the stage's context; it is valid only on the stage's own thread, during
 * callbacks (keep it in a field if convenient, but never hand it to another thread).
 */
public interface StageContext {
  /**
   * Returns the handle of this stage.
   *
   * @return this stage
   */
  Stage<?> self();

  /**
   * Returns this stage's name.
   *
   * @return the name given at start, or a generated one
   */
  String name();

  /**
   * Subscribes this stage to a producer, asynchronously. GenStage: {@code async_subscribe}. If the
   * producer is not alive or refuses, {@code handleCancel} is called with the reason and the
   * subscription's cancel mode applies.
   *
   * @param producer a producer or producer-consumer of the same or another {@link StageSystem}
   * @param options the subscription options
   * @return the new subscription (not yet accepted)
   * @throws IllegalStateException if this stage is a producer
   */
  Subscription subscribeTo(Stage<?> producer, SubscriptionOptions options);

  /**
   * Asks for {@code n} more events on a manual subscription. GenStage: {@code ask/3}. Asking 0 does
   * nothing. The caller must keep within its {@code maxDemand} itself.
   *
   * @param subscription one of this stage's upstream subscriptions
   * @param n how many more events, at least 0
   */
  void ask(Subscription subscription, long n);

  /**
   * Cancels a subscription, from either side. The consumer learns of it in {@code handleCancel}
   * after every event already sent to it; then its cancel mode applies.
   *
   * @param subscription the subscription
   * @param reason why
   */
  void cancel(Subscription subscription, ExitReason reason);

  /**
   * Returns this stage's live upstream subscriptions (empty for producers).
   *
   * @return the subscriptions to producers, in subscription order
   */
  List<Subscription> producers();

  /**
   * Watches another stage: when it exits, this stage's {@code handleInfo} receives a {@link
   * StageDown}. Watching a stage that has already exited delivers the message at once.
   *
   * @param stage the stage to watch
   */
  void watch(Stage<?> stage);

  /**
   * Delivers {@code message} to this stage's {@code handleInfo} after {@code delay}, unless the
   * returned future is cancelled first. GenStage: {@code Process.send_after}.
   *
   * @param message the message
   * @param delay the delay, not negative
   * @return a future to cancel the delivery
   */
  ScheduledFuture<?> sendAfter(Object message, Duration delay);

  /**
   * Stops this stage with {@code reason} once the current callback returns. Events emitted by the
   * callback are dispatched first; events still buffered are not delivered (use {@link
   * ProducerContext#done()} for that). With {@link ExitReason#normal()} they are counted as
   * discarded and reported to the producer's {@link DiscardListener}; with {@link
   * ExitReason#shutdown()} they are abandoned quietly.
   *
   * @param reason the exit reason
   */
  void stop(ExitReason reason);
}
