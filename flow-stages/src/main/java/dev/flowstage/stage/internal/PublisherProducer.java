package dev.flowstage.stage.internal;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A producer fed by a {@link Flow.Publisher}: the demand consumers ask of this stage becomes {@code
 * request(n)} upstream, one request per {@code handleDemand}, so the publisher sees the stage's
 * batches (e.g. {@code maxDemand}, then {@code maxDemand - minDemand} refills) rather than one
 * request per item. Completion finishes the producer ({@code done()}: its events are delivered
 * first); an error stops it with {@link ExitReason.Failure}; when the stage exits for any other
 * reason it cancels the upstream subscription. A publisher that signals more items than were
 * requested (breaking Reactive Streams rule 1.1) has its subscription cancelled and fails the stage
 * with an {@link IllegalStateException} saying so: the excess was never asked for, so keeping it
 * would hide the broken publisher and let it grow the stage's buffer without bound.
 *
 * <p>The publisher signals on its own threads: {@link Inlet} only queues the signals and wakes the
 * stage with one info message per batch of signals, so every decision is taken on the stage's
 * thread.
 *
 * @param <E> the event type
 */
public final class PublisherProducer<E> implements Producer<E> {
  /** The info message that tells the stage its inlet has signals queued. */
  private static final Object DRAIN = new Object();

  /** Queued in place of an item: the publisher completed. */
  private static final Object COMPLETE = new Object();

  /** Queued in place of an item: the publisher failed. */
  private record Failed(Throwable cause) {}

  /** A subscription value meaning: the stage has exited; later subscriptions are cancelled. */
  private static final Flow.Subscription CLOSED =
      new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      };

  private final Flow.Publisher<? extends E> publisher;
  private final boolean stopWhenNoConsumers;
  private final Inlet inlet = new Inlet();

  /** Demand asked by consumers but not yet requested upstream (no subscription yet). */
  private long unrequested;

  /**
   * Items requested upstream and not yet received; {@link Long#MAX_VALUE} once unbounded (rule
   * 3.17). Counted before each {@code request} call, so a publisher that signals from inside it is
   * never taken for one sending more than asked.
   */
  private long outstanding;

  /** Items requested upstream in all, for the message naming a rule 1.1 violation. */
  private long requestedInAll;

  private boolean finished;

  /**
   * Creates the producer; it subscribes to {@code publisher} in {@code init}.
   *
   * @param publisher the source
   * @param stopWhenNoConsumers stop normally when the last consumer cancels
   */
  public PublisherProducer(Flow.Publisher<? extends E> publisher, boolean stopWhenNoConsumers) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.stopWhenNoConsumers = stopWhenNoConsumers;
  }

  @Override
  public void init(ProducerContext<E> ctx) {
    inlet.stage = ctx.self();
    publisher.subscribe(inlet);
  }

  @Override
  public void handleDemand(long demand, ProducerContext<E> ctx) {
    Flow.Subscription s = inlet.subscription.get();
    if (s == null) {
      unrequested = addCap(unrequested, demand);
    } else if (!finished) {
      request(s, demand);
    }
  }

  private void request(Flow.Subscription s, long n) {
    outstanding = addCap(outstanding, n);
    requestedInAll = addCap(requestedInAll, n);
    s.request(n);
  }

  @Override
  public void handleInfo(Object message, ProducerContext<E> ctx) {
    if (message != DRAIN) {
      return;
    }
    inlet.signalled.set(false);
    if (unrequested > 0 && inlet.subscription.get() != null && !finished) {
      long n = unrequested;
      unrequested = 0;
      request(inlet.subscription.get(), n);
    }
    List<E> batch = new ArrayList<>();
    Object signal;
    while ((signal = inlet.queue.poll()) != null) {
      if (finished) {
        continue; // after a terminal signal nothing counts (a publisher breaking rule 1.7)
      }
      if (signal == COMPLETE) {
        finished = true;
        ctx.emit(batch);
        batch = new ArrayList<>();
        ctx.done();
      } else if (signal instanceof Failed f) {
        finished = true;
        ctx.emit(batch);
        batch = new ArrayList<>();
        ctx.stop(ExitReason.failure(f.cause()));
      } else if (outstanding == 0) {
        finished = true;
        ctx.emit(batch); // what was asked for is delivered like any other item
        batch = new ArrayList<>();
        inlet.subscription.get().cancel(); // rule 2.6: the subscription is no longer valid
        ctx.stop(
            ExitReason.failure(
                new IllegalStateException(
                    "publisher "
                        + publisher
                        + " sent more items than requested (Reactive Streams rule 1.1): "
                        + requestedInAll
                        + " requested in all")));
      } else {
        if (outstanding != Long.MAX_VALUE) {
          outstanding--;
        }
        @SuppressWarnings("unchecked")
        E e = (E) signal;
        batch.add(e);
      }
    }
    ctx.emit(batch);
  }

  @Override
  public void handleCancel(Subscription subscription, ExitReason reason, ProducerContext<E> ctx) {
    if (stopWhenNoConsumers && ctx.consumers().isEmpty()) {
      ctx.stop(ExitReason.normal());
    }
  }

  @Override
  public void terminate(ExitReason reason) {
    Flow.Subscription s = inlet.subscription.getAndSet(CLOSED);
    if (s != null && s != CLOSED && !finished) {
      s.cancel(); // rule 2.6: a subscriber that no longer needs the subscription cancels it
    }
    inlet.queue.clear();
  }

  private static long addCap(long a, long b) {
    long r = a + b;
    return r < 0 ? Long.MAX_VALUE : r;
  }

  /**
   * The subscriber side: called on the publisher's threads, it only records signals and wakes the
   * stage. Null arguments throw {@link NullPointerException} (rule 2.13).
   */
  private final class Inlet implements Flow.Subscriber<E> {
    private final AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean signalled = new AtomicBoolean();
    private volatile Stage<?> stage;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      Objects.requireNonNull(s, "subscription");
      if (!subscription.compareAndSet(null, s)) {
        s.cancel(); // rule 2.5: one active subscription at a time; also after the stage exited
        return;
      }
      wake(); // the stage requests the demand it collected before the subscription existed
    }

    @Override
    public void onNext(E item) {
      queue.add(Objects.requireNonNull(item, "item"));
      wake();
    }

    @Override
    public void onError(Throwable throwable) {
      queue.add(new Failed(Objects.requireNonNull(throwable, "throwable")));
      wake();
    }

    @Override
    public void onComplete() {
      queue.add(COMPLETE);
      wake();
    }

    private void wake() {
      if (subscription.get() == CLOSED) {
        queue.clear(); // the stage has exited: late signals are dropped, not kept
        return;
      }
      if (signalled.compareAndSet(false, true)) {
        stage.send(DRAIN); // a stage that has exited drops it
      }
    }
  }
}
