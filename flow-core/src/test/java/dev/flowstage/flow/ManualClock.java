package dev.flowstage.flow;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: a virtual {@link FlowClock} that moves only when {@link #advance} is called, and
 * then runs every wake-up that has come due (on the calling thread). A wake-up scheduled for a time
 * already reached runs at once.
 */
final class ManualClock implements FlowClock {
  private record Wake(long at, Runnable wake) {}

  private final List<Wake> pending = new ArrayList<>();
  private long now;

  ManualClock(long startMillis) {
    this.now = startMillis;
  }

  @Override
  public synchronized long millis() {
    return now;
  }

  @Override
  public Cancellable schedule(long atMillis, Runnable wake) {
    Wake w = new Wake(atMillis, wake);
    synchronized (this) {
      if (atMillis > now) {
        pending.add(w);
        notifyAll();
        return () -> {
          synchronized (ManualClock.this) {
            pending.remove(w);
          }
        };
      }
    }
    wake.run();
    return () -> {};
  }

  /**
   * Waits until a wake-up is pending: a run started on another thread has read this clock and
   * scheduled its first timer, so an {@link #advance} now reaches it.
   */
  synchronized void awaitPending() throws InterruptedException {
    while (pending.isEmpty()) {
      wait();
    }
  }

  /** Moves the clock forward and runs the wake-ups that are due, outside the lock. */
  void advance(Duration d) {
    List<Wake> due = new ArrayList<>();
    synchronized (this) {
      now += d.toMillis();
      pending.removeIf(
          w -> {
            if (w.at() <= now) {
              due.add(w);
              return true;
            }
            return false;
          });
    }
    due.forEach(w -> w.wake().run());
  }
}
