package dev.flowstage.micrometer;

import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.FlowListener;
import dev.flowstage.flow.FlowRunInfo;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.stage.StageStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

/**
 * Binds every flow run in the JVM to a {@link MeterRegistry}: one set of meters per stage of each
 * running flow, tagged {@code flow} (the run's name, {@code flow-<n>}), {@code stage} ({@code
 * g<group>.<index>}), {@code group} and {@code kind}, plus meters across runs. Built on {@link
 * FlowListener}: flows already running when it is bound are picked up at once.
 *
 * <p>Per stage (all cumulative, read from the stage's counters when the registry publishes):
 * function counters {@code flowstage.stage.events.in}, {@code .events.out}, {@code .asks.sent},
 * {@code .asks.received}, {@code .demand.received}, {@code .discarded}, {@code .dropped}, {@code
 * .late.dropped}, {@code .messages}, {@code .busy} (seconds), and the gauge {@code
 * flowstage.stage.buffer.high.water}. Per run: the function counter {@code flowstage.files.skipped}
 * (tags {@code flow}, {@code reason}: what its file sources' options left out, {@code
 * FlowStatistics.skippedFiles}), for the reasons that left out any. Across runs: the gauge {@code
 * flowstage.flows.active}, the timer {@code flowstage.flow.duration} and the counter {@code
 * flowstage.stage.failures} (tags {@code outcome}, resp. {@code exception}).
 *
 * <p>When a run ends, its per-stage meters freeze at the run's final counters (statistics are
 * frozen at the end) and are removed from the registry after {@code keepEnded} (default: at once),
 * so a registry does not grow with every run; the cross-run meters stay. {@link #close()} removes
 * every meter this binder added and stops following flows.
 *
 * {@snippet class=dev.flowstage.micrometer.snippets.MetricsSnippets region=bindTo}
 */
public final class FlowMetrics implements MeterBinder, AutoCloseable {
  /** A per-stage function counter read straight from {@link StageStats}. */
  private record StageCounter(
      String name, String description, ToDoubleFunction<StageStats> value) {}

  private static final List<StageCounter> STAGE_COUNTERS =
      List.of(
          new StageCounter("events.in", "Events received from producers", StageStats::eventsIn),
          new StageCounter("events.out", "Events sent to consumers", StageStats::eventsOut),
          new StageCounter(
              "asks.sent", "Ask messages sent upstream (batches requested)", StageStats::asksSent),
          new StageCounter(
              "asks.received", "Ask messages received from consumers", StageStats::asksReceived),
          new StageCounter(
              "demand.received", "Demand received from consumers", StageStats::demandReceived),
          new StageCounter(
              "discarded", "Events dropped by the stage's buffer", StageStats::discarded),
          new StageCounter(
              "dropped",
              "Events a partition hash dropped as asked (Options.DROP)",
              StageStats::dropped),
          new StageCounter("messages", "Messages handled", StageStats::messages));

  private final Tags tags;
  private final Duration keepEnded;
  private final List<Binding> bindings = new CopyOnWriteArrayList<>();

  /** Binds with no extra tags, removing a run's stage meters as soon as it ends. */
  public FlowMetrics() {
    this(Tags.empty(), Duration.ZERO);
  }

  /**
   * Binds with extra tags on every meter, keeping an ended run's stage meters for a while.
   *
   * @param tags added to every meter (for example the application's name)
   * @param keepEnded how long an ended run's stage meters stay, frozen at their final values, so a
   *     scrape after a short run still sees them; {@link Duration#ZERO} removes them at once
   */
  public FlowMetrics(Iterable<Tag> tags, Duration keepEnded) {
    this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    this.keepEnded = Objects.requireNonNull(keepEnded, "keepEnded");
    if (keepEnded.isNegative()) {
      throw new IllegalArgumentException("keepEnded must not be negative, got " + keepEnded);
    }
  }

  /**
   * Starts adding meters to {@code registry} for every flow run, from now on and already running.
   * May be called for several registries.
   *
   * @param registry the registry
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Binding b = new Binding(Objects.requireNonNull(registry, "registry"));
    bindings.add(b);
    b.registration = FlowListener.register(b);
  }

  /** Stops following flows and removes every meter this binder added. Idempotent. */
  @Override
  public void close() {
    for (Binding b : bindings) {
      b.close();
    }
    bindings.clear();
  }

  /** The meters of one registry. */
  private final class Binding implements FlowListener {
    private final MeterRegistry registry;
    private final Map<String, List<Meter>> perRun = new ConcurrentHashMap<>();
    private final java.util.Set<Meter> shared = ConcurrentHashMap.newKeySet();
    private final AtomicInteger active = new AtomicInteger();
    private volatile FlowListener.Registration registration;
    private volatile boolean closed;

    Binding(MeterRegistry registry) {
      this.registry = registry;
      shared.add(
          Gauge.builder("flowstage.flows.active", active, AtomicInteger::get)
              .description("Flow runs currently running")
              .tags(tags)
              .register(registry));
    }

    @Override
    public void flowStarted(FlowRunInfo flow) {
      if (closed) {
        return;
      }
      List<Meter> meters = new ArrayList<>();
      if (perRun.putIfAbsent(flow.name(), meters) != null) {
        return; // announced twice (bound while it started): keep the first set
      }
      active.incrementAndGet();
      Snapshot snapshot = new Snapshot(flow);
      FlowGraph graph = flow.graph();
      Map<String, List<StageStats>> byNode = flow.statistics().byNode(graph);
      for (FlowGraph.Node node : graph.nodes()) {
        for (StageStats s : byNode.get(node.id())) {
          Tags t =
              tags.and(
                  "flow", flow.name(), "stage", s.name(), "group", node.id(), "kind", node.kind());
          String stage = s.name();
          for (StageCounter c : STAGE_COUNTERS) {
            meters.add(
                FunctionCounter.builder(
                        "flowstage.stage." + c.name(),
                        snapshot,
                        sn -> c.value().applyAsDouble(sn.stage(stage)))
                    .description(c.description())
                    .tags(t)
                    .register(registry));
          }
          meters.add(
              FunctionCounter.builder(
                      "flowstage.stage.busy", snapshot, sn -> sn.stage(stage).busyNanos() / 1e9)
                  .description("Time spent handling messages")
                  .baseUnit("seconds")
                  .tags(t)
                  .register(registry));
          meters.add(
              FunctionCounter.builder(
                      "flowstage.stage.late.dropped",
                      snapshot,
                      sn -> sn.statistics().lateDropped().getOrDefault(stage, 0L))
                  .description("Late events dropped by fixed windows")
                  .tags(t)
                  .register(registry));
          meters.add(
              Gauge.builder(
                      "flowstage.stage.buffer.high.water",
                      snapshot,
                      sn -> sn.stage(stage).bufferHighWater())
                  .description("The most events the stage's buffer ever held")
                  .tags(t)
                  .register(registry));
        }
      }
      // Per run: what its file sources left out, by reason (known once its files were listed).
      flow.statistics()
          .skippedFiles()
          .forEach(
              (reason, n) ->
                  meters.add(
                      FunctionCounter.builder(
                              "flowstage.files.skipped",
                              snapshot,
                              sn -> sn.statistics().skippedFiles().getOrDefault(reason, 0L))
                          .description("Files and folders the file sources' options left out")
                          .tags(tags.and("flow", flow.name(), "reason", reason))
                          .register(registry)));
      if (closed) {
        removeRun(flow.name());
      }
    }

    @Override
    public void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {
      if (!closed) {
        Counter c =
            Counter.builder("flowstage.stage.failures")
                .description("Stage failures")
                .tags(tags.and("exception", cause.getClass().getSimpleName()))
                .register(registry);
        shared.add(c);
        c.increment();
      }
    }

    @Override
    public void flowEnded(FlowRunInfo flow) {
      if (closed || !perRun.containsKey(flow.name())) {
        return;
      }
      active.decrementAndGet();
      FlowStatistics end = flow.statistics();
      Timer t =
          Timer.builder("flowstage.flow.duration")
              .description("Flow runs, by outcome")
              .tags(tags.and("outcome", end.state().name().toLowerCase(java.util.Locale.ROOT)))
              .register(registry);
      shared.add(t);
      t.record(end.elapsed());
      if (keepEnded.isZero()) {
        removeRun(flow.name());
      } else {
        CompletableFuture.runAsync(
            () -> removeRun(flow.name()),
            CompletableFuture.delayedExecutor(keepEnded.toNanos(), TimeUnit.NANOSECONDS));
      }
    }

    private void removeRun(String flow) {
      List<Meter> meters = perRun.remove(flow);
      if (meters != null) {
        for (Meter m : meters) {
          registry.remove(m);
        }
      }
    }

    void close() {
      closed = true;
      FlowListener.Registration r = registration;
      if (r != null) {
        r.close();
      }
      for (String flow : List.copyOf(perRun.keySet())) {
        removeRun(flow);
      }
      shared.forEach(registry::remove);
      shared.clear();
    }
  }

  /**
   * A run's statistics, read at most once per 100 ms however many meters ask: a registry publishing
   * reads every meter in turn, and each statistics call snapshots every stage.
   */
  private static final class Snapshot {
    private static final long MAX_AGE_NANOS = 100_000_000;
    private final FlowRunInfo flow;
    private volatile FlowStatistics statistics;
    private volatile Map<String, StageStats> byName;
    private volatile long readAt;

    Snapshot(FlowRunInfo flow) {
      this.flow = flow;
    }

    FlowStatistics statistics() {
      long now = System.nanoTime();
      FlowStatistics s = statistics;
      if (s == null || now - readAt > MAX_AGE_NANOS) {
        s = flow.statistics();
        Map<String, StageStats> m = new ConcurrentHashMap<>();
        for (StageStats st : s.stages()) {
          m.put(st.name(), st);
        }
        byName = m;
        statistics = s;
        readAt = now;
      }
      return s;
    }

    StageStats stage(String name) {
      statistics();
      StageStats s = byName.get(name);
      return s != null ? s : new StageStats(name, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
  }
}
