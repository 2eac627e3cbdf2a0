package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.logic.words.Shard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The word count's combiner: local counts, flushing, and the shard each word is routed to. */
final class PartialCountsTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 7, 8})
  void drain_randomLines_shardsHoldExactCountsInTheirWordsPartition(int partitions) {
    SplittableRandom random = new SplittableRandom(partitions);
    PartialCounts counts = new PartialCounts(Tokenizer.SPACE, partitions, Integer.MAX_VALUE);
    Map<String, Long> expected = new HashMap<>();
    for (int l = 0; l < 200; l++) {
      StringBuilder line = new StringBuilder();
      for (int w = random.nextInt(10); w > 0; w--) {
        // ASCII words travel as bytes, the others as strings: both kinds meet in a shard.
        String word = (random.nextBoolean() ? "w" : "wé") + random.nextInt(300);
        line.append(word).append(' ');
        expected.merge(word, 1L, Long::sum);
      }
      assertTrue(counts.add(line.toString()).events().isEmpty(), "nothing emitted before full");
    }

    List<Shard> shards = counts.drain();

    Map<String, Long> seen = new HashMap<>();
    Set<Integer> partitionsSeen = new HashSet<>();
    for (Shard shard : shards) {
      assertTrue(partitionsSeen.add(shard.partition()), "one shard per partition");
      long[] sum = {0};
      shard.forEach(
          (word, count) -> {
            assertEquals(Shard.partitionOf(word, partitions), shard.partition(), word);
            assertNull(seen.put(word, count), "each word in one shard: " + word);
            sum[0] += count;
          });
      assertEquals(sum[0], shard.occurrences());
    }
    assertEquals(expected, seen);
    assertEquals(List.of(), counts.drain(), "a drained combiner is empty");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 5})
  void add_reachingFlushAt_emitsItsShardsAndStartsEmpty(int flushAt) {
    PartialCounts counts = new PartialCounts(Tokenizer.SPACE, 3, flushAt);
    List<Shard> emitted = new ArrayList<>();
    long occurrences = 0;
    for (int i = 0; i < 40; i++) {
      TriggerResult<Shard, PartialCounts> r = counts.add("a b c" + i + " a");
      assertSame(counts, r.accumulator());
      emitted.addAll(r.events());
      occurrences += 4;
    }
    emitted.addAll(counts.drain());
    Map<String, Long> total = new HashMap<>();
    long sum = 0;
    for (Shard shard : emitted) {
      // A line adds at most three new words, so a flush holds at most flushAt + 2.
      assertTrue(shard.size() <= flushAt + 2, "flushed late: " + shard.size());
      shard.forEach((word, count) -> total.merge(word, count, Long::sum));
      sum += shard.occurrences();
    }
    assertEquals(occurrences, sum);
    assertEquals(80L, total.get("a"));
    assertEquals(40L, total.get("b"));
    assertEquals(1L, total.get("c17"));
    assertEquals(42, total.size());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 8, 64})
  void partitionOf_anyWord_isInRangeAndStable(int partitions) {
    int[] hits = new int[partitions];
    for (int i = 0; i < 10_000; i++) {
      String word = (i % 2 == 0 ? "word" : "wörd") + i;
      int p = Shard.partitionOf(word, partitions);
      assertTrue(p >= 0 && p < partitions, word + " -> " + p);
      assertEquals(p, Shard.partitionOf(new String(word), partitions));
      hits[p]++;
    }
    for (int h : hits) {
      assertTrue(h > 10_000 / partitions / 2, "every partition gets a fair share");
    }
  }
}
