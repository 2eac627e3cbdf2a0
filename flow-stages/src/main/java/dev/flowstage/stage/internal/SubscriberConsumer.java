package dev.flowstage.stage.internal;

import dev.flowstage.stage.CancelMode;
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
 * A consumer stage that feeds one {@link Flow.Subscriber}: the one bridge from stages to a Reactive
 * Streams subscriber, behind both {@code Publishers.of} and flow-core's {@code Flow.toPublisher}.
 * Its subscriptions have manual demand and, while the subscriber has requested more than is
 * buffered, it keeps {@code maxDemand} asked of each producer, in batches like an automatic
 * consumer (see {@link #topUp}). It subscribes to the producers it is given in {@code init}; a
 * producer may also subscribe it from outside ({@code stage.subscribeTo}, as a flow's run does),
 * with {@link CancelMode#TEMPORARY} so that the end of a subscription is its to judge. Events
 * beyond the subscriber's request wait in a local buffer (at most {@code maxDemand} per producer)
 * and are only signalled when requested (rule 1.1); with several producers none can starve the
 * others.
 *
 * <p>{@code onSubscribe} is the first signal, made in {@code init}; every signal to the subscriber
 * is made on this stage's thread, so they are serial (rule 1.3). {@code request} and {@code cancel}
 * come from any thread: they update atomics and wake the stage with an info message, so they never
 * call back into the subscriber (rule 3.3). The subscriber is completed once every producer
 * finished normally and the buffer is empty; the first producer failure is signalled as {@code
 * onError} with the failure's cause (a producer shut down from outside, which did not finish its
 * events, as a {@link StageException}) and cancels the rest. A bridge made with {@link #forRun}
 * instead ends only as {@link #end} tells it (a flow's run, which knows how the whole run ended and
 * with which {@code FlowException}). A subscriber that throws is treated as cancelled (rule 2.13);
 * a non-positive request ends it with an {@link IllegalArgumentException} (rule 3.9); requests add
 * up to at most {@code Long.MAX_VALUE}, which is unbounded (rule 3.17). A null event, which no
 * subscriber may be given (rule 2.13), ends it with a {@link NullPointerException} saying so and
 * cancels its producers, as a cancel would. Exactly one terminal signal is made, and none after a
 * cancel. After a terminal signal or a cancel the reference to the subscriber is dropped (rule
 * 3.13).
 *
 * @param <E> the event type
 */
public final class SubscriberConsumer<E> implements Consumer<E> {
  private static final Object WAKE = new Object();

  /** What {@link #end} records for a normal end. */
  private static final Object COMPLETE = new Object();

  /**
   * Sent once by {@link #end}, never coalesced with a {@link #WAKE}: an earlier wake may sit in the
   * mailbox ahead of the source's last events, and a normal end is only true once they were taken.
   */
  private static final Object END = new Object();

  /** The {@code onError} cause when a null event reaches the bridge. */
  static final String NULL_EVENT =
      "a null event cannot be signalled to a Flow.Subscriber (Reactive Streams rule 2.13): map"
          + " null events to a value of your own (an Optional, a marker) before the publisher";

  private final List<Stage<?>> producers;
  private final SubscriptionOptions options;

  /**
   * Whether only {@link #end} decides how the subscriber ends, not the producers' exits, and a
   * batch per producer is asked ahead of the requests ({@link #forRun}).
   */
  private final boolean ownSource;

  /** What {@link #end} was told: null until then, {@link #COMPLETE}, or the failure. */
  private final AtomicReference<Object> verdict = new AtomicReference<>();

  /** Set once {@code init} has run: a bridge that never started {@linkplain #refuse refuses}. */
  private final AtomicBoolean started = new AtomicBoolean();

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

  /** Whether the {@link #END} message was handled: every event of the source is in the buffer. */
  private boolean endTaken;

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
    this(producers, options, subscriber, false);
  }

  private SubscriberConsumer(
      List<? extends Stage<?>> producers,
      SubscriptionOptions options,
      Flow.Subscriber<? super E> subscriber,
      boolean ownSource) {
    this.producers = List.copyOf(producers);
    this.options = Objects.requireNonNull(options, "options");
    this.subscriber = new AtomicReference<>(Objects.requireNonNull(subscriber, "subscriber"));
    this.ownSource = ownSource;
  }

  /**
   * Creates a consumer for a source that runs for its subscriber alone (a flow's run, {@code
   * Flow.toPublisher}), with no producers of its own. Two things differ from a bridge to shared
   * producers. Its subscriber ends only as {@link #end} tells it: its producers subscribe it from
   * outside, with {@link CancelMode#TEMPORARY}, and how their subscriptions end is not its to judge
   * (a flow's run knows which of its stages failed first, and stops every stage when one fails);
   * until told, it keeps signalling what it holds as requested. And it asks a batch of each
   * producer ahead of the subscriber's requests, as a flow's own terminal does: the events it takes
   * are nobody else's, so the run starts at once and a failure shows even before any request; at
   * most about two batches per producer wait beyond the request. A subscriber's cancel, a throwing
   * subscriber or a bad request end it as any bridge.
   *
   * @param subscriber the subscriber to feed
   * @param <E> the event type
   * @return the consumer, to start in a stage system
   */
  public static <E> SubscriberConsumer<E> forRun(Flow.Subscriber<? super E> subscriber) {
    return new SubscriberConsumer<>(List.of(), SubscriptionOptions.defaults(), subscriber, true);
  }

  /**
   * Tells the bridge how its source ended; thread-safe, never blocks, the first call counts. A
   * failure is signalled as {@code onError} at once (no demand needed), dropping what is held; a
   * normal end, once the subscriber has been signalled everything held, as {@code onComplete}
   * ({@link #forRun} only: otherwise the producers' exits decide it). Does nothing after the
   * subscriber cancelled, or once the stage has ended.
   *
   * @param failure why the source failed, or {@code null} if it ended normally
   */
  public void end(Throwable failure) {
    if (failure == null && !ownSource) {
      return; // its producers' exits decide a normal end
    }
    if (verdict.compareAndSet(null, failure == null ? COMPLETE : failure)) {
      Stage<?> stage = self;
      if (stage != null) {
        stage.send(END); // before init, init sees the verdict
      }
    }
  }

  /**
   * For a bridge whose stage could not be started (its system closed): signals {@code onSubscribe}
   * with a subscription that does nothing, then {@code onError}, as rule 1.9 asks of a publisher
   * that cannot serve a subscriber. Does nothing if the stage started.
   *
   * @param cause why it could not start
   */
  public void refuse(Throwable cause) {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    Flow.Subscriber<? super E> s = subscriber.getAndSet(null);
    try {
      s.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {}
          });
    } catch (RuntimeException e) {
      broken("onSubscribe", e);
      return;
    }
    signal(s, cause);
  }

  @Override
  public void init(StageContext ctx) {
    self = ctx.self();
    if (!started.compareAndSet(false, true)) {
      done = true; // refused already
      ctx.stop(ExitReason.normal());
      return;
    }
    Flow.Subscriber<? super E> s = subscriber.get();
    try {
      s.onSubscribe(new Outlet());
    } catch (RuntimeException e) {
      broken("onSubscribe", e);
      cancelled.set(true); // rule 2.13: treated as cancelled, so no further signal
      done = true;
      subscriber.set(null);
      ctx.stop(ExitReason.normal());
      return;
    }
    // An end told before self was set sent no END, and nothing was subscribed yet to be taken.
    endTaken = verdict.get() != null;
    for (Stage<?> p : producers) {
      ctx.subscribeTo(p, options); // handleSubscribe records it
    }
    deliver(ctx); // a cancel, bad request or end during onSubscribe
  }

  /**
   * Every subscription, its own from {@code init} or one made from outside, is manual: asked for
   * only as the subscriber requests.
   */
  @Override
  public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
    if (done) {
      ctx.cancel(subscription, ExitReason.normal()); // ended before this producer came
    } else {
      live.putIfAbsent(subscription, new long[1]);
      topUp(ctx);
    }
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
    for (E e : events) {
      if (e == null) {
        // A Flow.Subscriber cannot take null (rule 2.13): say so, not ArrayDeque's bare NPE.
        fail(new NullPointerException(NULL_EVENT), ctx);
        return;
      }
      buffer.add(e);
    }
    deliver(ctx);
  }

  @Override
  public void handleInfo(Object message, StageContext ctx) {
    if (message == WAKE) {
      signalled.set(false);
      deliver(ctx);
    } else if (message == END) {
      endTaken = true;
      deliver(ctx);
    }
  }

  @Override
  public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
    live.remove(subscription);
    if (done) {
      return;
    }
    if (ownSource) {
      deliver(ctx); // how it ended comes from end()
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
    while (s != null && !stopping()) {
      if (credit == 0) {
        absorb(); // a request made inside onNext
      }
      if (credit == 0 || buffer.isEmpty()) {
        break;
      }
      E e = buffer.poll();
      if (credit != Long.MAX_VALUE) {
        credit--; // Long.MAX_VALUE is unbounded (rule 3.17)
      }
      try {
        s.onNext(e);
      } catch (RuntimeException ex) {
        broken("onNext", ex);
        cancelled.set(true);
      }
    }
    Object told = verdict.get();
    if (cancelled.get()) {
      finish(ctx);
    } else if (badRequest.get() != null) {
      fail(badRequest.get(), ctx);
    } else if (told instanceof Throwable failure) {
      fail(failure, ctx);
    } else if (buffer.isEmpty() && (ownSource ? endTaken && told == COMPLETE : live.isEmpty())) {
      complete(ctx);
    } else {
      topUp(ctx);
    }
  }

  /** Whether the subscriber is to get no more events: it cancelled, asked wrongly, or it failed. */
  private boolean stopping() {
    return cancelled.get() || badRequest.get() != null || verdict.get() instanceof Throwable;
  }

  private void complete(StageContext ctx) {
    Flow.Subscriber<? super E> last = subscriber.getAndSet(null);
    finish(ctx);
    if (last != null) {
      try {
        last.onComplete();
      } catch (RuntimeException ex) {
        broken("onComplete", ex);
      }
    }
  }

  /**
   * While the subscriber wants more than the buffer holds, keeps up to {@code maxDemand} asked of
   * each producer: a whole {@code maxDemand} first, then refills of at least {@code maxDemand -
   * minDemand}. Always asking whole batches is what a GenStage producer expects (its demand
   * dispatcher takes the first ask as every consumer's maximum) and keeps asks few; what arrives
   * beyond the subscriber's request waits in the buffer, so it is bounded by {@code maxDemand} per
   * producer. A bridge {@link #forRun} also asks while it holds less than a batch per producer
   * beyond the request, so about two batches per producer at most.
   */
  private void topUp(StageContext ctx) {
    if (verdict.get() != null) {
      return; // the source has ended
    }
    long ahead = 0; // what may be held beyond the request
    if (ownSource) {
      for (Subscription sub : live.keySet()) {
        ahead += sub.options().maxDemand();
      }
    }
    if (buffer.size() - credit >= ahead) {
      return; // covered (credit is at most Long.MAX_VALUE: no overflow)
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
