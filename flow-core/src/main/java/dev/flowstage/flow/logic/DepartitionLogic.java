package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.SerializableSupplier;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A departition per window (Elixir's {@code departition} over a windowed layer): merges the events
 * every upstream stage emits for a window into that window's accumulator, and emits {@code
 * done(acc)} once every upstream stage has closed the window ({@link Panes.Done}) or ended. At the
 * end of the input, windows still open are flushed in ascending order. What it emits feeds the
 * departition layer's own operations ({@code after}).
 *
 * <p>Runs on one thread only.
 */
public final class DepartitionLogic implements StageLogic {
  private final SerializableSupplier<Object> init;
  private final SerializableBiFunction<Object, Object, Object> merge;
  private final SerializableFunction<Object, Object> done;
  private final int stages;
  private final StageLogic after;
  private final TreeMap<Long, Object> accs = new TreeMap<>();
  private final Map<Long, BitSet> closedBy = new HashMap<>();
  private final BitSet ended = new BitSet();

  /**
   * Creates the logic of a departition per window.
   *
   * @param init a window's fresh accumulator
   * @param merge merges one emitted event into the accumulator
   * @param done turns a window's final accumulator into the event emitted
   * @param stages how many upstream stages send to this one (input {@code i} is stage {@code i})
   * @param after the logic of the departition layer's own operations
   */
  public DepartitionLogic(
      SerializableSupplier<Object> init,
      SerializableBiFunction<Object, Object, Object> merge,
      SerializableFunction<Object, Object> done,
      int stages,
      StageLogic after) {
    this.init = init;
    this.merge = merge;
    this.done = done;
    this.stages = stages;
    this.after = after;
  }

  @Override
  public void events(List<?> batch, int input, List<Object> out) {
    List<Object> emitted = new ArrayList<>();
    for (Object e : batch) {
      switch (e) {
        case Panes.Event pe -> {
          Object acc = accs.containsKey(pe.window()) ? accs.get(pe.window()) : init.get();
          accs.put(pe.window(), merge.apply(acc, pe.event()));
        }
        case Panes.Done d -> {
          closedBy.computeIfAbsent(d.window(), w -> new BitSet()).set(d.stage());
          if (!accs.containsKey(d.window())) {
            accs.put(d.window(), init.get());
          }
          completeWhatIsClosed(emitted);
        }
        default ->
            throw new IllegalStateException(
                "a departition per window received an untagged event: " + e);
      }
    }
    if (!emitted.isEmpty()) {
      after.events(emitted, 0, out);
    }
  }

  @Override
  public void inputDone(int input, List<Object> out) {
    ended.set(input);
    List<Object> emitted = new ArrayList<>();
    completeWhatIsClosed(emitted);
    if (!emitted.isEmpty()) {
      after.events(emitted, 0, out);
    }
  }

  /** Emits, oldest first, every window that each upstream stage has closed or ended. */
  private void completeWhatIsClosed(List<Object> emitted) {
    for (var it = accs.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      BitSet closed = (BitSet) ended.clone();
      BitSet by = closedBy.get(entry.getKey());
      if (by != null) {
        closed.or(by);
      }
      if (closed.cardinality() >= stages) {
        it.remove();
        closedBy.remove(entry.getKey());
        emitted.add(done.apply(entry.getValue()));
      }
    }
  }

  @Override
  public void finish(List<Object> out) {
    List<Object> emitted = new ArrayList<>();
    for (Object acc : accs.values()) {
      emitted.add(done.apply(acc));
    }
    accs.clear();
    closedBy.clear();
    if (!emitted.isEmpty()) {
      after.events(emitted, 0, out);
    }
    after.finish(out);
  }

  @Override
  public void timer(long nowMillis, List<Object> out) {
    after.timer(nowMillis, out);
  }

  @Override
  public void trigger(String name, List<Object> out) {
    after.trigger(name, out);
  }

  @Override
  public long nextTimer() {
    return after.nextTimer();
  }
}
