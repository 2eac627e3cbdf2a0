package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.FlowState;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.RunningInto;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.StageNotAliveException;
import dev.flowstage.stage.StageStats;
import dev.flowstage.stage.StageSystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collector;
import java.util.stream.Stream;

/**
 * A running flow's coordinator: the one place that decides how a run ends. It has the {@link
 * Materializer} start the plan's stages in a private {@link StageSystem}, watches every stage it
 * owns, and owns shutdown, the {@link RunningFlow} handle, the statistics and the {@link
 * FlowObservation} (listeners, JFR). Flow (Elixir): {@code Flow.Coordinator}.
 *
 * <p>The first failure cancels everything: a stage's abnormal exit closes the whole system. The run
 * is reported with one failure ({@link Failures}, ADR 0007): the stage where a user function threw
 * ({@link StageFailure}), or for a source's own failure the most upstream stage that failed; a
 * failure cascading downstream as the same reason is that one failure. Closing the system joins
 * every stage thread, so after any terminal returns or throws nothing of the flow is left running.
 *
 * <p>Threading: any thread. Stage exits arrive on stage threads, {@link #cancel} and the handle's
 * methods on any caller's; closing happens once ({@link #close}: whoever comes first closes, every
 * other caller waits until the threads are gone). The iterator of {@link #stream} is the caller's.
 */
public final class RunCoordinator {
  private static final AtomicLong RUNS = new AtomicLong();

  private final Topology topology;
  private final StageSystem system;
  private final Materializer materializer;
  private final FlowObservation observation;
  private final Failures failures = new Failures();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final CompletableFuture<Void> systemClosed = new CompletableFuture<>();

  /** Why every consumer of an {@code into} run exited before the flow finished; null if not. */
  private volatile RuntimeException consumersGone;

  /** Whether the sources were let emit ({@link #release}); a run started held waits for it. */
  private final AtomicBoolean released = new AtomicBoolean();

  // The consumers of an into run still alive (those it started with and those subscribed later),
  // and how the others exited; 0 once every one has exited: the run is then closing.
  private final Object consumersLock = new Object();
  private int consumersAlive; // guarded by consumersLock
  private final Map<String, ExitReason> consumerExits = new LinkedHashMap<>(); // guarded too

  /** The consumers this run started for {@code intoConsumers}; empty otherwise. */
  private volatile List<Stage<?>> ownedConsumers = List.of();

  private volatile Thread terminalThread;

  /**
   * The thread a stage failure closes the run on (a stage cannot close the system it runs in), or
   * null: every {@link #close} caller joins it too, so no thread of the run outlives the terminal.
   */
  private final AtomicReference<Thread> closer = new AtomicReference<>();

  /**
   * A coordinator of a run of {@code topology}; nothing starts until {@link #materialize}.
   *
   * @param topology what runs
   * @param clock drives periodic triggers, periodic windows and allowed lateness
   */
  RunCoordinator(Topology topology, FlowClock clock) {
    this.topology = topology;
    this.system = new StageSystem("flow-" + RUNS.incrementAndGet());
    this.materializer = new Materializer(topology, system, clock);
    this.observation = new FlowObservation(system.name(), this::graph, this::counters);
  }

  /**
   * Materializes and starts a plan on a given processing-time clock. There is no overload without
   * one: every terminal passes its flow's clock ({@code Flow.withClock}), so none can run on the
   * system clock by omission.
   *
   * @param plan the flow's plan
   * @param clock drives periodic triggers, periodic windows and allowed lateness
   * @return the running flow
   */
  public static RunCoordinator start(Plan plan, FlowClock clock) {
    return start(plan, null, clock);
  }

  /**
   * Materializes a plan whose last layer feeds running consumers on a given clock, and starts it.
   *
   * @param plan the flow's plan
   * @param consumers the consumers
   * @param clock drives periodic triggers, periodic windows and allowed lateness
   * @param hold whether the sources stay held until {@link #release} ({@code Flow.into} with {@code
   *     DemandMode.ACCUMULATE}), rather than released once every subscription exists
   * @return the running flow
   */
  public static RunCoordinator startInto(
      Plan plan, List<? extends Stage<?>> consumers, FlowClock clock, boolean hold) {
    Objects.requireNonNull(clock, "clock");
    RunCoordinator run = new RunCoordinator(topology(plan), clock);
    run.materialize(consumers, CancelMode.TRANSIENT, hold);
    return run;
  }

  /**
   * Materializes a plan whose last layer feeds consumers this run starts and owns ({@code
   * Flow.intoConsumers}), and starts it: each factory is called once, its consumer started in the
   * run's system and stopped normally once its input has ended ({@link StopsWithInput}); a failure
   * of one fails the run, as any of its stages.
   *
   * @param plan the flow's plan
   * @param factories make the consumers
   * @param clock drives periodic triggers, periodic windows and allowed lateness
   * @return the running flow
   */
  @SuppressWarnings("unchecked")
  public static RunCoordinator startIntoOwned(
      Plan plan,
      List<? extends java.util.function.Supplier<? extends dev.flowstage.stage.Consumer<?>>>
          factories,
      FlowClock clock) {
    RunCoordinator run = new RunCoordinator(topology(plan), clock);
    List<Stage<?>> consumers = new ArrayList<>();
    int group = run.topology.groups.size(); // after every stage of the flow
    try {
      for (int i = 0; i < factories.size(); i++) {
        String name = run.topology.consumersNode() + "." + i;
        var factory = factories.get(i);
        Object c =
            Materializer.building(
                name, () -> Materializer.made(factory, "intoConsumers", "Consumer"));
        Stage<?> stage =
            run.system.startConsumer(
                name, new StopsWithInput<>((dev.flowstage.stage.Consumer<Object>) c));
        stage.onExit().thenAccept(r -> run.stageExited(group, stage.name(), r));
        consumers.add(stage);
      }
    } catch (RuntimeException e) {
      run.close();
      throw e;
    }
    run.ownedConsumers = List.copyOf(consumers);
    run.materialize(consumers, CancelMode.TRANSIENT);
    return run;
  }

  /**
   * Materializes a plan whose last layer feeds a subscriber's bridge ({@code Flow.toPublisher}),
   * and starts it. The bridge is subscribed with {@code CancelMode.TEMPORARY}: it signals the end
   * only when told how the whole run ended ({@code SubscriberConsumer.end}, with the handle's
   * outcome of {@link #awaitLastLayer}), not as its subscriptions end. When the bridge exits first
   * (its subscriber cancelled, threw or asked wrongly) the run is cancelled, as a cancel of its
   * handle.
   *
   * @param plan the flow's plan
   * @param bridge the running bridge stage, in a system of its own (the run's close must not end it
   *     before it has signalled how the run ended)
   * @param clock drives periodic triggers, periodic windows and allowed lateness
   * @return the running flow
   */
  public static RunCoordinator startFeeding(Plan plan, Stage<?> bridge, FlowClock clock) {
    Objects.requireNonNull(clock, "clock");
    RunCoordinator run = new RunCoordinator(topology(plan), clock);
    run.materialize(List.of(bridge), CancelMode.TEMPORARY);
    bridge
        .onExit()
        .thenRun(
            () -> {
              // After a normal end the run is closed already (the bridge ends after it was told).
              // Otherwise not on the bridge's thread: cancelling joins every stage of the run.
              if (!run.closed.get()) {
                Thread.ofVirtual().name(run.system.name() + "-cancel").start(run::cancel);
              }
            });
    return run;
  }

  private static Topology topology(Plan plan) {
    // A file source lists its files and reads their first block here, when the run starts (a plan
    // is reusable: a file may appear later). A file it cannot read fails the run like any stage
    // would, before anything started.
    try {
      return Topology.of(TestHooks.apply(plan));
    } catch (UncheckedIOException e) {
      throw fileFailed(e);
    }
  }

  private static RunCoordinator start(
      Plan plan, List<? extends Stage<?>> consumers, FlowClock clock) {
    Objects.requireNonNull(clock, "clock");
    RunCoordinator run = new RunCoordinator(topology(plan), clock);
    run.materialize(consumers, CancelMode.TRANSIENT);
    return run;
  }

  /**
   * How a file source's failure to list or read its files before a run is thrown, by every terminal
   * and by {@code Flow.graph()}: a {@link FlowException} for the {@code fromFiles} stage whose
   * cause is the file system's own exception when it names the file ({@code NoSuchFileException},
   * {@code AccessDeniedException}), else an {@link IOException} with the message that names it (a
   * malformed gzip header).
   *
   * @param e what listing or reading the files threw
   * @return the exception to throw
   */
  static FlowException fileFailed(UncheckedIOException e) {
    IOException io = e.getCause();
    return new FlowException(
        Plan.Source.Files.STAGE,
        io instanceof FileSystemException ? io : new IOException(e.getMessage(), io));
  }

  /**
   * Starts every stage, watches them, announces the run and releases the sources; on a failure to
   * start, closes what was started and rethrows.
   *
   * @param into the last layer's consumers, or {@code null} for the flow's own terminal consumer
   * @param intoCancel the cancel mode of {@code into}'s subscriptions: {@code TEMPORARY} for a
   *     subscriber's bridge ({@link #startFeeding}), which the run ends itself
   */
  void materialize(List<? extends Stage<?>> into, CancelMode intoCancel) {
    materialize(into, intoCancel, false);
  }

  /**
   * Starts every stage as {@link #materialize(List, CancelMode)}, releasing the sources or not.
   *
   * @param into the last layer's consumers, or {@code null} for the flow's own terminal consumer
   * @param intoCancel the cancel mode of {@code into}'s subscriptions
   * @param hold whether the sources stay held until {@link #release} is called
   */
  private void materialize(List<? extends Stage<?>> into, CancelMode intoCancel, boolean hold) {
    try {
      materializer.start(into, intoCancel, this::stageExited);
      if (into != null && ownedConsumers.isEmpty() && intoCancel != CancelMode.TEMPORARY) {
        // Running consumers of the caller's: the run ends if they all leave. Its own consumers
        // leave only once their input has ended, and a failure of one is any stage's failure. A
        // subscriber's bridge leaving cancels the run (startFeeding).
        watchConsumers(into);
      }
      observation.started();
      if (!hold) {
        release();
      }
    } catch (RuntimeException e) {
      close();
      // A stage that failed while the others were starting (one whose upstream was already gone)
      // closes the system under the start, which then fails with "closed": the stage's failure is
      // what to tell. (A fromStages producer gets no demand before the release.)
      FlowException f = failures.first();
      throw f != null ? f : e;
    } catch (Error e) {
      close();
      throw e;
    }
  }

  private void stageExited(Stage<?> stage, ExitReason reason) {
    stageExited(materializer.groupOf(stage), stage.name(), reason);
  }

  /**
   * A stage this run owns exited: a failure is recorded, reported to the observation once per
   * cause, and closes the run (unless it was cancelled, which closes it already).
   *
   * @param group the stage's group in the topology (smaller is more upstream)
   * @param stage the stage's name
   * @param reason how it exited
   */
  void stageExited(int group, String stage, ExitReason reason) {
    if (reason instanceof ExitReason.Failure f) {
      Throwable cause = cascaded(f.cause());
      if (!failures.add(group, stage, cause)) {
        // Cancelled first: the run ends as cancelled, which the terminal, the handle and the
        // observation all report; a failure after the cancel is not also the run's outcome.
        return;
      }
      if (cause instanceof StageFailure sf) {
        observation.stageFailed(sf.stage(), sf.getCause());
      } else {
        observation.stageFailed(stage, cause);
      }
      // Also while a close runs already (a terminal that saw the failure cascade before it was
      // recorded here closes politely): the abandoned run's stages are hurried all the same.
      closeOnItsOwnThread("-cancel");
    }
  }

  /**
   * The failure a stage's exit stands for: a stage that subscribed to a producer already gone with
   * a failure (a user's {@code fromStages} producer that failed at its first demand, before the
   * other readers subscribed) ends with a {@link StageNotAliveException} around that failure, which
   * is the same failure cascaded, reported once as the other stages that saw it end.
   */
  private static Throwable cascaded(Throwable cause) {
    return cause instanceof StageNotAliveException gone && gone.getCause() != null
        ? gone.getCause()
        : cause;
  }

  /**
   * Closes the run on a new thread (a stage, or a consumer the run feeds, cannot wait for its own
   * system to close), once: the thread is recorded before it starts, so every {@link #close} that
   * follows joins it and no thread of the run outlives its terminal. A stage's exit callbacks run
   * on its own thread before it ends, so a close that has joined every stage thread sees it.
   */
  private void closeOnItsOwnThread(String suffix) {
    Thread t = Thread.ofVirtual().name(system.name() + suffix).unstarted(() -> close(true));
    if (closer.compareAndSet(null, t)) {
      t.start();
    }
  }

  /**
   * Returns a stream of the last layer's events; its demand comes from the reader: a batch is asked
   * for again only when the reader has taken it.
   *
   * @return the stream; exhausting or closing it ends the flow, and so does an exception from its
   *     action (reported as the consumer's failure, then rethrown) or dropping it unclosed (once it
   *     is garbage collected)
   */
  public Stream<Object> stream() {
    return TerminalIterator.stream(
        iterator(),
        this::cancel,
        failure -> {
          observation.consumerFailed(failure); // the run failed in its reader, not cancelled
          cancel();
        });
  }

  /**
   * Runs the flow to its end and returns every event of the last layer in a new {@code ArrayList},
   * as {@code collect(Collectors.toList())} would: batch by batch, added once to a list of the
   * final size, instead of one element at a time into a list that grows by copies (the copies and
   * the large arrays they leave behind were a quarter of a large {@code toList}'s CPU).
   *
   * @return the events, in the order the terminal received them
   */
  public List<Object> toList() {
    try {
      TerminalIterator it = iterator();
      List<List<Object>> batches = new ArrayList<>();
      int total = 0;
      for (List<Object> b = it.nextBatch(); b != null; b = it.nextBatch()) {
        batches.add(b);
        total = Math.addExact(total, b.size());
      }
      ArrayList<Object> all = new ArrayList<>(total);
      for (List<Object> b : batches) {
        for (Object e : b) {
          all.add(e);
        }
      }
      return all;
    } finally {
      close();
    }
  }

  private TerminalIterator iterator() {
    TerminalConsumer terminal = materializer.terminal();
    Stage<?> terminalStage = materializer.terminalStage();
    TerminalIterator.Feed feed =
        new TerminalIterator.Feed() {
          @Override
          public Object take() throws InterruptedException {
            return terminal.take();
          }

          @Override
          public void taken(TerminalConsumer.Batch b) {
            terminalStage.ask(b.from(), b.events().size());
          }
        };
    return new TerminalIterator(feed, ends());
  }

  /**
   * How a terminal's reader ends this run.
   *
   * @return the coordinator's side of the terminal iterator
   */
  TerminalIterator.Ends ends() {
    return new TerminalIterator.Ends() {
      @Override
      public void ended() {
        close();
        FlowException f = failures.first();
        if (f != null) {
          throw f;
        }
        // A cancel shuts the upstream stages down, which can reach the terminal as an end before
        // the terminal's own stop: a cancelled flow must not look complete.
        if (failures.cancelled()) {
          throw new CancellationException("the flow was cancelled");
        }
      }

      @Override
      public RuntimeException stopped(ExitReason reason) {
        close();
        if (failures.cancelled()) {
          return new CancellationException("the flow was cancelled");
        }
        FlowException f = failures.first();
        if (f != null) {
          return f;
        }
        Throwable cause = reason instanceof ExitReason.Failure fl ? fl.cause() : null;
        return new FlowException(
            system.name(),
            cause != null
                ? cause
                : new StageException("the flow's terminal stopped: " + reason, null));
      }

      @Override
      public void cancel() {
        RunCoordinator.this.cancel();
      }
    };
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
      try {
        return s.collect(collector);
      } catch (RuntimeException | Error e) {
        observation.consumerFailed(e); // before closing the stream cancels the run
        throw e;
      }
    } finally {
      close();
    }
  }

  /**
   * Cancels the flow: stops and joins every stage, interrupting the ones in a callback (a reading
   * stage in the middle of a large file stops at its next buffer). Idempotent. A run with a stage
   * failure recorded before stays failed; once cancelled, no failure is recorded ({@link
   * Failures#cancel}).
   */
  public void cancel() {
    // A run that failed before the cancel stays failed: whichever came first is its outcome.
    if (!closed.get()) {
      failures.cancel();
    }
    close(true);
  }

  /**
   * Closes the system once; every caller returns only after every stage thread has exited. A run
   * that was cancelled, failed or lost its consumers is closed at once ({@link #close(boolean)}).
   */
  void close() {
    close(failures.cancelled() || failures.any() || consumersGone != null);
  }

  /**
   * Closes the system once, as {@link #close()}.
   *
   * @param abandoned whether the run is being abandoned (cancelled or failed): its stages are then
   *     killed and interrupted at once ({@link StageSystem#closeNow}), so a callback busy with a
   *     long piece of work stops at its next check instead of after half the grace, and a close
   *     already running politely is hurried the same way; otherwise each stage first handles what
   *     was sent to it
   */
  private void close(boolean abandoned) {
    // The caller's interrupt is set aside while it closes: StageSystem.close() would take it for a
    // hurry, and a completed run's stages are closed politely whoever closes them. The caller gets
    // it back after.
    boolean interrupted = Thread.interrupted();
    try {
      closeOnce(abandoned);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeOnce(boolean abandoned) {
    if (closed.compareAndSet(false, true)) {
      try {
        if (abandoned) {
          system.closeNow();
        } else {
          system.close();
        }
      } finally {
        try {
          observation.ended(outcome(), reportedFailure());
        } finally {
          systemClosed.complete(null);
        }
      }
    } else {
      if (abandoned && !systemClosed.isDone()) {
        system.closeNow(); // hurries the close running on another thread
      }
      systemClosed.join();
    }
    joinFully(closer.get()); // the failure's closing thread, which ends right after the close
  }

  /**
   * Waits for a thread of the run (the closer, the collecting thread) to end, unless it is the
   * caller's own. An interrupted caller (await() interrupted cancels) still waits, so no thread of
   * the run outlives it, and gets its interrupt back after.
   */
  private static void joinFully(Thread t) {
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** How the run ended; once the system is closed. */
  private FlowState outcome() {
    if (reportedFailure() != null) {
      return FlowState.FAILED;
    }
    return failures.cancelled() ? FlowState.CANCELLED : FlowState.COMPLETED;
  }

  /**
   * The failure the run is reported with: a stage's, else the result consumer's (a cancel seen by
   * the consumer is no failure); null for none.
   */
  private Throwable reportedFailure() {
    FlowException f = failures.first();
    if (f != null) {
      return f;
    }
    Throwable c = observation.consumerFailure();
    return c instanceof CancellationException ? null : c;
  }

  /**
   * Whether every thread this run started has exited.
   *
   * @return true once the run's stage system is closed and its threads are gone
   */
  public boolean isTerminated() {
    Thread c = closer.get();
    return closed.get()
        && system.threads().stream().noneMatch(Thread::isAlive)
        && (c == null || !c.isAlive());
  }

  /**
   * A snapshot of every stage's counters.
   *
   * @return the statistics of every stage of this run
   */
  public FlowStatistics statistics() {
    return observation.statistics();
  }

  /**
   * The graph being run.
   *
   * @return this run's stage graph
   */
  public FlowGraph graph() {
    if (materializer.terminalStage() != null) {
      return topology.graph(Topology.TERMINAL, 1);
    }
    List<Stage<?>> owned = ownedConsumers;
    return owned.isEmpty() ? topology.graph() : topology.graph(Topology.INTO, owned.size());
  }

  /**
   * The counters of every stage of the run, in {@link #graph} order: the flow's groups, then the
   * run's own consumers of the last layer (its terminal, or those {@code intoConsumers} started; a
   * caller's consumers are the caller's stages, not the run's).
   */
  private FlowStatistics counters() {
    FlowStatistics layers = materializer.counters();
    Stage<?> terminal = materializer.terminalStage();
    List<Stage<?>> own = terminal != null ? List.of(terminal) : ownedConsumers;
    if (own.isEmpty()) {
      return layers;
    }
    List<StageStats> all = new ArrayList<>(layers.stages());
    for (Stage<?> s : own) {
      all.add(s.stats());
    }
    return new FlowStatistics(
        layers.flow(),
        layers.state(),
        layers.elapsed(),
        all,
        layers.malformedInput(),
        layers.lateDropped(),
        layers.skippedFiles());
  }

  /**
   * Returns a handle that completes when the last layer has finished; for a run started with
   * consumers ({@link #startIntoOwned}, {@link #startFeeding}).
   *
   * @return the handle
   */
  public RunningFlow<Void> awaitLastLayer() {
    return new Handle<>(lastLayerDone());
  }

  /**
   * Returns the handle of a run started with the caller's consumers ({@link #startInto}): it
   * completes when the last layer has finished, and subscribes more consumers or releases held
   * sources.
   *
   * @return the handle
   */
  public RunningInto runningInto() {
    return new IntoHandle(lastLayerDone());
  }

  /**
   * Starts the thread that waits for the last layer (and the run's own consumers) to finish, closes
   * the run and tells how it ended.
   *
   * @return the outcome, completed once the run is closed
   */
  private CompletableFuture<Void> lastLayerDone() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    // recorded as the terminal's thread, so await() and cancel() return only once it has ended
    terminalThread =
        Thread.ofVirtual()
            .name(system.name() + "-into")
            .start(
                () -> {
                  try {
                    boolean finished = true;
                    for (Stage<?> l : materializer.last()) {
                      finished &=
                          l.onExit().toCompletableFuture().join() instanceof ExitReason.Normal;
                    }
                    // Consumers of the run's own have handled every event once they exit.
                    for (Stage<?> c : ownedConsumers) {
                      finished &=
                          c.onExit().toCompletableFuture().join() instanceof ExitReason.Normal;
                    }
                    close();
                    RuntimeException f = failures.first();
                    RuntimeException gone = consumersGone;
                    if (f != null) {
                      done.completeExceptionally(f);
                    } else if (!finished && gone != null) {
                      done.completeExceptionally(gone);
                    } else if (failures.cancelled()) {
                      done.completeExceptionally(
                          new CancellationException("the flow was cancelled"));
                    } else {
                      done.complete(null);
                    }
                  } catch (RuntimeException e) {
                    done.completeExceptionally(e);
                  }
                });
    return done;
  }

  /**
   * Stops an {@code into} run once every consumer it feeds has exited: nothing would ever take the
   * last layer's events, and the flow would stay parked until cancelled. The run then ends with
   * why: a consumer's failure as a {@link FlowException} naming it, otherwise a cancellation
   * listing how each consumer exited.
   */
  private void watchConsumers(List<? extends Stage<?>> consumers) {
    synchronized (consumersLock) {
      consumersAlive = consumers.size();
    }
    consumers.forEach(this::watchConsumer);
  }

  private void watchConsumer(Stage<?> c) {
    c.onExit()
        .thenAccept(
            r -> {
              Map<String, ExitReason> reasons = null;
              synchronized (consumersLock) {
                consumerExits.put(c.name(), r);
                if (--consumersAlive == 0) {
                  reasons = new LinkedHashMap<>(consumerExits);
                }
              }
              if (reasons != null && !closed.get()) {
                consumersGone = consumersGone(reasons);
                closeOnItsOwnThread("-consumers-gone");
              }
            });
  }

  /**
   * Subscribes one more consumer of the caller's to the last layer of an {@code into} run ({@code
   * RunningInto.subscribe}), and counts it among the consumers the run waits for.
   *
   * @param consumer the consumer
   * @throws IllegalStateException if the run has ended, or every consumer it fed has exited
   */
  private void subscribe(Stage<?> consumer) {
    if (consumer == null) {
      throw new IllegalArgumentException("subscribe(...): consumer must not be null");
    }
    StageKinds.check(
        "subscribe", List.of(consumer), StageKinds.CONSUMERS, StageKinds::consumerRefusal);
    if (consumer.exitReason().orElse(null) instanceof ExitReason gone) {
      throw StageNotAliveException.of(
          "subscribe's consumer stage "
              + consumer.name()
              + " has exited and cannot subscribe to this run; give subscribe a running consumer",
          gone);
    }
    synchronized (consumersLock) {
      if (closed.get() || consumersAlive == 0) {
        throw ended(consumer);
      }
      consumersAlive++;
    }
    watchConsumer(consumer);
    if (materializer.subscribe(consumer) == 0) {
      throw ended(consumer); // every stage of the last layer finished first
    }
  }

  private IllegalStateException ended(Stage<?> consumer) {
    return new IllegalStateException(
        "subscribe: this flow ("
            + system.name()
            + ") has ended, so stage "
            + consumer.name()
            + " was not subscribed: nothing is left to subscribe to; subscribe consumers while the"
            + " flow runs, or start it holding its demand (into(consumers,"
            + " DemandMode.ACCUMULATE)) and release() it once every consumer is subscribed");
  }

  /** Lets the sources emit, once; a closed run's stages drop what is sent to them. */
  private void release() {
    if (released.compareAndSet(false, true)) {
      materializer.release();
    }
  }

  private static RuntimeException consumersGone(Map<String, ExitReason> reasons) {
    for (Map.Entry<String, ExitReason> e : reasons.entrySet()) {
      if (e.getValue() instanceof ExitReason.Failure f) {
        return new FlowException(e.getKey(), f.cause());
      }
    }
    StringJoiner how = new StringJoiner(", ", "(", ")");
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
    return new Handle<>(done);
  }

  /** Sends a named trigger to every flow stage, in each one's mailbox order. */
  private void trigger(String name) {
    if (name == null || name.isEmpty() || name.equals(Trigger.DONE)) {
      throw new IllegalArgumentException(
          "trigger(name) needs a name other than \"done\" (only a window's end fires done), got: "
              + name);
    }
    materializer.fire(name);
  }

  /**
   * The caller's handle of the run: waits on {@code done}, the outcome its terminal (the collecting
   * thread, or the one waiting for the last layer) completes once the run is closed.
   */
  private class Handle<R> implements RunningFlow<R> {
    private final CompletableFuture<R> done;

    Handle(CompletableFuture<R> done) {
      this.done = done;
    }

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
      RunCoordinator.this.cancel();
      joinTerminal();
    }

    @Override
    public void trigger(String name) {
      RunCoordinator.this.trigger(name);
    }

    @Override
    public FlowStatistics statistics() {
      return RunCoordinator.this.statistics();
    }

    @Override
    public FlowGraph graph() {
      return RunCoordinator.this.graph();
    }

    @Override
    public boolean isTerminated() {
      Thread t = terminalThread;
      return done.isDone() && RunCoordinator.this.isTerminated() && (t == null || !t.isAlive());
    }
  }

  /** The handle of a run into the caller's consumers: more can subscribe; held sources released. */
  private final class IntoHandle extends Handle<Void> implements RunningInto {
    IntoHandle(CompletableFuture<Void> done) {
      super(done);
    }

    @Override
    public void subscribe(Stage<?> consumer) {
      RunCoordinator.this.subscribe(consumer);
    }

    @Override
    public void release() {
      RunCoordinator.this.release();
    }
  }

  private void joinTerminal() {
    joinFully(terminalThread);
  }

  /**
   * The failures of a run's stages, and the rule that picks the one the run is reported with: where
   * a user function threw ({@link StageFailure}, whichever stage's exit carried it first), else the
   * most upstream stage that failed (the lowest group; the first recorded among equals). Once the
   * run's system is closed no failure is added, so every path that reports the run (the terminal,
   * the handle, the observation) reports the same stage and cause. Any thread.
   */
  static final class Failures {
    private record Failed(int group, String stage, Throwable cause) {}

    private final List<Failed> all = new ArrayList<>();
    private boolean cancelled;

    /**
     * Records a stage's failure, unless the run was cancelled before it.
     *
     * @param group the stage's group (smaller is more upstream)
     * @param stage the stage's name
     * @param cause its exit's cause
     * @return whether it was recorded: false once the run was cancelled
     */
    synchronized boolean add(int group, String stage, Throwable cause) {
      if (cancelled) {
        return false;
      }
      all.add(new Failed(group, stage, cause));
      return true;
    }

    /**
     * Decides a cancel against the failures, atomically with {@link #add}: the run is cancelled
     * only if no stage failed before, and no failure is recorded after.
     */
    synchronized void cancel() {
      if (all.isEmpty()) {
        cancelled = true;
      }
    }

    /**
     * Whether the run was cancelled (before any stage failed).
     *
     * @return true once {@link #cancel} decided so
     */
    synchronized boolean cancelled() {
      return cancelled;
    }

    /**
     * Whether any stage failed.
     *
     * @return true once a failure is recorded
     */
    synchronized boolean any() {
      return !all.isEmpty();
    }

    /**
     * The failure the run is reported with, as the terminal throws it.
     *
     * @return a new exception naming the stage, or {@code null} if no stage failed
     */
    synchronized FlowException first() {
      // A stage that could not subscribe because its producer had died (a fromStages producer
      // failing before every stage of the layer subscribed) failed as a consequence: the
      // producer's own failure, which reached the stages that had subscribed, is the one to tell.
      Failed first =
          all.stream()
              .filter(f -> f.cause() instanceof StageFailure)
              .findFirst()
              .or(
                  () ->
                      all.stream()
                          .filter(f -> !(f.cause() instanceof StageNotAliveException))
                          .min(Comparator.comparingInt(Failed::group)))
              .or(() -> all.stream().min(Comparator.comparingInt(Failed::group)))
              .orElse(null);
      if (first == null) {
        return null;
      }
      return first.cause() instanceof StageFailure sf
          ? new FlowException(sf.stage(), sf.getCause())
          : new FlowException(first.stage(), first.cause());
    }
  }
}
