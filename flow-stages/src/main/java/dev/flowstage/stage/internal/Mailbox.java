package dev.flowstage.stage.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A multi-producer, single-consumer queue of {@link Message}s with park/unpark hand-off: any thread
 * offers, only the owning stage thread takes. Lock-free on both sides.
 */
final class Mailbox {
  /*
   * The owner publishes `parked = true` before re-checking the queue and parking; a sender offers
   * (a CAS in ConcurrentLinkedQueue) before reading `parked`. Both are volatile accesses, so at
   * least one side sees the other: either the owner finds the message on its re-check or the
   * sender sees `parked` and unparks it. A spurious unpark only costs one extra loop.
   */
  /*
   * Outside wake-ups: a virtual thread unparked from a platform thread (a caller's main thread, the
   * timer) is queued on the scheduler's external queue, which a carrier serves only once its local
   * queue is empty, and two stages that keep each other busy keep that local queue full. Such a
   * wake-up of a parked owner therefore registers the owner with OutsideWakeups, whose busy stages
   * park until it has run; the owner marks itself served as soon as it runs (take() returning, or
   * StageCell's loop). Unparks from virtual threads go to the current carrier's local queue,
   * behind the busy stages, and need no help.
   */
  private final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
  private volatile boolean parked;
  private volatile Thread owner;

  /** Set while the owner is registered as woken from outside and has not run since. */
  volatile boolean outsidePending;

  void owner(Thread owner) {
    this.owner = owner;
  }

  /** Offers a message; any thread. */
  void offer(Message message) {
    queue.offer(message);
    if (parked) {
      wake();
    }
  }

  /**
   * Wakes the owner (e.g. after a stop request). From a platform thread, a parked owner is
   * registered as woken from outside first; an owner that is not parked is running (or about to
   * look at its queue) and needs no carrier.
   */
  void wake() {
    Thread t = owner;
    if (t != null) {
      if (parked && !Thread.currentThread().isVirtual()) {
        OutsideWakeups.register(this);
      }
      LockSupport.unpark(t);
    }
  }

  /** Registers an owner about to be started from a platform thread: also an outside wake-up. */
  void startingFromOutside() {
    if (!Thread.currentThread().isVirtual()) {
      OutsideWakeups.register(this);
    }
  }

  /**
   * Returns whether the owner may still be waiting for a carrier (not started yet, or runnable); an
   * owner that is parked, blocked or gone is not. Any thread.
   */
  boolean ownerMayBeQueued() {
    Thread t = owner;
    if (t == null) {
      return false;
    }
    Thread.State s = t.getState();
    return s == Thread.State.NEW || s == Thread.State.RUNNABLE;
  }

  /** Marks the owner served if it was woken from outside; owner thread only, while it runs. */
  void running() {
    if (outsidePending) {
      OutsideWakeups.served(this);
    }
  }

  /** Polls without waiting; any thread (used to drain a closed mailbox). */
  Message poll() {
    return queue.poll();
  }

  /**
   * Takes the next message, parking until one arrives or {@link #wake} is called; returns null when
   * woken without a message (the caller re-checks its stop flag). Owner thread only. The park has
   * no timeout on purpose: a timed park costs a timer-queue insertion and removal (a lock) per
   * batch.
   */
  Message take() {
    Message m = queue.poll();
    if (m != null) {
      return m;
    }
    running(); // a registration that raced with the last wake-up must not outlive this park
    parked = true;
    try {
      m = queue.poll();
      if (m != null) {
        return m;
      }
      LockSupport.park(this);
      return queue.poll();
    } finally {
      parked = false;
      running();
    }
  }
}
