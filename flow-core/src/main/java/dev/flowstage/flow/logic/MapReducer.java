package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan.Operation;
import java.util.ArrayList;
import java.util.List;

/**
 * The logic of one stage of a layer: {@code mapBatch} functions, the fused per-event chain, and
 * optionally a windowed reduce whose triggers feed a second fused chain. Flow (Elixir): {@code
 * Flow.MapReducer} with the operations compiled by {@code Flow.Materialize}.
 *
 * <p>Runs on the stage's virtual thread only; nothing here is synchronized.
 */
public final class MapReducer implements StageLogic {
  private final List<SerializableFunction<List<Object>, List<Object>>> batchFns;
  private final Chains.Collect collect = new Chains.Collect();
  private final Sink pre;
  private final Windows windows;
  private final Combining.PreReduce preReduce;

  /**
   * Compiles a layer's operations for stage {@code index} of {@code total}.
   *
   * @param ops the layer's operations (validated by the builder)
   * @param window the layer's window
   * @param index this stage's index
   * @param total the layer's stage count
   * @param inputs how many upstream stages feed it
   * @param clock processing time in ms, read for timers
   * @param combine the downstream reduce this stage pre-reduces for, or {@code null}
   */
  public MapReducer(
      List<Operation> ops,
      Window window,
      int index,
      int total,
      int inputs,
      java.util.function.LongSupplier clock,
      Combining.Target combine) {
    List<SerializableFunction<List<Object>, List<Object>>> fns = new ArrayList<>();
    List<Operation> before = new ArrayList<>();
    List<Operation> after = new ArrayList<>();
    Operation reduce = null;
    Operation.OnTrigger onTrigger = null;
    for (Operation op : ops) {
      if (op instanceof Operation.MapBatch b) {
        fns.add(b.fn());
      } else if (op.reduces()) {
        reduce = op;
      } else if (op instanceof Operation.OnTrigger t) {
        onTrigger = t;
      } else if (reduce == null) {
        before.add(op);
      } else {
        after.add(op);
      }
    }
    this.batchFns = List.copyOf(fns);
    this.preReduce = combine == null ? null : new Combining.PreReduce(combine, collect);
    Sink end = preReduce == null ? collect : preReduce;
    if (reduce == null) {
      this.pre = Chains.compile(before, end);
      this.windows = null;
    } else {
      Sink post = Chains.compile(after, end);
      Windows.AccSink acc =
          switch (reduce) {
            case Operation.Reduce r ->
                r.reducer() instanceof Combining.Merging m
                    ? new Combining.MergeSink(r.init(), m)
                    : new Windows.ReduceSink(r.init(), r.reducer());
            case Operation.EmitAndReduce r ->
                new Windows.EmitReduceSink(r.init(), r.reducer(), post);
            default -> throw new IllegalStateException("not a reduce: " + reduce);
          };
      this.pre = Chains.compile(before, acc);
      this.windows =
          new Windows(
              window,
              acc,
              pre,
              post,
              onTrigger == null ? null : onTrigger.fn(),
              reduce instanceof Operation.Reduce,
              index,
              total,
              inputs,
              clock);
    }
  }

  @Override
  public void events(List<?> batch, int input, List<Object> out) {
    collect.target = out;
    @SuppressWarnings("unchecked")
    List<Object> b = (List<Object>) batch;
    for (int i = 0; i < batchFns.size(); i++) {
      b = batchFns.get(i).apply(b);
    }
    if (windows == null) {
      Sink head = pre;
      for (int i = 0, n = b.size(); i < n; i++) {
        head.accept(b.get(i));
      }
    } else {
      windows.events(b, input);
    }
  }

  @Override
  public void inputDone(int input, List<Object> out) {
    if (windows != null) {
      collect.target = out;
      windows.inputDone(input);
    }
  }

  @Override
  public void finish(List<Object> out) {
    collect.target = out;
    if (windows != null) {
      windows.finish();
    }
    if (preReduce != null) {
      preReduce.flush(collect);
    }
  }

  @Override
  public void timer(long nowMillis, List<Object> out) {
    if (windows != null) {
      collect.target = out;
      windows.timer(nowMillis);
    }
  }

  @Override
  public long nextTimer() {
    return windows == null ? Long.MAX_VALUE : windows.nextTimer();
  }
}
