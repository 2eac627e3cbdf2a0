package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.logic.Combining;
import dev.flowstage.flow.logic.DepartitionLogic;
import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.flow.logic.JoinLogic;
import dev.flowstage.flow.logic.Layers;
import dev.flowstage.flow.logic.MapReducer;
import dev.flowstage.flow.logic.Route;
import dev.flowstage.flow.logic.StageLogic;
import dev.flowstage.flow.logic.ZipLogic;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Routing;
import dev.flowstage.flow.plan.Plan.Source;
import dev.flowstage.flow.plan.PlanRules;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The stage graph of a plan, before anything runs: groups of stages (a source's producers, a
 * layer's stages) and who subscribes to whom with which dispatcher. The materializer starts one
 * stage per group member; {@link Describe} renders the same graph, so what is printed is what runs.
 * Immutable: every field is final and every list unmodifiable, so the materializer, the coordinator
 * and the description read one graph from any thread.
 *
 * <p>Shapes (Flow's {@code Flow.Materialize}): a source with operations gets {@code stages}
 * map-reduce stages fed by a demand dispatcher; without operations its producers are the layer (and
 * get the next layer's dispatcher directly). A partition routes with a partition dispatcher by key
 * hash (or the user's hash, which may drop); one stage without key or hash, or shuffle, with a
 * demand dispatcher.
 */
final class Topology {
  enum Kind {
    ENUMERABLE("enumerable"),
    FILE("file"),
    STAGE("stage"),
    /** Running producer-consumers of the user's ({@code through}): not started or owned here. */
    THROUGH("through"),
    MAP_REDUCE("map-reduce"),
    ZIP("zip"),
    JOIN("join"),
    DEPARTITION("departition");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  /**
   * An edge of the graph: every stage of {@code from} feeds the consuming group, on a side (0, or 1
   * for a zip/join right), routed by {@code route} (a partition dispatcher over {@code
   * route.partitions()} stages) or, when {@code null}, by demand. Routing lives here, on the edge,
   * not on the groups. With {@code partials}, {@code from} pre-reduces and sends only {@link
   * Combining.Partial}s, routed by the partition each carries.
   *
   * @param from the producing group
   * @param side 0, or 1 for the right side of a zip or join
   * @param route the partition routing, or {@code null} for demand
   * @param partials whether {@code from} sends partial accumulators
   */
  record Input(Group from, int side, Route route, boolean partials) {
    Input(Group from, int side) {
      this(from, side, null, false);
    }

    /** Whether the edge routes by partition. */
    boolean partitioned() {
      return route != null;
    }
  }

  /**
   * A group of identical stages. Immutable: built by {@link Builder} once everything about it is
   * known (a downstream reduce that makes it pre-reduce, a departition per window that makes it tag
   * its events), after the groups it reads from.
   */
  static final class Group {
    final int id;
    final Kind kind;
    final int stages;
    final Plan plan;
    final List<Operation> operations;
    final List<Input> inputs;
    final Options options;
    final List<Object> sources;
    final List<FileRanges.Range> ranges;
    final Charset charset;
    // when this group pre-reduces for a downstream reduce with a combiner, or null
    final Combining.Target combine;
    // whether this group feeds a departition per window: it tags events with their window
    final boolean tagPanes;

    private Group(Draft d, List<Input> inputs) {
      this.id = d.id;
      this.kind = d.kind;
      this.stages = d.stages;
      this.plan = d.plan;
      this.operations = List.copyOf(d.operations);
      this.inputs = List.copyOf(inputs);
      this.options = d.options;
      this.sources = List.copyOf(d.sources);
      this.ranges = List.copyOf(d.ranges);
      this.charset = d.charset;
      this.combine = d.combine;
      this.tagPanes = d.tagPanes;
    }

    String name() {
      return "g" + id;
    }

    int inputStages() {
      int n = 0;
      for (Input in : inputs) {
        n += in.from().stages;
      }
      return n;
    }

    /** The side of each upstream stage, in input order (as the materializer numbers them). */
    int[] sides() {
      int[] sides = new int[inputStages()];
      int i = 0;
      for (Input in : inputs) {
        for (int s = 0; s < in.from().stages; s++) {
          sides[i++] = in.side();
        }
      }
      return sides;
    }

    /** Builds the logic of member stage {@code index}. */
    StageLogic logic(int index, LongSupplier clock) {
      return switch (plan.source()) {
        case Source.Zip z -> new ZipLogic(sides(), z.combiner(), after(index, clock));
        case Source.Join j ->
            new JoinLogic(
                j.mode(),
                sides(),
                j.leftKey(),
                j.rightKey(),
                j.join(),
                j.maxHeld(),
                j.window(),
                after(index, clock));
        // The merge of a departition is a first reduce in the global window; the layer's own
        // operations (possibly a reduce of their own, in the layer's window) follow it.
        case Source.Departition d when Layers.perWindow(d) ->
            new DepartitionLogic(d.init(), d.merge(), d.done(), inputStages(), after(index, clock));
        case Source.Departition d ->
            new MapReducer(
                operations,
                Layers.departitionWindows(options.window()),
                index,
                stages,
                Math.max(1, inputStages()),
                clock,
                combine,
                tagPanes);
        default ->
            new MapReducer(
                operations,
                List.of(options.window()),
                index,
                stages,
                Math.max(1, inputStages()),
                clock,
                combine,
                tagPanes);
      };
    }

    /** The layer's operations after a zip or join pairs its inputs: one ordered input. */
    private StageLogic after(int index, LongSupplier clock) {
      return new MapReducer(
          operations, List.of(options.window()), index, stages, 1, clock, combine, tagPanes);
    }
  }

  /** The groups in build order: every group comes after the groups it reads from. */
  final List<Group> groups;

  final Group last;

  /** Each group's outgoing edge (the last group has none): what its dispatcher routes by. */
  private final Map<Group, Input> outgoing;

  /**
   * The malformed input the fused word counts' readers replace ({@link FusedWordCount}), counted
   * with the file sources' in the statistics.
   */
  final LongAdder fusedMalformed;

  /**
   * What the file sources left out, per {@link FileSelection.Skip} (its ordinal): their listings,
   * counted while the topology is built, and the streams their producers leave out as binary when
   * they open them ({@link FileProducer}), counted while the run goes.
   */
  final AtomicLongArray skipped;

  private Topology(
      List<Group> groups, Group last, LongAdder fusedMalformed, AtomicLongArray skippedFiles) {
    this.groups = List.copyOf(groups);
    this.last = last;
    this.fusedMalformed = fusedMalformed;
    this.skipped = skippedFiles;
    Map<Group, Input> out = new IdentityHashMap<>();
    for (Group g : this.groups) {
      for (Input in : g.inputs) {
        out.put(in.from(), in);
      }
    }
    this.outgoing = Collections.unmodifiableMap(out);
  }

  /**
   * Returns what the file sources left out so far, by reason ({@link FileSelection.Skip#label}),
   * the reasons that left out nothing omitted.
   *
   * @return the counts, in the reasons' order
   */
  Map<String, Long> skippedFiles() {
    Map<String, Long> out = new java.util.LinkedHashMap<>();
    for (FileSelection.Skip why : FileSelection.Skip.values()) {
      long n = skipped.get(why.ordinal());
      if (n > 0) {
        out.put(why.label(), n);
      }
    }
    return out;
  }

  /**
   * Returns the edge a group's output travels on.
   *
   * @param g a group of this topology
   * @return its outgoing edge, or {@code null} for the last group (the terminal consumes it)
   */
  Input outgoing(Group g) {
    return outgoing.get(g);
  }

  /**
   * Builds the topology of a plan; validates what only the whole plan shows.
   *
   * @param plan the flow's last layer
   * @return the topology
   * @throws IllegalArgumentException for a window on a layer that does not reduce
   */
  static Topology of(Plan plan) {
    // A file word count whose files can be read as bytes runs on the byte path (ADR 0009); the
    // files are listed here, as for any file source.
    LongAdder malformed = new LongAdder();
    AtomicLongArray skipped = new AtomicLongArray(FileSelection.Skip.values().length);
    Plan run = FusedWordCount.apply(plan, malformed, skipped);
    return new Builder(skipped).build(run, malformed);
  }

  /**
   * A group while the plan is walked: what a downstream layer decides about its upstream group
   * ({@code combine}, {@code tagPanes}) is set here, before any {@link Group} exists.
   */
  private static final class Draft {
    final int id;
    final Kind kind;
    final int stages;
    final Plan plan;
    final List<Operation> operations;
    final Options options;
    final List<DraftInput> inputs = new ArrayList<>();
    List<Object> sources = List.of();
    List<FileRanges.Range> ranges = List.of();
    Charset charset;
    Combining.Target combine;
    boolean tagPanes;

    Draft(int id, Kind kind, int stages, Plan plan, List<Operation> ops, Options options) {
      this.id = id;
      this.kind = kind;
      this.stages = stages;
      this.plan = plan;
      this.operations = ops;
      this.options = options;
    }
  }

  /** An edge while the plan is walked; becomes an {@link Input}. */
  private record DraftInput(Draft from, int side, Route route, boolean partials) {
    DraftInput(Draft from, int side) {
      this(from, side, null, false);
    }
  }

  /** Walks a plan into drafts, then freezes them, upstream first, into the topology's groups. */
  private static final class Builder {
    private final List<Draft> drafts = new ArrayList<>();

    /** Counts what the file sources' listings leave out, per {@link FileSelection.Skip}. */
    private final AtomicLongArray skipped;

    /** Set while walking a zip side whose source is a file source: it is read by one producer. */
    private boolean ordered;

    Builder(AtomicLongArray skipped) {
      this.skipped = skipped;
    }

    Topology build(Plan plan, LongAdder fusedMalformed) {
      Draft last = walk(plan);
      // A draft's inputs were added before it (ids grow downstream), so they are frozen first.
      List<Group> groups = new ArrayList<>(drafts.size());
      for (Draft d : drafts) {
        List<Input> inputs = new ArrayList<>(d.inputs.size());
        for (DraftInput in : d.inputs) {
          inputs.add(new Input(groups.get(in.from().id), in.side(), in.route(), in.partials()));
        }
        groups.add(new Group(d, inputs));
      }
      return new Topology(groups, groups.get(last.id), fusedMalformed, skipped);
    }

    /**
     * How many producers read a file source's ranges: one per range up to the layer's stage count
     * (at least two, so reading overlaps the first range's consumer even on one stage), each taking
     * the next unread range when it finishes one. A producer per range made a folder of 20 000
     * small files 20 000 stages with two subscriptions each (14 s and 1.4 GB for 5 MB of text);
     * reading a range is rarely slower than consuming its lines, and a reader blocked on the disk
     * gives its carrier to the others.
     */
    private static int fileReaders(int ranges, Options o) {
      return Math.min(ranges, Math.max(2, o.stages()));
    }

    private Draft add(Kind kind, int stages, Plan plan, List<Operation> ops, Options options) {
      Draft g = new Draft(drafts.size(), kind, stages, plan, ops, options);
      drafts.add(g);
      return g;
    }

    private Draft walk(Plan p) {
      Options o = p.options();
      PlanRules.runnable(p);
      return switch (p.source()) {
        case Source.Enumerables e -> {
          Draft src = add(Kind.ENUMERABLE, e.enumerables().size(), p, List.of(), o);
          src.sources = e.enumerables();
          yield mapLayer(src, p);
        }
        case Source.Files f -> {
          Charset cs = Charset.forName(o.charset());
          List<FileRanges.Range> ranges =
              FileRanges.split(
                  f.paths(),
                  o.splitBytes(),
                  cs,
                  f.options(),
                  (path, why) -> skipped.incrementAndGet(why.ordinal()));
          Draft src;
          if (ranges.isEmpty()) {
            src = add(Kind.ENUMERABLE, 1, p, List.of(), o);
            src.sources = List.of(List.of());
          } else {
            // A zip side pairs by position: one producer reads its ranges one after the other in
            // path order (a folder's files); two would interleave them.
            int readers = ordered ? 1 : fileReaders(ranges.size(), o);
            src = add(Kind.FILE, readers, p, List.of(), o);
            src.ranges = ranges;
            src.charset = cs;
          }
          yield mapLayer(src, p);
        }
        case Source.Stages s -> {
          Draft src = add(Kind.STAGE, s.producers().size(), p, List.of(), o);
          src.sources = s.producers();
          Draft g = add(Kind.MAP_REDUCE, o.stages(), p, p.operations(), o);
          g.inputs.add(new DraftInput(src, 0));
          yield g;
        }
        case Source.Through t -> {
          Draft up = walk(t.upstream());
          Draft ext = add(Kind.THROUGH, t.stages().size(), p, List.of(), o);
          ext.sources = t.stages();
          ext.inputs.add(new DraftInput(up, 0));
          Draft g = add(Kind.MAP_REDUCE, o.stages(), p, p.operations(), o);
          g.inputs.add(new DraftInput(ext, 0));
          yield g;
        }
        case Source.Layer l -> {
          List<Draft> ups = new ArrayList<>();
          Operation.Reduce combining = Layers.combining(p);
          for (Plan up : l.upstream()) {
            Draft g = walk(up);
            if (combining != null && (g.kind == Kind.ENUMERABLE || g.kind == Kind.FILE)) {
              // Bare producers cannot fold: give them a layer of stages that pre-reduce.
              Draft pre = add(Kind.MAP_REDUCE, up.options().stages(), up, List.of(), up.options());
              pre.inputs.add(new DraftInput(g, 0));
              g = pre;
            }
            ups.add(g);
          }
          List<Operation> ops = p.operations();
          if (combining != null) {
            ops = Layers.merging(ops, combining);
          }
          Draft g0 = add(Kind.MAP_REDUCE, o.stages(), p, ops, o);
          // One stage needs no routing, unless a key or hash decides (it may drop or fail).
          Route route =
              l.routing() instanceof Routing.Partition part
                      && (o.stages() > 1 || part.key() != null || part.hash() != null)
                  ? new Route(o.stages(), part.key(), part.hash())
                  : null;
          for (Draft up : ups) {
            boolean partials = combining != null && up.kind != Kind.ZIP && up.kind != Kind.JOIN;
            if (partials) {
              up.combine =
                  Layers.target(
                      combining,
                      route == null ? 1 : route.partitions(),
                      route == null ? e -> 0 : route);
            }
            g0.inputs.add(new DraftInput(up, 0, route, partials));
          }
          yield g0;
        }
        case Source.Departition d -> {
          Draft up = walk(d.upstream());
          boolean perWindow = Layers.perWindow(d);
          up.tagPanes = perWindow;
          List<Operation> ops = perWindow ? p.operations() : Layers.departition(d, p.operations());
          Draft g = add(Kind.DEPARTITION, 1, p, ops, o.stages(1));
          g.inputs.add(new DraftInput(up, 0));
          yield g;
        }
        case Source.Zip z -> {
          Draft left = zipSide(z.left());
          Draft right = zipSide(z.right());
          Draft g = add(Kind.ZIP, 1, p, p.operations(), o.stages(1));
          g.inputs.add(new DraftInput(left, 0));
          g.inputs.add(new DraftInput(right, 1));
          yield g;
        }
        case Source.Join j -> {
          Draft left = walk(j.left());
          Draft right = walk(j.right());
          Draft g = add(Kind.JOIN, o.stages(), p, p.operations(), o);
          boolean byKey = o.stages() > 1;
          g.inputs.add(
              new DraftInput(
                  left, 0, byKey ? new Route(o.stages(), j.leftKey(), null) : null, false));
          g.inputs.add(
              new DraftInput(
                  right, 1, byKey ? new Route(o.stages(), j.rightKey(), null) : null, false));
          yield g;
        }
      };
    }

    /** Walks a side of a zip; a file source there is read in order, by one producer. */
    private Draft zipSide(Plan side) {
      ordered = side.source() instanceof Source.Files;
      try {
        return walk(side);
      } finally {
        ordered = false;
      }
    }

    private Draft mapLayer(Draft src, Plan p) {
      if (p.operations().isEmpty()) {
        return src;
      }
      Draft g = add(Kind.MAP_REDUCE, p.options().stages(), p, p.operations(), p.options());
      g.inputs.add(new DraftInput(src, 0));
      return g;
    }
  }

  /** The graph node kind of a run's own terminal consumer ({@code toList}, {@code stream}...). */
  static final String TERMINAL = "terminal";

  /** The graph node kind of the consumers a run starts for {@code intoConsumers}. */
  static final String INTO = "into";

  /**
   * Renders a run of the topology as a public graph: its groups, then the run's own consumers of
   * the last layer as one more node (named as their stages are, {@code g<n>.<i>}), fed by demand.
   *
   * @param kind {@link #TERMINAL} or {@link #INTO}
   * @param stages how many consumers
   * @return the graph
   */
  FlowGraph graph(String kind, int stages) {
    FlowGraph layers = graph();
    List<FlowGraph.Node> nodes = new ArrayList<>(layers.nodes());
    List<FlowGraph.Edge> edges = new ArrayList<>(layers.edges());
    String id = consumersNode();
    nodes.add(new FlowGraph.Node(id, kind, stages, ""));
    edges.add(new FlowGraph.Edge(last.name(), id, "demand"));
    return new FlowGraph(nodes, edges);
  }

  /**
   * The graph node id of a run's own consumers of the last layer (its terminal, or the consumers
   * {@code intoConsumers} starts), also the prefix of their stages' names: the group after every
   * group of the flow.
   *
   * @return {@code g<n>}, {@code n} the number of groups
   */
  String consumersNode() {
    return "g" + groups.size();
  }

  /** Renders the topology as a public graph (a plan's: {@code Flow.graph()}). */
  FlowGraph graph() {
    List<FlowGraph.Node> nodes = new ArrayList<>();
    List<FlowGraph.Edge> edges = new ArrayList<>();
    for (Group g : groups) {
      String ops = operations(g.operations);
      if (g.combine != null) {
        ops = ops.isEmpty() ? "pre-reduce" : ops + ", pre-reduce";
      }
      nodes.add(new FlowGraph.Node(g.name(), g.kind.label, g.stages, ops));
      for (Input in : g.inputs) {
        edges.add(
            new FlowGraph.Edge(
                in.from().name(), g.name(), in.partitioned() ? "partition" : "demand"));
      }
    }
    return new FlowGraph(nodes, edges);
  }

  static String operations(List<Operation> ops) {
    StringJoiner j = new StringJoiner(", ");
    for (Operation op : ops) {
      j.add(Describe.name(op));
    }
    return j.toString();
  }
}
