package dev.flowstage.examples.wordcount;

import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.logic.words.Shard;
import it.unimi.dsi.fastutil.objects.Object2LongMap;
import it.unimi.dsi.fastutil.objects.Object2LongMaps;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * The combiner of the word count: the state of one reading stage, which counts the words of its own
 * lines in a local map and sends only partial counts, split into one {@link Shard} per counting
 * stage, through the partition. A word is counted on the core that cut it out of the line, while
 * its {@code String} is still in that core's cache; only (word, count) pairs cross threads, once
 * per distinct word per flush instead of once per occurrence.
 *
 * <p>The map is flushed when it holds {@code flushAt} distinct words (so memory per reading stage
 * is bounded whatever the vocabulary) and when the input ends. Confined to its stage's thread.
 */
final class PartialCounts implements Consumer<String> {
  private final Tokenizer tokenizer;
  private final int partitions;
  private final int flushAt;
  private final Object2LongOpenHashMap<String> counts;
  private final TriggerResult<Shard, PartialCounts> keep = TriggerResult.none(this);

  /**
   * Creates an empty combiner.
   *
   * @param tokenizer how lines are cut into words
   * @param partitions how many counting stages the shards are for
   * @param flushAt how many distinct words are held before they are sent on, at least 1
   */
  PartialCounts(Tokenizer tokenizer, int partitions, int flushAt) {
    this.tokenizer = tokenizer;
    this.partitions = partitions;
    this.flushAt = flushAt;
    this.counts = new Object2LongOpenHashMap<>(); // grows from small: a stage may see few words
  }

  /**
   * Counts the words of one line; the reducer of the reading layer's {@code emitAndReduce}.
   *
   * @param line a line
   * @return nothing to emit and this combiner, or, when full, its shards and this (emptied)
   */
  TriggerResult<Shard, PartialCounts> add(String line) {
    tokenizer.forEachToken(line, this);
    return counts.size() >= flushAt ? TriggerResult.of(drain(), this) : keep;
  }

  @Override
  public void accept(String word) {
    counts.addTo(word, 1);
  }

  /** Empties the map into one shard per counting stage that has words; the map keeps its table. */
  List<Shard> drain() {
    int size = counts.size();
    if (size == 0) {
      return List.of();
    }
    Shard.Builders builders =
        new Shard.Builders(partitions, size / partitions + size / (4 * partitions) + 16);
    for (Object2LongMap.Entry<String> e : Object2LongMaps.fastIterable(counts)) {
      builders.add(e.getKey(), e.getLongValue());
    }
    counts.clear();
    return builders.build();
  }
}
