package dev.flowstage.flow.logic.words;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import java.io.Serial;
import java.nio.charset.Charset;
import java.util.concurrent.atomic.LongAdder;

/**
 * The reading stages of the byte path: the three functions of their {@code emitAndReduce} over
 * {@link ByteChunk}s (a file's {@link FileChunk}s, the CLI's standard input as one {@link
 * StreamChunk}), one definition for {@code flowstage wordcount}'s flow and the fused {@code
 * frequencies()} plan ({@link WordCountPlan#fused}). This record is the accumulator's supplier (a
 * fresh {@link ByteWordCounts} with these settings per stage), {@link #reducer()} counts one chunk
 * and {@link #onTrigger()} sends what a stage still holds when its input ends. The reading stages
 * take one chunk at a time ({@code maxDemand(1)}), so they share the work however it falls.
 *
 * <p>Serializable, as every plan function is: the charset is held by name.
 *
 * @param charset the files' charset, by name; one that {@link ByteWordCounts#supports}
 * @param tokenizer how lines are cut into words
 * @param partitions how many counting stages the shards are for
 * @param flushAt how many distinct words a stage holds before it sends them on, at least 1
 * @param bufferBytes the read size (the buffer grows only for a longer word), at least 1
 * @param maxLineBytes the longest line in bytes, or {@link ByteWordCounts#NO_LINE_BOUND}
 * @param lines counts the lines read, or {@code null} when nothing reads the count
 * @param malformed counts the malformed input sequences replaced, or {@code null}
 * @param progress told how many bytes each chunk had once it is counted (a gzip file's compressed
 *     bytes as they are read), or {@code null}
 */
public record ByteReading(
    String charset,
    Tokenizer tokenizer,
    int partitions,
    int flushAt,
    int bufferBytes,
    long maxLineBytes,
    LongAdder lines,
    LongAdder malformed,
    LongAdder progress)
    implements SerializableSupplier<ByteWordCounts> {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Checks the settings when the plan is built: a stage making its table from them cannot fail.
   *
   * @throws IllegalArgumentException for a charset the byte path cannot read, or a {@code flushAt},
   *     {@code bufferBytes} or {@code maxLineBytes} below 1
   */
  public ByteReading {
    ByteWordCounts.check(Charset.forName(charset), flushAt, bufferBytes, maxLineBytes);
  }

  /**
   * A reading stage's table: a fresh counter for each absent one (its count is not read).
   *
   * @return an empty table with these settings
   */
  @Override
  public ByteWordCounts get() {
    return new ByteWordCounts(this);
  }

  /**
   * The reducer: counts one chunk's words (a file's range, or a whole stream), emitting the shards
   * of any flush it makes.
   *
   * @return the reducer, the same instance every call
   */
  public static SerializableBiFunction<
          ByteChunk, ByteWordCounts, TriggerResult<Shard, ByteWordCounts>>
      reducer() {
    return Read.CHUNK;
  }

  /**
   * The trigger function: emits the shards of what a stage still holds (at the end of its input).
   *
   * @return the trigger function, the same instance every call
   */
  public static SerializableBiFunction<
          ByteWordCounts, Trigger, TriggerResult<Shard, ByteWordCounts>>
      onTrigger() {
    return Drain.AT_END;
  }

  /** Counts one chunk (a constant, so it serializes as itself). */
  private enum Read
      implements
          SerializableBiFunction<ByteChunk, ByteWordCounts, TriggerResult<Shard, ByteWordCounts>> {
    CHUNK;

    @Override
    public TriggerResult<Shard, ByteWordCounts> apply(ByteChunk chunk, ByteWordCounts counts) {
      return counts.add(chunk);
    }
  }

  /** Sends what a reading stage still holds. */
  private enum Drain
      implements
          SerializableBiFunction<ByteWordCounts, Trigger, TriggerResult<Shard, ByteWordCounts>> {
    AT_END;

    @Override
    public TriggerResult<Shard, ByteWordCounts> apply(ByteWordCounts counts, Trigger trigger) {
      return TriggerResult.of(counts.drainLast(), counts);
    }
  }
}
