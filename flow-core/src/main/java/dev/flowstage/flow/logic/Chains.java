package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableConsumer;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.SerializablePredicate;
import dev.flowstage.flow.plan.Plan.Operation;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Compiles a run of per-event operations into one chain of {@link Sink}s.
 *
 * <p>Not a java.util.stream pipeline on purpose: a stage runs the chain once per event of a batch,
 * so each operation costs one call and the final sink one array store (see PipelineBenchmark). Each
 * chain belongs to one stage and runs on its thread only; {@code uniq}'s set needs no lock.
 */
final class Chains {
  private Chains() {}

  /**
   * Builds the chain that runs {@code ops} in order and ends in {@code end}.
   *
   * @param ops per-event operations only
   * @param end where surviving events go
   * @return the head of the chain
   */
  static Sink compile(List<Operation> ops, Sink end) {
    return compile(ops, end, null);
  }

  /**
   * Builds the chain that runs {@code ops} in order and ends in {@code end}; its {@code uniq} sets
   * are the window pane's, from {@code panes} (null: one set per chain, for the whole run).
   *
   * @param ops per-event operations only
   * @param end where surviving events go
   * @param panes the pane scope of uniq sets, or {@code null}
   * @return the head of the chain
   */
  static Sink compile(List<Operation> ops, Sink end, UniqScope panes) {
    Sink next = end;
    int uniqs = (int) ops.stream().filter(op -> op instanceof Operation.Uniq).count();
    if (panes != null) {
      panes.count = uniqs;
    }
    for (int i = ops.size() - 1; i >= 0; i--) {
      if (panes != null && ops.get(i) instanceof Operation.Uniq u) {
        next = paneUniqSink(u.by(), --uniqs, panes, next);
      } else {
        next = link(ops.get(i), next);
      }
    }
    return next;
  }

  /** The uniq sets of the pane being fed (see {@link Windows}): uniq per window. */
  static final class UniqScope {
    int count;
    Set<Object>[] sets;

    @SuppressWarnings("unchecked")
    Set<Object>[] fresh() {
      return (Set<Object>[]) new Set<?>[count];
    }

    Set<Object> set(int i) {
      Set<Object> s = sets[i];
      if (s == null) {
        s = new HashSet<>();
        sets[i] = s;
      }
      return s;
    }
  }

  private static Sink paneUniqSink(
      SerializableFunction<Object, Object> by, int index, UniqScope panes, Sink next) {
    return e -> {
      if (panes.set(index).add(by.apply(e))) {
        next.accept(e);
      }
    };
  }

  private static Sink link(Operation op, Sink next) {
    return switch (op) {
      case Operation.Map m -> mapSink(m.fn(), next);
      case Operation.FlatMap f -> flatMapSink(f.fn(), next);
      case Operation.Filter f -> filterSink(f.predicate(), next);
      case Operation.Reject r -> rejectSink(r.predicate(), next);
      case Operation.Each e -> eachSink(e.action(), next);
      case Operation.Uniq u -> uniqSink(u.by(), next);
      // Only after a departition's merge, whose panes are one event each: one-event batches.
      case Operation.MapBatch b -> mapBatchSink(b.fn(), next);
      case Operation.Reduce r -> throw new IllegalStateException("reduce is not a chain step");
      case Operation.EmitAndReduce r ->
          throw new IllegalStateException("emitAndReduce is not a chain step");
      case Operation.OnTrigger t ->
          throw new IllegalStateException("onTrigger is not a chain step");
    };
  }

  private static Sink mapSink(SerializableFunction<Object, Object> fn, Sink next) {
    return e -> next.accept(fn.apply(e));
  }

  private static Sink flatMapSink(SerializableFunction<Object, Iterable<?>> fn, Sink next) {
    return e -> {
      Iterable<?> many = fn.apply(e);
      if (many == null) {
        throw new NullPointerException("flatMap function returned null for " + e);
      }
      if (many instanceof List<?> list && list instanceof java.util.RandomAccess) {
        for (int i = 0, n = list.size(); i < n; i++) {
          next.accept(list.get(i));
        }
      } else {
        for (Object x : many) {
          next.accept(x);
        }
      }
    };
  }

  private static Sink mapBatchSink(SerializableFunction<List<Object>, List<Object>> fn, Sink next) {
    return e -> {
      List<Object> batch = new java.util.ArrayList<>(1);
      batch.add(e);
      List<Object> out = fn.apply(batch);
      if (out == null) {
        throw new NullPointerException("mapBatch function returned null");
      }
      for (Object x : out) {
        next.accept(x);
      }
    };
  }

  private static Sink filterSink(SerializablePredicate<Object> p, Sink next) {
    return e -> {
      if (p.test(e)) {
        next.accept(e);
      }
    };
  }

  private static Sink rejectSink(SerializablePredicate<Object> p, Sink next) {
    return e -> {
      if (!p.test(e)) {
        next.accept(e);
      }
    };
  }

  private static Sink eachSink(SerializableConsumer<Object> action, Sink next) {
    return e -> {
      action.accept(e);
      next.accept(e);
    };
  }

  private static Sink uniqSink(SerializableFunction<Object, Object> by, Sink next) {
    Set<Object> seen = new HashSet<>();
    return e -> {
      if (seen.add(by.apply(e))) {
        next.accept(e);
      }
    };
  }

  /** The end of a chain: appends to the current output batch (one array store per event). */
  static final class Collect implements Sink {
    List<Object> target;

    @Override
    public void accept(Object event) {
      target.add(event);
    }
  }
}
