package dev.flowstage.stage.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
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
   * wake-up therefore bumps OUTSIDE_WAKEUPS; busy stages watch it and pause once when it changes
   * (StageCell), so the woken stage runs within about one message of every busy stage, however
   * busy they are. Unparks from virtual threads go to the current carrier's local queue, behind
   * the busy stages, and need no help.
   */
  private static final AtomicLong OUTSIDE_WAKEUPS = new AtomicLong();

  private final ConcurrentLinkedQueue<Message> queue = new ConcurrentLinkedQueue<>();
  private volatile boolean parked;
  private volatile Thread owner;

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

  /** Wakes the owner (e.g. after a stop request). */
  void wake() {
    Thread t = owner;
    if (t != null) {
      LockSupport.unpark(t);
      if (!Thread.currentThread().isVirtual()) {
        OUTSIDE_WAKEUPS.incrementAndGet();
      }
    }
  }

  /** Counts a thread about to be started from a platform thread: also an outside wake-up. */
  static void startingFromOutside() {
    if (!Thread.currentThread().isVirtual()) {
      OUTSIDE_WAKEUPS.incrementAndGet();
    }
  }

  /** Returns the number of outside wake-ups so far; busy stages pause when it changes. */
  static long outsideWakeups() {
    return OUTSIDE_WAKEUPS.get();
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
    }
  }
}
