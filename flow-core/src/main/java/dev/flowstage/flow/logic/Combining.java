package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableBinaryOperator;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.SerializableToIntFunction;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.io.Serializable;

/**
 * Pre-reducing for a reduce with a combiner (see {@code Flow.reduce(init, reducer, combiner)}): the
 * stages upstream of the partition fold their own events into one accumulator per downstream stage
 * and send those {@link Partial}s when their input ends; the downstream reduce merges partials with
 * the combiner and folds any plain event (from an upstream that cannot pre-reduce) as usual.
 */
public final class Combining {
  private Combining() {}

  /**
   * A partial accumulator on its way to the downstream stage {@code partition}.
   *
   * @param partition the downstream stage that owns every key folded into it
   * @param accumulator the partial accumulator
   */
  public record Partial(int partition, Object accumulator) {}

  /**
   * What an upstream group needs to pre-reduce: the downstream reduce and how many stages it has.
   *
   * @param init a fresh accumulator
   * @param reducer folds one event
   * @param partitions how many downstream stages
   * @param partition the downstream stage of an event ({@link Dispatchers#DROP} to drop it)
   */
  public record Target(
      SerializableSupplier<Object> init,
      SerializableBiFunction<Object, Object, Object> reducer,
      int partitions,
      SerializableToIntFunction<Object> partition)
      implements Serializable {}

  /**
   * The downstream reducer: merges a {@link Partial} with {@code combiner}, folds anything else
   * with {@code reducer}. {@link MergeSink} runs it; as a plain function (a backend without that
   * sink) it gives the same result.
   *
   * @param reducer folds one plain event
   * @param combiner merges a partial accumulator
   */
  public record Merging(
      SerializableBiFunction<Object, Object, Object> reducer,
      SerializableBinaryOperator<Object> combiner)
      implements SerializableBiFunction<Object, Object, Object> {
    @Override
    public Object apply(Object acc, Object e) {
      return e instanceof Partial p ? combiner.apply(acc, p.accumulator()) : reducer.apply(acc, e);
    }
  }

  /**
   * The reduce sink of a layer fed by pre-reducing stages. The first partial becomes the
   * accumulator instead of being merged into a fresh one: by the combiner's contract, merging a
   * partial into an accumulator that has folded nothing gives that partial, and skipping the copy
   * halves the merging work with two upstream stages. Pre-reducing only happens in the global
   * window without triggers, so this sink sees one pane for the whole run.
   */
  static final class MergeSink extends Windows.AccSink {
    private final Merging merging;
    private boolean folded;

    MergeSink(SerializableSupplier<Object> init, Merging merging) {
      super(init);
      this.merging = merging;
    }

    @Override
    public void accept(Object event) {
      if (!folded && event instanceof Partial p) {
        acc = p.accumulator();
      } else {
        acc = merging.apply(acc, event);
      }
      folded = true;
    }
  }

  /**
   * Returns the partition a {@link Partial} was folded for, or {@link Dispatchers#DROP} for any
   * other event (a pre-reducing stage sends nothing else downstream).
   *
   * @param event the event
   * @return its partition
   */
  public static int partitionOf(Object event) {
    return event instanceof Partial p ? p.partition() : Dispatchers.DROP;
  }

  /**
   * The end of an upstream stage's chain: folds each event into the accumulator of its downstream
   * stage. Events hashed to {@link Dispatchers#DROP} pass on to {@code dropped} so the dispatcher
   * drops and counts them as it would without pre-reducing. Confined to its stage's thread.
   *
   * <p>Events wait in a small buffer per partition and are folded a full buffer at a time, in
   * arrival order, and what is left at the end of each delivered batch ({@link #endOfBatch}): a
   * loop that does nothing but the user's fold lets the CPU overlap the cache misses of consecutive
   * table lookups, where one fold per event between the split and routing of the next did not (the
   * README's {@code HashMap} word count spent 17% more CPU in {@code HashMap.merge} than the same
   * fold in a hand-rolled reducer loop; docs/performance.md). Nothing can observe the difference: a
   * pre-reducing layer has the global window and no triggers, so its accumulators are only read
   * when the input ends, and a failing reducer still fails the stage while it handles the batch
   * that holds the event.
   */
  static final class PreReduce implements Sink {
    /**
     * Buffered events per stage, over all partitions: about twice the default {@code maxDemand}, so
     * a pre-reducing stage holds no more than the events in flight any stage may hold (an event the
     * user's fold would drop at once, a parsed record, say, now lives until its buffer folds).
     */
    private static final int HELD = 2048;

    private final Target target;
    private final Sink dropped;
    private final Object[] accumulators;
    // Which partitions have an accumulator: a reducer may return null, as in a reduce without a
    // combiner, so null cannot mean "none yet".
    private final boolean[] held;
    private final Object[][] pending;
    private final int[] sizes;

    PreReduce(Target target, Sink dropped) {
      this.target = target;
      this.dropped = dropped;
      int partitions = target.partitions();
      this.accumulators = new Object[partitions];
      this.held = new boolean[partitions];
      this.pending = new Object[partitions][];
      this.sizes = new int[partitions];
    }

    /**
     * Events a partition's buffer holds before they are folded: 1024 for up to 2 partitions, fewer
     * past, down to 1 (folded at once) past 2 048 partitions.
     */
    static int bufferSize(int partitions) {
      return Math.clamp(HELD / partitions, 1, 1024);
    }

    @Override
    public void accept(Object event) {
      int p = target.partition().applyAsInt(event);
      if (p == Dispatchers.DROP) {
        dropped.accept(event);
        return;
      }
      Object[] buffer = pending[p];
      if (buffer == null) {
        buffer = pending[p] = new Object[bufferSize(accumulators.length)];
      }
      int n = sizes[p];
      buffer[n++] = event;
      sizes[p] = n;
      if (n == buffer.length) {
        fold(p);
      }
    }

    /** Folds partition {@code p}'s buffered events into its accumulator, in arrival order. */
    private void fold(int p) {
      Object[] buffer = pending[p];
      int n = sizes[p];
      sizes[p] = 0;
      Object acc = held[p] ? accumulators[p] : target.init().get();
      SerializableBiFunction<Object, Object, Object> reducer = target.reducer();
      for (int i = 0; i < n; i++) {
        Object event = buffer[i];
        buffer[i] = null; // folded events are the user's garbage, not ours to keep
        acc = reducer.apply(acc, event);
      }
      accumulators[p] = acc;
      held[p] = true;
    }

    /** Folds every partition's buffered events: called after each delivered batch. */
    void endOfBatch() {
      for (int p = 0; p < sizes.length; p++) {
        if (sizes[p] > 0) {
          fold(p);
        }
      }
    }

    /** Sends one {@link Partial} per downstream stage that got events, and forgets them. */
    void flush(Sink out) {
      endOfBatch();
      for (int p = 0; p < accumulators.length; p++) {
        pending[p] = null;
        if (held[p]) {
          Object acc = accumulators[p];
          accumulators[p] = null;
          held[p] = false;
          out.accept(new Partial(p, acc));
        }
      }
    }
  }
}
