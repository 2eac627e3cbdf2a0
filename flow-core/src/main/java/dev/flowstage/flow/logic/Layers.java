package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableToIntFunction;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Source;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The compile decisions every engine makes the same way when it turns a plan layer into stage
 * logic: what a departition stage runs, which reduce its upstream stages pre-reduce for, and what
 * the merging reduce becomes. The local materializer and flow-flink's translator both call these,
 * so a shape means the same on both.
 */
public final class Layers {
  private Layers() {}

  /**
   * The operations a departition stage runs: a reduce merging what the upstream stages emit, whose
   * final trigger emits {@code done(acc)}, then the departition layer's own operations.
   *
   * @param d the departition
   * @param layerOps the operations of the departition's layer (after it)
   * @return the stage's operations
   */
  public static List<Operation> departition(Source.Departition d, List<Operation> layerOps) {
    List<Operation> ops = new ArrayList<>();
    ops.add(new Operation.Reduce(d.init(), d.merge()));
    SerializableBiFunction<Object, Long, Object> done = d.done();
    ops.add(new Operation.OnTrigger((acc, t) -> departitionPane(acc, t, done)));
    ops.addAll(layerOps);
    return ops;
  }

  private static TriggerResult<Object, Object> departitionPane(
      Object acc, Trigger t, SerializableBiFunction<Object, Long, Object> done) {
    // singletonList, not List.of: done may return null, which is an event like any other
    return t.isDone()
        ? TriggerResult.of(Collections.singletonList(done.apply(acc, t.windowId())), acc)
        : TriggerResult.none(acc);
  }

  /**
   * Returns whether a departition merges per window ({@link DepartitionLogic}): its upstream layer
   * has a window of its own, so the upstream stages tag what they emit ({@link Panes}).
   *
   * @param d the departition
   * @return true for a windowed upstream
   */
  public static boolean perWindow(Source.Departition d) {
    return !(d.upstream().options().window() instanceof Window.Global);
  }

  /**
   * The windows of the reduces a departition stage runs: its merge in the global window, then the
   * layer's own window.
   *
   * @param layerWindow the departition layer's window
   * @return one window per reduce, in order
   */
  public static List<Window> departitionWindows(Window layerWindow) {
    return List.of(Window.global(), layerWindow);
  }

  /**
   * The reduce of a layer whose upstream stages can pre-reduce for it: a reduce with a combiner,
   * first in a partition/shuffle/merge layer, in the global window without triggers (so only the
   * final trigger reads the accumulator, and partials folded anywhere upstream give the same
   * result).
   *
   * @param p the layer
   * @return the reduce, or {@code null} if the upstream does not pre-reduce
   */
  public static Operation.Reduce combining(Plan p) {
    if (!(p.source() instanceof Source.Layer)
        || p.operations().isEmpty()
        || !(p.operations().get(0) instanceof Operation.Reduce r)
        || r.combiner() == null
        || !(p.options().window() instanceof Window.Global g)) {
      return null;
    }
    return hasTriggers(g) ? null : r;
  }

  /**
   * Returns whether a window has triggers besides its own end.
   *
   * @param w the window
   * @return true with triggerEvery, triggerPeriodically or a trigger function
   */
  public static boolean hasTriggers(Window w) {
    Window.Triggers t = w.triggers();
    return t.every() > 0 || !t.periodicallyMillis().isEmpty() || t.function() != null;
  }

  /**
   * A pre-reducing layer's operations: its first reduce merges the partials of {@code combining}
   * with the combiner and folds any plain event.
   *
   * @param ops the layer's operations, starting with {@code combining}
   * @param combining the reduce from {@link #combining(Plan)}
   * @return the operations to run
   */
  public static List<Operation> merging(List<Operation> ops, Operation.Reduce combining) {
    List<Operation> out = new ArrayList<>(ops);
    out.set(
        0,
        new Operation.Reduce(
            combining.init(), new Combining.Merging(combining.reducer(), combining.combiner())));
    return out;
  }

  /**
   * What an upstream stage pre-reduces for.
   *
   * @param combining the downstream reduce
   * @param partitions how many downstream stages its partials are folded for
   * @param partition the downstream stage of an event
   * @return the target
   */
  public static Combining.Target target(
      Operation.Reduce combining, int partitions, SerializableToIntFunction<Object> partition) {
    return new Combining.Target(combining.init(), combining.reducer(), partitions, partition);
  }
}
