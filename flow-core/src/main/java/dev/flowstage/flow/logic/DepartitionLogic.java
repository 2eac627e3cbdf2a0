package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableSupplier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;

/**
 * A departition per window (Elixir's {@code departition} over a windowed layer): merges the events
 * every upstream stage emits for a window into that window's accumulator, and emits {@code
 * done(acc)} once every upstream stage has closed the window or ended. At the end of the input,
 * windows still open are flushed in ascending order. What it emits feeds the departition layer's
 * own operations ({@code after}).
 *
 * <p>Each upstream stage closes its windows in ascending order, so its {@link Panes.Done} for a
 * window also closes every earlier one: a stage that had no pane of a window (fixed windows open
 * panes only for windows that received events) never sends a {@code Done} for it, and waiting for
 * one would hold that window back while later ones are emitted (out of order, merged with the wrong
 * neighbours' results). So a window is complete once every stage has closed it or a later window
 * (its {@link Panes.Watermark} counts as a close without a pane), or has ended; windows are emitted
 * oldest first, each exactly once.
 *
 * <p>Runs on one thread only.
 */
public final class DepartitionLogic implements StageLogic {
  private final SerializableSupplier<Object> init;
  private final SerializableBiFunction<Object, Object, Object> merge;
  private final SerializableBiFunction<Object, Long, Object> done;
  private final int stages;
  private final StageLogic after;
  private final TreeMap<Long, Object> accs = new TreeMap<>();

  /** Per upstream stage, the latest window it closed: it sends nothing more for it or older. */
  private final long[] closedThrough;

  private final BitSet ended = new BitSet();

  /**
   * Creates the logic of a departition per window.
   *
   * @param init a window's fresh accumulator
   * @param merge merges one emitted event into the accumulator
   * @param done turns a window's final accumulator and the window's id into the event emitted
   * @param stages how many upstream stages send to this one (input {@code i} is stage {@code i})
   * @param after the logic of the departition layer's own operations
   */
  public DepartitionLogic(
      SerializableSupplier<Object> init,
      SerializableBiFunction<Object, Object, Object> merge,
      SerializableBiFunction<Object, Long, Object> done,
      int stages,
      StageLogic after) {
    this.init = init;
    this.merge = merge;
    this.done = done;
    this.stages = stages;
    this.after = after;
    this.closedThrough = new long[Math.max(stages, 1)];
    Arrays.fill(closedThrough, Long.MIN_VALUE);
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
          // the stage had a pane of this window: the window exists even if nothing was emitted
          if (!accs.containsKey(d.window())) {
            accs.put(d.window(), init.get());
          }
          closed(d.stage(), d.window());
          completeWhatIsClosed(emitted);
        }
        case Panes.Watermark w -> {
          closed(w.stage(), w.window());
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

  private void closed(int stage, long window) {
    if (stage < 0 || stage >= closedThrough.length) {
      throw new IllegalStateException(
          "a departition per window over " + stages + " stages was told of stage " + stage);
    }
    closedThrough[stage] = Math.max(closedThrough[stage], window);
  }

  /**
   * Emits, oldest first, every window that each upstream stage has closed (it or a later one) or
   * ended. Stops at the first window still open: every later one is open too (a stage that has not
   * closed a window has not closed a later one), which keeps the output in window order.
   */
  private void completeWhatIsClosed(List<Object> emitted) {
    for (var it = accs.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      long window = entry.getKey();
      for (int s = 0; s < stages; s++) {
        if (!ended.get(s) && closedThrough[s] < window) {
          return;
        }
      }
      it.remove();
      emitted.add(done.apply(entry.getValue(), window));
    }
  }

  @Override
  public void finish(List<Object> out) {
    List<Object> emitted = new ArrayList<>();
    for (var entry : accs.entrySet()) {
      emitted.add(done.apply(entry.getValue(), entry.getKey()));
    }
    accs.clear();
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
