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
import dev.flowstage.flow.internal.Plan.Operation;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.io.Serial;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.util.Collector;

/**
 * The Flink functions a translated flow runs: each wraps the plan's own (serializable) user
 * functions, so Flink ships exactly what the local runtime would call.
 */
final class Functions {
  private Functions() {}

  /**
   * Runs a fused chain of per-event operations ({@code map}, {@code flatMap}, {@code filter},
   * {@code reject}, {@code each}) on one event, as a layer stage of the local runtime does.
   */
  static void run(Operation[] ops, int from, Object event, Collector<Object> out) {
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
        case Operation.FlatMap fm -> {
          Iterable<?> many = fm.fn().apply(e);
          if (many == null) {
            throw new NullPointerException("flatMap function returned null for " + e);
          }
          for (Object o : many) {
            run(ops, i + 1, o, out);
          }
          return;
        }
        default -> throw new IllegalStateException("not a per-event operation: " + ops[i]);
      }
    }
    out.collect(e);
  }

  /** The per-event operations of a layer before its reduce (or all of them without one). */
  static final class Chain implements FlatMapFunction<Object, Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final Operation[] ops;

    Chain(List<Operation> ops) {
      this.ops = ops.toArray(Operation[]::new);
    }

    @Override
    public void flatMap(Object event, Collector<Object> out) {
      run(ops, 0, event, out);
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
    private final Operation[] after;
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
      this.after = after.toArray(Operation[]::new);
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
          run(after, 0, e, out);
        }
      } else if (done != null) {
        run(after, 0, done.apply(acc), out);
      } else {
        run(after, 0, acc, out);
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
