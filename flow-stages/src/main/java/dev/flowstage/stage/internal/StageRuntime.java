package dev.flowstage.stage.internal;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The engine behind {@code StageSystem}: starts stage cells on virtual threads, keeps the name
 * registry and the timer, and stops and joins everything on close. Thread-safe.
 */
public final class StageRuntime {

  /** The default {@link #StageRuntime(String, Duration) shutdown grace period}. */
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);

  private final String systemName;
  private final Duration shutdownGrace;
  private final ConcurrentHashMap<String, StageCell<?>> byName = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<StageCell<?>> all = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong();
  private final Thread.Builder threads = Thread.ofVirtual();
  private volatile boolean closed;

  /** Held while a stage is added and started, and while a close takes its list of stages. */
  private final Object startLock = new Object();

  private ScheduledThreadPoolExecutor timer; // guarded by this

  /**
   * Creates a runtime.
   *
   * @param systemName used in generated stage names and thread names
   */
  public StageRuntime(String systemName) {
    this(systemName, DEFAULT_SHUTDOWN_GRACE);
  }

  /**
   * Creates a runtime whose {@link #close()} takes at most {@code shutdownGrace}, whatever the
   * number of stages.
   *
   * @param systemName used in generated stage names and thread names
   * @param shutdownGrace the bound of close: the first half lets stages stop politely, then the
   *     ones still running are interrupted together; positive
   */
  public StageRuntime(String systemName, Duration shutdownGrace) {
    this.systemName = Objects.requireNonNull(systemName, "systemName");
    Objects.requireNonNull(shutdownGrace, "shutdownGrace");
    if (shutdownGrace.isNegative() || shutdownGrace.isZero()) {
      throw new IllegalArgumentException("shutdownGrace must be positive, got: " + shutdownGrace);
    }
    this.shutdownGrace = shutdownGrace;
  }

  /**
   * Returns the runtime's default dispatcher (demand: most pending demand first).
   *
   * @param <E> the event type
   * @return a fresh dispatcher
   */
  static <E> Dispatcher<E> defaultDispatcher() {
    return Dispatchers.demand();
  }

  /**
   * Starts a producer.
   *
   * @param producer the callbacks
   * @param options the options
   * @param <E> the event type
   * @return the running stage
   */
  public <E> Stage<E> startProducer(Producer<E> producer, ProducerOptions<E> options) {
    Objects.requireNonNull(producer, "producer");
    return start(options.name(), new Callbacks.OfProducer(producer), options);
  }

  /**
   * Starts a producer-consumer.
   *
   * @param stage the callbacks
   * @param options the options; the demand mode must be forward
   * @param <I> the input type
   * @param <O> the output type
   * @return the running stage
   */
  public <I, O> Stage<O> startProducerConsumer(
      ProducerConsumer<I, O> stage, ProducerOptions<O> options) {
    Objects.requireNonNull(stage, "stage");
    if (options.demandMode() != dev.flowstage.stage.DemandMode.FORWARD) {
      throw new IllegalArgumentException(
          "demandMode can only be set for producers: a producer-consumer always forwards demand");
    }
    return start(options.name(), new Callbacks.OfProducerConsumer(stage), options);
  }

  /**
   * Starts a consumer.
   *
   * @param name the name, or null to generate one
   * @param consumer the callbacks
   * @param <E> the event type
   * @return the running stage
   */
  public <E> Stage<Void> startConsumer(String name, Consumer<E> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return start(name, new Callbacks.OfConsumer(consumer), ProducerOptions.defaults());
  }

  private <E> StageCell<E> start(String name, Callbacks callbacks, ProducerOptions<?> options) {
    String n = name != null ? name : systemName + "-" + ids.incrementAndGet();
    StageCell<E> cell = new StageCell<>(this, n, callbacks, options);
    // Under the lock a close takes its list of stages with: a stage is either refused or in that
    // list with its thread started, so the close joins it. Checked and added apart, a stage started
    // while a close ran could be added after the close's list was taken, and outlive the close.
    synchronized (startLock) {
      if (closed) {
        throw new IllegalStateException("stage system " + systemName + " is closed");
      }
      if (byName.putIfAbsent(n, cell) != null) {
        throw new IllegalArgumentException(
            "a stage named '"
                + n
                + "' is already running in "
                + systemName
                + "; pick another name");
      }
      all.removeIf(c -> !c.isAlive() && c.thread() != null && !c.thread().isAlive());
      all.add(cell);
      cell.start(threads);
    }
    try {
      cell.awaitStarted();
    } catch (RuntimeException e) {
      byName.remove(n, cell);
      throw e;
    }
    if (closed) {
      cell.stop(ExitReason.shutdown());
    }
    return cell;
  }

  void exited(StageCell<?> cell) {
    byName.remove(cell.name(), cell);
  }

  /**
   * Looks up a running stage by name.
   *
   * @param name the name
   * @return the stage, if one with that name is running
   */
  public Optional<Stage<?>> lookup(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * Returns the running stages.
   *
   * @return a snapshot
   */
  public List<Stage<?>> stages() {
    return new ArrayList<>(byName.values());
  }

  /**
   * Returns every stage thread started and not yet known to have ended (for leak tests).
   *
   * @return the threads
   */
  public List<Thread> threads() {
    List<Thread> ts = new ArrayList<>();
    for (StageCell<?> c : all) {
      if (c.thread() != null) {
        ts.add(c.thread());
      }
    }
    return ts;
  }

  ScheduledFuture<?> schedule(Runnable task, Duration delay) {
    ScheduledThreadPoolExecutor t;
    synchronized (this) {
      if (timer == null) {
        timer =
            new ScheduledThreadPoolExecutor(
                1,
                r -> {
                  Thread th = new Thread(r, "flowstage-timer-" + systemName);
                  th.setDaemon(true);
                  return th;
                });
        timer.setRemoveOnCancelPolicy(true);
      }
      t = timer;
    }
    return t.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
  }

  /**
   * Opens a stream over the events of {@code producers}; see {@code StageSystem.stream}.
   *
   * @param producers the producers
   * @param options the subscription options
   * @param <E> the event type
   * @return the lazy stream
   */
  public <E> Stream<E> stream(List<? extends Stage<?>> producers, SubscriptionOptions options) {
    return new StageStream<E>(this, producers, options).stream();
  }

  /**
   * Stops every stage (in mailbox order: what was already sent to a stage is handled first) and
   * joins its thread, within one grace period for all stages together: stages still running after
   * half of it (blocked in a callback, or with a long mailbox) are all killed and interrupted at
   * once, and stages still running at its end (stuck in code that ignores interrupts) are logged
   * and left. A caller interrupted before or while it waits skips to the killing at once, still
   * waits within the grace, and gets its interrupt back. Idempotent.
   */
  public void close() {
    close(false);
  }

  /**
   * As {@link #close()}, without the polite half: every stage is killed at once and every stage
   * thread but the caller's is interrupted, so a callback in the middle of a long piece of work
   * (reading a large file) learns it can stop at its next check of the interrupt status, instead of
   * after half the grace. Stages still running at the end of the grace are logged and left. Called
   * while a {@link #close()} runs on another thread, it hurries that close's stages the same way.
   */
  public void closeNow() {
    close(true);
  }

  private void close(boolean now) {
    List<StageCell<?>> cells;
    synchronized (startLock) {
      closed = true;
      cells = new ArrayList<>(all);
    }
    for (StageCell<?> c : cells) {
      if (now) {
        if (c.stopRequest != null) {
          continue; // killed already (a close turned into this one): interrupted once is enough
        }
        // Killed before interrupted: what the interrupted callback throws is the kill's doing,
        // not a failure of the stage (StageCell), so the run's own failure stays the one told.
        c.kill(ExitReason.shutdown());
        Thread t = c.thread();
        if (t != null && t != Thread.currentThread()) {
          t.interrupt(); // a stage closing its own system stops once its callback returns
        }
      } else {
        c.stop(ExitReason.shutdown());
      }
    }
    long start = System.nanoTime();
    long half = shutdownGrace.toNanos() / 2;
    long end = start + shutdownGrace.toNanos();
    // A caller interrupted before or while it waits is told as the JDK's ExecutorService.close
    // tells it: the close stops being polite (what still runs is killed and interrupted at once)
    // but still waits, within the grace, and the caller gets its interrupt back after. Returning
    // at once would leave stage threads running past a close that says they were joined.
    List<StageCell<?>> running = joinAll(cells, start + half);
    boolean interrupted = Thread.interrupted();
    if (!running.isEmpty()) {
      boolean hurried = interrupted;
      StageLog.get()
          .log(
              Level.DEBUG,
              () ->
                  running.size()
                      + " stage(s) of "
                      + systemName
                      + (hurried
                          ? " still ran when the closing thread was interrupted"
                          : " did not stop within " + Duration.ofNanos(half))
                      + "; interrupting them: "
                      + names(running));
      for (StageCell<?> c : running) {
        c.kill(ExitReason.shutdown());
        c.thread().interrupt();
      }
      List<StageCell<?>> stuck = running;
      do {
        stuck = joinAll(stuck, end); // returns early, with the interrupt set, if interrupted
        interrupted |= Thread.interrupted();
      } while (!stuck.isEmpty() && System.nanoTime() < end);
      if (!stuck.isEmpty()) {
        StageLog.get()
            .log(
                Level.ERROR,
                stuck.size()
                    + " stage(s) of "
                    + systemName
                    + " are stuck in a callback that ignores interrupts; leaving them: "
                    + names(stuck));
      }
    }
    all.clear();
    synchronized (this) {
      if (timer != null) {
        timer.shutdownNow();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Joins each stage's thread until {@code deadline} (one shared deadline, so the wait does not
   * grow with the number of stages); returns the stages still running.
   */
  private static List<StageCell<?>> joinAll(List<StageCell<?>> cells, long deadline) {
    List<StageCell<?>> running = new ArrayList<>();
    boolean interrupted = false;
    for (StageCell<?> c : cells) {
      Thread t = c.thread();
      if (t == null || t == Thread.currentThread()) {
        continue; // close() called from a stage's own callback: it stops once the callback returns
      }
      try {
        long left = deadline - System.nanoTime();
        if (interrupted || !t.join(Duration.ofNanos(Math.max(1, left)))) {
          if (t.isAlive()) {
            running.add(c);
          }
        }
      } catch (InterruptedException e) {
        interrupted = true; // stop waiting, but still report every running stage
        if (t.isAlive()) {
          running.add(c);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return running;
  }

  private static String names(List<StageCell<?>> cells) {
    StringBuilder b = new StringBuilder();
    for (StageCell<?> c : cells) {
      if (b.length() > 200) {
        return b.append(", ...").toString();
      }
      b.append(b.length() == 0 ? "" : ", ").append(c.name());
    }
    return b.toString();
  }
}
