package dev.flowstage.flink;

import dev.flowstage.flink.Functions.Route;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Routing;
import dev.flowstage.flow.plan.Plan.Source;
import java.io.File;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.stream.BaseStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Translates a plan, layer by layer, into Flink operators, mirroring the local runtime's topology
 * (flow-core's {@code Topology}): a layer's operations run in {@code stages} parallel subtasks, a
 * partition routes with Flowstage's own hash, a reduce folds a whole partition into one accumulator
 * (or, with {@code emitAndReduce}, a count window or {@code triggerEvery}, runs the local {@code
 * Windows} state machine per subtask), a departition merges every partition's output in one
 * subtask. Per-stage state (uniq sets, accumulators, panes) is per subtask.
 */
final class Translator {
  private static final String LOCAL_ONLY = " runs only on the local runtime (Flow.toList/run/...)";

  @SuppressWarnings({"unchecked", "rawtypes"})
  static final TypeInformation<Object> ANY = (TypeInformation) Types.GENERIC(Object.class);

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final TypeInformation<Object[]> ACCUMULATORS =
      (TypeInformation) Types.GENERIC(Object[].class);

  private final StreamExecutionEnvironment env;

  Translator(StreamExecutionEnvironment env) {
    this.env = env;
  }

  /** The operations of one layer, split around its reduce. */
  private record Shape(
      List<SerializableFunction<List<Object>, List<Object>>> batchFns,
      List<Operation> before,
      Operation reduce,
      Operation.OnTrigger onTrigger,
      List<Operation> after) {

    static Shape of(Plan p) {
      List<SerializableFunction<List<Object>, List<Object>>> batchFns = new ArrayList<>();
      List<Operation> before = new ArrayList<>();
      List<Operation> after = new ArrayList<>();
      Operation reduce = null;
      Operation.OnTrigger onTrigger = null;
      for (Operation op : p.operations()) {
        switch (op) {
          // The builder accepts mapBatch only at the start of a layer.
          case Operation.MapBatch b -> batchFns.add(b.fn());
          case Operation.Reduce r -> reduce = r;
          case Operation.EmitAndReduce r -> reduce = r;
          case Operation.OnTrigger t -> onTrigger = t;
          case Operation.Map m -> (reduce == null ? before : after).add(op);
          case Operation.FlatMap m -> (reduce == null ? before : after).add(op);
          case Operation.Filter m -> (reduce == null ? before : after).add(op);
          case Operation.Reject m -> (reduce == null ? before : after).add(op);
          case Operation.Each m -> (reduce == null ? before : after).add(op);
          case Operation.Uniq m -> (reduce == null ? before : after).add(op);
        }
      }
      return new Shape(batchFns, before, reduce, onTrigger, after);
    }
  }

  /** The Flink stream of everything the last layer of {@code p} emits. */
  DataStream<Object> layer(Plan p) {
    Shape shape = Shape.of(p);
    Window window = p.options().window();
    if (!(window instanceof Window.Global) && shape.reduce() == null) {
      // As flow-core's Topology: a window only shapes a reduce; the global window's triggers are
      // ignored without one.
      throw new IllegalArgumentException(
          "a "
              + window.kind()
              + " window was set on a layer that does not reduce: add reduce/groupBy/emitAndReduce"
              + " after it, or remove the window");
    }
    int stages = p.options().stages();
    DataStream<Object> in =
        switch (p.source()) {
          case Source.Enumerables e -> enumerables(e);
          case Source.Files f -> files(f, p);
          case Source.Layer l -> routed(l, p);
          case Source.Departition d -> {
            // The layer's own operations follow done(acc); without a reduce they are all in
            // shape.before().
            if (shape.reduce() != null || shape.onTrigger() != null) {
              throw unsupported("a reduce after departition");
            }
            if (!shape.batchFns().isEmpty()) {
              // Locally the departition stage applies it to the partitions' output batches before
              // merging them: a quirk of fusing, not worth mirroring.
              throw unsupported("mapBatch after departition");
            }
            DataStream<Object> up = layer(d.upstream());
            DataStream<Object> merged =
                up.fullWindowPartition()
                    .aggregate(new Functions.Fold(d.init(), d.merge(), null))
                    .returns(ANY)
                    .name("departition")
                    .setParallelism(1);
            yield merged
                .flatMap(new Functions.AtDone(null, d.done(), shape.before()))
                .returns(ANY)
                .name("departition done")
                .setParallelism(1);
          }
          case Source.Stages s -> throw unsupported("Flow.fromStages (running stages)");
          case Source.Zip z -> throw unsupported("zip");
          case Source.Join j -> throw unsupported("boundedJoin");
        };
    if (p.source() instanceof Source.Departition) {
      return in;
    }
    boolean bareSource = !(p.source() instanceof Source.Layer);
    if (bareSource && p.operations().isEmpty()) {
      // As locally: an operation-less source layer is its producers, with no stages of its own.
      return in;
    }
    DataStream<Object> out = in;
    if (!shape.batchFns().isEmpty()) {
      out =
          out.transform(
                  "mapBatch",
                  ANY,
                  new Functions.LogicOperator(
                      new Functions.MapBatches(shape.batchFns(), p.options().maxDemand())))
              .setParallelism(stages);
    }
    if (shape.reduce() == null) {
      return out.flatMap(new Functions.Chain(shape.before()))
          .returns(ANY)
          .name(names(shape.before(), "pass"))
          .setParallelism(stages);
    }
    Window w = window;
    if (shape.reduce() instanceof Operation.Reduce r && withoutTriggers(w, Window.Kind.GLOBAL)) {
      return folded(out, r, shape, p);
    }
    // Every other supported reduce runs as flow-core's Windows does, one state per subtask; its
    // windows and triggers count raw events, so the per-event operations run inside it.
    int count = windowCount(w);
    String name =
        (shape.reduce() instanceof Operation.Reduce ? "reduce" : "emitAndReduce")
            + (count > 0 ? " count(" + count + ")" : "")
            + (w.triggers().every() > 0 ? " every(" + w.triggers().every() + ")" : "");
    return out.transform(
            name,
            ANY,
            new Functions.LogicOperator(
                new Functions.Panes(
                    w.kind(),
                    count,
                    w.triggers().every(),
                    shape.before(),
                    shape.reduce(),
                    shape.onTrigger() == null ? null : shape.onTrigger().fn(),
                    shape.after())))
        .setParallelism(stages);
  }

  /**
   * A reduce in the global window without triggers: the per-event chain, then one Flink aggregate
   * per subtask (merging partial accumulators when the upstream pre-reduced), then onTrigger and
   * the operations after the reduce.
   */
  private DataStream<Object> folded(
      DataStream<Object> in, Operation.Reduce r, Shape shape, Plan p) {
    int stages = p.options().stages();
    DataStream<Object> out =
        in.flatMap(new Functions.Chain(shape.before()))
            .returns(ANY)
            .name(names(shape.before(), "pass"))
            .setParallelism(stages)
            .fullWindowPartition()
            .aggregate(new Functions.Fold(r.init(), r.reducer(), combining(p)))
            .returns(ANY)
            .name("reduce")
            .setParallelism(stages);
    if (shape.onTrigger() != null || !shape.after().isEmpty()) {
      out =
          out.flatMap(
                  new Functions.AtDone(
                      shape.onTrigger() == null ? null : shape.onTrigger().fn(),
                      null,
                      shape.after()))
              .returns(ANY)
              .name(names(shape.after(), "onTrigger"))
              .setParallelism(stages);
    }
    return out;
  }

  /**
   * The events per pane of a layer's window: {@code n} for {@code Window.count(n)}, 0 for the
   * global window; any other window or trigger is rejected.
   */
  private static int windowCount(Window w) {
    Window.Triggers t = w.triggers();
    if (!t.periodicallyMillis().isEmpty()) {
      throw unsupported("a window trigger triggerPeriodically (it fires by wall-clock time)");
    }
    if (t.function() != null) {
      throw unsupported(
          "a window trigger function trigger(...) (it sees the local runtime's demand batches)");
    }
    return switch (w) {
      case Window.Global g -> 0;
      case Window.Count c -> c.count();
      default ->
          throw unsupported(
              "a "
                  + w.kind()
                  + " window (its panes close by wall-clock time or by a watermark over"
                  + " the local stages' inputs)");
    };
  }

  private static boolean withoutTriggers(Window w, Window.Kind kind) {
    Window.Triggers t = w.triggers();
    return w.kind() == kind
        && t.every() == 0
        && t.periodicallyMillis().isEmpty()
        && t.function() == null;
  }

  private DataStream<Object> enumerables(Source.Enumerables e) {
    DataStream<Object> all = null;
    int i = 0;
    for (Object source : e.enumerables()) {
      List<Object> events = new ArrayList<>();
      switch (source) {
        case Collection<?> c -> events.addAll(c);
        case Iterable<?> it -> it.forEach(events::add);
        case BaseStream<?, ?> s ->
            throw new IllegalArgumentException(
                "Flow.fromEnumerable(Stream) can be consumed once and cannot be shipped to Flink:"
                    + " collect it into a List first, or run the flow on the local runtime");
        case Iterator<?> it ->
            throw new IllegalArgumentException(
                "Flow.fromEnumerable(Iterator) can be consumed once and cannot be shipped to"
                    + " Flink: collect it into a List first, or run the flow on the local runtime");
        default ->
            throw new IllegalArgumentException(
                "cannot ship enumerable of " + source.getClass().getName() + " to Flink");
      }
      // fromData ships the events inside the job, serialized with Flink's (Kryo) serializer. It
      // fails at run time on an empty collection, so an empty source is one event filtered out.
      DataStream<Object> s =
          events.isEmpty()
              ? env.fromData(List.<Object>of(Boolean.FALSE), ANY)
                  .filter(event -> false)
                  .name("empty enumerable " + i)
                  .setParallelism(1)
              : env.fromData(events, ANY).name("enumerable " + i);
      all = all == null ? s : all.union(s);
      i++;
    }
    return all;
  }

  private DataStream<Object> files(Source.Files f, Plan p) {
    Charset charset = Charset.forName(p.options().charset());
    Path[] paths = new Path[f.paths().size()];
    for (int i = 0; i < paths.length; i++) {
      paths[i] = Path.fromLocalFile(new File(f.paths().get(i)).getAbsoluteFile());
    }
    FileSource<String> source =
        FileSource.forRecordStreamFormat(new TextLineInputFormat(charset.name()), paths)
            // Like the local runtime, read every file under a directory: Flink's default
            // enumerator skips names starting with '.' or '_'.
            .setFileEnumerator(() -> new NonSplittingRecursiveEnumerator(path -> true))
            .build();
    @SuppressWarnings({"unchecked", "rawtypes"})
    DataStream<Object> lines =
        (DataStream)
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "files", Types.STRING);
    return lines;
  }

  /** The upstream layers of a partition/shuffle/merge, routed to this layer's subtasks. */
  private DataStream<Object> routed(Source.Layer l, Plan p) {
    int stages = p.options().stages();
    // Like the local runtime, one stage means no hashing at all: key and hash are ignored.
    Route route =
        l.routing() instanceof Routing.Partition part && stages > 1
            ? new Route(stages, part.key(), part.hash())
            : null;
    Operation.Reduce combining = combiningReduce(p);
    DataStream<Object> all = null;
    for (Plan up : l.upstream()) {
      DataStream<Object> s = layer(up);
      int parallelism =
          up.operations().isEmpty() && !(up.source() instanceof Source.Layer)
              ? up.options().stages()
              : s.getParallelism();
      if (combining != null) {
        s =
            s.fullWindowPartition()
                .aggregate(new Functions.PreReduce(combining.init(), combining.reducer(), route))
                .returns(ACCUMULATORS)
                .name("pre-reduce")
                .setParallelism(parallelism)
                .flatMap(new Functions.EmitPartials())
                .returns(ANY)
                .name("partials")
                .setParallelism(parallelism);
      } else if (route != null && route.dropping()) {
        s =
            s.filter(new Functions.NotDropped(route))
                .name("hash drop")
                .setParallelism(s.getParallelism());
      }
      all = all == null ? s : all.union(s);
    }
    if (route != null) {
      return all.partitionCustom(new Functions.ByRoute(route), new Functions.Whole());
    }
    return all.rebalance();
  }

  /**
   * The reduce whose upstream subtasks pre-reduce, as in flow-core's {@code Topology}: a reduce
   * with a combiner, first in a partition/shuffle/merge layer, in the global window without
   * triggers.
   */
  private static Operation.Reduce combiningReduce(Plan p) {
    if (p.source() instanceof Source.Layer
        && !p.operations().isEmpty()
        && p.operations().get(0) instanceof Operation.Reduce r
        && r.combiner() != null
        && withoutTriggers(p.options().window(), Window.Kind.GLOBAL)) {
      return r;
    }
    return null;
  }

  private static dev.flowstage.flow.SerializableBinaryOperator<Object> combining(Plan p) {
    Operation.Reduce r = combiningReduce(p);
    return r == null ? null : r.combiner();
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
            + ". On Flink: enumerables (collections), files, mapBatch at the start of a layer,"
            + " map/flatMap/filter/reject/each/uniq, partition/shuffle/merge, reduce,"
            + " emitAndReduce and onTrigger in the global window or Window.count(n), optionally"
            + " with triggerEvery(n), departition");
  }
}
