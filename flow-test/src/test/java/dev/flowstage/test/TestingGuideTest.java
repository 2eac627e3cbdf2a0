package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The code of docs/guides/testing.md, compiled and run (GuideSnippetsTest keeps them equal). */
final class TestingGuideTest {
  // snippet-start: testing-wordcount-pipeline
  /** The pipeline under test: word counts, one map per partition, flattened to entries. */
  static Flow<Map.Entry<String, Long>> wordCount(Flow<String> lines) {
    return lines
        .flatMap(line -> List.of(line.split(" ")))
        .filter(word -> !word.isEmpty())
        .partition()
        .reduce(
            HashMap<String, Long>::new,
            (counts, word) -> {
              counts.merge(word, 1L, Long::sum);
              return counts;
            })
        .flatMap(Map::entrySet);
  }

  /** What it must give: the same counts from {@code java.util.stream}, on one thread. */
  static Stream<Map.Entry<String, Long>> streamCount(Stream<String> lines) {
    return lines
        .flatMap(line -> Stream.of(line.split(" ")))
        .filter(word -> !word.isEmpty())
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .entrySet()
        .stream();
  }

  // snippet-end: testing-wordcount-pipeline

  @Test
  void wordCount_isTheSequentialCount() {
    // snippet-start: testing-wordcount
    FlowCheck.forAllLines(Gen.lines(Gen.oneOf("a", "b", "to", "be"), 8))
        .pipeline(TestingGuideTest::wordCount)
        .sameAsStream(TestingGuideTest::streamCount)
        .check();
    // snippet-end: testing-wordcount
  }

  @Test
  void brokenCombiner_isReportedShrunk() {
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () -> {
              // snippet-start: testing-broken
              FlowCheck.forAll(Gen.ints(1, 100))
                  .pipeline(
                      numbers ->
                          numbers
                              .partition()
                              // bug: the combiner keeps one partial instead of adding them
                              .reduce(() -> 0L, (sum, x) -> sum + x, (a, b) -> a)
                              .departition(() -> 0L, Long::sum, total -> total))
                  .sameAs(in -> List.of(in.stream().mapToLong(x -> x).sum()))
                  .check();
              // snippet-end: testing-broken
            });
    assertTrue(e.getMessage().contains("Reproduce by adding to the check"), e.getMessage());
  }
}
