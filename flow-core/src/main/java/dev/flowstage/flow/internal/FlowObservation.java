package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.FlowListener;
import dev.flowstage.flow.FlowRunInfo;
import dev.flowstage.flow.FlowState;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.stage.StageStats;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a flow run tells the outside: its timing and final statistics, the JFR events of {@link
 * FlowJfr}, and the {@link FlowListener} callbacks. One per run; its {@link RunCoordinator} calls
 * {@link #started}, {@link #stageFailed} and {@link #ended} (once, after its threads exited).
 *
 * <p>The periodic {@code StageStatistics} JFR event is registered while at least one run is live
 * and removed when the last one ends, so an idle JVM carries no hook.
 */
public final class FlowObservation implements FlowRunInfo {
  private static final Object LOCK = new Object();
  private static final List<FlowListener> LISTENERS = new ArrayList<>(); // guarded by LOCK
  private static final Set<FlowObservation> LIVE = new LinkedHashSet<>(); // guarded by LOCK
  private static final Runnable SAMPLER = FlowObservation::sample;

  private final String name;
  private final Supplier<FlowGraph> graph;
  private final Supplier<FlowStatistics> counters;
  private final long startNanos = System.nanoTime();
  private final Object endEvent = FlowJfr.begin();
  private final Set<Throwable> reported = Collections.newSetFromMap(new IdentityHashMap<>());
  private volatile boolean live;
  private volatile Throwable consumerFailure;
  private volatile FlowStatistics last;

  /**
   * Observes a run.
   *
   * @param name the run's name
   * @param graph its graph
   * @param counters its live counters (name, state and elapsed are replaced here)
   */
  FlowObservation(String name, Supplier<FlowGraph> graph, Supplier<FlowStatistics> counters) {
    this.name = name;
    this.graph = graph;
    this.counters = counters;
  }

  /**
   * Registers a listener; see {@link FlowListener#register}.
   *
   * @param listener the listener
   * @return its registration
   */
  public static FlowListener.Registration register(FlowListener listener) {
    Objects.requireNonNull(listener, "listener");
    List<FlowObservation> running;
    synchronized (LOCK) {
      LISTENERS.add(listener);
      running = List.copyOf(LIVE);
    }
    for (FlowObservation run : running) {
      call(listener, l -> l.flowStarted(run));
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        synchronized (LOCK) {
          LISTENERS.remove(listener);
        }
      }
    };
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public FlowGraph graph() {
    return graph.get();
  }

  @Override
  public FlowStatistics statistics() {
    FlowStatistics end = last;
    if (end != null) {
      return end;
    }
    return with(
        counters.get(), FlowState.RUNNING, Duration.ofNanos(System.nanoTime() - startNanos));
  }

  private FlowStatistics with(FlowStatistics raw, FlowState state, Duration elapsed) {
    return new FlowStatistics(
        name,
        state,
        elapsed,
        raw.stages(),
        raw.malformedInput(),
        raw.lateDropped(),
        raw.skippedFiles());
  }

  /** The run's stages are wired: announce it. */
  void started() {
    List<FlowListener> listeners;
    synchronized (LOCK) {
      if (last != null) {
        return; // it ended before it could be announced (a stage failed at once)
      }
      if (LIVE.isEmpty()) {
        FlowJfr.flowsRunning(SAMPLER);
      }
      LIVE.add(this);
      live = true;
      listeners = List.copyOf(LISTENERS);
    }
    FlowJfr.started(name, graph.get());
    for (FlowListener l : listeners) {
      call(l, x -> x.flowStarted(this));
    }
  }

  /**
   * A stage failed; reported once per distinct cause, so a failure cascading downstream as the same
   * reason is one event.
   *
   * @param stage the stage where it happened
   * @param cause what it threw
   */
  void stageFailed(String stage, Throwable cause) {
    synchronized (reported) {
      if (!reported.add(cause)) {
        return;
      }
    }
    FlowJfr.stageFailed(name, stage, cause);
    for (FlowListener l : listeners()) {
      call(l, x -> x.stageFailed(this, stage, cause));
    }
  }

  /**
   * The consumer of the result (a collector, a stream's reader) failed: the run ends as failed.
   *
   * @param failure what it threw
   */
  void consumerFailed(Throwable failure) {
    if (consumerFailure == null) {
      consumerFailure = failure;
    }
  }

  /**
   * Whether the consumer of the result failed.
   *
   * @return the failure, or null
   */
  Throwable consumerFailure() {
    return consumerFailure;
  }

  /**
   * The run ended and its threads exited: freeze the statistics, commit the end event, tell the
   * listeners. Called once.
   *
   * @param state how it ended
   * @param failure for a failed run, the first failure, or null
   */
  void ended(FlowState state, Throwable failure) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    FlowStatistics end = with(counters.get(), state, elapsed);
    last = end; // before LOCK: a started() that comes later sees it and announces nothing
    List<FlowListener> listeners;
    synchronized (LOCK) {
      if (!live) {
        return; // never announced: nothing to close
      }
      LIVE.remove(this);
      live = false;
      if (LIVE.isEmpty()) {
        FlowJfr.noFlowsRunning();
      }
      listeners = List.copyOf(LISTENERS);
    }
    if (FlowJfr.on()) {
      long[] io = sourceAndResultEvents(graph.get(), end);
      FlowJfr.ended(endEvent, name, state.name(), elapsed.toNanos(), io[0], io[1], failure);
    }
    for (FlowListener l : listeners) {
      call(l, x -> x.flowEnded(this));
    }
  }

  /**
   * Events out of the nodes nothing feeds (sources), and the result: events out of the nodes that
   * feed nothing, or into the run's own consumers (its terminal, which sends nothing on).
   */
  static long[] sourceAndResultEvents(FlowGraph graph, FlowStatistics stats) {
    Set<String> fed = new LinkedHashSet<>();
    Set<String> feeding = new LinkedHashSet<>();
    for (FlowGraph.Edge e : graph.edges()) {
      fed.add(e.to());
      feeding.add(e.from());
    }
    Set<String> consumers = new LinkedHashSet<>();
    for (FlowGraph.Node n : graph.nodes()) {
      if (n.kind().equals(Topology.TERMINAL) || n.kind().equals(Topology.INTO)) {
        consumers.add(n.id());
      }
    }
    long in = 0;
    long out = 0;
    for (Map.Entry<String, List<StageStats>> n : stats.byNode(graph).entrySet()) {
      long events = n.getValue().stream().mapToLong(StageStats::eventsOut).sum();
      if (!fed.contains(n.getKey())) {
        in += events;
      }
      if (consumers.contains(n.getKey())) {
        out += n.getValue().stream().mapToLong(StageStats::eventsIn).sum();
      } else if (!feeding.contains(n.getKey())) {
        out += events;
      }
    }
    return new long[] {in, out};
  }

  private static List<FlowListener> listeners() {
    synchronized (LOCK) {
      return List.copyOf(LISTENERS);
    }
  }

  private static void sample() {
    List<FlowObservation> running;
    synchronized (LOCK) {
      running = List.copyOf(LIVE);
    }
    for (FlowObservation run : running) {
      for (StageStats s : run.counters.get().stages()) {
        FlowJfr.sample(run.name, s);
      }
    }
  }

  private static void call(FlowListener listener, Consumer<FlowListener> callback) {
    try {
      callback.accept(listener);
    } catch (RuntimeException e) {
      // Nobody downstream receives a listener's failure: log it, never disturb the flow.
      FlowLog.get().log(Level.WARNING, "flow listener " + listener + " failed", e);
    }
  }
}
