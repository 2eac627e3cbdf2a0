package dev.flowstage.stage.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The hand-off that gets a stage woken from outside (from a platform thread) onto a carrier while
 * other stages keep the carriers busy (ADR 0002, issue 12): the wake-up registers the woken stage
 * as pending, busy stages that see a new registration park until the stages pending before them
 * have run, and a pending stage that runs marks itself served and unparks them.
 */
final class OutsideWakeups {
  /*
   * Why a hand-off (JDK 21-25 ForkJoinPool and VirtualThread): an unpark from a virtual thread
   * pushes the woken thread onto the current carrier's local queue; an unpark from a platform
   * thread (a caller's main thread, a timer) pushes it onto an external submission queue. A carrier
   * runs its local queue to exhaustion (WorkQueue.topLevelExec) and, after a steal, keeps polling
   * the queue it stole from (runWorker). Two stages that keep each other busy keep a local queue
   * non-empty forever, so the outside-woken thread waits until every carrier's local queue runs dry
   * at the same time. A short sleep does not guarantee that: its timer puts the sleeper back
   * through the same external path, and with more busy stages than carriers some are always
   * runnable. Busy stages that park until the woken stage has run make the local queues drain for
   * sure, however many busy stages there are: then the only runnable tasks left are external ones.
   *
   * Liveness never depends on the hand-off: a waiter parks at most MAX_WAIT, and a registration not
   * served within EXPIRE (its stage is blocked in a long callback, or exited between being woken
   * and running; EXPIRE_RUNNABLE while its thread is runnable) is given up, so wrong accounting
   * costs at most a bounded pause, never a stall.
   */

  /** The longest a busy stage waits for pending stages before it runs on anyway. */
  static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  /**
   * How old a registration may grow before waiters give it up as stale, unless its stage's thread
   * is still runnable (queued for a carrier, which a loaded machine can delay well past this).
   */
  static final long EXPIRE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  /**
   * How old a registration of a runnable thread may grow: such a thread is usually still queued,
   * but it may also be one whose registration raced with its last message and that now runs a long
   * callback; this bounds what busy stages lose to it.
   */
  static final long EXPIRE_RUNNABLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Bumped by every new registration; busy stages read it once per message. */
  private static final AtomicLong EPOCH = new AtomicLong();

  /** Stages woken from outside that have not run since, with when they were woken. */
  private static final Map<Mailbox, Registration> PENDING = new ConcurrentHashMap<>();

  /** Busy stages parked in {@link #awaitPending}. */
  private static final ConcurrentLinkedQueue<Thread> WAITERS = new ConcurrentLinkedQueue<>();

  /** One registration; compared by identity, so a newer one for the same stage is a new wait. */
  private static final class Registration {
    final long since = System.nanoTime();

    /**
     * Set once served or given up. Waiters read this, not the map: a volatile write and a volatile
     * read are sequentially consistent, so of the waiter (adds itself to WAITERS, then reads done)
     * and served() (writes done, then reads WAITERS) at least one sees the other. The map's removal
     * is only a release store, which could pass the WAITERS read and lose the wake-up.
     */
    volatile boolean done;
  }

  /** How a wait for pending stages ended. */
  enum Wait {
    /** No other stage was pending (or only stale ones): it did not wait. */
    NONE,
    /** Every stage pending when it began has run (or was given up as stale). */
    SERVED,
    /** The bound ran out first, or it was interrupted: some are still pending. */
    GAVE_UP
  }

  private OutsideWakeups() {}

  /**
   * Registers {@code mailbox}'s owner as woken from outside and not yet run; the caller unparks or
   * starts it afterwards (so the owner cannot run and be served before it is registered).
   */
  static void register(Mailbox mailbox) {
    if (PENDING.putIfAbsent(mailbox, new Registration()) == null) {
      mailbox.outsidePending = true;
      EPOCH.incrementAndGet(); // after the entry: whoever sees the new epoch sees the entry
    }
  }

  /**
   * Marks {@code mailbox}'s owner served (it is running on a carrier); owner thread only, when it
   * saw {@code outsidePending} set. Unparks the busy stages waiting for pending stages.
   */
  static void served(Mailbox mailbox) {
    // Flag first, then the entry: a registration racing with this either finds the old entry (and
    // adds nothing: the owner is running anyway) or adds a new one and sets the flag again.
    mailbox.outsidePending = false;
    Registration r = PENDING.remove(mailbox);
    if (r != null) {
      r.done = true;
      wakeWaiters();
    }
  }

  private static void wakeWaiters() {
    for (Thread waiter : WAITERS) {
      LockSupport.unpark(waiter);
    }
  }

  /**
   * Returns the registration count so far; a busy stage looks at pending stages when it changes.
   */
  static long epoch() {
    return EPOCH.get();
  }

  /**
   * Parks the calling busy stage until every stage pending now (other than {@code self}) has run,
   * for at most {@link #MAX_WAIT_NANOS}; gives up registrations older than {@link #EXPIRE_NANOS}
   * ({@link #EXPIRE_RUNNABLE_NANOS} while their thread is runnable) and wakes their waiters.
   * Registrations made while it waits do not extend the wait, so a storm of outside wake-ups cannot
   * hold a busy stage forever. Returns at once when interrupted (the interrupt stays set).
   *
   * @return how the wait ended
   */
  static Wait awaitPending(Mailbox self) {
    return awaitPending(self, MAX_WAIT_NANOS, EXPIRE_NANOS, EXPIRE_RUNNABLE_NANOS);
  }

  /**
   * {@link #awaitPending(Mailbox)} with other bounds (tests use long ones, so that neither a slow
   * machine nor the bound can end a wait that only the hand-off should end).
   */
  static Wait awaitPending(
      Mailbox self, long maxWaitNanos, long expireNanos, long expireRunnableNanos) {
    long start = System.nanoTime();
    boolean expired = false;
    List<Registration> waitFor = null;
    for (Map.Entry<Mailbox, Registration> e : PENDING.entrySet()) {
      Mailbox m = e.getKey();
      Registration r = e.getValue();
      if (m == self) {
        continue;
      }
      long age = start - r.since;
      if (age > expireNanos && (age > expireRunnableNanos || !m.ownerMayBeQueued())) {
        // Stale: its stage is blocked in a callback or gone, or has run long enough without
        // marking itself served.
        if (PENDING.remove(m, r)) {
          r.done = true;
          expired = true;
        }
        continue;
      }
      if (waitFor == null) {
        waitFor = new ArrayList<>(2);
      }
      waitFor.add(r);
    }
    if (expired) {
      wakeWaiters(); // those waiting for it, as served() would
    }
    if (waitFor == null) {
      return Wait.NONE;
    }
    Thread me = Thread.currentThread();
    WAITERS.add(me); // before the check: served() either is seen by it or sees this waiter
    try {
      long deadline = start + maxWaitNanos;
      while (anyPending(waitFor)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || me.isInterrupted()) {
          return Wait.GAVE_UP;
        }
        LockSupport.parkNanos(OutsideWakeups.class, left);
      }
    } finally {
      WAITERS.remove(me);
    }
    return Wait.SERVED;
  }

  private static boolean anyPending(List<Registration> waitFor) {
    for (Registration r : waitFor) {
      if (!r.done) {
        return true;
      }
    }
    return false;
  }

  /** Returns whether {@code mailbox}'s owner is registered and not yet served (tests). */
  static boolean isPending(Mailbox mailbox) {
    return PENDING.containsKey(mailbox);
  }
}
