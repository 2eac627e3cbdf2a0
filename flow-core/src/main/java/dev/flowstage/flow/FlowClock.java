package dev.flowstage.flow;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The processing-time clock of a flow's run: what periodic triggers ({@link
 * Window#triggerPeriodically}), periodic windows ({@link Window#periodic}) and allowed lateness
 * ({@link Window.Fixed#allowedLateness}) read as "now", and what wakes a stage when one of them is
 * due. Event time (fixed windows) never comes from here: it comes from the events.
 *
 * <p>A clock owns both halves, reading time and scheduling wake-ups, so that a virtual clock can be
 * built on it: a test clock's {@code advance(duration)} moves {@link #millis()} forward and runs
 * every wake-up whose time has come; nothing in a flow sleeps or reads the system time on its own.
 * Set it with {@link Flow#withClock(FlowClock)}; the default is {@link #system()}.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>{@link #millis()} never goes backwards and is safe to call from any thread.
 *   <li>{@link #schedule} runs {@code wake} once, on any thread, at or after {@code atMillis} on
 *       this clock (at once, or soon, if that time has passed), unless cancelled first. {@code
 *       wake} is short and non-blocking: a flow's wake-up only posts a message to its stage, and
 *       the stage then reads {@link #millis()} to see which triggers are due. A late or spurious
 *       wake-up is harmless; a lost one stalls the trigger.
 *   <li>Both methods may be called from many stages of many runs at once.
 * </ul>
 *
 * <p>flow-flink does not use this clock: on Flink, processing time is Flink's.
 */
public interface FlowClock {
  /**
   * Returns the current processing time in milliseconds (any epoch, never decreasing).
   *
   * @return now, in milliseconds
   */
  long millis();

  /**
   * Runs {@code wake} once this clock reaches {@code atMillis}.
   *
   * @param atMillis when, in this clock's milliseconds; a past time means as soon as possible
   * @param wake what to run; short and non-blocking
   * @return a handle that cancels the wake-up if it has not run yet
   */
  Cancellable schedule(long atMillis, Runnable wake);

  /**
   * Returns the wall clock: {@link System#currentTimeMillis()}, wake-ups run by one shared daemon
   * thread.
   *
   * @return the system clock
   */
  static FlowClock system() {
    return SystemClock.INSTANCE;
  }

  /** A scheduled wake-up that can be cancelled. */
  @FunctionalInterface
  interface Cancellable {
    /** Cancels the wake-up; does nothing if it already ran or was cancelled. */
    void cancel();
  }
}

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
