package dev.flowstage.flow.logic.words;

import dev.flowstage.flow.Options;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.logic.Keyed;
import dev.flowstage.flow.logic.Layers;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Routing;
import dev.flowstage.flow.plan.Plan.Source;
import java.io.Serial;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The plan-level fusion of a file word count onto the byte path (docs/adr/0009): recognizes the
 * layer {@code fromFiles(...).flatMap(tokenizer).frequencies()} in the global window without
 * triggers ({@link #match}), and builds the plan that computes the same {@code KeyCount}s from
 * bytes ({@link #fused}): reading stages that count {@link FileChunk}s ({@link ByteReading}, as the
 * CLI's), a partition by {@link Shard#partition()}, and counting stages that add the shards up in
 * {@link ShardCounts} and emit one {@code KeyCount<String>} per word, followed by the layer's own
 * later operations. Which files can take it (charset, byte order marks) is decided by the engine
 * when the run starts, from the files it lists (a gzip file is one chunk, {@link
 * FileChunk#gzip()}); anything else runs the plan as written. Only the local engine fuses: other
 * engines run the original plan, whose result is the same.
 */
public final class WordCountPlan {
  private WordCountPlan() {}

  /**
   * The key of {@code Flow.frequencies()}: the event itself. A constant the engine can recognize (a
   * lambda {@code w -> w} cannot be told from any other key function).
   */
  public enum Identity implements SerializableFunction<Object, Object> {
    /** The only instance. */
    KEY;

    @Override
    public Object apply(Object event) {
      return event;
    }
  }

  /**
   * A layer that counts the words of files, as {@link #match} found it.
   *
   * @param counting the counting layer ({@code frequencies()} and what follows it in its layer)
   * @param files the file source
   * @param reading the options of the source layer (stages, charset, splitBytes)
   * @param tokenizer how lines are cut into words
   */
  public record Match(Plan counting, Source.Files files, Options reading, Tokenizer tokenizer) {}

  /**
   * Returns the file word count this layer is, or {@code null}: a {@code frequencies()} layer
   * (partitioned by {@link Identity#KEY}, in the global window without triggers) fed only by {@code
   * fromFiles(...)} with one {@code flatMap} of a {@link Tokenizer}.
   *
   * @param p a layer
   * @return the match, or {@code null} for any other layer
   */
  public static Match match(Plan p) {
    if (!(p.source() instanceof Source.Layer l)
        || l.upstream().size() != 1
        || !(l.routing() instanceof Routing.Partition part)
        || part.key() != Identity.KEY
        || part.hash() != null
        || !(p.options().window() instanceof Window.Global g)
        || Layers.hasTriggers(g)
        || p.operations().size() < 2
        || !(p.operations().get(0) instanceof Operation.Reduce)
        || !(p.operations().get(1) instanceof Operation.OnTrigger t)
        || emit(t) == null) {
      return null;
    }
    Plan up = l.upstream().get(0);
    if (!(up.source() instanceof Source.Files files)
        || up.operations().size() != 1
        || !(up.operations().get(0) instanceof Operation.FlatMap flat)
        || !((Object) flat.fn() instanceof Tokenizer tokenizer)) {
      return null;
    }
    return new Match(p, files, up.options(), tokenizer);
  }

  /** The counting step of a {@code countBy} trigger, alone or ranked by a {@code takeSort}. */
  private static Keyed.Emit<?, ?> emit(Operation.OnTrigger t) {
    Keyed.Emit<?, ?> e =
        switch (t.fn()) {
          case Keyed.Emit<?, ?> keyed -> keyed;
          case Keyed.Ranked ranked -> ranked.keyed();
          default -> null;
        };
    return e != null && e.what().equals("countBy") ? e : null;
  }

  /**
   * The plan that computes a match's result from bytes, with the counting layer's options and its
   * operations after the count.
   *
   * @param m the match
   * @param chunks the chunks of the files (small files' in {@link ChunkGroup}s), all read in {@code
   *     charset}
   * @param charset the files' charset, one {@link ByteWordCounts#supports}
   * @param readers how many reading stages
   * @param malformed counts the malformed input sequences, as the file source does
   * @return the fused counting layer
   */
  public static Plan fused(
      Match m, List<ByteChunk> chunks, Charset charset, int readers, LongAdder malformed) {
    Plan counting = m.counting();
    int partitions = counting.options().stages();
    // The reading stages' functions are the CLI's (ByteReading); the fused plan reads lines up to
    // the file source's bound, and nothing reads its line and byte counts: the statistics count
    // events, as for any layer.
    ByteReading reading =
        new ByteReading(
            charset.name(),
            m.tokenizer(),
            partitions,
            ByteWordCounts.defaultFlushAt(readers),
            // The read size: the buffer holds a whole chunk up to 1 MiB and grows only for a word.
            1 << 20,
            m.files().options().maxLineBytes(),
            null,
            malformed,
            null);
    Plan read =
        new Plan(
            new Source.Enumerables(List.of(chunks)),
            List.of(
                new Operation.EmitAndReduce(new Fused(reading), erase(ByteReading.reducer())),
                new Operation.OnTrigger(erase(ByteReading.onTrigger()))),
            // One chunk at a time per reading stage: the stages share the work however it falls.
            m.reading().stages(readers).maxDemand(1).minDemand(0));
    List<Operation> ops = new ArrayList<>();
    ops.add(new Operation.Reduce(new Counts(), new Merge()));
    Operation.OnTrigger original = (Operation.OnTrigger) counting.operations().get(1);
    Keyed.Emit<Object, Object> emit = new Keyed.Emit<>("countBy", new Entries());
    ops.add(
        new Operation.OnTrigger(
            original.fn() instanceof Keyed.Ranked r
                ? new Keyed.Ranked(emit, r.n(), r.comparator())
                : emit));
    ops.addAll(counting.operations().subList(2, counting.operations().size()));
    return new Plan(
        new Source.Layer(List.of(read), new Routing.Partition(null, Shard::partitionOfShard)),
        ops,
        counting.options());
  }

  /**
   * Whether a layer is the reading layer of a fused word count (for descriptions of the graph).
   *
   * @param op an operation
   * @return true for the reading stages' {@code emitAndReduce}
   */
  public static boolean reads(Operation op) {
    return op instanceof Operation.EmitAndReduce e && e.init() instanceof Fused;
  }

  /**
   * Whether an operation is the counting stages' reduce of a fused word count.
   *
   * @param op an operation
   * @return true for the counting stages' {@code reduce}
   */
  public static boolean counts(Operation op) {
    return op instanceof Operation.Reduce r && r.init() instanceof Counts;
  }

  /**
   * The reading stages' supplier in a fused plan: {@link ByteReading}'s, marked so that graphs name
   * the stages the engine put in (the CLI's own flow uses {@link ByteReading} as written).
   */
  private record Fused(ByteReading reading) implements SerializableSupplier<Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Object get() {
      return reading.get();
    }
  }

  /** A typed function as a plan holds it: plans are untyped, as {@code Flow} builds them. */
  @SuppressWarnings("unchecked")
  private static <F> F erase(Object fn) {
    return (F) fn;
  }

  /** A counting stage's table. */
  private record Counts() implements SerializableSupplier<Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Object get() {
      return new ShardCounts();
    }
  }

  /** Adds one shard to a counting stage's table. */
  private record Merge() implements SerializableBiFunction<Object, Object, Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Object apply(Object counts, Object shard) {
      return ((ShardCounts) counts).merge((Shard) shard);
    }
  }

  /** What a counting stage emits at the end: one {@code KeyCount<String>} per word, as countBy. */
  private record Entries()
      implements SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public TriggerResult<Object, Object> apply(Object counts, Trigger trigger) {
      ShardCounts c = (ShardCounts) counts;
      return TriggerResult.of(new ArrayList<Object>(c.entries()), c);
    }
  }
}
