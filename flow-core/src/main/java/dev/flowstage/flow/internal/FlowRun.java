package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.logic.Combining;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.StageStats;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.stream.Collector;
import java.util.stream.Stream;

/**
 * A materialized, running flow and its coordinator: starts one stage per member of each {@link
 * Topology} group in its own {@link StageSystem}, wires the subscriptions, releases the sources,
 * watches every stage, and owns shutdown. Flow (Elixir): {@code Flow.Materialize} + {@code
 * Flow.Coordinator}.
 *
 * <p>Design: sources start with accumulated demand and are released once every subscription exists,
 * so the first batches spread over all stages. Every subscription is {@code TRANSIENT}: a stage
 * whose inputs all ended normally fires its final triggers and calls {@code done()}, which cascades
 * layer by layer to the terminal; an abnormal exit cascades to the terminal as the same reason, and
 * the coordinator then closes the whole system, so the first failure cancels everything. The
 * failing stage is named by {@link StageFailure} (flow stages) or, for a source's own failure, by
 * the most upstream stage that failed. Closing the system joins every stage thread, so after any
 * terminal returns or throws nothing of the flow is left running.
 */
public final class FlowRun {
  private static final AtomicLong RUNS = new AtomicLong();
  private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(30);

  private final Topology topology;
  private final StageSystem system;
  private final Map<Topology.Group, List<Stage<?>>> stages = new LinkedHashMap<>();
  private final Map<Stage<?>, Integer> groupOf = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<Stage<?>> sources = new ArrayList<>();
  private final AtomicLong malformed = new AtomicLong();
  private final java.util.concurrent.atomic.LongAdder late =
      new java.util.concurrent.atomic.LongAdder();
  private final List<Failed> failures = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final List<Stage<?>> owned = new ArrayList<>();

  private record Failed(int group, String stage, Throwable cause) {}

  private FlowRun(Plan plan) {
    this.topology = Topology.of(plan);
    this.system = new StageSystem("flow-" + RUNS.incrementAndGet());
  }

  /**
   * Materializes and starts a plan; its last layer's stages wait for a consumer.
   *
   * @param plan the flow's plan
   * @return the running flow
   * @throws IllegalArgumentException for a plan that cannot run
   */
  public static FlowRun start(Plan plan) {
    return start(plan, null, FlowClock.system());
  }

  /**
   * Materializes and starts a plan on a given processing-time clock.
   *
   * @param plan the flow's plan
   * @param clock drives periodic triggers, periodic windows and allowed lateness
   * @return the running flow
   */
  public static FlowRun start(Plan plan, FlowClock clock) {
    return start(plan, null, clock);
  }

  /**
   * Materializes a plan whose last layer feeds running consumers, and starts it.
   *
   * @param plan the flow's plan
   * @param consumers the consumers, or {@code null} for the flow's own terminal consumer
   * @return the running flow
   */
  public static FlowRun startInto(Plan plan, List<? extends Stage<?>> consumers) {
    return start(plan, consumers, FlowClock.system());
  }

  /**
   * Materializes a plan whose last layer feeds running consumers on a given clock, and starts it.
   *
   * @param plan the flow's plan
   * @param consumers the consumers
   * @param clock drives periodic triggers, periodic windows and allowed lateness
   * @return the running flow
   */
  public static FlowRun startInto(Plan plan, List<? extends Stage<?>> consumers, FlowClock clock) {
    return start(plan, consumers, clock);
  }

  private static FlowRun start(Plan plan, List<? extends Stage<?>> consumers, FlowClock clock) {
    FlowRun run = new FlowRun(plan);
    try {
      run.materialize(consumers, java.util.Objects.requireNonNull(clock, "clock"));
    } catch (RuntimeException | Error e) {
      run.closeSystem();
      throw e;
    }
    return run;
  }

  private TerminalConsumer terminal;
  private Stage<?> terminalStage;

  private void materialize(List<? extends Stage<?>> into, FlowClock clock) {
    for (Topology.Group g : topology.groups) {
      List<Stage<?>> members = new ArrayList<>();
      for (int i = 0; i < g.stages; i++) {
        String name = g.name() + "." + i;
        Stage<?> stage =
            switch (g.kind) {
              case ENUMERABLE ->
                  system.startProducer(
                      enumerable(name, g.sources.get(i)), producerOptions(g, name, true));
              case FILE ->
                  system.startProducer(
                      new FileProducer(name, g.ranges.get(i), g.charset, malformed),
                      producerOptions(g, name, true));
              case STAGE -> {
                if (!(g.sources.get(i) instanceof Stage<?> st)) {
                  throw new IllegalArgumentException(
                      "fromStages expects flow-stages Stage handles, got: " + g.sources.get(i));
                }
                yield st;
              }
              case MAP_REDUCE, ZIP, JOIN, DEPARTITION -> {
                List<Stage<?>> inputs = new ArrayList<>();
                List<SubscriptionOptions> opts = new ArrayList<>();
                for (Topology.Input in : g.inputs) {
                  for (Stage<?> up : stages.get(in.from())) {
                    inputs.add(up);
                    opts.add(subscription(g.options, in.partitioned() ? i : -1));
                  }
                }
                yield system.startProducerConsumer(
                    new LayerStage(name, g.logic(i, clock::millis), inputs, opts, clock, late),
                    producerOptions(g, name, false));
              }
            };
        members.add(stage);
        groupOf.put(stage, g.id);
        if (g.kind != Topology.Kind.STAGE) {
          owned.add(stage);
        }
        if (g.kind == Topology.Kind.ENUMERABLE || g.kind == Topology.Kind.FILE) {
          sources.add(stage);
        }
      }
      stages.put(g, members);
    }
    for (Stage<?> s : owned) {
      s.onExit().thenAccept(r -> onExit(s, r));
    }
    // The terminal (or the given consumers) subscribe before the sources are released: a last
    // stage that receives nothing may finish at once, and must not finish before it is consumed.
    SubscriptionOptions last =
        SubscriptionOptions.builder()
            .maxDemand(topology.last.options.maxDemand())
            .minDemand(topology.last.options.effectiveMinDemand())
            .cancel(CancelMode.TRANSIENT)
            .build();
    if (into == null) {
      terminal = new TerminalConsumer(last(), last);
      terminalStage = system.startConsumer(system.name() + "-terminal", terminal);
    } else {
      for (Stage<?> c : into) {
        for (Stage<?> l : last()) {
          c.subscribeTo(l, last, SUBSCRIBE_TIMEOUT);
        }
      }
      watchConsumers(into);
    }
    for (Stage<?> s : sources) {
      s.demandMode(DemandMode.FORWARD);
    }
  }

  private static dev.flowstage.stage.Producer<Object> enumerable(String name, Object source) {
    SingleUse.claim(source);
    return switch (source) {
      // in memory, never blocks: pulled on the stage's own thread
      case java.util.Collection<?> c ->
          Producers.fromIterator(c.iterator(), Producers.OnCancel.STOP);
      case Stream<?> s -> new EnumerableProducer(name, s.iterator(), s);
      case Iterator<?> it -> new EnumerableProducer(name, it, null);
      case Iterable<?> it -> new EnumerableProducer(name, it.iterator(), null);
      default -> throw new IllegalArgumentException("not an enumerable: " + source);
    };
  }

  private static SubscriptionOptions subscription(Options o, int partition) {
    SubscriptionOptions.Builder b =
        SubscriptionOptions.builder()
            .maxDemand(o.maxDemand())
            .minDemand(o.effectiveMinDemand())
            .cancel(CancelMode.TRANSIENT);
    if (partition >= 0) {
      b.partition(partition); // manual demand, re-asked per batch: see LayerStage#partitioned
    }
    return b.build();
  }

  private ProducerOptions<Object> producerOptions(
      Topology.Group g, String name, boolean accumulate) {
    ProducerOptions.Builder<Object> b = ProducerOptions.<Object>builder().name(name);
    b.dispatcher(dispatcher(g, name, accumulate));
    if (accumulate) {
      b.demandMode(DemandMode.ACCUMULATE);
    }
    return b.build();
  }

  private Supplier<Dispatcher<Object>> dispatcher(Topology.Group g, String name, boolean source) {
    Topology.Input edge = topology.outgoing(g);
    if (edge == null || !edge.partitioned()) {
      return Dispatchers::demand;
    }
    int n = edge.route().partitions();
    ToIntFunction<Object> hash = edge.partials() ? Combining::partitionOf : edge.route();
    // Not Dispatchers.partition: see BoundedPartitionDispatcher (bounded memory, exact demand).
    return () -> new BoundedPartitionDispatcher(name, n, hash, source);
  }

  private void onExit(Stage<?> stage, ExitReason reason) {
    if (reason instanceof ExitReason.Failure f) {
      synchronized (failures) {
        failures.add(new Failed(groupOf.getOrDefault(stage, 0), stage.name(), f.cause()));
      }
      if (!cancelled.get()) {
        Thread.ofVirtual().name(system.name() + "-cancel").start(this::closeSystem);
      }
    }
  }

  /** The last layer's stages, which the terminal consumes. */
  List<Stage<?>> last() {
    return stages.get(topology.last);
  }

  /**
   * Returns a stream of the last layer's events; its demand comes from the reader: a batch is asked
   * for again only when the reader has taken it.
   *
   * @return the stream; exhausting or closing it ends the flow
   */
  public Stream<Object> stream() {
    Iterator<Object> it =
        new Iterator<>() {
          private List<Object> batch = List.of();
          private int pos;
          private boolean over;

          @Override
          public boolean hasNext() {
            while (pos >= batch.size()) {
              if (over) {
                return false;
              }
              Object item;
              try {
                item = terminal.take();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                over = true;
                cancel();
                throw new CancellationException("interrupted while reading the flow");
              }
              switch (item) {
                case TerminalConsumer.Batch b -> {
                  batch = b.events();
                  pos = 0;
                  terminalStage.ask(b.from(), b.events().size());
                }
                case TerminalConsumer.End e -> {
                  over = true;
                  closeSystem();
                  throwIfFailed(null);
                  // A cancel shuts the upstream stages down, which can reach the terminal as an
                  // end before the terminal's own stop: a cancelled flow must not look complete.
                  if (cancelled.get()) {
                    throw new CancellationException("the flow was cancelled");
                  }
                  return false;
                }
                case TerminalConsumer.Stopped st -> {
                  over = true;
                  throw failure(st.reason());
                }
                default -> throw new IllegalStateException("unexpected " + item);
              }
            }
            return true;
          }

          @Override
          public Object next() {
            if (!hasNext()) {
              throw new java.util.NoSuchElementException();
            }
            return batch.get(pos++);
          }
        };
    return java.util.stream.StreamSupport.stream(
            java.util.Spliterators.spliteratorUnknownSize(it, java.util.Spliterator.ORDERED), false)
        .onClose(this::cancel);
  }

  private RuntimeException failure(ExitReason reason) {
    closeSystem();
    if (cancelled.get()) {
      return new CancellationException("the flow was cancelled");
    }
    StageException fallback =
        new StageException(
            "the flow's terminal stopped: " + reason,
            reason instanceof ExitReason.Failure f ? f.cause() : null);
    RuntimeException f = throwIfFailed(fallback);
    return f != null ? f : new FlowException(system.name(), fallback);
  }

  /** After the system is closed: the first failure as a FlowException, or null. */
  private RuntimeException throwIfFailed(StageException fallback) {
    Failed first;
    synchronized (failures) {
      first =
          failures.stream()
              .filter(f -> f.cause() instanceof StageFailure)
              .findFirst()
              .or(() -> failures.stream().min(java.util.Comparator.comparingInt(Failed::group)))
              .orElse(null);
    }
    if (first == null) {
      return fallback == null
          ? null
          : new FlowException(
              system.name(), fallback.getCause() != null ? fallback.getCause() : fallback);
    }
    FlowException ex =
        first.cause() instanceof StageFailure sf
            ? new FlowException(sf.stage(), sf.getCause())
            : new FlowException(first.stage(), first.cause());
    if (fallback == null) {
      throw ex;
    }
    return ex;
  }

  /**
   * Runs the flow to the end on the calling thread, collecting the last layer's events.
   *
   * @param collector how to collect
   * @param <A> the collector's accumulation type
   * @param <R> the result type
   * @return the result
   */
  public <A, R> R collect(Collector<Object, A, R> collector) {
    try (Stream<Object> s = stream()) {
      return s.collect(collector);
    } finally {
      closeSystem();
    }
  }

  /** Cancels the flow: stops and joins every stage. Idempotent. */
  public void cancel() {
    if (!closed.get()) {
      cancelled.set(true);
    }
    closeSystem();
  }

  private final CompletableFuture<Void> systemClosed = new CompletableFuture<>();

  /** Closes the system once; every caller returns only after every stage thread has exited. */
  private void closeSystem() {
    if (closed.compareAndSet(false, true)) {
      try {
        system.close();
      } finally {
        systemClosed.complete(null);
      }
    } else {
      systemClosed.join();
    }
  }

  /**
   * Whether every thread this run started has exited.
   *
   * @return true once the run's stage system is closed and its threads are gone
   */
  public boolean isTerminated() {
    return closed.get() && system.threads().stream().noneMatch(Thread::isAlive);
  }

  /**
   * A snapshot of every stage's counters.
   *
   * @return the statistics of every stage of this run
   */
  public FlowStatistics statistics() {
    List<StageStats> all = new ArrayList<>();
    for (List<Stage<?>> members : stages.values()) {
      for (Stage<?> s : members) {
        all.add(s.stats());
      }
    }
    return new FlowStatistics(all, malformed.get(), late.sum());
  }

  /**
   * The graph being run.
   *
   * @return this run's stage graph
   */
  public FlowGraph graph() {
    return topology.graph();
  }

  /**
   * Returns a handle that completes when the last layer has finished; for a run started with
   * consumers of its own ({@link #startInto}).
   *
   * @return the handle
   */
  public RunningFlow<Void> awaitLastLayer() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread.ofVirtual()
        .name(system.name() + "-into")
        .start(
            () -> {
              try {
                boolean finished = true;
                for (Stage<?> l : last()) {
                  finished &= l.onExit().toCompletableFuture().join() instanceof ExitReason.Normal;
                }
                closeSystem();
                RuntimeException f = throwIfFailedOrNull();
                RuntimeException gone = consumersGone;
                if (f != null) {
                  done.completeExceptionally(f);
                } else if (!finished && gone != null) {
                  done.completeExceptionally(gone);
                } else if (cancelled.get()) {
                  done.completeExceptionally(new CancellationException("the flow was cancelled"));
                } else {
                  done.complete(null);
                }
              } catch (RuntimeException e) {
                done.completeExceptionally(e);
              }
            });
    return handle(done);
  }

  /** Why every consumer of an {@code into} run exited before the flow finished; null if not. */
  private volatile RuntimeException consumersGone;

  /**
   * Stops an {@code into} run once every consumer it feeds has exited: nothing would ever take the
   * last layer's events, and the flow would stay parked until cancelled. The run then ends with
   * why: a consumer's failure as a {@link FlowException} naming it, otherwise a cancellation
   * listing how each consumer exited.
   */
  private void watchConsumers(List<? extends Stage<?>> consumers) {
    java.util.concurrent.atomic.AtomicInteger alive =
        new java.util.concurrent.atomic.AtomicInteger(consumers.size());
    Map<String, ExitReason> reasons = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    for (Stage<?> c : consumers) {
      c.onExit()
          .thenAccept(
              r -> {
                reasons.put(c.name(), r);
                if (alive.decrementAndGet() == 0 && !closed.get()) {
                  consumersGone = consumersGone(reasons);
                  Thread.ofVirtual()
                      .name(system.name() + "-consumers-gone")
                      .start(this::closeSystem);
                }
              });
    }
  }

  private static RuntimeException consumersGone(Map<String, ExitReason> reasons) {
    synchronized (reasons) {
      for (Map.Entry<String, ExitReason> e : reasons.entrySet()) {
        if (e.getValue() instanceof ExitReason.Failure f) {
          return new FlowException(e.getKey(), f.cause());
        }
      }
      java.util.StringJoiner how = new java.util.StringJoiner(", ", "(", ")");
      reasons.forEach(
          (name, r) ->
              how.add(
                  name
                      + ": "
                      + (r instanceof ExitReason.Shutdown sd
                          ? "shutdown" + (sd.detail().isEmpty() ? "" : " " + sd.detail())
                          : "normal")));
      return new CancellationException(
          "the flow was stopped before it finished: every consumer it feeds has exited "
              + how
              + "; keep a consumer subscribed until the flow ends, or cancel the flow");
    }
  }

  private RuntimeException throwIfFailedOrNull() {
    try {
      throwIfFailed(null);
      return null;
    } catch (FlowException e) {
      return e;
    }
  }

  /**
   * Runs the flow on a new virtual thread, collecting into {@code collector}.
   *
   * @param collector how to collect
   * @param <A> the accumulation type
   * @param <R> the result type
   * @return the handle
   */
  public <A, R> RunningFlow<R> startCollecting(Collector<Object, A, R> collector) {
    CompletableFuture<R> done = new CompletableFuture<>();
    Thread t =
        Thread.ofVirtual()
            .name(system.name() + "-collector")
            .start(
                () -> {
                  try {
                    done.complete(collect(collector));
                  } catch (RuntimeException | Error e) {
                    done.completeExceptionally(e);
                  }
                });
    terminalThread = t;
    return handle(done);
  }

  private volatile Thread terminalThread;

  /** Sends a named trigger to every flow stage, in each one's mailbox order. */
  private void trigger(String name) {
    if (name == null || name.isEmpty() || name.equals(dev.flowstage.flow.Trigger.DONE)) {
      throw new IllegalArgumentException(
          "trigger(name) needs a name other than \"done\" (only a window's end fires done), got: "
              + name);
    }
    for (var e : stages.entrySet()) {
      Topology.Kind k = e.getKey().kind;
      if (k == Topology.Kind.MAP_REDUCE
          || k == Topology.Kind.ZIP
          || k == Topology.Kind.JOIN
          || k == Topology.Kind.DEPARTITION) {
        for (Stage<?> s : e.getValue()) {
          s.send(new LayerStage.Fire(name));
        }
      }
    }
  }

  private <R> RunningFlow<R> handle(CompletableFuture<R> done) {
    return new RunningFlow<>() {
      @Override
      public R await() {
        try {
          R r = done.get();
          joinTerminal();
          return r;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          cancel();
          throw new CancellationException("interrupted while awaiting the flow");
        } catch (ExecutionException e) {
          joinTerminal();
          if (e.getCause() instanceof RuntimeException re) {
            throw re;
          }
          throw new FlowException(system.name(), e.getCause());
        } catch (CancellationException e) {
          joinTerminal();
          // get() replaces the cancellation's message ("get"): rethrow the one that says why
          throw done.handle((v, t) -> t).join() instanceof CancellationException c ? c : e;
        }
      }

      @Override
      public boolean awaitTermination(Duration timeout) {
        try {
          done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        } catch (ExecutionException | CancellationException e) {
          // finished with a failure, or stopped
        } catch (TimeoutException e) {
          return false;
        }
        joinTerminal();
        return true;
      }

      @Override
      public void cancel() {
        FlowRun.this.cancel();
        joinTerminal();
      }

      @Override
      public void trigger(String name) {
        FlowRun.this.trigger(name);
      }

      @Override
      public FlowStatistics statistics() {
        return FlowRun.this.statistics();
      }

      @Override
      public FlowGraph graph() {
        return FlowRun.this.graph();
      }

      @Override
      public boolean isTerminated() {
        Thread t = terminalThread;
        return done.isDone() && FlowRun.this.isTerminated() && (t == null || !t.isAlive());
      }
    };
  }

  private void joinTerminal() {
    Thread t = terminalThread;
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
