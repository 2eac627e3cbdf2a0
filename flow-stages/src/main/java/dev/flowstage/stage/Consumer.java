package dev.flowstage.stage;

import java.util.List;

/**
 * A stage that subscribes to producers and receives their events in batches. GenStage: {@code
 * :consumer}.
 *
 * <p>Runs on its own virtual thread: every callback is called on that thread, one at a time, so
 * state kept in fields needs no locks. A consumer emits nothing. With automatic demand (the
 * default) each {@link #handleEvents} call gets at most {@code maxDemand - minDemand} events from
 * one subscription, and the runtime re-asks after the call returns.
 *
 * @param <E> the type of received events
 */
public interface Consumer<E> {
  /**
   * Called once on the stage's thread before any other callback (subscribe here with {@link
   * StageContext#subscribeTo}).
   *
   * @param ctx the stage's context
   */
  default void init(StageContext ctx) {}

  /**
   * Handles a batch of events from one subscription. GenStage: {@code handle_events}.
   *
   * @param events the events, not empty; valid only during the call (copy to keep)
   * @param from the subscription they arrived on
   * @param ctx the stage's context
   */
  void handleEvents(List<E> events, Subscription from, StageContext ctx);

  /**
   * Called on this stage's thread when it subscribed to a producer, before the first ask; chooses
   * automatic or manual demand. GenStage: {@code handle_subscribe(:producer, ...)}.
   *
   * @param subscription the new subscription
   * @param ctx the stage's context
   * @return the demand mode of the subscription; default {@link SubscriptionMode#AUTOMATIC}
   */
  default SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
    return SubscriptionMode.AUTOMATIC;
  }

  /**
   * Called when a subscription ended: cancelled by either side, its producer finished ({@link
   * ExitReason.Normal}) or exited, or the producer was not alive. Afterwards the subscription's
   * {@link CancelMode} decides whether this stage stops with the same reason. GenStage: {@code
   * handle_cancel}.
   *
   * @param subscription the ended subscription
   * @param reason why it ended
   * @param ctx the stage's context
   */
  default void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {}

  /**
   * Answers a {@link Stage#call}. The default throws {@link UnsupportedOperationException}.
   *
   * @param request the request
   * @param ctx the stage's context
   * @return the reply
   */
  default Object handleCall(Object request, StageContext ctx) {
    throw new UnsupportedOperationException(
        "stage " + ctx.name() + " received a call but does not implement handleCall: " + request);
  }

  /**
   * Handles a {@link Stage#cast}. The default throws {@link UnsupportedOperationException}.
   *
   * @param message the message
   * @param ctx the stage's context
   */
  default void handleCast(Object message, StageContext ctx) {
    throw new UnsupportedOperationException(
        "stage " + ctx.name() + " received a cast but does not implement handleCast: " + message);
  }

  /**
   * Handles an info message: {@link Stage#send}, {@link ProducerInfo} from producers, {@link
   * StageDown}, timers. The default ignores it.
   *
   * @param message the message
   * @param ctx the stage's context
   */
  default void handleInfo(Object message, StageContext ctx) {}

  /**
   * Called once when the stage exits, on its thread. Exceptions are logged and ignored.
   *
   * @param reason why the stage exits
   */
  default void terminate(ExitReason reason) {}
}
