package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowState;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.logic.Combining;
import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageNotAliveException;
import dev.flowstage.stage.StageStats;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;

/**
 * Turns a {@link Topology} into running stages: one stage per member of each group in the given
 * {@link StageSystem}, subscribed along the topology's edges with each edge's dispatcher, then the
 * last layer subscribed by the terminal (or by the caller's consumers). Flow (Elixir): {@code
 * Flow.Materialize}.
 *
 * <p>Sources start with accumulated demand and are released ({@link #release}) only once every
 * subscription exists, so the first batches spread over all stages; a {@code fromStages} producer
 * cannot be held that way, so the stages reading it subscribe to it only on release, and no layer
 * stage fires a timer before it (see {@link LayerStage.Release}). Every subscription is {@code
 * TRANSIENT}: a stage whose inputs all ended normally fires its final triggers and finishes, which
 * cascades layer by layer to the terminal; an abnormal exit cascades as the same reason.
 *
 * <p>It keeps no run state: how the run ends (failure, cancel, close) is the {@link
 * RunCoordinator}'s. Threading: {@link #start} and {@link #release} are called once each, in that
 * order: {@code start} on the thread that starts the run, {@code release} on it too or, for a run
 * started holding its demand, on the thread that releases it; the other methods read what {@code
 * start} built and may be called from any thread once it returned ({@link #counters} also while it
 * runs, seeing the stages started so far).
 */
final class Materializer {
  private static final Duration SUBSCRIBE_TIMEOUT = Duration.ofSeconds(30);

  private final Topology topology;
  private final StageSystem system;
  private final FlowClock clock;
  private final Map<Topology.Group, List<Stage<?>>> stages = new ConcurrentHashMap<>();
  private final List<Stage<?>> sources = new ArrayList<>();
  // every layer stage, told on release that the run is wired (fromStages readers subscribe then)
  private final List<Stage<?>> layers = new ArrayList<>();
  private final Map<String, LayerStage> layerStages = new ConcurrentHashMap<>();
  private final AtomicLong malformed = new AtomicLong();

  private volatile TerminalConsumer terminal;
  private volatile Stage<?> terminalStage;
  // how the caller's consumers subscribe to the last layer: into's, and those subscribed later
  private volatile SubscriptionOptions intoSubscription;

  /**
   * A materializer of one run; nothing starts until {@link #start}.
   *
   * @param topology what to start
   * @param system where the stages run; the caller owns (and closes) it
   * @param clock drives periodic triggers, periodic windows and allowed lateness
   */
  Materializer(Topology topology, StageSystem system, FlowClock clock) {
    this.topology = topology;
    this.system = system;
    this.clock = clock;
  }

  /**
   * Starts every stage of the topology and subscribes the last layer's consumers; the sources stay
   * held until {@link #release}. On an exception the stages started so far stay in the system,
   * which the caller closes.
   *
   * @param into the consumers of the last layer, or {@code null} for the flow's own terminal
   *     consumer ({@link #terminal})
   * @param intoCancel how {@code into}'s subscriptions to the last layer end them ({@code
   *     TRANSIENT}, or {@code TEMPORARY} for a consumer that judges the end itself)
   * @param onExit called with each stage the flow owns and its exit reason; registered before the
   *     last layer is subscribed, so no exit is missed
   * @throws IllegalArgumentException for a source that cannot run (e.g. a {@code fromStages}
   *     element that is not a stage)
   */
  void start(
      List<? extends Stage<?>> into,
      CancelMode intoCancel,
      BiConsumer<Stage<?>, ExitReason> onExit) {
    List<Stage<?>> owned = new ArrayList<>();
    for (Topology.Group g : topology.groups) {
      List<Stage<?>> members = new ArrayList<>();
      for (int i = 0; i < g.stages; i++) {
        Stage<?> stage = startMember(g, i);
        members.add(stage);
        boolean theirs =
            g.kind == Topology.Kind.STAGE
                || (g.kind == Topology.Kind.THROUGH && g.sources.get(i) instanceof Stage<?>);
        if (!theirs) {
          owned.add(stage);
        }
        if (g.kind == Topology.Kind.ENUMERABLE || g.kind == Topology.Kind.FILE) {
          sources.add(stage);
        }
      }
      stages.put(g, List.copyOf(members));
    }
    for (Stage<?> s : owned) {
      s.onExit().thenAccept(r -> onExit.accept(s, r));
    }
    // The terminal (or the given consumers) subscribe before the sources are released: a last
    // stage that receives nothing may finish at once, and must not finish before it is consumed.
    SubscriptionOptions last = subscription(topology.last.options, -1);
    if (into == null) {
      terminal = new TerminalConsumer(last(), last);
      // Named as the graph node the run shows it as (RunCoordinator.graph): after every group.
      terminalStage = system.startConsumer(topology.consumersNode() + ".0", terminal);
      // The terminal exits with the failure that ended the flow, which the coordinator throws to
      // the reader: watching it makes the run its owner, so the stage does not log it again.
      Stage<?> t = terminalStage;
      t.onExit().thenAccept(r -> onExit.accept(t, r));
    } else {
      SubscriptionOptions intoLast = last.toBuilder().cancel(intoCancel).build();
      intoSubscription = intoLast;
      for (Stage<?> c : into) {
        if (c.exitReason().orElse(null) instanceof ExitReason gone) {
          // Flow.into refused a producer when it was called; a consumer that exited since fails
          // the start naming into, not with the runtime's bare "not alive".
          throw StageNotAliveException.of(
              "into's consumer stage "
                  + c.name()
                  + " has exited and cannot subscribe to this run; give into running consumers,"
                  + " or use intoConsumers(...), whose consumers each run makes",
              gone);
        }
        for (Stage<?> l : last()) {
          c.subscribeTo(l, intoLast, SUBSCRIBE_TIMEOUT);
        }
      }
    }
  }

  /**
   * Subscribes one more consumer of the caller's to every stage of the last layer, with the options
   * of the consumers the run started with; for a run started with consumers.
   *
   * @param consumer a running consumer or producer-consumer
   * @return how many stages of the last layer it subscribed to: those that finished first are
   *     skipped (they have nothing more to emit)
   * @throws dev.flowstage.stage.StageNotAliveException if the consumer has exited
   */
  int subscribe(Stage<?> consumer) {
    SubscriptionOptions options = intoSubscription;
    int subscribed = 0;
    for (Stage<?> l : last()) {
      if (!l.isAlive()) {
        continue;
      }
      try {
        consumer.subscribeTo(l, options, SUBSCRIBE_TIMEOUT);
        subscribed++;
      } catch (StageNotAliveException e) {
        if (l.isAlive() || !consumer.isAlive()) {
          throw e; // the consumer has exited, not the stage
        }
        // the stage finished as the subscription was made: skipped as one finished before
      }
    }
    return subscribed;
  }

  /** Lets the sources emit: every subscription exists. */
  void release() {
    for (Stage<?> s : sources) {
      s.demandMode(DemandMode.FORWARD);
    }
    for (Stage<?> s : layers) {
      s.send(LayerStage.Release.INPUTS);
    }
  }

  /** The ranges of a file source not yet taken, shared by its producers, in file order. */
  private final Map<Topology.Group, Queue<FileRanges.Range>> unread = new ConcurrentHashMap<>();

  private Queue<FileRanges.Range> unreadRanges(Topology.Group g) {
    return unread.computeIfAbsent(g, k -> new ConcurrentLinkedQueue<>(k.ranges));
  }

  private Stage<?> startMember(Topology.Group g, int i) {
    String name = g.name() + "." + i;
    return switch (g.kind) {
      case ENUMERABLE ->
          system.startProducer(enumerable(name, g.sources.get(i)), producerOptions(g, name, true));
      case FILE ->
          system.startProducer(
              new FileProducer(name, unreadRanges(g), malformed, topology.skipped),
              producerOptions(g, name, true));
      case STAGE -> {
        if (!(g.sources.get(i) instanceof Stage<?> st)) {
          throw new IllegalArgumentException(
              "fromStages expects flow-stages Stage handles, got: " + g.sources.get(i));
        }
        yield st;
      }
      case THROUGH -> {
        Stage<?> st =
            switch (g.sources.get(i)) {
              case Stage<?> running -> running;
              case dev.flowstage.flow.plan.ProducerConsumerFactory f ->
                  system.startProducerConsumer(
                      building(name, () -> made(f)), producerOptions(g, name, false));
              default ->
                  throw new IllegalArgumentException(
                      "through expects flow-stages Stage handles, got: " + g.sources.get(i));
            };
        // The user's stage consumes the upstream layer as the flow's own stages would.
        for (Topology.Input in : g.inputs) {
          for (Stage<?> up : stages.get(in.from())) {
            try {
              st.subscribeTo(up, subscription(g.options, -1), SUBSCRIBE_TIMEOUT);
            } catch (RuntimeException e) {
              if (up.exitReason().orElse(null) instanceof ExitReason.Failure gone) {
                // The flow's own stage failed while the run was starting (a source read through
                // a publisher fails at once): that failure is the run's, the user's stage is fine.
                throw gone.cause() instanceof FlowException fe
                    ? fe
                    : new FlowException(up.name(), gone.cause());
              }
              if (st.exitReason().orElse(null) instanceof ExitReason gone) {
                // Flow.through refused a stage of the wrong kind when the plan was built; what is
                // left here is one that exited since (an earlier run's input ended it).
                throw new IllegalArgumentException(
                    "through's stage "
                        + st.name()
                        + " has exited ("
                        + gone
                        + ") and cannot subscribe to this run; a running stage serves one run:"
                        + " start a new one and build the flow again, or use"
                        + " throughProducerConsumers(...), whose stages each run makes",
                    e);
              }
              throw new IllegalArgumentException(
                  "through expects running producer-consumer stages; "
                      + st.name()
                      + " cannot subscribe: "
                      + e.getMessage(),
                  e);
            }
          }
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
        // A user's producer (fromStages) cannot be held in accumulate mode as the flow's own
        // sources are: its readers subscribe only on release, when the run is wired and announced.
        // A through stage's readers subscribe at once: it emits only what the held upstream gives
        // it, and a failure it stops with then reaches them as the cascade it is, not as a stage
        // found gone (reported twice) whose failure nobody watched (logged).
        boolean held = g.inputs.stream().anyMatch(in -> in.from().kind == Topology.Kind.STAGE);
        LayerStage layer =
            new LayerStage(
                name, building(name, () -> g.logic(i, clock::millis)), inputs, opts, held, clock);
        layerStages.put(name, layer);
        Stage<?> stage = system.startProducerConsumer(layer, producerOptions(g, name, false));
        layers.add(stage);
        yield stage;
      }
    };
  }

  private static Producer<Object> enumerable(String name, Object source) {
    SingleUse.claim(source);
    return building(name, () -> enumerable0(name, source));
  }

  private static Producer<Object> enumerable0(String name, Object source) {
    return switch (source) {
      // in memory, never blocks: pulled on the stage's own thread
      case Collection<?> c -> Producers.fromIterator(c.iterator(), Producers.OnCancel.STOP);
      case Stream<?> s -> new EnumerableProducer(name, s.iterator(), s);
      case Iterator<?> it -> new EnumerableProducer(name, it, null);
      case Iterable<?> it -> new EnumerableProducer(name, it.iterator(), null);
      case java.util.concurrent.Flow.Publisher<?> p ->
          Producers.fromPublisher(p, Producers.OnCancel.STOP);
      case dev.flowstage.flow.plan.ProducerFactory f -> made(f);
      default -> throw new IllegalArgumentException("not an enumerable: " + source);
    };
  }

  /**
   * The producer-consumer a {@code throughProducerConsumers} factory makes for this run, ended with
   * its input ({@link EndsWithInput}).
   */
  @SuppressWarnings("unchecked")
  private static ProducerConsumer<Object, Object> made(
      dev.flowstage.flow.plan.ProducerConsumerFactory f) {
    return new EndsWithInput<>(
        (ProducerConsumer<Object, Object>)
            made(f.factory(), "throughProducerConsumers", "ProducerConsumer"));
  }

  /** The producer a {@code fromProducers} factory makes for this run. */
  @SuppressWarnings("unchecked")
  private static Producer<Object> made(dev.flowstage.flow.plan.ProducerFactory f) {
    return (Producer<Object>) made(f.factory(), "fromProducers", "Producer");
  }

  /**
   * What a factory of the user's made for this run ({@code fromProducers}, {@code
   * throughProducerConsumers}, {@code intoConsumers}): one check that it made something.
   *
   * @param factory the user's factory
   * @param operation the Flow method it was given to, for the message
   * @param type what it should make, for the message
   * @return what it made
   * @throws IllegalArgumentException if it returned null
   */
  static Object made(java.util.function.Supplier<?> factory, String operation, String type) {
    Object made = factory.get();
    if (made == null) {
      throw new IllegalArgumentException(
          (operation.startsWith("i") ? "an " : "a ")
              + operation
              + " factory returned null, not a "
              + type);
    }
    return made;
  }

  /**
   * Runs user code that builds a stage on the starting thread (an {@code Iterable}'s {@code
   * iterator()}, a reduce's, trigger's or departition's {@code init}): its failure is that stage's
   * failure, so the terminal throws it as the {@link FlowException} naming the stage that every
   * other stage failure is, not bare.
   */
  static <X> X building(String stage, Supplier<X> build) {
    try {
      return build.get();
    } catch (RuntimeException e) {
      throw new FlowException(stage, e);
    }
  }

  /** A {@code TRANSIENT} subscription; with {@code partition >= 0}, to that partition. */
  private static SubscriptionOptions subscription(Options o, int partition) {
    SubscriptionOptions.Builder b =
        SubscriptionOptions.builder()
            .maxDemand(o.maxDemand())
            .minDemand(o.effectiveMinDemand())
            .cancel(CancelMode.TRANSIENT);
    if (partition >= 0) {
      b.partition(partition); // automatic demand: see BoundedPartitionDispatcher
    }
    return b.build();
  }

  private ProducerOptions<Object> producerOptions(
      Topology.Group g, String name, boolean accumulate) {
    ProducerOptions.Builder<Object> b = ProducerOptions.<Object>builder().name(name);
    b.dispatcher(dispatcher(g, name));
    if (accumulate) {
      b.demandMode(DemandMode.ACCUMULATE);
    }
    return b.build();
  }

  /** The dispatcher of a group: what its outgoing edge routes by. */
  private Supplier<Dispatcher<Object>> dispatcher(Topology.Group g, String name) {
    Topology.Input edge = topology.outgoing(g);
    if (edge == null || !edge.partitioned()) {
      return Dispatchers::demand;
    }
    int n = edge.route().partitions();
    ToIntFunction<Object> hash = edge.partials() ? Combining::partitionOf : edge.route();
    // Not Dispatchers.partition: see BoundedPartitionDispatcher (bounded memory, exact demand).
    return () -> new BoundedPartitionDispatcher(name, n, hash);
  }

  /**
   * The last layer's stages, which the terminal (or the caller's consumers) consume.
   *
   * @return the stages, in order
   */
  List<Stage<?>> last() {
    return stages(topology.last);
  }

  /**
   * The stages started for a group, in member order.
   *
   * @param group a group of this materializer's topology
   * @return its stages; empty before they are started
   */
  List<Stage<?>> stages(Topology.Group group) {
    return stages.getOrDefault(group, List.of());
  }

  /**
   * The group a stage of this run belongs to; groups are numbered from the sources down.
   *
   * @param stage a stage this materializer started
   * @return its group's id; {@code Integer.MAX_VALUE} for the terminal, below every group; 0 for a
   *     stage it did not start
   */
  int groupOf(Stage<?> stage) {
    if (stage == terminalStage) {
      return Integer.MAX_VALUE; // downstream of every group
    }
    for (Map.Entry<Topology.Group, List<Stage<?>>> e : stages.entrySet()) {
      if (e.getValue().contains(stage)) {
        return e.getKey().id;
      }
    }
    return 0;
  }

  /**
   * The flow's own terminal consumer; {@code null} for a run started with consumers.
   *
   * @return the consumer the terminal iterator reads
   */
  TerminalConsumer terminal() {
    return terminal;
  }

  /**
   * The stage the terminal consumer runs in; {@code null} for a run started with consumers.
   *
   * @return the terminal's stage, which asks the last layer for more
   */
  Stage<?> terminalStage() {
    return terminalStage;
  }

  /**
   * Sends a named trigger to every flow stage (the stages that run logic), in each one's mailbox
   * order.
   *
   * @param name the trigger's name
   */
  void fire(String name) {
    for (Topology.Group g : topology.groups) {
      Topology.Kind k = g.kind;
      if (k == Topology.Kind.MAP_REDUCE
          || k == Topology.Kind.ZIP
          || k == Topology.Kind.JOIN
          || k == Topology.Kind.DEPARTITION) {
        for (Stage<?> s : stages(g)) {
          s.send(new LayerStage.Fire(name));
        }
      }
    }
  }

  /**
   * The live counters of every stage started so far, read without stopping anything.
   *
   * @return the counters, as a running flow's statistics (the coordinator sets state and time)
   */
  FlowStatistics counters() {
    Map<String, Long> late = new TreeMap<>();
    layerStages.forEach(
        (name, layer) -> {
          long n = layer.lateDropped();
          if (n > 0) {
            late.put(name, n);
          }
        });
    List<StageStats> all = new ArrayList<>();
    for (Topology.Group g : topology.groups) {
      for (Stage<?> s : stages(g)) {
        all.add(s.stats());
      }
    }
    return new FlowStatistics(
        system.name(),
        FlowState.RUNNING,
        Duration.ZERO,
        all,
        malformed.get() + topology.fusedMalformed.sum(),
        late,
        topology.skippedFiles());
  }
}
