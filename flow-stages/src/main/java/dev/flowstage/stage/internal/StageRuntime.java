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
  private static final System.Logger LOG = System.getLogger("dev.flowstage.stage");
  private static final Duration JOIN = Duration.ofSeconds(5);

  private final String systemName;
  private final ConcurrentHashMap<String, StageCell<?>> byName = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<StageCell<?>> all = new ConcurrentLinkedQueue<>();
  private final AtomicLong ids = new AtomicLong();
  private final Thread.Builder threads = Thread.ofVirtual();
  private volatile boolean closed;
  private ScheduledThreadPoolExecutor timer; // guarded by this

  /**
   * Creates a runtime.
   *
   * @param systemName used in generated stage names and thread names
   */
  public StageRuntime(String systemName) {
    this.systemName = Objects.requireNonNull(systemName, "systemName");
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
    return start(options.name(), new Behaviour.OfProducer(producer), options);
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
    return start(options.name(), new Behaviour.OfProducerConsumer(stage), options);
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
    return start(name, new Behaviour.OfConsumer(consumer), ProducerOptions.defaults());
  }

  private <E> StageCell<E> start(String name, Behaviour behaviour, ProducerOptions<?> options) {
    if (closed) {
      throw new IllegalStateException("stage system " + systemName + " is closed");
    }
    String n = name != null ? name : systemName + "-" + ids.incrementAndGet();
    StageCell<E> cell = new StageCell<>(this, n, behaviour, options);
    if (byName.putIfAbsent(n, cell) != null) {
      throw new IllegalArgumentException(
          "a stage named '" + n + "' is already running in " + systemName + "; pick another name");
    }
    all.removeIf(c -> !c.isAlive() && c.thread() != null && !c.thread().isAlive());
    all.add(cell);
    cell.start(threads);
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
   * joins its thread; a stage still running after the join timeout is killed and interrupted.
   * Idempotent.
   */
  public void close() {
    closed = true;
    List<StageCell<?>> cells = new ArrayList<>(all);
    for (StageCell<?> c : cells) {
      c.stop(ExitReason.shutdown());
    }
    for (StageCell<?> c : cells) {
      join(c);
    }
    all.clear();
    synchronized (this) {
      if (timer != null) {
        timer.shutdownNow();
      }
    }
  }

  private static void join(StageCell<?> c) {
    Thread t = c.thread();
    if (t == null || t == Thread.currentThread()) {
      return; // close() called from a stage's own callback: it stops once the callback returns
    }
    try {
      if (!t.join(JOIN)) {
        LOG.log(
            Level.WARNING, "stage " + c.name() + " did not stop within " + JOIN + "; interrupting");
        c.kill(ExitReason.shutdown());
        t.interrupt();
        if (!t.join(JOIN)) {
          LOG.log(Level.ERROR, "stage " + c.name() + " is stuck in a callback; leaving it");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
