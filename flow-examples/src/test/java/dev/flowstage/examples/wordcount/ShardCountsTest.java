package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.flow.logic.words.Shard;
import dev.flowstage.flow.logic.words.ShardCounts;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class ShardCountsTest {

  /** Random words, ASCII and not, of every length class, some repeated across shards. */
  private static List<String> vocabulary(SplittableRandom random, int n) {
    List<String> words = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder w = new StringBuilder();
      for (int len = 1 + random.nextInt(30); len > 0; len--) {
        w.append((char) ('a' + random.nextInt(26)));
      }
      if (random.nextInt(5) == 0) {
        w.setCharAt(random.nextInt(w.length()), random.nextBoolean() ? 'é' : '\uFFFD');
      }
      words.add(w.toString());
    }
    return words;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5})
  void merge_shardsOfManyFlushes_totalsAndRowsMatchAMap(int partitions) {
    SplittableRandom random = new SplittableRandom(partitions);
    List<String> vocabulary = vocabulary(random, 5_000);
    ShardCounts[] counting = new ShardCounts[partitions];
    for (int p = 0; p < partitions; p++) {
      counting[p] = new ShardCounts();
    }
    Map<String, Long> expected = new HashMap<>();
    for (int flush = 0; flush < 30; flush++) {
      Map<String, Long> partial = new HashMap<>();
      for (int i = random.nextInt(2_000); i > 0; i--) {
        // Zipf-like: low indexes often, so counts tie and differ.
        String word = vocabulary.get((int) Math.min(4_999, 1 / (random.nextDouble() + 1e-4)));
        partial.merge(word, 1L + random.nextInt(3), Long::sum);
      }
      Shard.Builders builders = new Shard.Builders(partitions, 4);
      partial.forEach(builders::add);
      partial.forEach((w, c) -> expected.merge(w, c, Long::sum));
      for (Shard shard : builders.build()) {
        counting[shard.partition()].merge(shard);
      }
    }

    Totals all = new Totals(25);
    Map<String, Long> rows = new HashMap<>();
    for (ShardCounts c : counting) {
      all.merge(Totals.of(c, 25));
      c.forEach(
          count -> true,
          (word, count) -> assertEquals(null, rows.put(word, count), "one row per word: " + word));
      Map<String, Long> entries = new HashMap<>();
      c.entries().forEach(kc -> entries.put(kc.key(), kc.count()));
      assertEquals(entries.size(), c.distinct());
      entries.forEach((w, n) -> assertEquals(n, rows.get(w)));
    }
    assertEquals(expected, rows);
    assertEquals(expected.size(), all.distinct());
    assertEquals(expected.values().stream().mapToLong(Long::longValue).sum(), all.words());
    List<WordFrequency> top =
        expected.entrySet().stream()
            .map(e -> new WordFrequency(e.getKey(), e.getValue()))
            .sorted(WordFrequency.BY_COUNT_THEN_WORD)
            .limit(25)
            .toList();
    assertEquals(top, all.top());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3})
  void totals_manyWordsOfOneCount_keepsTheFirstByWord(int top) {
    Shard.Builders builders = new Shard.Builders(1, 4);
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      words.add("w" + (1_000 - i)); // offered in descending word order: each tie replaces one
      builders.add(words.get(i), 7);
    }
    ShardCounts counts = new ShardCounts().merge(builders.build().get(0));

    List<WordFrequency> expected =
        words.stream().sorted().limit(top).map(w -> new WordFrequency(w, 7)).toList();
    assertEquals(expected, Totals.of(counts, top).top());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 40})
  void merge_aFirstShardHoldingAWordTwice_addsItsCountsUp(int others) {
    // A drain's shard holds each word once; a shard built otherwise must still count right (the
    // first shard's entries are taken whole into an empty table only when no word repeats).
    Shard.Builders builders = new Shard.Builders(1, 4);
    Map<String, Long> expected = new HashMap<>();
    for (int i = 0; i < others; i++) {
      builders.add("word-number-" + i, i + 1);
      expected.put("word-number-" + i, (long) i + 1);
    }
    builders.add("twice", 3);
    builders.add("twice", 4);
    expected.put("twice", 7L);
    ShardCounts counts = new ShardCounts().merge(builders.build().get(0));
    Shard.Builders more = new Shard.Builders(1, 4);
    more.add("twice", 1);
    more.add("new-after-the-first-shard", 2);
    expected.merge("twice", 1L, Long::sum);
    expected.put("new-after-the-first-shard", 2L);
    counts.merge(more.build().get(0));

    Map<String, Long> rows = new HashMap<>();
    counts.forEach(
        count -> true,
        (word, count) -> assertEquals(null, rows.put(word, count), "one row per word: " + word));
    assertEquals(expected, rows);
    assertEquals(expected.size(), counts.distinct());
  }
}
