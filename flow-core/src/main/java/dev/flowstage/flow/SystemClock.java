package dev.flowstage.flow;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@link FlowClock#system()}: wall time; one lazily started daemon thread runs the wake-ups. */
final class SystemClock implements FlowClock {
  static final SystemClock INSTANCE = new SystemClock();

  private SystemClock() {}

  /** Started on first use, so flows without timers start no thread. */
  private static final class Timer {
    static final ScheduledExecutorService EXECUTOR = executor();

    private static ScheduledExecutorService executor() {
      ScheduledThreadPoolExecutor e =
          new ScheduledThreadPoolExecutor(
              1,
              r -> {
                Thread t = new Thread(r, "flowstage-clock");
                t.setDaemon(true);
                return t;
              });
      // cancelled timers (a stage rescheduling earlier, or finishing) must not pile up
      e.setRemoveOnCancelPolicy(true);
      return e;
    }
  }

  @Override
  public long millis() {
    return System.currentTimeMillis();
  }

  @Override
  public Cancellable schedule(long atMillis, Runnable wake) {
    Objects.requireNonNull(wake, "wake");
    long delay = Math.max(0, atMillis - millis());
    ScheduledFuture<?> f = Timer.EXECUTOR.schedule(wake, delay, TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public String toString() {
    return "FlowClock.system()";
  }
}
