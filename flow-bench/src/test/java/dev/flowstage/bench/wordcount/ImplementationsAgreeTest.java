package dev.flowstage.bench.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every baseline counts the same small generated corpus (plus edge cases) to the same result. */
final class ImplementationsAgreeTest {
  @TempDir static Path dir;
  static Path corpus;
  static WordCountResult expected;

  @BeforeAll
  static void generate() throws IOException {
    corpus = dir.resolve("corpus.txt");
    CorpusGenerator.generate(2 << 20, corpus);
    // Edge cases the generator never writes: leading, trailing and repeated spaces, blank lines.
    Files.writeString(
        corpus,
        "  lead  double  trail  \n\n \n",
        StandardCharsets.UTF_8,
        java.nio.file.StandardOpenOption.APPEND);
    expected = SingleThreadWordCount.count(corpus);
  }

  @Test
  void streamsSequential_corpus_matchesSingleThread() throws IOException {
    assertEquals(expected, StreamWordCount.count(corpus, false));
  }

  @Test
  void streamsParallel_corpus_matchesSingleThread() throws IOException {
    assertEquals(expected, StreamWordCount.count(corpus, true));
  }

  @Test
  void reactor_corpus_matchesSingleThread() {
    assertEquals(expected, ReactorWordCount.count(corpus));
  }

  @Test
  void pekkoBatched_corpus_matchesSingleThread() throws Exception {
    assertEquals(expected, PekkoWordCount.count(corpus, false));
  }

  @Test
  void pekkoGroupBy_corpus_matchesSingleThread() throws Exception {
    assertEquals(expected, PekkoWordCount.count(corpus, true));
  }

  @Test
  void rxjava_corpus_matchesSingleThread() {
    assertEquals(expected, RxJavaWordCount.count(corpus));
  }

  @Test
  void virtualThreads_corpus_matchesSingleThread() throws Exception {
    assertEquals(expected, VirtualThreadWordCount.count(corpus));
  }

  @Test
  void virtualThreadsBoxed_corpus_matchesSingleThread() throws Exception {
    assertEquals(expected, VirtualThreadWordCount.count(corpus, true));
  }

  @Test
  void flowCountBy_corpus_matchesSingleThread() {
    assertEquals(expected, FlowKeyedWordCount.countBy(corpus, null));
    assertEquals(expected, FlowKeyedWordCount.countBy(corpus, 3));
  }

  @Test
  void flowCountBySplit_corpus_matchesSingleThread() {
    assertEquals(expected, FlowKeyedWordCount.countBySplit(corpus, null));
    assertEquals(expected, FlowKeyedWordCount.countBySplit(corpus, 3));
  }

  @Test
  void flowCountBy_theBenchmarkedPlan_runsOnTheFusedBytePath() {
    for (Integer stages : new Integer[] {null, 2}) {
      String graph = FlowKeyedWordCount.frequencies(corpus, stages).graph().toText();
      assertTrue(graph.contains("fused word count: read words as bytes"), graph);
      assertTrue(graph.contains("fused word count: add shards"), graph);
    }
  }

  @Test
  void flowJdk_corpus_matchesSingleThread() {
    assertEquals(expected, FlowKeyedWordCount.jdk(corpus, null));
    assertEquals(expected, FlowKeyedWordCount.jdk(corpus, 3));
  }
}
