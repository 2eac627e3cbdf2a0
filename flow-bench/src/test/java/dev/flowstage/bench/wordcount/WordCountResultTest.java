package dev.flowstage.bench.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.bench.wordcount.WordCountResult.WordCount;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class WordCountResultTest {

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 20);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void of_randomCounts_topMatchesFullSort(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Long> counts = new HashMap<>();
    int n = random.nextInt(200);
    for (int i = 0; i < n; i++) {
      // Few distinct counts, so ties are common and the tie-break is exercised.
      counts.put("w" + random.nextInt(1000), 1L + random.nextInt(5));
    }
    List<WordCount> all = new ArrayList<>();
    counts.forEach((w, c) -> all.add(new WordCount(w, c)));
    all.sort(WordCountResult.RANKING);
    WordCountResult r = WordCountResult.ofMap(counts);
    assertEquals(
        all.subList(0, Math.min(WordCountResult.TOP, all.size())), r.top(), "seed " + seed);
    assertEquals(counts.values().stream().mapToLong(Long::longValue).sum(), r.words());
    assertEquals(counts.size(), r.distinct());
  }

  @Test
  void of_tiedCounts_breaksTiesByWordAscending() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("b", 2L);
    counts.put("a", 2L);
    counts.put("c", 3L);
    assertEquals(
        List.of(new WordCount("c", 3), new WordCount("a", 2), new WordCount("b", 2)),
        WordCountResult.ofMap(counts).top());
  }

  @Test
  void checksum_sameCountsInAnyOrder_isEqualAndSensitiveToEachCount() {
    Map<String, Long> a = new LinkedHashMap<>();
    a.put("x", 1L);
    a.put("y", 2L);
    Map<String, Long> b = new LinkedHashMap<>();
    b.put("y", 2L);
    b.put("x", 1L);
    Map<String, Long> c = Map.of("x", 2L, "y", 1L);
    assertEquals(WordCountResult.ofMap(a).checksum(), WordCountResult.ofMap(b).checksum());
    assertNotEquals(WordCountResult.ofMap(a).checksum(), WordCountResult.ofMap(c).checksum());
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void parse_rendered_roundTrips(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, Long> counts = new HashMap<>();
    for (int i = 0; i < 50; i++) {
      counts.put("Wé," + random.nextInt(100), (long) random.nextInt(1, 1000));
    }
    WordCountResult r = WordCountResult.ofMap(counts);
    assertEquals(r, WordCountResult.parse(r.render()));
  }

  @Test
  void agreesWith_missingChecksum_comparesTheRest() {
    WordCountResult full = WordCountResult.ofMap(Map.of("a", 3L, "b", 1L));
    WordCountResult noSum = new WordCountResult(4, 2, null, full.top());
    WordCountResult wrongTotal = new WordCountResult(5, 2, null, full.top());
    assertTrue(full.agreesWith(noSum));
    assertTrue(noSum.agreesWith(full));
    assertFalse(full.agreesWith(wrongTotal));
    assertFalse(full.agreesWith(new WordCountResult(4, 2, full.checksum() + 1, full.top())));
  }
}
