package dev.flowstage.stage.internal;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.StageKind;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import java.util.List;

/**
 * The three public callback interfaces seen through one shape, so the stage loop has a single code
 * path. Each adapter forwards to the user's object; the context is the stage's own.
 */
abstract sealed class Callbacks {
  abstract StageKind kind();

  abstract void init(CallbackContext ctx);

  void handleDemand(long demand, CallbackContext ctx) {
    throw new IllegalStateException("only producers receive demand");
  }

  void handleEvents(List<Object> events, Subscription from, CallbackContext ctx) {
    throw new IllegalStateException("producers do not receive events");
  }

  abstract SubscriptionMode handleSubscribe(Peer peer, Subscription s, CallbackContext ctx);

  abstract void handleCancel(Peer peer, Subscription s, ExitReason reason, CallbackContext ctx);

  abstract Object handleCall(Object request, CallbackContext ctx);

  abstract void handleCast(Object message, CallbackContext ctx);

  abstract void handleInfo(Object message, CallbackContext ctx);

  abstract void terminate(ExitReason reason);

  @SuppressWarnings("unchecked")
  static <E> ProducerContext<E> typed(CallbackContext ctx) {
    return (ProducerContext<E>) (ProducerContext<?>) ctx;
  }

  static final class OfProducer extends Callbacks {
    private final Producer<Object> p;

    @SuppressWarnings("unchecked")
    OfProducer(Producer<?> p) {
      this.p = (Producer<Object>) p;
    }

    @Override
    StageKind kind() {
      return StageKind.PRODUCER;
    }

    @Override
    void init(CallbackContext ctx) {
      p.init(typed(ctx));
    }

    @Override
    void handleDemand(long demand, CallbackContext ctx) {
      p.handleDemand(demand, typed(ctx));
    }

    @Override
    SubscriptionMode handleSubscribe(Peer peer, Subscription s, CallbackContext ctx) {
      p.handleSubscribe(s, typed(ctx));
      return SubscriptionMode.AUTOMATIC;
    }

    @Override
    void handleCancel(Peer peer, Subscription s, ExitReason reason, CallbackContext ctx) {
      p.handleCancel(s, reason, typed(ctx));
    }

    @Override
    Object handleCall(Object request, CallbackContext ctx) {
      return p.handleCall(request, typed(ctx));
    }

    @Override
    void handleCast(Object message, CallbackContext ctx) {
      p.handleCast(message, typed(ctx));
    }

    @Override
    void handleInfo(Object message, CallbackContext ctx) {
      p.handleInfo(message, typed(ctx));
    }

    @Override
    void terminate(ExitReason reason) {
      p.terminate(reason);
    }
  }

  static final class OfConsumer extends Callbacks {
    private final Consumer<Object> c;

    @SuppressWarnings("unchecked")
    OfConsumer(Consumer<?> c) {
      this.c = (Consumer<Object>) c;
    }

    @Override
    StageKind kind() {
      return StageKind.CONSUMER;
    }

    @Override
    void init(CallbackContext ctx) {
      c.init(ctx.forConsumer());
    }

    @Override
    void handleEvents(List<Object> events, Subscription from, CallbackContext ctx) {
      c.handleEvents(events, from, ctx.forConsumer());
    }

    @Override
    SubscriptionMode handleSubscribe(Peer peer, Subscription s, CallbackContext ctx) {
      SubscriptionMode m = c.handleSubscribe(s, ctx.forConsumer());
      return m == null ? SubscriptionMode.AUTOMATIC : m;
    }

    @Override
    void handleCancel(Peer peer, Subscription s, ExitReason reason, CallbackContext ctx) {
      c.handleCancel(s, reason, ctx.forConsumer());
    }

    @Override
    Object handleCall(Object request, CallbackContext ctx) {
      return c.handleCall(request, ctx.forConsumer());
    }

    @Override
    void handleCast(Object message, CallbackContext ctx) {
      c.handleCast(message, ctx.forConsumer());
    }

    @Override
    void handleInfo(Object message, CallbackContext ctx) {
      c.handleInfo(message, ctx.forConsumer());
    }

    @Override
    void terminate(ExitReason reason) {
      c.terminate(reason);
    }
  }

  static final class OfProducerConsumer extends Callbacks {
    private final ProducerConsumer<Object, Object> pc;

    @SuppressWarnings("unchecked")
    OfProducerConsumer(ProducerConsumer<?, ?> pc) {
      this.pc = (ProducerConsumer<Object, Object>) pc;
    }

    @Override
    StageKind kind() {
      return StageKind.PRODUCER_CONSUMER;
    }

    @Override
    void init(CallbackContext ctx) {
      pc.init(typed(ctx));
    }

    @Override
    void handleEvents(List<Object> events, Subscription from, CallbackContext ctx) {
      pc.handleEvents(events, from, typed(ctx));
    }

    @Override
    SubscriptionMode handleSubscribe(Peer peer, Subscription s, CallbackContext ctx) {
      SubscriptionMode m = pc.handleSubscribe(peer, s, typed(ctx));
      return m == null ? SubscriptionMode.AUTOMATIC : m;
    }

    @Override
    void handleCancel(Peer peer, Subscription s, ExitReason reason, CallbackContext ctx) {
      pc.handleCancel(peer, s, reason, typed(ctx));
    }

    @Override
    Object handleCall(Object request, CallbackContext ctx) {
      return pc.handleCall(request, typed(ctx));
    }

    @Override
    void handleCast(Object message, CallbackContext ctx) {
      pc.handleCast(message, typed(ctx));
    }

    @Override
    void handleInfo(Object message, CallbackContext ctx) {
      pc.handleInfo(message, typed(ctx));
    }

    @Override
    void terminate(ExitReason reason) {
      pc.terminate(reason);
    }
  }
}
