package dev.flowstage.examples.wordcount;

import it.unimi.dsi.fastutil.objects.Object2LongMap;
import it.unimi.dsi.fastutil.objects.Object2LongMaps;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;

/**
 * The reduce state of one partition: how often each word occurred. Confined to its stage's thread,
 * so it needs no synchronization.
 */
public final class WordCounts {
  private final Object2LongOpenHashMap<String> counts = new Object2LongOpenHashMap<>();
  private long words;

  /** Creates empty counts. */
  public WordCounts() {}

  /**
   * Counts one occurrence of {@code word}; the reducer of the flow.
   *
   * @param word the word
   * @return this, as {@code Flow.reduce} expects
   */
  public WordCounts add(String word) {
    counts.addTo(word, 1);
    words++;
    return this;
  }

  /**
   * Summarizes this partition: its word and distinct counts and its {@code top} most frequent
   * words. The global top N is among the partitions' local top N, since each word lives in exactly
   * one partition.
   *
   * @param top how many words to keep
   * @return the summary
   */
  public Totals totals(int top) {
    Totals totals = new Totals(top);
    totals.words = words;
    totals.distinct = counts.size();
    for (Object2LongMap.Entry<String> e : Object2LongMaps.fastIterable(counts)) {
      totals.offer(e.getKey(), e.getLongValue());
    }
    return totals;
  }
}
