package dev.flowstage.examples.wordcount;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import java.util.HashMap;
import java.util.Map;

/**
 * The reduce state of one partition: how often each word occurred. Confined to its stage's thread,
 * so it needs no synchronization.
 */
public final class WordCounts {
  private final Map<String, long[]> counts = new HashMap<>();
  private long words;

  /**
   * Counts one occurrence of {@code word}; the reducer of the flow.
   *
   * @param word the word
   * @return this, as {@code Flow.reduce} expects
   */
  public WordCounts add(String word) {
    counts.computeIfAbsent(word, w -> new long[1])[0]++;
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
    for (Map.Entry<String, long[]> e : counts.entrySet()) {
      totals.offer(new WordFrequency(e.getKey(), e.getValue()[0]));
    }
    return totals;
  }
}
