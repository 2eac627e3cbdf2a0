package dev.flowstage.flow.internal;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import java.util.List;

/**
 * A user's consumer that a run owns ({@code Flow.intoConsumers}), stopped by the run as its own
 * stages stop: once every upstream subscription has ended normally, after the user's {@code
 * handleCancel} has seen the last one (every event before it has been handled: an end arrives
 * behind its subscription's events), it stops normally. Everything else is the user's consumer as
 * written.
 *
 * @param <E> the type of received events
 */
final class StopsWithInput<E> implements Consumer<E> {
  private final Consumer<E> consumer;

  StopsWithInput(Consumer<E> consumer) {
    this.consumer = consumer;
  }

  @Override
  public void init(StageContext ctx) {
    consumer.init(ctx);
  }

  @Override
  public void handleEvents(List<E> events, Subscription from, StageContext ctx) {
    consumer.handleEvents(events, from, ctx);
  }

  @Override
  public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
    return consumer.handleSubscribe(subscription, ctx);
  }

  @Override
  public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
    consumer.handleCancel(subscription, reason, ctx);
    if (!reason.isAbnormal() && ctx.producers().isEmpty()) {
      ctx.stop(ExitReason.normal());
    }
  }

  @Override
  public Object handleCall(Object request, StageContext ctx) {
    return consumer.handleCall(request, ctx);
  }

  @Override
  public void handleCast(Object message, StageContext ctx) {
    consumer.handleCast(message, ctx);
  }

  @Override
  public void handleInfo(Object message, StageContext ctx) {
    consumer.handleInfo(message, ctx);
  }

  @Override
  public void terminate(ExitReason reason) {
    consumer.terminate(reason);
  }
}
