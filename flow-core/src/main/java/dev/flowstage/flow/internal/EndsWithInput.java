package dev.flowstage.flow.internal;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import java.util.List;

/**
 * A user's producer-consumer that a run owns ({@code Flow.throughProducerConsumers}), ended by the
 * run as its own stages end: once every upstream subscription has ended normally, after the user's
 * {@code handleCancel} has seen the last one, it calls {@code done()}, so what it still holds is
 * delivered and the next layer's input ends. Everything else is the user's stage as written.
 *
 * @param <I> the type of received events
 * @param <O> the type of emitted events
 */
final class EndsWithInput<I, O> implements ProducerConsumer<I, O> {
  private final ProducerConsumer<I, O> stage;

  EndsWithInput(ProducerConsumer<I, O> stage) {
    this.stage = stage;
  }

  @Override
  public void init(ProducerContext<O> ctx) {
    stage.init(ctx);
  }

  @Override
  public void handleEvents(List<I> events, Subscription from, ProducerContext<O> ctx) {
    stage.handleEvents(events, from, ctx);
  }

  @Override
  public SubscriptionMode handleSubscribe(
      Peer peer, Subscription subscription, ProducerContext<O> ctx) {
    return stage.handleSubscribe(peer, subscription, ctx);
  }

  @Override
  public void handleCancel(
      Peer peer, Subscription subscription, ExitReason reason, ProducerContext<O> ctx) {
    stage.handleCancel(peer, subscription, reason, ctx);
    if (peer == Peer.PRODUCER && !reason.isAbnormal() && ctx.producers().isEmpty()) {
      ctx.done(); // a second done() (the user's own) is a no-op
    }
  }

  @Override
  public Object handleCall(Object request, ProducerContext<O> ctx) {
    return stage.handleCall(request, ctx);
  }

  @Override
  public void handleCast(Object message, ProducerContext<O> ctx) {
    stage.handleCast(message, ctx);
  }

  @Override
  public void handleInfo(Object message, ProducerContext<O> ctx) {
    stage.handleInfo(message, ctx);
  }

  @Override
  public void terminate(ExitReason reason) {
    stage.terminate(reason);
  }
}
