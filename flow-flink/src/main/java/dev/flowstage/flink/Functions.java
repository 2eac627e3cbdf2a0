package dev.flowstage.flink;

import dev.flowstage.flow.Options;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableBinaryOperator;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.SerializableToIntFunction;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.io.Serial;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.Collector;

/**
 * The Flink functions a translated flow runs: each wraps the plan's own (serializable) user
 * functions, so Flink ships exactly what the local runtime would call.
 */
final class Functions {
  private Functions() {}

  /**
   * A fused chain of per-event operations ({@code map}, {@code flatMap}, {@code filter}, {@code
   * reject}, {@code each}, {@code uniq}), as a layer stage of the local runtime compiles it. Each
   * Flink subtask deserializes its own copy, so each {@code uniq} set belongs to one subtask, as it
   * belongs to one stage locally; a subtask runs its chain on one thread.
   */
  static final class Steps implements java.io.Serializable {
    @Serial private static final long serialVersionUID = 1L;
    private final Operation[] ops;

    /** Per {@code uniq} operation (by index), the keys it has passed; created on first use. */
    private transient Set<Object>[] seen;

    Steps(List<Operation> ops) {
      this.ops = ops.toArray(Operation[]::new);
    }

    /** Runs the chain on one event; what survives goes to {@code out}. */
    void run(Object event, Collector<Object> out) {
      run(0, event, out);
    }

    private void run(int from, Object event, Collector<Object> out) {
      Object e = event;
      for (int i = from; i < ops.length; i++) {
        switch (ops[i]) {
          case Operation.Map m -> e = m.fn().apply(e);
          case Operation.Filter f -> {
            if (!f.predicate().test(e)) {
              return;
            }
          }
          case Operation.Reject r -> {
            if (r.predicate().test(e)) {
              return;
            }
          }
          case Operation.Each x -> x.action().accept(e);
          case Operation.Uniq u -> {
            if (!seen(i).add(u.by().apply(e))) {
              return;
            }
          }
          case Operation.FlatMap fm -> {
            Iterable<?> many = fm.fn().apply(e);
            if (many == null) {
              throw new NullPointerException("flatMap function returned null for " + e);
            }
            for (Object o : many) {
              run(i + 1, o, out);
            }
            return;
          }
          default -> throw new IllegalStateException("not a per-event operation: " + ops[i]);
        }
      }
      out.collect(e);
    }

    @SuppressWarnings("unchecked")
    private Set<Object> seen(int op) {
      if (seen == null) {
        seen = (Set<Object>[]) new Set<?>[ops.length];
      }
      if (seen[op] == null) {
        seen[op] = new HashSet<>();
      }
      return seen[op];
    }
  }

  /** The per-event operations of a layer before its reduce (or all of them without one). */
  static final class Chain implements FlatMapFunction<Object, Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final Steps steps;

    Chain(List<Operation> ops) {
      this.steps = new Steps(ops);
    }

    @Override
    public void flatMap(Object event, Collector<Object> out) {
      steps.run(event, out);
    }
  }

  /**
   * What one subtask runs over its whole input on the task thread: each event as it arrives, then
   * {@link #end} once the input is over. Each subtask deserializes its own copy, so the state of an
   * implementation (in transient fields, set in {@link #open}) belongs to one subtask, as a local
   * stage's state belongs to that stage.
   */
  interface Logic extends java.io.Serializable {
    /**
     * Prepares the subtask's state.
     *
     * @param index the subtask's index
     * @param total the operator's parallelism
     */
    void open(int index, int total);

    /**
     * Handles one event.
     *
     * @param event the event
     * @param out where emitted events go
     */
    void event(Object event, Collector<Object> out);

    /**
     * Handles the end of the input.
     *
     * @param out where emitted events go
     */
    void end(Collector<Object> out);
  }

  /**
   * Runs a {@link Logic} as a Flink operator: events and the end of the input ({@link
   * BoundedOneInput}) both on the task thread. (Flink's {@code fullWindowPartition().mapPartition}
   * runs its function on a second thread, which may emit while the task thread forwards a
   * watermark; it is safe only for functions that emit after their whole input, like an aggregate.)
   */
  static final class LogicOperator extends AbstractStreamOperator<Object>
      implements OneInputStreamOperator<Object, Object>, BoundedOneInput {
    @Serial private static final long serialVersionUID = 1L;
    private final Logic logic;
    private transient TimestampedCollector<Object> out;

    LogicOperator(Logic logic) {
      this.logic = logic;
    }

    @Override
    public void open() throws Exception {
      super.open();
      out = new TimestampedCollector<>(output);
      var task = getRuntimeContext().getTaskInfo();
      logic.open(task.getIndexOfThisSubtask(), task.getNumberOfParallelSubtasks());
    }

    @Override
    public void processElement(StreamRecord<Object> element) {
      logic.event(element.getValue(), out);
    }

    @Override
    public void endInput() {
      logic.end(out);
    }
  }

  /**
   * A layer's {@code mapBatch} functions over each subtask's events, cut into batches of at most
   * {@code maxDemand} events: locally a stage applies them to each delivered batch, which holds at
   * most {@code maxDemand} events and whose exact size depends on demand; here every batch but the
   * last of a subtask is full. Each batch is a fresh list the functions may keep or change.
   */
  static final class MapBatches implements Logic {
    @Serial private static final long serialVersionUID = 1L;
    // An ArrayList: the field's type must be Serializable.
    private final ArrayList<SerializableFunction<List<Object>, List<Object>>> fns;
    private final int maxDemand;
    private transient List<Object> batch;

    MapBatches(List<SerializableFunction<List<Object>, List<Object>>> fns, int maxDemand) {
      this.fns = new ArrayList<>(fns);
      this.maxDemand = maxDemand;
    }

    @Override
    public void open(int index, int total) {
      batch = newBatch();
    }

    private List<Object> newBatch() {
      return new ArrayList<>(Math.min(maxDemand, 1024));
    }

    @Override
    public void event(Object event, Collector<Object> out) {
      batch.add(event);
      if (batch.size() == maxDemand) {
        List<Object> full = batch;
        batch = newBatch();
        apply(full, out);
      }
    }

    @Override
    public void end(Collector<Object> out) {
      if (!batch.isEmpty()) {
        apply(batch, out);
      }
    }

    private void apply(List<Object> events, Collector<Object> out) {
      List<Object> b = events;
      for (SerializableFunction<List<Object>, List<Object>> fn : fns) {
        b = fn.apply(b);
        if (b == null) {
          throw new NullPointerException("mapBatch function returned null");
        }
      }
      for (int i = 0, n = b.size(); i < n; i++) {
        out.collect(b.get(i));
      }
    }
  }

  /**
   * The windowed reduce of one subtask, as flow-core's {@code Windows} runs it in one stage, for
   * the windows whose panes depend only on the order of the subtask's events: the global window or
   * {@code Window.count(n)}, optionally with {@code triggerEvery(n)}. Window assignment and
   * triggers count raw events (before the layer's per-event operations); the reduce is {@code
   * reduce} or {@code emitAndReduce}; each trigger calls {@code onTrigger} (or emits the
   * accumulator, for a {@code reduce} without one); the end of the input fires {@code done} on the
   * open pane.
   */
  static final class Panes implements Logic, Collector<Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final Window.Kind kind;
    private final int count;
    private final int every;
    private final Steps before;
    private final Operation reduce;
    private final SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> onTrigger;
    private final Steps after;

    // The subtask and its open pane.
    private transient int index;
    private transient int total;
    private transient Collector<Object> out;
    private transient long id;
    private transient Object acc;
    private transient long events;
    private transient int sinceEvery;

    /**
     * @param kind {@code GLOBAL} or {@code COUNT}
     * @param count events per pane of a count window, 0 for the global window
     * @param every the {@code triggerEvery} count, 0 without
     * @param before the per-event operations before the reduce
     * @param reduce a {@link Operation.Reduce} or {@link Operation.EmitAndReduce}
     * @param onTrigger the onTrigger function, or {@code null}
     * @param after the per-event operations after the reduce
     */
    Panes(
        Window.Kind kind,
        int count,
        int every,
        List<Operation> before,
        Operation reduce,
        SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> onTrigger,
        List<Operation> after) {
      if (!(reduce instanceof Operation.Reduce || reduce instanceof Operation.EmitAndReduce)) {
        throw new IllegalArgumentException("not a reduce: " + reduce);
      }
      this.kind = kind;
      this.count = count;
      this.every = every;
      this.before = new Steps(before);
      this.reduce = reduce;
      this.onTrigger = onTrigger;
      this.after = new Steps(after);
    }

    @Override
    public void open(int index, int total) {
      this.index = index;
      this.total = total;
      openPane(0);
    }

    private void openPane(long paneId) {
      id = paneId;
      acc =
          reduce instanceof Operation.Reduce r
              ? r.init().get()
              : ((Operation.EmitAndReduce) reduce).init().get();
      events = 0;
      sinceEvery = 0;
    }

    @Override
    public void event(Object event, Collector<Object> out) {
      this.out = out;
      before.run(event, this);
      if (every > 0 && ++sinceEvery == every) {
        sinceEvery = 0;
        fire(Trigger.EVERY);
      }
      if (count > 0 && ++events == count) {
        fire(Trigger.DONE);
        openPane(id + 1);
      }
    }

    @Override
    public void end(Collector<Object> out) {
      this.out = out;
      fire(Trigger.DONE);
    }

    /** The end of the pre-reduce chain: folds one event into the open pane. */
    @Override
    public void collect(Object event) {
      switch (reduce) {
        case Operation.Reduce r -> acc = r.reducer().apply(acc, event);
        case Operation.EmitAndReduce r -> {
          TriggerResult<Object, Object> result = r.reducer().apply(event, acc);
          if (result == null) {
            throw new NullPointerException("emitAndReduce reducer returned null");
          }
          for (Object e : result.events()) {
            after.run(e, out);
          }
          acc = result.accumulator();
        }
        default -> throw new IllegalStateException("not a reduce: " + reduce);
      }
    }

    @Override
    public void close() {}

    private void fire(String name) {
      if (onTrigger != null) {
        TriggerResult<Object, Object> r =
            onTrigger.apply(acc, new Trigger(name, kind, id, index, total));
        if (r == null) {
          throw new NullPointerException("onTrigger function returned null");
        }
        for (Object e : r.events()) {
          after.run(e, out);
        }
        acc = r.accumulator();
      } else if (reduce instanceof Operation.Reduce) {
        after.run(acc, out);
      }
    }
  }

  /**
   * A mutable box for the accumulator: Flink's full-window {@code aggregate} keeps the accumulator
   * it created and ignores what {@code add} returns, while a Flowstage reducer may return a new
   * accumulator (an immutable {@code Long}, say).
   */
  static final class Box {
    Object value;

    Box(Object value) {
      this.value = value;
    }
  }

  /**
   * The reduce of a layer as a Flink aggregate over a whole partition: {@code createAccumulator} is
   * {@code init}, {@code add} the reducer, {@code merge} the combiner when there is one, and the
   * result the accumulator itself (one per partition, like a Flowstage stage).
   */
  static final class Fold implements AggregateFunction<Object, Box, Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final SerializableSupplier<Object> init;
    private final SerializableBiFunction<Object, Object, Object> reducer;
    private final SerializableBinaryOperator<Object> combiner;

    /**
     * @param init a fresh accumulator
     * @param reducer folds one event (or, with a combiner, also merges a {@link Partial})
     * @param combiner merges two accumulators, or {@code null}
     */
    Fold(
        SerializableSupplier<Object> init,
        SerializableBiFunction<Object, Object, Object> reducer,
        SerializableBinaryOperator<Object> combiner) {
      this.init = init;
      this.reducer = reducer;
      this.combiner = combiner;
    }

    @Override
    public Box createAccumulator() {
      return new Box(init.get());
    }

    @Override
    public Box add(Object event, Box acc) {
      Object next =
          event instanceof Partial p && combiner != null
              ? combiner.apply(acc.value, p.accumulator)
              : reducer.apply(acc.value, event);
      if (next == null) {
        throw new NullPointerException("reduce reducer returned null for " + event);
      }
      acc.value = next;
      return acc;
    }

    @Override
    public Object getResult(Box acc) {
      return acc.value;
    }

    @Override
    public Box merge(Box a, Box b) {
      if (combiner == null) {
        throw new UnsupportedOperationException(
            "this reduce has no combiner: use Flow.reduce(init, reducer, combiner)");
      }
      a.value = combiner.apply(a.value, b.value);
      return a;
    }
  }

  /**
   * What a reducing layer does with its accumulator at the end of its input (the global window's
   * only trigger, {@code done}): the {@code onTrigger} function or a departition's {@code done}
   * function, or the accumulator itself; then the per-event operations after the reduce.
   */
  static final class AtDone extends RichFlatMapFunction<Object, Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> onTrigger;
    private final SerializableFunction<Object, Object> done;
    private final Steps after;
    private transient Trigger trigger;

    /**
     * @param onTrigger the layer's onTrigger function, or {@code null}
     * @param done a departition's done function, or {@code null}
     * @param after the per-event operations after the reduce
     */
    AtDone(
        SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> onTrigger,
        SerializableFunction<Object, Object> done,
        List<Operation> after) {
      this.onTrigger = onTrigger;
      this.done = done;
      this.after = new Steps(after);
    }

    @Override
    public void open(OpenContext context) {
      var task = getRuntimeContext().getTaskInfo();
      // Runs forward-chained after the aggregate, so its subtask is the partition's index.
      trigger =
          new Trigger(
              Trigger.DONE,
              Window.Kind.GLOBAL,
              0,
              task.getIndexOfThisSubtask(),
              task.getNumberOfParallelSubtasks());
    }

    @Override
    public void flatMap(Object acc, Collector<Object> out) {
      if (onTrigger != null) {
        TriggerResult<Object, Object> r = onTrigger.apply(acc, trigger);
        if (r == null) {
          throw new NullPointerException("onTrigger function returned null");
        }
        for (Object e : r.events()) {
          after.run(e, out);
        }
      } else if (done != null) {
        after.run(done.apply(acc), out);
      } else {
        after.run(acc, out);
      }
    }
  }

  /**
   * The partition of an event as the local runtime computes it: {@link Dispatchers#partitionOf} of
   * the key (or the whole event), or the user hash, which may return {@link Options#DROP}.
   */
  static final class Route implements java.io.Serializable {
    @Serial private static final long serialVersionUID = 1L;
    private final int partitions;
    private final SerializableFunction<Object, ?> key;
    private final SerializableToIntFunction<Object> hash;

    Route(
        int partitions,
        SerializableFunction<Object, ?> key,
        SerializableToIntFunction<Object> hash) {
      this.partitions = partitions;
      this.key = key;
      this.hash = hash;
    }

    int partitions() {
      return partitions;
    }

    boolean dropping() {
      return hash != null;
    }

    /** Returns the partition in {@code [0, partitions)}, or {@link Options#DROP}. */
    int of(Object event) {
      if (hash == null) {
        return Dispatchers.partitionOf(key == null ? event : key.apply(event), partitions);
      }
      int p = hash.applyAsInt(event);
      if (p != Options.DROP && (p < 0 || p >= partitions)) {
        throw new IllegalArgumentException(
            "hash(...) returned partition "
                + p
                + " for "
                + event
                + "; return a value in [0, "
                + partitions
                + ") or Options.DROP");
      }
      return p;
    }
  }

  /** Drops the events a user hash sends to {@link Options#DROP}. */
  static final class NotDropped implements FilterFunction<Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final Route route;

    NotDropped(Route route) {
      this.route = route;
    }

    @Override
    public boolean filter(Object event) {
      return route.of(event) != Options.DROP;
    }
  }

  /** The whole event is the "key" Flink hands to {@link ByRoute}. */
  static final class Whole implements KeySelector<Object, Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Object getKey(Object event) {
      return event;
    }
  }

  /**
   * Flink's custom partitioner with Flowstage's routing: a {@link Partial} goes where its
   * accumulator was folded for, any other event by its {@link Route}.
   */
  static final class ByRoute implements Partitioner<Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final Route route;

    ByRoute(Route route) {
      this.route = route;
    }

    @Override
    public int partition(Object event, int numPartitions) {
      if (numPartitions != route.partitions()) {
        throw new IllegalStateException(
            "partition layer has " + numPartitions + " subtasks, expected " + route.partitions());
      }
      int p = event instanceof Partial partial ? partial.partition : route.of(event);
      if (p == Options.DROP) {
        throw new IllegalStateException("dropped event reached the partitioner: " + event);
      }
      return p;
    }
  }

  /**
   * A partial accumulator on its way to the downstream partition that owns every key folded into it
   * (see the three-argument {@code Flow.reduce}). Serialized by Flink's Kryo, hence the no-arg
   * constructor and mutable fields.
   */
  static final class Partial {
    int partition;
    Object accumulator;

    Partial() {}

    Partial(int partition, Object accumulator) {
      this.partition = partition;
      this.accumulator = accumulator;
    }

    @Override
    public String toString() {
      return "Partial[" + partition + "]";
    }
  }

  /**
   * Pre-reduces the events of one upstream subtask into one accumulator per downstream partition,
   * as the local runtime's stages do upstream of a reduce with a combiner.
   */
  static final class PreReduce implements AggregateFunction<Object, Object[], Object[]> {
    @Serial private static final long serialVersionUID = 1L;
    private final SerializableSupplier<Object> init;
    private final SerializableBiFunction<Object, Object, Object> reducer;
    private final Route route;

    /**
     * @param init a fresh accumulator
     * @param reducer folds one event
     * @param route the downstream routing, or {@code null} when it does not route by key (one
     *     partial per upstream subtask)
     */
    PreReduce(
        SerializableSupplier<Object> init,
        SerializableBiFunction<Object, Object, Object> reducer,
        Route route) {
      this.init = init;
      this.reducer = reducer;
      this.route = route;
    }

    @Override
    public Object[] createAccumulator() {
      return new Object[route == null ? 1 : route.partitions()];
    }

    @Override
    public Object[] add(Object event, Object[] accs) {
      int p = route == null ? 0 : route.of(event);
      if (p == Options.DROP) {
        return accs;
      }
      Object acc = accs[p] == null ? init.get() : accs[p];
      acc = reducer.apply(acc, event);
      if (acc == null) {
        throw new NullPointerException("reduce reducer returned null for " + event);
      }
      accs[p] = acc;
      return accs;
    }

    @Override
    public Object[] getResult(Object[] accs) {
      return accs;
    }

    @Override
    public Object[] merge(Object[] a, Object[] b) {
      throw new UnsupportedOperationException("partition-local pre-reduce never merges");
    }
  }

  /** Sends one {@link Partial} per downstream partition that got events. */
  static final class EmitPartials implements FlatMapFunction<Object[], Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(Object[] accs, Collector<Object> out) {
      for (int p = 0; p < accs.length; p++) {
        if (accs[p] != null) {
          out.collect(new Partial(p, Objects.requireNonNull(accs[p])));
        }
      }
    }
  }
}
