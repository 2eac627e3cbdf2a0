package dev.flowstage.stage;

/**
 * A stage that emits events only when its consumers ask for them. GenStage: {@code :producer}.
 *
 * <p>Runs on its own virtual thread: every callback is called on that thread, one at a time, so
 * state kept in fields needs no locks. {@link #handleDemand} may emit exactly the demand, more (the
 * excess waits in the buffer, see {@link ProducerOptions#bufferSize()}), or fewer: then the
 * producer must remember the shortfall in its fields and emit later from another callback, because
 * {@code handleDemand} is called again only when consumers ask again.
 *
 * <p>Every callback except {@code handleDemand} has a default. An exception thrown by a callback
 * ends the stage with {@link ExitReason.Failure}.
 *
 * @param <E> the type of emitted events
 */
public interface Producer<E> {
  /**
   * Called once on the stage's thread before any other callback; the stage's start returns after
   * it. An exception here fails the start.
   *
   * @param ctx the stage's context
   */
  default void init(ProducerContext<E> ctx) {}

  /**
   * Called when consumers asked for events the buffer cannot serve. GenStage: {@code
   * handle_demand}.
   *
   * @param demand how many more events consumers asked for, at least 1
   * @param ctx where to emit
   */
  void handleDemand(long demand, ProducerContext<E> ctx);

  /**
   * Called when a consumer subscribed. GenStage: {@code handle_subscribe(:consumer, ...)}.
   *
   * @param subscription the new subscription
   * @param ctx the stage's context
   */
  default void handleSubscribe(Subscription subscription, ProducerContext<E> ctx) {}

  /**
   * Called when a consumer's subscription ended (cancelled from either side, or the consumer
   * exited). GenStage: {@code handle_cancel}. The producer keeps running.
   *
   * @param subscription the ended subscription
   * @param reason why it ended
   * @param ctx the stage's context
   */
  default void handleCancel(Subscription subscription, ExitReason reason, ProducerContext<E> ctx) {}

  /**
   * Answers a {@link Stage#call}. Events emitted here are dispatched before the reply is sent. The
   * default throws {@link UnsupportedOperationException}, which ends the stage.
   *
   * @param request the request
   * @param ctx the stage's context
   * @return the reply
   */
  default Object handleCall(Object request, ProducerContext<E> ctx) {
    throw new UnsupportedOperationException(
        "stage " + ctx.name() + " received a call but does not implement handleCall: " + request);
  }

  /**
   * Handles a {@link Stage#cast}. The default throws {@link UnsupportedOperationException}, which
   * ends the stage.
   *
   * @param message the message
   * @param ctx the stage's context
   */
  default void handleCast(Object message, ProducerContext<E> ctx) {
    throw new UnsupportedOperationException(
        "stage " + ctx.name() + " received a cast but does not implement handleCast: " + message);
  }

  /**
   * Handles an info message: {@link Stage#send}, ordered infos once their events are out, {@link
   * StageDown} for watched stages, {@link StageContext#sendAfter} timers. The default ignores it.
   *
   * @param message the message
   * @param ctx the stage's context
   */
  default void handleInfo(Object message, ProducerContext<E> ctx) {}

  /**
   * Called once when the stage exits, on its thread, whatever the reason. Exceptions are logged and
   * ignored.
   *
   * @param reason why the stage exits
   */
  default void terminate(ExitReason reason) {}
}
