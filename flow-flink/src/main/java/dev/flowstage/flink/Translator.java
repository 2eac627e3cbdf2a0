package dev.flowstage.flink;

import dev.flowstage.flow.Window;
import dev.flowstage.flow.logic.Combining;
import dev.flowstage.flow.logic.Layers;
import dev.flowstage.flow.logic.NullEvent;
import dev.flowstage.flow.logic.Route;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Routing;
import dev.flowstage.flow.plan.Plan.Source;
import dev.flowstage.flow.plan.PlanRules;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.stream.BaseStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.PartitionTransformation;
import org.apache.flink.streaming.api.transformations.UnionTransformation;

/**
 * Translates a plan, layer by layer, into Flink operators, mirroring the local runtime's topology
 * (flow-core's {@code Topology}): each layer with operations is one operator of {@code stages}
 * parallel subtasks that runs flow-core's own stage logic ({@code dev.flowstage.flow.logic}), a
 * partition routes with flow-core's {@code Route}, a reduce with a combiner is pre-reduced upstream
 * by the same logic, and a departition is one subtask. The compile decisions shared with the local
 * materializer come from {@link Layers}; nothing here re-implements an operator.
 */
final class Translator {
  private static final String LOCAL_ONLY = " runs only on the local runtime (Flow.toList/run/...)";

  @SuppressWarnings({"unchecked", "rawtypes"})
  static final TypeInformation<Object> ANY = (TypeInformation) Types.GENERIC(Object.class);

  private final StreamExecutionEnvironment env;

  Translator(StreamExecutionEnvironment env) {
    this.env = env;
  }

  /** The Flink stream of everything the last layer of {@code p} emits. */
  DataStream<Object> layer(Plan p) {
    return layer(p, false);
  }

  /**
   * The Flink stream of the last layer of {@code p}, its events tagged with their window when
   * {@code tagPanes} (it feeds a departition per window).
   */
  private DataStream<Object> layer(Plan p, boolean tagPanes) {
    Window window = p.options().window();
    PlanRules.runnable(p);
    int stages = p.options().stages();
    List<Operation> ops = p.operations();
    List<Window> windows = List.of(window);
    Functions.PerWindow perWindow = null;
    boolean bareSource =
        (p.source() instanceof Source.Enumerables || p.source() instanceof Source.Files)
            && ops.isEmpty();
    // A fixed window first in a layer fed by several upstream subtasks or sources tracks each as an
    // input of its own, as a local stage tracks each upstream stage (their events come tagged); fed
    // by one, its merged input is that producer's channel.
    boolean eventTime = window instanceof Window.Fixed && !ops.isEmpty();
    int inputs = 1;
    DataStream<Object> in;
    switch (p.source()) {
      case Source.Enumerables e -> in = enumerables(e, p);
      case Source.Files f -> in = files(f, p);
      case Source.Layer l -> {
        Routed r = routed(l, p, eventTime);
        in = r.stream();
        inputs = r.inputs();
        Operation.Reduce combining = Layers.combining(p);
        if (combining != null) {
          ops = Layers.merging(ops, combining);
        }
      }
      case Source.Departition d -> {
        // One subtask merges what every upstream subtask emits, as the local departition stage.
        stages = 1;
        if (Layers.perWindow(d)) {
          in = layer(d.upstream(), true);
          perWindow = new Functions.PerWindow(d.init(), d.merge(), d.done(), in.getParallelism());
        } else {
          in = layer(d.upstream());
          ops = Layers.departition(d, ops);
          windows = Layers.departitionWindows(window);
          eventTime &= windows.get(0) instanceof Window.Fixed;
        }
      }
      case Source.Stages s -> throw unsupported("Flow.fromStages (running stages)");
      case Source.Through t -> throw unsupported("Flow.through (stages of this JVM)");
      case Source.Zip z -> throw unsupported("zip");
      case Source.Join j -> {
        return join(j, p, tagPanes);
      }
    }
    if (bareSource) {
      // As locally: an operation-less source layer is its producers, with no stages of its own.
      return in;
    }
    if (eventTime
        && perWindow == null
        && !(p.source() instanceof Source.Layer)
        && producers(in.getTransformation()) > 1) {
      // sources (or a departition's upstream subtasks) feed the stages on demand: round robin
      int[] next = {0};
      in = tagged(in, next, stages, null);
      inputs = next[0];
    }
    return in.transform(
            names(ops, "pass"),
            ANY,
            new Functions.LogicOperator(
                new Functions.LayerLogic(ops, windows, null, tagPanes, perWindow, inputs),
                p.options().maxDemand()))
        .setParallelism(stages);
  }

  /**
   * A partition/shuffle/merge layer's input.
   *
   * @param stream the upstream layers' events, routed to the layer's subtasks
   * @param inputs how many upstream subtasks the layer tracks as inputs of their own (their events
   *     tagged), or 1 for one merged input
   */
  private record Routed(DataStream<Object> stream, int inputs) {}

  /**
   * How many subtasks produce {@code t}: the sum over a union's inputs, through a partitioning, so
   * the number of upstream channels of each subtask reading it.
   */
  private static int producers(Transformation<?> t) {
    return switch (t) {
      case UnionTransformation<?> u -> u.getInputs().stream().mapToInt(Translator::producers).sum();
      case PartitionTransformation<?> pt -> producers(pt.getInputs().get(0));
      default -> t.getParallelism();
    };
  }

  /**
   * {@code s} with each of its producing subtasks (each input's, for a union) tagging its events
   * with its input number and sending its end to every subtask ({@link Functions.Tagger}), routed
   * to the subtasks they name. Input numbers count on from {@code next[0]}, which is advanced past
   * them (so it ends as the number of inputs the layer tracks).
   */
  private DataStream<Object> tagged(DataStream<Object> s, int[] next, int stages, Route route) {
    DataStream<Object> all = tags(s, next, stages, route);
    return all.partitionCustom(new Functions.ByTarget(), new Functions.Whole());
  }

  @SuppressWarnings("unchecked")
  private DataStream<Object> tags(DataStream<Object> s, int[] next, int stages, Route route) {
    if (s.getTransformation() instanceof UnionTransformation<Object> u) {
      DataStream<Object> all = null;
      for (Transformation<?> t : u.getInputs()) {
        DataStream<Object> w =
            tags(new DataStream<>(env, (Transformation<Object>) t), next, stages, route);
        all = all == null ? w : all.union(w);
      }
      return all;
    }
    int offset = next[0];
    next[0] += s.getParallelism();
    return s.transform("tag upstream subtask", ANY, new Functions.Tagger(offset, stages, route))
        .setParallelism(s.getParallelism());
  }

  private DataStream<Object> enumerables(Source.Enumerables e, Plan p) {
    DataStream<Object> all = null;
    int i = 0;
    for (Object source : e.enumerables()) {
      if (source instanceof FlinkInput input) {
        DataStream<Object> s = input.stream(env, Charset.forName(p.options().charset()));
        all = all == null ? s : all.union(s);
        i++;
        continue;
      }
      if (!(source instanceof Collection<?>)
          && source instanceof Iterable<?> it
          && IterableSource.shippable(it)) {
        // Read when the job runs, as the local source reads it: it may be long, or endless.
        DataStream<Object> s =
            env.fromSource(
                    new IterableSource(it), WatermarkStrategy.noWatermarks(), "iterable " + i, ANY)
                .setParallelism(1)
                .map(new Functions.UnwrapNull(), ANY)
                .name("null events")
                .setParallelism(1);
        all = all == null ? s : all.union(s);
        i++;
        continue;
      }
      List<Object> events = new ArrayList<>();
      switch (source) {
        case Collection<?> c -> events.addAll(c);
        case Iterable<?> it -> copy(it, events);
        case BaseStream<?, ?> s ->
            throw new IllegalArgumentException(
                "Flow.fromEnumerable(Stream) can be consumed once and cannot be shipped to Flink:"
                    + " collect it into a List first, or run the flow on the local runtime");
        case Iterator<?> it ->
            throw new IllegalArgumentException(
                "Flow.fromEnumerable(Iterator) can be consumed once and cannot be shipped to"
                    + " Flink: collect it into a List first, or run the flow on the local runtime");
        case dev.flowstage.flow.plan.ProducerFactory f ->
            throw unsupported("Flow.fromProducers (producers of this JVM)");
        case java.util.concurrent.Flow.Publisher<?> pub ->
            throw new IllegalArgumentException(
                "Flow.fromPublisher reads a publisher of this JVM, which cannot be shipped to"
                    + " Flink: read the events through a Flink source instead"
                    + " (FlinkFlows.fromSource or FlinkFlows.fromDataStream), or run the flow on"
                    + " the local runtime");
        default ->
            throw new IllegalArgumentException(
                "cannot ship enumerable of " + source.getClass().getName() + " to Flink");
      }
      // fromData ships the events inside the job, serialized with Flink's (Kryo) serializer. It
      // fails at run time on an empty collection, so an empty source is one event filtered out.
      boolean nulls = events.contains(null);
      if (nulls) {
        // fromData refuses null elements: ship a marker and turn it back into null in the job
        events.replaceAll(NullEvent::wrap);
      }
      DataStream<Object> s =
          events.isEmpty()
              ? env.fromData(List.<Object>of(Boolean.FALSE), ANY)
                  .filter(event -> false)
                  .name("empty enumerable " + i)
                  .setParallelism(1)
              : env.fromData(events, ANY).name("enumerable " + i);
      if (nulls) {
        s = s.map(new Functions.UnwrapNull(), ANY).name("null events").setParallelism(1);
      }
      all = all == null ? s : all.union(s);
      i++;
    }
    return all;
  }

  /**
   * The most events of an {@code Iterable} that cannot be serialized (so cannot be read when the
   * job runs) that are copied into the job when it is built.
   */
  static final int MAX_COPIED = 1_000_000;

  /**
   * Copies a non-serializable {@code Iterable} into {@code events}, failing past {@link
   * #MAX_COPIED} events: it may never end, and the build must not hang.
   */
  private static void copy(Iterable<?> iterable, List<Object> events) {
    Iterator<?> it = iterable.iterator();
    while (it.hasNext()) {
      if (events.size() == MAX_COPIED) {
        throw new IllegalArgumentException(
            "Flow.fromEnumerable(Iterable) of "
                + iterable.getClass().getName()
                + ", which is not serializable, is copied into the Flink job when it is built, and"
                + " it has more than "
                + MAX_COPIED
                + " events (it may never end): make the Iterable java.io.Serializable, so that"
                + " Flink reads it lazily when the job runs, pass a List, or read the events"
                + " through a Flink source (FlinkFlows.fromSource)");
      }
      events.add(it.next());
    }
  }

  private DataStream<Object> files(Source.Files f, Plan p) {
    // The same reader as FlinkFlows.fromFiles: flow-core's file selection and line rules, with the
    // source's FileOptions, through Flink's file systems.
    return new FlinkInput.Files(f.paths(), f.options())
        .stream(env, Charset.forName(p.options().charset()));
  }

  /**
   * A join layer: each side routed by its key with flow-core's {@link Route} (as the local join
   * stages are fed), then flow-core's {@code JoinLogic} in a two-input operator per subtask.
   */
  private DataStream<Object> join(Source.Join j, Plan p, boolean tagPanes) {
    int stages = p.options().stages();
    DataStream<Object> leftIn = layer(j.left());
    DataStream<Object> rightIn = layer(j.right());
    // A window join fed by several upstream subtasks tracks each as an input of its own, as the
    // local join stage does (their events come tagged); with one producer a side, each side's
    // merged input is that producer's channel.
    int leftProducers = producers(leftIn.getTransformation());
    int rightProducers = producers(rightIn.getTransformation());
    int[] sides = null;
    DataStream<Object> left;
    DataStream<Object> right;
    if (j.window() instanceof Window.Fixed && (leftProducers > 1 || rightProducers > 1)) {
      int[] next = {0};
      left =
          tagged(leftIn, next, stages, stages == 1 ? null : new Route(stages, j.leftKey(), null));
      int leftInputs = next[0];
      right =
          tagged(rightIn, next, stages, stages == 1 ? null : new Route(stages, j.rightKey(), null));
      sides = new int[next[0]];
      Arrays.fill(sides, leftInputs, sides.length, 1);
    } else {
      left = joinSide(leftIn, stages, j.leftKey());
      right = joinSide(rightIn, stages, j.rightKey());
    }
    Functions.JoinSpec spec =
        new Functions.JoinSpec(
            j,
            sides,
            new Functions.LayerLogic(
                p.operations(), List.of(p.options().window()), null, tagPanes, null, 1));
    return left.connect(right)
        .transform(
            "join, " + names(p.operations(), "no operations"),
            ANY,
            new Functions.JoinOperator(spec, p.options().maxDemand()))
        .setParallelism(stages);
  }

  private static DataStream<Object> joinSide(
      DataStream<Object> side,
      int stages,
      dev.flowstage.flow.SerializableFunction<Object, Object> key) {
    if (stages == 1) {
      return side.rebalance();
    }
    return side.partitionCustom(
        new Functions.ByRoute(new Route(stages, key, null)), new Functions.Whole());
  }

  /** Whether any source of {@code p} is a Flink stream that may be unbounded. */
  static boolean mayBeUnbounded(Plan p) {
    return switch (p.source()) {
      case Source.Enumerables e ->
          e.enumerables().stream()
              .anyMatch(s -> s instanceof FlinkInput input && input.mayBeUnbounded());
      case Source.Layer l -> l.upstream().stream().anyMatch(Translator::mayBeUnbounded);
      case Source.Departition d -> mayBeUnbounded(d.upstream());
      case Source.Zip z -> mayBeUnbounded(z.left()) || mayBeUnbounded(z.right());
      case Source.Join j -> mayBeUnbounded(j.left()) || mayBeUnbounded(j.right());
      case Source.Through t -> mayBeUnbounded(t.upstream());
      case Source.Files f -> false;
      case Source.Stages st -> false;
    };
  }

  /**
   * Whether any layer of {@code p} runs processing-time timers: a periodic window, {@code
   * triggerPeriodically}, or a fixed window's allowed lateness. Such a plan runs in streaming mode
   * even over bounded sources, so its timers fire while the input still flows, as locally.
   */
  static boolean usesProcessingTime(Plan p) {
    if (timers(p.options().window())) {
      return true;
    }
    return switch (p.source()) {
      case Source.Layer l -> l.upstream().stream().anyMatch(Translator::usesProcessingTime);
      case Source.Departition d -> usesProcessingTime(d.upstream());
      case Source.Zip z -> usesProcessingTime(z.left()) || usesProcessingTime(z.right());
      case Source.Join j ->
          timers(j.window()) || usesProcessingTime(j.left()) || usesProcessingTime(j.right());
      case Source.Through t -> usesProcessingTime(t.upstream());
      case Source.Enumerables e -> false;
      case Source.Files f -> false;
      case Source.Stages st -> false;
    };
  }

  private static boolean timers(Window w) {
    return w instanceof Window.Periodic
        || !w.triggers().periodicallyMillis().isEmpty()
        || (w instanceof Window.Fixed f && f.allowedLatenessMillis() > 0);
  }

  /**
   * The upstream layers of a partition/shuffle/merge, routed to this layer's subtasks; when the
   * layer's fixed window comes first ({@code eventTime}) and several subtasks produce its input,
   * each tags its events as an input of its own.
   */
  private Routed routed(Source.Layer l, Plan p, boolean eventTime) {
    int stages = p.options().stages();
    // As the local runtime (Topology): one stage needs no hashing, unless a key or hash was given,
    // which still decides what is dropped (Options.DROP).
    Route route =
        l.routing() instanceof Routing.Partition part
                && (stages > 1 || part.key() != null || part.hash() != null)
            ? new Route(stages, part.key(), part.hash())
            : null;
    Operation.Reduce combining = Layers.combining(p);
    List<DataStream<Object>> ups = new ArrayList<>();
    int producers = 0;
    for (Plan up : l.upstream()) {
      DataStream<Object> s = layer(up);
      ups.add(s);
      producers += producers(s.getTransformation());
    }
    boolean tagged = eventTime && producers > 1;
    DataStream<Object> all = null;
    for (int i = 0; i < ups.size(); i++) {
      Plan up = l.upstream().get(i);
      DataStream<Object> s = ups.get(i);
      if (combining != null) {
        // Each upstream subtask folds its events into one partial per downstream subtask, with the
        // same logic a local upstream stage runs, and sends only the partials.
        Combining.Target target =
            Layers.target(combining, route == null ? 1 : stages, route == null ? e -> 0 : route);
        s =
            s.transform(
                    "pre-reduce",
                    ANY,
                    new Functions.LogicOperator(
                        new Functions.LayerLogic(
                            List.of(), List.of(Window.global()), target, false, null, 1),
                        up.options().maxDemand()))
                .setParallelism(s.getParallelism())
                .filter(new Functions.NotDropped(Combining::partitionOf))
                .name("partials")
                .setParallelism(s.getParallelism());
      } else if (route != null && route.mayDrop()) {
        s =
            s.filter(new Functions.NotDropped(route))
                .name("hash drop")
                .setParallelism(s.getParallelism());
      }
      all = all == null ? s : all.union(s);
    }
    if (tagged) {
      // each upstream subtask an input of its own; combining needs a global window, so is off here
      int[] next = {0};
      DataStream<Object> in = tagged(all, next, stages, route);
      return new Routed(in, next[0]);
    }
    if (route != null) {
      return new Routed(
          all.partitionCustom(new Functions.ByRoute(route), new Functions.Whole()), 1);
    }
    return new Routed(all.rebalance(), 1);
  }

  private static String names(List<Operation> ops, String none) {
    if (ops.isEmpty()) {
      return none;
    }
    StringBuilder b = new StringBuilder();
    for (Operation op : ops) {
      if (!b.isEmpty()) {
        b.append(", ");
      }
      b.append(op.getClass().getSimpleName());
    }
    return b.toString();
  }

  private static UnsupportedOperationException unsupported(String what) {
    return new UnsupportedOperationException(
        what
            + " cannot be translated to Flink: it"
            + LOCAL_ONLY
            + ". On Flink: enumerables (collections), files, Flink streams, mapBatch at the start"
            + " of a layer, map/flatMap/filter/reject/each/uniq, partition/shuffle/merge,"
            + " reduce, emitAndReduce and onTrigger in every window with every trigger,"
            + " departition; instead of zip, key both flows and use a join or a reduce after"
            + " merge");
  }
}
