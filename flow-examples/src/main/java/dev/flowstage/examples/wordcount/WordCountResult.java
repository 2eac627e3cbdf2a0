package dev.flowstage.examples.wordcount;

import dev.flowstage.stage.StageStats;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The outcome of a word count.
 *
 * @param files how many inputs were counted (the sample text and standard input count as one each)
 * @param bytes bytes read
 * @param lines lines read (a last line without a terminator counts)
 * @param words words found
 * @param distinct distinct words
 * @param malformed malformed byte sequences replaced by U+FFFD
 * @param top the most frequent words, by count descending, then word ascending
 * @param elapsed wall-clock time of the count
 * @param stages the counters of each stage of the flow (see {@link StageStats})
 */
public record WordCountResult(
    long files,
    long bytes,
    long lines,
    long words,
    long distinct,
    long malformed,
    List<WordFrequency> top,
    Duration elapsed,
    List<StageStats> stages) {

  /** Copies the lists. */
  public WordCountResult {
    top = List.copyOf(top);
    stages = List.copyOf(stages);
  }

  /**
   * A word and how often it occurs.
   *
   * @param word the word
   * @param count its occurrences
   */
  public record WordFrequency(String word, long count) {
    /** Most frequent first; equal counts by word, ascending, so the order is deterministic. */
    public static final Comparator<WordFrequency> BY_COUNT_THEN_WORD =
        Comparator.comparingLong(WordFrequency::count)
            .reversed()
            .thenComparing(WordFrequency::word);
  }
}
