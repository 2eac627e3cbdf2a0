package dev.flowstage.flow.internal;

import dev.flowstage.flow.logic.NullEvent;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.Subscription;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer of a flow over an {@code Iterator} or a {@code Stream}, sources that may block in
 * {@code hasNext()} (a queue, a socket). A reader thread pulls the source up to the demand and
 * hands each event to the stage at once, so what has been read is dispatched while the source waits
 * for more; a pull loop on the stage's own thread would hold a partial batch back for as long as
 * the source blocks, and could not be cancelled meanwhile. Finishes ({@code done}) when the source
 * is exhausted, fails the stage with what the source threw, and stops when its last consumer
 * cancels.
 *
 * <p>Hand-off: the reader offers events to a queue and posts one drain message per idle period of
 * the stage, so a fast source still arrives in large batches.
 */
final class EnumerableProducer implements Producer<Object> {
  private static final Object DRAIN = new Object();

  private final Iterator<?> source;
  private final AutoCloseable onClose;
  private final String name;
  private final AtomicLong demand = new AtomicLong();
  private final ConcurrentLinkedQueue<Object> ready = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainPosted = new AtomicBoolean();
  private volatile boolean exhausted;
  private volatile Throwable failed;
  private volatile boolean stopped;
  private Thread reader;
  private Stage<?> self;
  private boolean done;

  /**
   * Creates the producer.
   *
   * @param name the stage's name, for the reader thread
   * @param source the events
   * @param onClose closed when the reader ends (the source {@code Stream}), or null
   */
  EnumerableProducer(String name, Iterator<?> source, AutoCloseable onClose) {
    this.name = name;
    this.source = source;
    this.onClose = onClose;
  }

  @Override
  public void init(ProducerContext<Object> ctx) {
    self = ctx.self();
  }

  @Override
  public void handleDemand(long n, ProducerContext<Object> ctx) {
    demand.addAndGet(n);
    if (reader == null) {
      reader = Thread.ofVirtual().name(name + "-reader").start(this::read);
    } else {
      LockSupport.unpark(reader);
    }
  }

  @Override
  public void handleInfo(Object message, ProducerContext<Object> ctx) {
    if (message != DRAIN || done) {
      return;
    }
    drainPosted.set(false); // before polling: an event offered from now on posts a new drain
    List<Object> batch = new ArrayList<>();
    Object e;
    while ((e = ready.poll()) != null) {
      batch.add(NullEvent.unwrap(e));
    }
    if (!batch.isEmpty()) {
      ctx.emit(batch);
    }
    Throwable t = failed;
    if (t != null && ready.isEmpty()) {
      done = true;
      if (t instanceof RuntimeException re) {
        throw re;
      }
      if (t instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("the source failed", t);
    }
    if (exhausted && ready.isEmpty()) {
      done = true;
      ctx.done();
    }
  }

  @Override
  public void handleCancel(
      Subscription subscription, ExitReason reason, ProducerContext<Object> ctx) {
    if (ctx.consumers().isEmpty()) {
      ctx.stop(ExitReason.normal());
    }
  }

  @Override
  public void terminate(ExitReason reason) {
    stopped = true;
    Thread r = reader;
    if (r == null) {
      close();
      return;
    }
    r.interrupt(); // a source blocked in hasNext() on an interruptible wait gives up
    LockSupport.unpark(r);
    // A cancel kills and interrupts this stage's thread too: waiting with that interrupt set
    // returned at once, and the run's close returned with the reader still running. It is set
    // aside while waiting, and given back after.
    boolean interrupted = Thread.interrupted();
    try {
      r.join(100); // a source that ignores interrupts is left to its reader thread, not waited for
    } catch (InterruptedException e) {
      interrupted = true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The reader thread: pulls while there is demand, hands each event over at once. */
  private void read() {
    try {
      while (!stopped) {
        if (demand.get() == 0) {
          LockSupport.park(this);
          continue;
        }
        if (!source.hasNext()) {
          exhausted = true;
          post();
          return;
        }
        Object e = source.next();
        demand.decrementAndGet();
        ready.offer(NullEvent.wrap(e)); // the queue refuses null; events may be null
        post();
      }
    } catch (RuntimeException | Error t) {
      if (!stopped) {
        failed = t;
        post();
      }
    } finally {
      close();
    }
  }

  private void post() {
    if (!drainPosted.get() && drainPosted.compareAndSet(false, true)) {
      self.send(DRAIN);
    }
  }

  private void close() {
    if (onClose != null) {
      try {
        onClose.close();
      } catch (Exception e) {
        System.getLogger("dev.flowstage.flow").log(Level.WARNING, "closing the source failed", e);
      }
    }
  }
}
