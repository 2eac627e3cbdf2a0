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
      Thread t = owner;
      if (t != null) {
        LockSupport.unpark(t);
      }
    }
  }

  /** Wakes the owner (e.g. after a stop request). */
  void wake() {
    Thread t = owner;
    if (t != null) {
      LockSupport.unpark(t);
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
