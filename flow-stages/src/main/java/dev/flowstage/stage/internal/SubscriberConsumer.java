package dev.flowstage.stage.internal;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A consumer stage that feeds one {@link Flow.Subscriber}: it subscribes to its producers with
 * manual demand and, while the subscriber has requested more than is buffered, keeps {@code
 * maxDemand} asked of each producer, in batches like an automatic consumer (see {@link #topUp}).
 * Events beyond the subscriber's request wait in a local buffer (at most {@code maxDemand} per
 * producer) and are only signalled when requested (rule 1.1); with several producers none can
 * starve the others.
 *
 * <p>Every signal to the subscriber is made on this stage's thread, so they are serial (rule 1.3).
 * {@code request} and {@code cancel} come from any thread: they update atomics and wake the stage
 * with an info message, so they never call back into the subscriber (rule 3.3). The subscriber is
 * completed once every producer finished normally and the buffer is empty; the first producer
 * failure is signalled as {@code onError} with the failure's cause (a producer shut down from
 * outside, which did not finish its events, as a {@link StageException}) and cancels the rest.
 * After a terminal signal or a cancel the reference to the subscriber is dropped (rule 3.13).
 *
 * @param <E> the event type
 */
public final class SubscriberConsumer<E> implements Consumer<E> {
  private static final Object WAKE = new Object();

  private final List<Stage<?>> producers;
  private final SubscriptionOptions options;
  private final AtomicReference<Flow.Subscriber<? super E>> subscriber;
  private final AtomicLong requested = new AtomicLong();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicReference<Throwable> badRequest = new AtomicReference<>();
  private final AtomicBoolean signalled = new AtomicBoolean();
  private volatile Stage<?> self;

  // Stage-thread state.
  private final Map<Subscription, long[]> live = new IdentityHashMap<>();
  private final ArrayDeque<E> buffer = new ArrayDeque<>();
  private long credit;
  private boolean done;

  /**
   * Creates the consumer.
   *
   * @param producers the producers it subscribes to in {@code init}, at least one
   * @param options the subscription options (its demand mode is always manual)
   * @param subscriber the subscriber to feed
   */
  public SubscriberConsumer(
      List<? extends Stage<?>> producers,
      SubscriptionOptions options,
      Flow.Subscriber<? super E> subscriber) {
    this.producers = List.copyOf(producers);
    this.options = Objects.requireNonNull(options, "options");
    this.subscriber = new AtomicReference<>(Objects.requireNonNull(subscriber, "subscriber"));
  }

  @Override
  public void init(StageContext ctx) {
    self = ctx.self();
    Flow.Subscriber<? super E> s = subscriber.get();
    try {
      s.onSubscribe(new Outlet());
    } catch (RuntimeException e) {
      broken("onSubscribe", e);
      cancelled.set(true); // rule 2.13: treated as cancelled, so no further signal
      done = true;
      ctx.stop(ExitReason.normal());
      return;
    }
    for (Stage<?> p : producers) {
      live.put(ctx.subscribeTo(p, options), new long[1]);
    }
    absorb();
    topUp(ctx);
  }

  @Override
  public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
    return SubscriptionMode.MANUAL;
  }

  @Override
  public void handleEvents(List<E> events, Subscription from, StageContext ctx) {
    long[] outstanding = live.get(from);
    if (outstanding != null) {
      outstanding[0] = Math.max(0, outstanding[0] - events.size());
    }
    if (done) {
      return;
    }
    buffer.addAll(events);
    deliver(ctx);
  }

  @Override
  public void handleInfo(Object message, StageContext ctx) {
    if (message == WAKE) {
      signalled.set(false);
      deliver(ctx);
    }
  }

  @Override
  public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
    live.remove(subscription);
    if (done) {
      return;
    }
    switch (reason) {
      case ExitReason.Normal n -> deliver(ctx);
      case ExitReason.Failure f -> fail(f.cause(), ctx);
      // A producer stopped from outside did not finish its events: completing would hide the loss.
      case ExitReason.Shutdown sd ->
          fail(new StageException("a producer feeding this subscriber was shut down: " + sd), ctx);
    }
  }

  @Override
  public void terminate(ExitReason reason) {
    if (!done) {
      done = true;
      // Stopped from outside (e.g. its system closed): the subscriber must still hear of it.
      Flow.Subscriber<? super E> s = subscriber.getAndSet(null);
      if (s != null && !cancelled.get()) {
        Throwable cause = reason instanceof ExitReason.Failure f ? f.cause() : null;
        signal(
            s, new StageException("the stage feeding this subscriber stopped: " + reason, cause));
      }
    }
    subscriber.set(null);
    buffer.clear();
  }

  /** Takes the subscriber's new requests into {@link #credit}. */
  private void absorb() {
    long n = requested.getAndSet(0);
    if (n > 0) {
      credit = credit + n < 0 ? Long.MAX_VALUE : credit + n;
    }
  }

  /** Signals what the subscriber requested, then ends or asks upstream for more. */
  private void deliver(StageContext ctx) {
    if (done) {
      return;
    }
    absorb();
    Flow.Subscriber<? super E> s = subscriber.get();
    while (s != null && !cancelled.get() && badRequest.get() == null) {
      if (credit == 0) {
        absorb(); // a request made inside onNext
      }
      if (credit == 0 || buffer.isEmpty()) {
        break;
      }
      E e = buffer.poll();
      credit--;
      try {
        s.onNext(e);
      } catch (RuntimeException ex) {
        broken("onNext", ex);
        cancelled.set(true);
      }
    }
    if (cancelled.get()) {
      finish(ctx);
    } else if (badRequest.get() != null) {
      fail(badRequest.get(), ctx);
    } else if (live.isEmpty() && buffer.isEmpty()) {
      done = true;
      Flow.Subscriber<? super E> last = subscriber.getAndSet(null);
      if (last != null) {
        try {
          last.onComplete();
        } catch (RuntimeException ex) {
          broken("onComplete", ex);
        }
      }
      ctx.stop(ExitReason.normal());
    } else {
      topUp(ctx);
    }
  }

  /**
   * While the subscriber wants more than the buffer holds, keeps up to {@code maxDemand} asked of
   * each producer: a whole {@code maxDemand} first, then refills of at least {@code maxDemand -
   * minDemand}. Always asking whole batches is what a GenStage producer expects (its demand
   * dispatcher takes the first ask as every consumer's maximum) and keeps asks few; what arrives
   * beyond the subscriber's request waits in the buffer, so it is bounded by {@code maxDemand} per
   * producer.
   */
  private void topUp(StageContext ctx) {
    if (credit - buffer.size() <= 0) {
      return;
    }
    for (Map.Entry<Subscription, long[]> e : live.entrySet()) {
      SubscriptionOptions o = e.getKey().options();
      long outstanding = e.getValue()[0];
      long refill = Math.max(1, o.maxDemand() - o.minDemand());
      if (outstanding == 0 || o.maxDemand() - outstanding >= refill) {
        ctx.ask(e.getKey(), o.maxDemand() - outstanding);
        e.getValue()[0] = o.maxDemand();
      }
    }
  }

  private void fail(Throwable cause, StageContext ctx) {
    Flow.Subscriber<? super E> s = subscriber.getAndSet(null);
    finish(ctx);
    if (s != null && !cancelled.get()) {
      signal(s, cause);
    }
  }

  /** Ends the stage without signalling: cancels what is left upstream and stops. */
  private void finish(StageContext ctx) {
    done = true;
    subscriber.set(null);
    buffer.clear();
    for (Subscription sub : new ArrayList<>(live.keySet())) {
      ctx.cancel(sub, ExitReason.normal());
    }
    live.clear();
    ctx.stop(ExitReason.normal());
  }

  private static void signal(Flow.Subscriber<?> s, Throwable error) {
    try {
      s.onError(error);
    } catch (RuntimeException ex) {
      broken("onError", ex);
    }
  }

  private static void broken(String method, RuntimeException e) {
    // Rule 2.13: a throwing subscriber is treated as cancelled; nobody else receives the error.
    StageLog.get()
        .log(Level.WARNING, "a subscriber's " + method + " threw; treated as cancelled: " + e);
  }

  private void wake() {
    if (signalled.compareAndSet(false, true)) {
      Stage<?> stage = self;
      if (stage != null) {
        stage.send(WAKE);
      }
    }
  }

  /** The subscription handed to the subscriber: thread-safe, never blocks, never recurses. */
  private final class Outlet implements Flow.Subscription {
    @Override
    public void request(long n) {
      if (n <= 0) {
        badRequest.compareAndSet(
            null,
            new IllegalArgumentException(
                "request(" + n + "): a subscriber must request a positive number (rule 3.9)"));
      } else {
        requested.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      }
      wake();
    }

    @Override
    public void cancel() {
      if (cancelled.compareAndSet(false, true)) {
        subscriber.set(null);
        wake();
      }
    }
  }
}
