package dev.flowstage.examples.wordcount;

import java.util.Arrays;

/**
 * Partial counts of one reading stage for one counting stage: parallel arrays of distinct words and
 * their counts, the event that crosses the partition. Immutable once built.
 *
 * @param partition the counting stage these words belong to, in {@code [0, stages)}
 * @param words the distinct words
 * @param counts how often each word occurred, same index as {@code words}
 * @param occurrences the sum of {@code counts}
 */
record Shard(int partition, String[] words, long[] counts, long occurrences) {

  /** Collects one shard's words; used only while draining a {@link PartialCounts}. */
  static final class Builder {
    private final int partition;
    private String[] words;
    private long[] counts;
    private long occurrences;
    int size;

    Builder(int partition, int capacity) {
      this.partition = partition;
      this.words = new String[capacity];
      this.counts = new long[capacity];
    }

    void add(String word, long count) {
      if (size == words.length) {
        words = Arrays.copyOf(words, size * 2);
        counts = Arrays.copyOf(counts, size * 2);
      }
      words[size] = word;
      counts[size] = count;
      size++;
      occurrences += count;
    }

    Shard build() {
      return new Shard(
          partition, Arrays.copyOf(words, size), Arrays.copyOf(counts, size), occurrences);
    }
  }
}
