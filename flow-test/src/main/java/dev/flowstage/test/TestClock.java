package dev.flowstage.test;

import dev.flowstage.flow.FlowClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A virtual processing-time clock for tests: time moves only when {@link #advance} says so, and
 * then every wake-up that has come due runs, earliest first, on the calling thread. Give it to a
 * flow with {@link dev.flowstage.flow.Flow#withClock}; periodic triggers, periodic windows and
 * allowed lateness then fire exactly when the test moves time, and a test of a one-hour window
 * takes milliseconds and never sleeps (Reactor's {@code VirtualTimeScheduler}).
 *
 * {@snippet class=dev.flowstage.test.snippets.KitSnippets region=testClock}
 *
 * <p>A wake-up only tells a stage to look at the clock; the stage does so on its own thread,
 * shortly after. To see one pane per period, advance one period at a time and wait for each pane
 * (for example from a {@code BlockingQueue} the flow's {@code each} feeds). Thread-safe.
 */
public final class TestClock implements FlowClock {
  private record WakeUp(long at, long seq, Runnable wake) {}

  private final PriorityQueue<WakeUp> pending =
      new PriorityQueue<>(
          (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;

  /** A clock at time 0. */
  public TestClock() {
    this(0);
  }

  /**
   * A clock at a given time.
   *
   * @param startMillis the time the clock reads until it is advanced
   */
  public TestClock(long startMillis) {
    this.now = startMillis;
  }

  @Override
  public synchronized long millis() {
    return now;
  }

  @Override
  public Cancellable schedule(long atMillis, Runnable wake) {
    if (wake == null) {
      throw new IllegalArgumentException("wake must not be null");
    }
    WakeUp w;
    synchronized (this) {
      if (atMillis > now) {
        w = new WakeUp(atMillis, seq++, wake);
        pending.add(w);
        notifyAll();
        return () -> cancel(w);
      }
    }
    wake.run(); // already due: as the system clock does, run it as soon as possible
    return () -> {};
  }

  private synchronized void cancel(WakeUp w) {
    pending.remove(w);
  }

  /**
   * Moves the clock forward by {@code duration} and runs the wake-ups that came due, in time order;
   * each runs with the clock at its own due time, and the clock ends at the new time.
   *
   * @param duration how far, not negative
   */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "a clock never goes backwards; advance by a positive duration, got: " + duration);
    }
    long target;
    synchronized (this) {
      target = Math.addExact(now, duration.toMillis());
    }
    advanceTo(target);
  }

  /**
   * Moves the clock to {@code millis} (not backwards) and runs the wake-ups that came due.
   *
   * @param millis the new time
   */
  public void advanceTo(long millis) {
    while (true) {
      WakeUp due;
      synchronized (this) {
        if (millis < now) {
          throw new IllegalArgumentException(
              "a clock never goes backwards: it reads " + now + ", asked to go to " + millis);
        }
        WakeUp head = pending.peek();
        if (head == null || head.at > millis) {
          now = millis;
          return;
        }
        due = pending.poll();
        now = due.at;
      }
      due.wake.run(); // outside the lock: a wake-up may schedule the next one
    }
  }

  /**
   * The wake-ups scheduled and not yet run or cancelled.
   *
   * @return how many
   */
  public synchronized int pendingWakeUps() {
    return pending.size();
  }

  /**
   * The due times of the pending wake-ups, earliest first.
   *
   * @return the times in milliseconds
   */
  public synchronized List<Long> pendingTimes() {
    List<WakeUp> ws = new ArrayList<>(pending);
    ws.sort((a, b) -> Long.compare(a.at, b.at));
    List<Long> out = new ArrayList<>();
    for (WakeUp w : ws) {
      out.add(w.at);
    }
    return out;
  }

  /**
   * Waits until at least {@code n} wake-ups are pending: the flow's stages have started and set
   * their timers, so an {@link #advance} now fires them. Fails after the probes' timeout ({@code
   * -Dflowtest.timeout.seconds}, 20 s by default).
   *
   * @param n how many wake-ups, at least 1
   */
  public synchronized void awaitWakeUps(int n) {
    long deadline = System.nanoTime() + Probes.TIMEOUT.toNanos();
    while (pending.size() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out waiting for "
                + n
                + " scheduled wake-ups, have "
                + pending.size()
                + ": is the flow running with withClock(this clock), and does it have a periodic"
                + " trigger, periodic window or allowed lateness?");
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for wake-ups", e);
      }
    }
  }

  @Override
  public synchronized String toString() {
    return "TestClock(" + now + " ms, " + pending.size() + " wake-ups pending)";
  }
}
