package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.plan.Plan;
import java.lang.System.Logger.Level;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A flow as a {@link Flow.Publisher}: cold, each subscriber runs the plan anew. One virtual thread
 * per subscription reads the flow's terminal exactly like {@code Flow.stream()} and signals the
 * subscriber, so signals are serial (rule 1.3), failures are the same {@code FlowException} a
 * terminal throws, and the subscriber's demand is the reader's demand: a batch is asked of the last
 * layer again only once the subscriber has taken the previous one, so at most about two batches of
 * {@code maxDemand} per last-layer stage are ahead of it, and nothing is signalled beyond what it
 * requested (rule 1.1). Terminal signals need no demand: a failure or the end is signalled as soon
 * as it is known.
 *
 * <p>{@code request} and {@code cancel} come from any thread and only update atomics and wake the
 * reader (rule 3.3). Cancel stops every stage of the run; the reader thread exits only after they
 * have, then drops the subscriber (rule 3.13).
 *
 * @param <T> the event type
 */
public final class FlowPublisher<T> implements Flow.Publisher<T> {

  private final Plan plan;
  private final FlowClock clock;

  /**
   * Creates the publisher of a plan; each subscription runs it on {@code clock}.
   *
   * @param plan the flow's plan
   * @param clock the flow's processing-time clock ({@code Flow.withClock})
   */
  public FlowPublisher(Plan plan, FlowClock clock) {
    this.plan = Objects.requireNonNull(plan, "plan");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns the plan each subscription runs: a flow reading this publisher sees through it to the
   * sources it reads once ({@code PlanRules.readOnce}).
   *
   * @return the plan
   */
  public Plan plan() {
    return plan;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber"); // rule 1.9
    Reader<T> reader = new Reader<>(plan, clock, subscriber);
    reader.thread = Thread.ofVirtual().name("flow-publisher").unstarted(reader::run);
    reader.thread.start();
  }

  /** One subscription: the reading thread and the subscription handed to the subscriber. */
  private static final class Reader<T> implements Flow.Subscription {
    private final Plan plan;
    private final FlowClock clock;
    private volatile Flow.Subscriber<? super T> subscriber;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicReference<Throwable> badRequest = new AtomicReference<>();
    private volatile boolean cancelled;
    private volatile RunCoordinator run;
    private volatile Thread thread;

    Reader(Plan plan, FlowClock clock, Flow.Subscriber<? super T> subscriber) {
      this.plan = plan;
      this.clock = clock;
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        badRequest.compareAndSet(
            null,
            new IllegalArgumentException(
                "request(" + n + "): a subscriber must request a positive number (rule 3.9)"));
        stop();
      } else {
        requested.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
        LockSupport.unpark(thread);
      }
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        subscriber = null;
        stop();
      }
    }

    /** Wakes the reader; if it may be blocked reading the flow, cancels the run to free it. */
    private void stop() {
      LockSupport.unpark(thread);
      RunCoordinator r = run;
      if (r != null && Thread.currentThread() != thread) {
        // Cancelling joins every stage thread: not on the caller's thread (rule 3.5: be quick).
        Thread.ofVirtual().name("flow-publisher-cancel").start(r::cancel);
      }
    }

    private boolean stopped() {
      return cancelled || badRequest.get() != null;
    }

    void run() {
      Flow.Subscriber<? super T> s = subscriber;
      try {
        s.onSubscribe(this);
      } catch (RuntimeException e) {
        broken("onSubscribe", e);
        cancelled = true;
      }
      RunCoordinator r = null;
      boolean terminated = false;
      try {
        if (!stopped()) {
          r = RunCoordinator.start(plan, clock);
          run = r;
          Iterator<Object> it = r.stream().iterator();
          while (!stopped()) {
            if (!it.hasNext()) { // waits for the next batch, the end or a failure
              if (!stopped()) {
                terminated = true;
                subscriber = null;
                s.onComplete();
              }
              break;
            }
            if (!awaitDemand()) {
              break;
            }
            @SuppressWarnings("unchecked")
            T item = (T) it.next();
            requested.getAndUpdate(v -> v == Long.MAX_VALUE ? v : v - 1); // MAX: unbounded
            try {
              s.onNext(item);
            } catch (RuntimeException e) {
              broken("onNext", e);
              cancelled = true;
            }
          }
        }
      } catch (RuntimeException e) {
        // A FlowException, a plan that cannot run, or the cancel this subscription caused.
        if (!stopped() && !terminated && !(e instanceof CancellationException && cancelled)) {
          terminated = true;
          subscriber = null;
          signalError(s, e);
        }
      } finally {
        if (r != null) {
          r.cancel(); // a no-op after a normal end; otherwise stops and joins every stage
        }
        Throwable bad = badRequest.get();
        if (bad != null && !cancelled && !terminated) {
          signalError(s, bad);
        }
        subscriber = null;
      }
    }

    /** Waits until the subscriber requested something; false if it cancelled meanwhile. */
    private boolean awaitDemand() {
      while (requested.get() == 0) {
        if (stopped()) {
          return false;
        }
        LockSupport.park(this);
      }
      return !stopped();
    }

    private static void signalError(Flow.Subscriber<?> s, Throwable e) {
      try {
        s.onError(e);
      } catch (RuntimeException ex) {
        broken("onError", ex);
      }
    }

    private static void broken(String method, RuntimeException e) {
      // Rule 2.13: a throwing subscriber is treated as cancelled; nobody else receives the error.
      FlowLog.get()
          .log(Level.WARNING, "a subscriber's " + method + " threw; treated as cancelled: " + e);
    }
  }
}
