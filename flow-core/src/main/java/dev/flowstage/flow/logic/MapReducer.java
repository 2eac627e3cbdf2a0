package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The logic of one stage of a layer: {@code mapBatch} functions, the fused per-event chain, and
 * reduces, each with its window and triggers, whose emitted events feed the rest of the chain. Flow
 * (Elixir): {@code Flow.MapReducer} with the operations compiled by {@code Flow.Materialize}.
 *
 * <p>A layer's operations hold at most one user reduce, but a stage can run several in sequence: a
 * departition stage merges its inputs (a first reduce) and may then reduce what it emits, and the
 * stage after a zip or a join reduces what the pairing emits. Each reduce is a segment: its window
 * sees the events the previous segment emits, one at a time, and its triggers feed the next. The
 * end of the input fires the segments' final triggers in order, so each segment's last panes reach
 * the next before it ends too.
 *
 * <p>Runs on one thread only; nothing here is synchronized.
 */
public final class MapReducer implements StageLogic {
  private final List<SerializableFunction<List<Object>, List<Object>>> batchFns;
  private final Chains.Collect collect = new Chains.Collect();
  private final Sink head;
  private final List<Windows> segments = new ArrayList<>();
  private final Combining.PreReduce preReduce;

  /** Passes every event on at once; only carries a window for per-window uniq sets. */
  private static final Operation.EmitAndReduce PASS =
      new Operation.EmitAndReduce(
          // singletonList, not List.of: events may be null
          () -> Boolean.TRUE, (e, acc) -> TriggerResult.of(Collections.singletonList(e), acc));

  /**
   * Whether a uniq-only layer must run its window: any window but the global one (its panes own the
   * uniq sets), and the global one with a trigger function, which decides which events the layer
   * takes (and may fail) as on any reducing layer (Elixir: uniq makes a reducing layer). The global
   * window's other triggers change nothing for uniq (keys are kept across triggers), so it keeps
   * the plain path.
   */
  private static boolean carriesWindow(Window w) {
    return !(w instanceof Window.Global g) || g.triggers().function() != null;
  }

  /**
   * Compiles a layer's operations for stage {@code index} of {@code total}.
   *
   * @param ops the operations, as the plan rules allow them (mapBatch first, at most one onTrigger
   *     directly after each reduce)
   * @param windows the window of each reduce of {@code ops}, in order; a reduce without one gets
   *     the global window
   * @param index this stage's index
   * @param total the layer's stage count
   * @param inputs how many upstream stages feed it (the first window's watermark waits for each)
   * @param clock processing time in ms, read for periodic triggers and lateness
   * @param combine the downstream reduce this stage pre-reduces for, or {@code null}
   */
  public MapReducer(
      List<Operation> ops,
      List<Window> windows,
      int index,
      int total,
      int inputs,
      LongSupplier clock,
      Combining.Target combine) {
    this(ops, windows, index, total, inputs, clock, combine, false);
  }

  /**
   * Compiles a layer's operations for stage {@code index} of {@code total}, optionally tagging what
   * it emits with its window for a departition per window ({@link Panes}).
   *
   * @param ops the operations, as the plan rules allow them
   * @param windows the window of each reduce of {@code ops}, in order
   * @param index this stage's index
   * @param total the layer's stage count
   * @param inputs how many upstream stages feed it
   * @param clock processing time in ms
   * @param combine the downstream reduce this stage pre-reduces for, or {@code null}
   * @param tagPanes whether to emit {@link Panes.Event}s and {@link Panes.Done} marks (the last
   *     reduce's windows) instead of plain events
   */
  public MapReducer(
      List<Operation> ops,
      List<Window> windows,
      int index,
      int total,
      int inputs,
      LongSupplier clock,
      Combining.Target combine,
      boolean tagPanes) {
    List<SerializableFunction<List<Object>, List<Object>>> fns = new ArrayList<>();
    List<List<Operation>> before = new ArrayList<>();
    List<Operation> reduces = new ArrayList<>();
    List<Operation.OnTrigger> onTriggers = new ArrayList<>();
    List<Operation> current = new ArrayList<>();
    for (Operation op : ops) {
      if (op instanceof Operation.MapBatch b && reduces.isEmpty() && current.isEmpty()) {
        fns.add(b.fn()); // at the start of the stage: on each delivered batch
      } else if (op.reduces()) {
        before.add(current);
        reduces.add(op);
        onTriggers.add(null);
        current = new ArrayList<>();
      } else if (op instanceof Operation.OnTrigger t) {
        onTriggers.set(onTriggers.size() - 1, t);
      } else {
        current.add(op);
      }
    }
    if (reduces.isEmpty()
        && !windows.isEmpty()
        && carriesWindow(windows.get(0))
        && current.stream().anyMatch(op -> op instanceof Operation.Uniq)) {
      // uniq in a windowed layer without a reduce (Elixir's uniq per window): the events pass at
      // once through a reduce that only carries the window, whose panes own the uniq sets and
      // whose trigger function decides which events the layer takes.
      int last = 0;
      for (int i = 0; i < current.size(); i++) {
        if (current.get(i) instanceof Operation.Uniq) {
          last = i + 1;
        }
      }
      before.add(new ArrayList<>(current.subList(0, last)));
      reduces.add(PASS);
      onTriggers.add(null);
      current = new ArrayList<>(current.subList(last, current.size()));
    }
    this.batchFns = List.copyOf(fns);
    this.preReduce = combine == null ? null : new Combining.PreReduce(combine, collect);
    Panes.Tags tags = tagPanes && !reduces.isEmpty() ? new Panes.Tags(collect, index, total) : null;
    Sink end = tags != null ? tags.events() : preReduce == null ? collect : preReduce;
    // uniq after the last reduce: the sets of the pane whose trigger (or emitAndReduce) emits,
    // forgotten with it at done, as before the reduce; the global window's pane lasts the run.
    Chains.UniqScope after = reduces.isEmpty() ? null : new Chains.UniqScope();
    Sink next = Chains.compile(current, end, after);
    Windows[] built = new Windows[reduces.size()];
    for (int k = reduces.size() - 1; k >= 0; k--) {
      Sink post = next;
      Operation reduce = reduces.get(k);
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
      Operation.OnTrigger t = onTriggers.get(k);
      Chains.UniqScope uniqs = new Chains.UniqScope();
      Sink pre = Chains.compile(before.get(k), acc, uniqs);
      Windows w =
          new Windows(
              k < windows.size() ? windows.get(k) : Window.global(),
              acc,
              pre,
              post,
              t == null ? null : t.fn(),
              reduce instanceof Operation.Reduce,
              index,
              total,
              k == 0 ? inputs : 1,
              clock);
      w.uniqs(uniqs);
      if (k == reduces.size() - 1) {
        w.uniqsAfter(after);
      }
      if (tags != null && k == reduces.size() - 1) {
        w.tag(tags);
      }
      built[k] = w;
      next = event -> w.events(Collections.singletonList(event), 0);
    }
    this.segments.addAll(List.of(built));
    // Without a reduce, the chain is the whole stage; with one, events enter the first window.
    this.head = reduces.isEmpty() ? next : null;
  }

  @Override
  public void events(List<?> batch, int input, List<Object> out) {
    collect.target = out;
    @SuppressWarnings("unchecked")
    List<Object> b = (List<Object>) batch;
    for (int i = 0; i < batchFns.size(); i++) {
      b = batchFns.get(i).apply(b);
      if (b == null) {
        throw new NullPointerException("mapBatch function returned null");
      }
    }
    if (head != null) {
      Sink h = head;
      for (int i = 0, n = b.size(); i < n; i++) {
        h.accept(b.get(i));
      }
    } else {
      segments.get(0).events(b, input);
    }
    foldPending();
  }

  /**
   * Folds what the pre-reduce buffered during a call, so that a failing reducer fails the call that
   * delivered its event and no event waits past it.
   */
  private void foldPending() {
    if (preReduce != null) {
      preReduce.endOfBatch();
    }
  }

  @Override
  public void inputDone(int input, List<Object> out) {
    if (!segments.isEmpty()) {
      collect.target = out;
      segments.get(0).inputDone(input);
      foldPending();
    }
  }

  @Override
  public void finish(List<Object> out) {
    collect.target = out;
    for (Windows w : segments) {
      w.finish();
    }
    if (preReduce != null) {
      preReduce.flush(collect);
    }
  }

  @Override
  public void timer(long nowMillis, List<Object> out) {
    collect.target = out;
    for (Windows w : segments) {
      w.timer(nowMillis);
    }
    foldPending();
  }

  @Override
  public void trigger(String name, List<Object> out) {
    collect.target = out;
    for (Windows w : segments) {
      w.trigger(name);
    }
    foldPending();
  }

  @Override
  public long nextTimer() {
    long next = Long.MAX_VALUE;
    for (Windows w : segments) {
      next = Math.min(next, w.nextTimer());
    }
    return next;
  }

  @Override
  public long lateEvents() {
    long n = 0;
    for (Windows w : segments) {
      n += w.dropped();
    }
    return n;
  }
}
