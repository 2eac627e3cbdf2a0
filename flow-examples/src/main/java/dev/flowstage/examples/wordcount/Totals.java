package dev.flowstage.examples.wordcount;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.flow.logic.words.ShardCounts;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Word and distinct counts plus the most frequent words, of one partition or, once merged, of the
 * whole input. Mutable; used by one stage at a time.
 */
public final class Totals {
  private final int top;
  private final PriorityQueue<WordFrequency> worstFirst;
  long words;
  long distinct;

  /**
   * The least count that can still enter the top list: 0 until it is full, then its worst count.
   * Kept as a field, since {@link #admits} is asked for every word of a stage, at the end of a run,
   * mostly before the JIT has compiled it.
   */
  private long floor;

  /**
   * Creates empty totals.
   *
   * @param top how many of the most frequent words to keep, at least 1
   */
  public Totals(int top) {
    this.top = top;
    // Grows with the words offered: --top 2147483647 must not size (or overflow) the queue.
    this.worstFirst =
        new PriorityQueue<>(Math.min(top, 64) + 1, WordFrequency.BY_COUNT_THEN_WORD.reversed());
  }

  /**
   * Summarizes one counting stage of the byte path: its word and distinct counts and its {@code
   * top} most frequent words, decoding only the words that can still enter the top list. The global
   * top N is among the stages' local top N, since each word lives in exactly one stage.
   *
   * @param counts the stage's table
   * @param top how many words to keep
   * @return the summary
   */
  static Totals of(ShardCounts counts, int top) {
    Totals totals = new Totals(top);
    totals.words = counts.words();
    totals.distinct = counts.distinct();
    counts.forEach(totals::admits, totals::offer);
    return totals;
  }

  /**
   * Whether a word with {@code count} could enter the top list: lets a caller skip making the word
   * for the many that cannot ({@link #offer(String, long)} decides ties by the word).
   */
  boolean admits(long count) {
    return count >= floor;
  }

  /**
   * Offers a word, allocating only if it enters the top list (most words of a partition do not).
   */
  void offer(String word, long count) {
    if (worstFirst.size() >= top) {
      WordFrequency worst = worstFirst.peek();
      if (count < worst.count() || (count == worst.count() && word.compareTo(worst.word()) > 0)) {
        return;
      }
    }
    offer(new WordFrequency(word, count));
  }

  void offer(WordFrequency f) {
    worstFirst.add(f);
    if (worstFirst.size() > top) { // size() never exceeds top + 1 <= Integer.MAX_VALUE
      worstFirst.poll();
    }
    if (worstFirst.size() == top) {
      floor = worstFirst.peek().count();
    }
  }

  /**
   * Adds another partition's totals to these; the merge function of the departition stage.
   *
   * @param other totals of words no other partition has seen
   * @return this
   */
  public Totals merge(Totals other) {
    words += other.words;
    distinct += other.distinct;
    other.worstFirst.forEach(this::offer);
    return this;
  }

  /** {@return words counted} */
  public long words() {
    return words;
  }

  /** {@return distinct words counted} */
  public long distinct() {
    return distinct;
  }

  /** {@return the most frequent words, by count descending, then word ascending} */
  public List<WordFrequency> top() {
    List<WordFrequency> sorted = new ArrayList<>(worstFirst);
    sorted.sort(WordFrequency.BY_COUNT_THEN_WORD);
    return sorted;
  }
}
