package dev.flowstage.bench.wordcount;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.ObjLongConsumer;

/**
 * The canonical result every word count implementation prints, so that the driver can check that
 * they all agree: total words, distinct words, an order-independent checksum of every (word, count)
 * pair, and the top {@value #TOP} words by count, ties broken by word ascending.
 *
 * @param words the number of tokens counted
 * @param distinct the number of different tokens
 * @param checksum the sum over all (word, count) pairs of a 64-bit mix of both, or {@code null} if
 *     the producer of the result cannot compute it (the CLI prints only the top list)
 * @param top the most frequent words, most frequent first, at most {@value #TOP}
 */
public record WordCountResult(long words, long distinct, Long checksum, List<WordCount> top) {

  /** How many words the top list holds. */
  public static final int TOP = 20;

  /** Orders by count descending, then word ascending: the order of the top list. */
  public static final Comparator<WordCount> RANKING =
      Comparator.comparingLong(WordCount::count).reversed().thenComparing(WordCount::word);

  /**
   * A word and how often it occurs.
   *
   * @param word the token
   * @param count its number of occurrences
   */
  public record WordCount(String word, long count) {}

  /** Validates and copies the top list. */
  public WordCountResult {
    top = List.copyOf(top);
  }

  /**
   * A visitor over (word, count) pairs, so that any map shape (boxed, primitive, per partition) can
   * produce a result without first copying into one map.
   */
  @FunctionalInterface
  public interface Counts {
    /**
     * Calls {@code sink} once per distinct word.
     *
     * @param sink receives each word and its count
     */
    void forEach(ObjLongConsumer<String> sink);
  }

  /**
   * Computes the canonical result of a map of counts.
   *
   * @param counts word to count
   * @return the result
   */
  public static WordCountResult ofMap(Map<String, ? extends Number> counts) {
    return of(sink -> counts.forEach((w, c) -> sink.accept(w, c.longValue())));
  }

  /**
   * Computes the canonical result of a map of {@code long[1]} counters (the shape the single-thread
   * loop uses to avoid boxing).
   *
   * @param counts word to a one-element counter
   * @return the result
   */
  public static WordCountResult ofCounters(Map<String, long[]> counts) {
    return of(sink -> counts.forEach((w, c) -> sink.accept(w, c[0])));
  }

  /**
   * Computes the canonical result of any collection of (word, count) pairs; each word must appear
   * once.
   *
   * @param counts the pairs
   * @return the result
   */
  public static WordCountResult of(Counts counts) {
    long[] totals = new long[3]; // words, distinct, checksum
    // A min-heap of the best TOP seen so far: its head is the weakest and is evicted first.
    PriorityQueue<WordCount> best = new PriorityQueue<>(TOP + 1, RANKING.reversed());
    counts.forEach(
        (word, count) -> {
          totals[0] += count;
          totals[1]++;
          totals[2] += mix(hash(word) + 0x9E3779B97F4A7C15L * count);
          if (best.size() < TOP) {
            best.add(new WordCount(word, count));
          } else {
            WordCount weakest = best.peek();
            if (count > weakest.count()
                || (count == weakest.count() && word.compareTo(weakest.word()) < 0)) {
              best.poll();
              best.add(new WordCount(word, count));
            }
          }
        });
    List<WordCount> top = new ArrayList<>(best);
    top.sort(RANKING);
    return new WordCountResult(totals[0], totals[1], totals[2], top);
  }

  /**
   * The canonical text form: {@code words=}, {@code distinct=}, {@code checksum=} (hex, or {@code
   * n/a}), then one {@code count word} line per top word.
   *
   * @return the text, ending with a newline
   */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("words=").append(words).append('\n');
    sb.append("distinct=").append(distinct).append('\n');
    sb.append("checksum=")
        .append(checksum == null ? "n/a" : String.format("%016x", checksum))
        .append('\n');
    for (WordCount wc : top) {
      sb.append(wc.count()).append(' ').append(wc.word()).append('\n');
    }
    return sb.toString();
  }

  /**
   * Parses the output of {@link #render()}.
   *
   * @param text the rendered result
   * @return the result
   * @throws IllegalArgumentException if the text is not a rendered result
   */
  public static WordCountResult parse(String text) {
    String[] lines = text.strip().split("\n");
    if (lines.length < 3
        || !lines[0].startsWith("words=")
        || !lines[1].startsWith("distinct=")
        || !lines[2].startsWith("checksum=")) {
      throw new IllegalArgumentException(
          "not a word count result (expected words=, distinct=, checksum= lines): "
              + text.lines().limit(3).toList());
    }
    long words = Long.parseLong(lines[0].substring(6).strip());
    long distinct = Long.parseLong(lines[1].substring(9).strip());
    String sum = lines[2].substring(9).strip();
    Long checksum = sum.equals("n/a") ? null : Long.parseUnsignedLong(sum, 16);
    List<WordCount> top = new ArrayList<>();
    for (int i = 3; i < lines.length; i++) {
      int space = lines[i].indexOf(' ');
      top.add(
          new WordCount(
              lines[i].substring(space + 1), Long.parseLong(lines[i].substring(0, space))));
    }
    return new WordCountResult(words, distinct, checksum, top);
  }

  /**
   * Whether two results agree on everything both of them know: the checksum is compared only when
   * both have one.
   *
   * @param other the other result
   * @return true if they agree
   */
  public boolean agreesWith(WordCountResult other) {
    return words == other.words
        && distinct == other.distinct
        && top.equals(other.top)
        && (checksum == null || other.checksum == null || checksum.equals(other.checksum));
  }

  /** 64-bit FNV-1a over the UTF-16 code units: stable across JVMs, unlike identity hashes. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** The murmur3 64-bit finalizer: spreads every input bit over the output. */
  static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
