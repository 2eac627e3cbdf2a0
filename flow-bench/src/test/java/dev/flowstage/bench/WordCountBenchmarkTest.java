package dev.flowstage.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Each in-memory word count of the JMH benchmark counts the same distinct words. */
final class WordCountBenchmarkTest {
  @Test
  void everyVariant_countsTheSameDistinctWords() throws IOException {
    WordCountBenchmark b = new WordCountBenchmark();
    b.setUp();
    long expected = b.streamsSequential();
    assertTrue(expected > 1000, "a real corpus: " + expected);
    assertEquals(expected, b.streamsParallel());
    assertEquals(expected, b.flow());
    assertEquals(expected, b.flowCombining());
  }
}
