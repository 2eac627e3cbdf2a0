package dev.flowstage.examples.wordcount;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.test.FlowCheck;
import dev.flowstage.test.Gen;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The flagship word count (both Flow forms the CLI and the benchmarks run) checked with the
 * flow-test kit: same totals as a sequential count for any lines, file split, stage counts, demand
 * and partition mapping. A failure prints a {@code .seed(...).config(...)} line to reproduce it.
 */
final class FlowWordCountKitProperties {
  private static final int TOP = 5;
  private static final int TRIES = Integer.getInteger("flowcheck.tries", 30);
  private static final Gen<String> LINES =
      Gen.lines(Gen.oneOf("the", "The", "don't", "a,", "b.", "é", "x1", "'q'", "b"), 8);

  /** What a word count answers, comparable with equals. */
  record Summary(long words, long distinct, List<WordFrequency> top) {
    static Summary of(Totals t) {
      return new Summary(t.words(), t.distinct(), t.top());
    }
  }

  private static List<Summary> sequential(List<String> lines) {
    Map<String, Long> counts = new HashMap<>();
    long words = 0;
    for (String line : lines) {
      for (String w : Tokenizer.WORDS.tokens(line)) {
        counts.merge(w, 1L, Long::sum);
        words++;
      }
    }
    List<WordFrequency> top =
        counts.entrySet().stream()
            .map(e -> new WordFrequency(e.getKey(), e.getValue()))
            .sorted(WordFrequency.BY_COUNT_THEN_WORD)
            .limit(TOP)
            .toList();
    return List.of(new Summary(words, counts.size(), top));
  }

  @Test
  void wordCount_isTheSequentialCount() {
    FlowCheck.forAllLines(LINES)
        .pipeline(
            lines ->
                FlowWordCountEngine.wordCount(lines, Tokenizer.WORDS, TOP, 4, 1000)
                    .map(Summary::of))
        .sameAs(FlowWordCountKitProperties::sequential)
        .seed(20)
        .tries(TRIES)
        .check();
  }

  @Test
  void combinedWordCount_isTheSequentialCount() {
    FlowCheck.forAllLines(LINES)
        .pipeline(
            lines ->
                FlowWordCountEngine.combinedWordCount(lines, Tokenizer.WORDS, TOP, 3, 1000, 2)
                    .map(Summary::of))
        .sameAs(FlowWordCountKitProperties::sequential)
        .seed(21)
        .tries(TRIES)
        .check();
  }
}
