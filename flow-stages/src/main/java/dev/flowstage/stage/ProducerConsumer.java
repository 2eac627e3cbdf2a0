package dev.flowstage.stage;

import java.util.List;

/**
 * A stage that consumes events from producers and emits events to consumers. GenStage: {@code
 * :producer_consumer}.
 *
 * <p>It never sees demand: the runtime forwards its consumers' demand upstream. Incoming batches
 * are queued and handed to {@link #handleEvents} only while downstream demand is pending, so the
 * stage holds at most about its upstream {@code maxDemand} of unprocessed input; events emitted
 * beyond downstream demand wait in its buffer (unbounded by default). Upstream cancellations and
 * ordered infos are queued behind the input that arrived before them.
 *
 * @param <I> the type of received events
 * @param <O> the type of emitted events
 */
public interface ProducerConsumer<I, O> {
  /**
   * Called once on the stage's thread before any other callback.
   *
   * @param ctx the stage's context
   */
  default void init(ProducerContext<O> ctx) {}

  /**
   * Handles a batch of events from one upstream subscription; emit results with {@link
   * ProducerContext#emit}.
   *
   * @param events the events, not empty; valid only during the call
   * @param from the subscription they arrived on
   * @param ctx where to emit
   */
  void handleEvents(List<I> events, Subscription from, ProducerContext<O> ctx);

  /**
   * Called when this stage subscribed to a producer ({@link Peer#PRODUCER}; the result chooses the
   * demand mode) or a consumer subscribed to it ({@link Peer#CONSUMER}; the result is ignored).
   *
   * @param peer which side the other stage is on
   * @param subscription the new subscription
   * @param ctx the stage's context
   * @return the demand mode for an upstream subscription; default {@link
   *     SubscriptionMode#AUTOMATIC}
   */
  default SubscriptionMode handleSubscribe(
      Peer peer, Subscription subscription, ProducerContext<O> ctx) {
    return SubscriptionMode.AUTOMATIC;
  }

  /**
   * Called when a subscription on either side ended. For an upstream one ({@link Peer#PRODUCER})
   * the subscription's {@link CancelMode} then decides whether this stage stops with the same
   * reason; this is where a stage learns that a producer finished ({@link ExitReason.Normal}) and
   * may emit final events and call {@link ProducerContext#done()}.
   *
   * @param peer which side the other stage is on
   * @param subscription the ended subscription
   * @param reason why it ended
   * @param ctx the stage's context
   */
  default void handleCancel(
      Peer peer, Subscription subscription, ExitReason reason, ProducerContext<O> ctx) {}

  /**
   * Answers a {@link Stage#call}. The default throws {@link UnsupportedOperationException}.
   *
   * @param request the request
   * @param ctx the stage's context
   * @return the reply
   */
  default Object handleCall(Object request, ProducerContext<O> ctx) {
    throw new UnsupportedOperationException(
        "stage " + ctx.name() + " received a call but does not implement handleCall: " + request);
  }

  /**
   * Handles a {@link Stage#cast}. The default throws {@link UnsupportedOperationException}.
   *
   * @param message the message
   * @param ctx the stage's context
   */
  default void handleCast(Object message, ProducerContext<O> ctx) {
    throw new UnsupportedOperationException(
        "stage " + ctx.name() + " received a cast but does not implement handleCast: " + message);
  }

  /**
   * Handles an info message. The default ignores it.
   *
   * @param message the message
   * @param ctx the stage's context
   */
  default void handleInfo(Object message, ProducerContext<O> ctx) {}

  /**
   * Called once when the stage exits, on its thread. Exceptions are logged and ignored.
   *
   * @param reason why the stage exits
   */
  default void terminate(ExitReason reason) {}
}
