package dev.flowstage.stage;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A handle to a running (or exited) stage, usable from any thread. Started by {@link StageSystem}.
 *
 * <p>Sending to a stage that has exited never blocks and never throws: casts, infos, asks and
 * cancels are dropped, while calls and sync operations fail with {@link StageNotAliveException}.
 *
 * @param <E> the type of events the stage emits ({@code Void} for consumers)
 */
public interface Stage<E> {
  /**
   * Returns the stage's name, unique within its system.
   *
   * @return the name
   */
  String name();

  /**
   * Returns what the stage is: a producer, a producer-consumer or a consumer, as it was started
   * ({@link StageSystem#startProducer}, {@link StageSystem#startProducerConsumer}, {@link
   * StageSystem#startConsumer}). Fixed for the stage's life and still answered after it exited, so
   * code given a handle can refuse one of the wrong kind before it subscribes (a consumer cannot be
   * subscribed to; a producer cannot subscribe).
   *
   * @return the stage's kind
   */
  StageKind kind();

  /**
   * Returns whether the stage has not exited yet.
   *
   * @return true until the stage exits
   */
  boolean isAlive();

  /**
   * Returns why the stage exited, if it has.
   *
   * @return the exit reason, or empty while it runs
   */
  Optional<ExitReason> exitReason();

  /**
   * Waits for the stage to exit.
   *
   * @param timeout how long to wait
   * @return the exit reason
   * @throws StageException if the stage is still running after the timeout
   */
  ExitReason awaitExit(Duration timeout);

  /**
   * Returns a stage that completes with the exit reason when the stage exits (watchers run on the
   * exiting stage's thread or, if it already exited, on the caller's). Stage watchers are notified
   * before this completes.
   *
   * @return the exit notification
   */
  CompletionStage<ExitReason> onExit();

  /**
   * Subscribes this consumer or producer-consumer to {@code producer} and waits until the
   * subscription is set up on both sides: this stage ran its {@code handleSubscribe} and (in
   * automatic mode) sent its first ask of {@code maxDemand}, and the producer accepted. The ask is
   * already in the producer's mailbox, so events emitted after this returns reach this consumer.
   * GenStage: {@code sync_subscribe}, which returns after the ask but does not wait for the
   * producer.
   *
   * @param producer the producer
   * @param options the subscription options
   * @param timeout how long to wait for the acceptance
   * @return the subscription
   * @throws StageNotAliveException if this stage or the producer is not alive
   * @throws StageException if the producer refused (e.g. its dispatcher rejected the options, or it
   *     is a consumer) or the timeout elapsed
   */
  Subscription subscribeTo(Stage<?> producer, SubscriptionOptions options, Duration timeout);

  /**
   * Subscribes with a 5 second timeout; see {@link #subscribeTo(Stage, SubscriptionOptions,
   * Duration)}.
   *
   * @param producer the producer
   * @param options the subscription options
   * @return the subscription
   */
  default Subscription subscribeTo(Stage<?> producer, SubscriptionOptions options) {
    return subscribeTo(producer, options, Duration.ofSeconds(5));
  }

  /**
   * Subscribes without waiting. GenStage: {@code async_subscribe}. Failures reach the consumer's
   * {@code handleCancel} and its cancel mode applies.
   *
   * @param producer the producer
   * @param options the subscription options
   */
  void asyncSubscribeTo(Stage<?> producer, SubscriptionOptions options);

  /**
   * Asks for more events on a manual subscription, from any thread. GenStage: {@code ask/3}.
   *
   * @param subscription the subscription (this stage must be its consumer or producer)
   * @param n how many, at least 0
   */
  void ask(Subscription subscription, long n);

  /**
   * Cancels a subscription from outside. The consumer learns of it after every event already sent
   * to it, then its cancel mode applies.
   *
   * @param subscription the subscription (this stage must be its consumer or producer)
   * @param reason why
   */
  void cancel(Subscription subscription, ExitReason reason);

  /**
   * Calls the stage's {@code handleCall} and waits for the reply.
   *
   * @param request the request
   * @param timeout how long to wait
   * @return the reply
   * @throws StageNotAliveException if the stage is not alive or exits before replying
   * @throws StageException if the timeout elapsed
   * @throws IllegalStateException if called from the stage's own thread
   */
  Object call(Object request, Duration timeout);

  /**
   * Sends a message to the stage's {@code handleCast}.
   *
   * @param message the message
   */
  void cast(Object message);

  /**
   * Sends a message to the stage's {@code handleInfo}, in mailbox order.
   *
   * @param message the message
   */
  void send(Object message);

  /**
   * Queues an ordered info and waits until it is queued. GenStage: {@code sync_info}. A producer
   * delivers it (to its own handleInfo and as {@link ProducerInfo} to its consumers) after every
   * event emitted before it; a consumer delivers it at once.
   *
   * @param message the message
   * @param timeout how long to wait
   */
  void syncInfo(Object message, Duration timeout);

  /**
   * Queues an ordered info without waiting. GenStage: {@code async_info}.
   *
   * @param message the message
   */
  void asyncInfo(Object message);

  /**
   * Sets the producer's demand mode. GenStage: {@code demand/2}.
   *
   * @param mode the mode
   */
  void demandMode(DemandMode mode);

  /**
   * Returns the producer's demand mode ({@link DemandMode#FORWARD} for other stages).
   *
   * @param timeout how long to wait
   * @return the demand mode
   */
  DemandMode demandMode(Duration timeout);

  /**
   * Returns the number of events buffered by a producer. GenStage: {@code estimate_buffered_count}.
   *
   * @param timeout how long to wait
   * @return the count; 0 for consumers
   */
  long estimateBufferedCount(Duration timeout);

  /**
   * Asks the stage to stop with {@code reason} once it has handled the messages already in its
   * mailbox (events already sent to it included); returns at once. GenStage: {@code stop/3}. Its
   * {@code terminate} runs and watchers learn the reason. Does nothing if the stage has exited.
   * Events it still holds are not delivered: with {@link ExitReason#normal()} they are counted as
   * discarded and reported to its {@link DiscardListener}, with a shutdown abandoned quietly.
   *
   * @param reason the exit reason, e.g. {@link ExitReason#shutdown()}
   */
  void stop(ExitReason reason);

  /**
   * Stops the stage with {@code reason} before its next message, whatever is still in its mailbox
   * (the callback running now completes first); returns at once. Use it to tear a pipeline down
   * promptly, for example on the first failure.
   *
   * @param reason the exit reason, e.g. {@link ExitReason#failure(Throwable)}
   */
  void kill(ExitReason reason);

  /**
   * Returns a snapshot of the stage's statistics; cheap, from any thread.
   *
   * @return the statistics
   */
  StageStats stats();
}
