package dev.flowstage.stage.supervisor;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The consumer behind a {@link ConsumerSupervisor}: starts a child per event and does the demand
 * accounting. Its callbacks run on the supervisor stage's thread only; children report their exit
 * with a message to that thread, so nothing here is synchronized.
 *
 * @param <E> the event type
 */
final class SupervisorStage<E> implements Consumer<E> {
  /*
   * gen_stage ConsumerSupervisor [1]. Each producer subscription is manual: the supervisor asks
   * maxDemand when it subscribes, then counts per producer the children `running` and the slots
   * `freed` (children that ended without restart, failed starts, terminateChild) not yet asked
   * for again. It asks for the freed slots once there are maxDemand - minDemand of them, that is
   * when the children running plus the events still on their way fall to minDemand: the meaning
   * minDemand has for every other consumer, and what issue 3 specifies. GenStage instead asks once
   * minDemand slots are free; both are the same for the default minDemand = maxDemand / 2.
   *
   * A restarted child keeps its slot and generates no demand. Dynamic children (startChild) are
   * outside any producer's demand. Restarts are timed with System.nanoTime; more than maxRestarts
   * within the period stops the supervisor with a shutdown reason, as GenStage does.
   * [1] gen_stage lib/consumer_supervisor.ex
   */
  /** The logger, made on first use: {@link System#getLogger} starts the JDK's logging backend. */
  private static final class Log {
    static final System.Logger LOG = System.getLogger(ConsumerSupervisor.class.getName());
  }

  /** A child reports that its thread ended. */
  record ChildExit(long id, Thread thread, ExitReason reason) {}

  /** Retries a restart whose thread could not be started. */
  record RetryRestart(long id) {}

  /** {@link ConsumerSupervisor#startChild}. */
  record StartChild<E>(E event) {}

  /** {@link ConsumerSupervisor#terminateChild}. */
  record TerminateChild(long id) {}

  /** The read-only requests. */
  enum Query {
    WHICH_CHILDREN,
    COUNT_CHILDREN
  }

  /** One child. */
  private static final class Child<E> {
    final long id;
    final E event;
    final Subscription producer; // null for a dynamic child
    Thread thread; // null while restarting

    /**
     * How the latest incarnation ended, set by its own thread before it reports the exit: a stop
     * can come before the report is handled, and {@link #terminate} must still see the failure.
     */
    volatile ChildExit ended;

    /**
     * Set before the supervisor interrupts this incarnation (a stop, {@code terminateChild}): what
     * it throws from then on is the interrupt's consequence, a shutdown, as for a stage (ADR 0007).
     */
    volatile boolean interrupted;

    Child(long id, E event, Subscription producer) {
      this.id = id;
      this.event = event;
      this.producer = producer;
    }
  }

  /** Demand accounting for one producer subscription. */
  private static final class ProducerDemand {
    final Subscription subscription;
    final int max;
    final int askAt; // maxDemand - minDemand freed slots
    int running;
    int freed;

    ProducerDemand(Subscription subscription, SubscriptionOptions options) {
      this.subscription = subscription;
      this.max = options.maxDemand();
      this.askAt = options.maxDemand() - options.minDemand();
    }
  }

  private final ChildTask<? super E> task;
  private final Restart restart;
  private final int maxRestarts;
  private final Duration restartPeriod;
  private final Duration shutdown;
  private final List<Map.Entry<Stage<?>, SubscriptionOptions>> subscribeTo;
  private final LongSupplier nanoTime;
  private final Map<Long, Child<E>> children = new LinkedHashMap<>();
  private final Map<Subscription, ProducerDemand> producers = new IdentityHashMap<>();
  private final ArrayDeque<Long> restarts = new ArrayDeque<>();
  private StageContext ctx;
  private Stage<?> self;
  private String name = "consumer-supervisor";
  private long nextId;
  private int restarting;

  SupervisorStage(
      ChildTask<? super E> task,
      Restart restart,
      int maxRestarts,
      Duration restartPeriod,
      Duration shutdown,
      List<Map.Entry<Stage<?>, SubscriptionOptions>> subscribeTo,
      LongSupplier nanoTime) {
    this.task = task;
    this.restart = restart;
    this.maxRestarts = maxRestarts;
    this.restartPeriod = restartPeriod;
    this.shutdown = shutdown;
    this.subscribeTo = List.copyOf(subscribeTo);
    this.nanoTime = nanoTime;
  }

  @Override
  public void init(StageContext ctx) {
    this.ctx = ctx;
    this.self = ctx.self();
    this.name = ctx.name();
    for (Map.Entry<Stage<?>, SubscriptionOptions> s : subscribeTo) {
      ctx.subscribeTo(s.getKey(), s.getValue());
    }
  }

  @Override
  public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
    ProducerDemand demand = new ProducerDemand(subscription, subscription.options());
    producers.put(subscription, demand);
    ctx.ask(subscription, demand.max);
    return SubscriptionMode.MANUAL;
  }

  @Override
  public void handleEvents(List<E> events, Subscription from, StageContext ctx) {
    ProducerDemand demand = producers.get(from);
    for (E event : events) {
      Child<E> child = new Child<>(++nextId, event, demand == null ? null : from);
      if (start(child)) {
        children.put(child.id, child);
        if (demand != null) {
          demand.running++;
        }
      } else if (demand != null) {
        demand.freed++; // a failed start frees its slot at once
      }
    }
    if (demand != null) {
      if (demand.running > demand.max) {
        Log.LOG.log(
            Level.ERROR,
            "ConsumerSupervisor {0} has received {1} events in excess from {2}",
            name,
            demand.running - demand.max,
            from);
      }
      maybeAsk(demand);
    }
  }

  @Override
  public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
    // Its children keep running; when they end there is nobody to ask.
    producers.remove(subscription);
  }

  @Override
  public Object handleCall(Object request, StageContext ctx) {
    return switch (request) {
      case StartChild<?> start -> startDynamic(start);
      case TerminateChild terminate -> terminate(terminate.id());
      case Query query when query == Query.WHICH_CHILDREN -> whichChildren();
      case Query query -> countChildren();
      default ->
          throw new IllegalArgumentException(
              "ConsumerSupervisor " + name + " does not answer calls like " + request);
    };
  }

  @Override
  public void handleInfo(Object message, StageContext ctx) {
    if (message instanceof ChildExit exit) {
      childExited(exit);
    } else if (message instanceof RetryRestart retry) {
      Child<E> child = children.get(retry.id());
      if (child != null && child.thread == null) {
        restarting--;
        restart(child);
      }
    }
  }

  @Override
  public void terminate(ExitReason reason) {
    List<Thread> threads = new ArrayList<>();
    for (Child<E> child : children.values()) {
      if (child.thread != null) {
        child.interrupted = true;
        child.thread.interrupt();
        threads.add(child.thread);
      }
    }
    awaitAll(threads);
    // A child that failed before the stop and whose exit report was still in the mailbox: nobody
    // else will hear of it, so it is logged here, once (ADR 0007).
    for (Child<E> child : children.values()) {
      logQueuedFailure(child, child.thread, "; not restarted: the supervisor is stopping");
    }
    children.clear();
  }

  // ------------------------------------------------------------------ children

  @SuppressWarnings("unchecked")
  private Object startDynamic(StartChild<?> request) {
    Child<E> child = new Child<>(++nextId, (E) request.event(), null);
    if (!start(child)) {
      return new IllegalStateException("ConsumerSupervisor " + name + " could not start a child");
    }
    children.put(child.id, child);
    return child.id;
  }

  /** Starts the child's thread; false if the thread could not be started (logged). */
  private boolean start(Child<E> child) {
    long id = child.id;
    E event = child.event;
    child.ended = null;
    child.interrupted = false;
    try {
      child.thread =
          Thread.ofVirtual()
              .name(name + "-child-" + id)
              .start(
                  () -> {
                    ExitReason reason;
                    try {
                      task.run(event);
                      reason = ExitReason.normal();
                    } catch (InterruptedException e) {
                      reason = ExitReason.shutdown("interrupted");
                    } catch (Throwable e) {
                      reason =
                          child.interrupted
                              ? ExitReason.shutdown("interrupted")
                              : ExitReason.failure(e);
                    }
                    ChildExit exit = new ChildExit(id, Thread.currentThread(), reason);
                    child.ended = exit;
                    self.send(exit);
                  });
      return true;
    } catch (RuntimeException e) {
      child.thread = null;
      Log.LOG.log(
          Level.ERROR,
          "ConsumerSupervisor " + name + " failed to start child from: " + event + " with: " + e,
          e);
      return false;
    }
  }

  private void childExited(ChildExit exit) {
    Child<E> child = children.get(exit.id());
    if (child == null || child.thread != exit.thread()) {
      return; // terminated meanwhile, or an earlier incarnation
    }
    ExitReason reason = exit.reason();
    if (reason instanceof ExitReason.Failure failure) {
      if (restart == Restart.TRANSIENT) {
        if (addRestart()) {
          logFailure(child, failure, ", restarting it");
          child.thread = null;
          restart(child);
        } else {
          logFailure(child, failure, "; not restarted: more restarts than allowed, stopping");
          delete(child);
          ctx.stop(
              ExitReason.shutdown(
                  "reached max restart intensity: more than "
                      + maxRestarts
                      + " restarts within "
                      + restartPeriod));
        }
        return;
      }
      logFailure(child, failure, "");
    }
    delete(child);
  }

  /**
   * Logs the failure of {@code thread}, the child's incarnation the supervisor just interrupted and
   * joined, if it failed before and its exit report is still queued (it will find the child gone).
   */
  private void logQueuedFailure(Child<E> child, Thread thread, String what) {
    ChildExit exit = child.ended;
    if (exit != null
        && exit.thread() == thread
        && exit.reason() instanceof ExitReason.Failure failure) {
      logFailure(child, failure, what);
    }
  }

  /** Logs a child's failure: it has no other receiver (ADR 0007). Once per failure. */
  private void logFailure(Child<E> child, ExitReason.Failure failure, String what) {
    Log.LOG.log(
        Level.ERROR,
        "ConsumerSupervisor "
            + name
            + " child "
            + child.id
            + " for "
            + child.event
            + " failed"
            + what,
        failure.cause());
  }

  private void restart(Child<E> child) {
    if (!start(child)) {
      restarting++;
      self.send(new RetryRestart(child.id));
    }
  }

  /** Records a restart now; false if that exceeds the restart intensity. */
  private boolean addRestart() {
    long now = nanoTime.getAsLong();
    restarts.addLast(now);
    long period = restartPeriod.toNanos();
    while (now - restarts.peekFirst() > period) {
      restarts.pollFirst();
    }
    return restarts.size() <= maxRestarts;
  }

  /** Forgets a child that will not be restarted, freeing its producer slot. */
  private void delete(Child<E> child) {
    children.remove(child.id);
    if (child.thread == null) {
      restarting = Math.max(0, restarting - 1);
    }
    if (child.producer == null) {
      return;
    }
    ProducerDemand demand = producers.get(child.producer);
    if (demand != null) {
      demand.running--;
      demand.freed++;
      maybeAsk(demand);
    }
  }

  private void maybeAsk(ProducerDemand demand) {
    if (demand.freed >= demand.askAt) {
      int n = demand.freed;
      demand.freed = 0;
      ctx.ask(demand.subscription, n);
    }
  }

  private boolean terminate(long id) {
    Child<E> child = children.get(id);
    if (child == null) {
      return false;
    }
    Thread thread = child.thread;
    if (thread != null) {
      child.interrupted = true;
      thread.interrupt();
      awaitAll(List.of(thread));
      // A failure before the interrupt whose report is still queued finds the child gone when it
      // comes: logged here, once.
      logQueuedFailure(child, thread, "; not restarted: terminated");
    }
    delete(child);
    return true;
  }

  private List<ChildInfo<E>> whichChildren() {
    List<ChildInfo<E>> result = new ArrayList<>(children.size());
    for (Child<E> child : children.values()) {
      result.add(
          new ChildInfo<>(child.id, child.event, child.producer == null, child.thread == null));
    }
    return result;
  }

  private ChildCounts countChildren() {
    return new ChildCounts(children.size(), children.size() - restarting, restarting);
  }

  /** Waits up to the shutdown timeout, in total, for the threads to end. */
  private void awaitAll(List<Thread> threads) {
    long deadline = System.nanoTime() + shutdown.toNanos();
    try {
      for (Thread thread : threads) {
        long left = Math.max(0, deadline - System.nanoTime());
        if (left > 0) {
          thread.join(Duration.ofNanos(left));
        }
        if (thread.isAlive()) {
          Log.LOG.log(
              Level.WARNING,
              "ConsumerSupervisor "
                  + name
                  + ": child thread "
                  + thread.getName()
                  + " did not stop within "
                  + shutdown
                  + " of being interrupted; it keeps running unsupervised");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the stage is being killed: stop waiting
    }
  }
}
