package dev.flowstage.flow.logic.words;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Tokenizer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reading stages hand their tables over whole at the end of their input ({@link
 * ByteWordCounts#drainLast}, {@link FrozenCounts}); counting stages ({@link ShardCounts}) take
 * their own words from every table and shard in whatever order they come, each word counted once.
 */
final class FrozenCountsTest {
  @TempDir Path dir;

  /** A word of every length class: up to 8 bytes, 9 to 16, longer; some not ASCII or malformed. */
  private static byte[] word(SplittableRandom random) {
    int len = 1 + random.nextInt(random.nextInt(4) == 0 ? 40 : 12);
    ByteArrayOutputStream w = new ByteArrayOutputStream();
    for (int i = 0; i < len; i++) {
      int kind = random.nextInt(60);
      if (kind == 0) {
        w.writeBytes("\u00e9".getBytes(StandardCharsets.UTF_8));
      } else if (kind == 1) {
        w.write(0xff); // malformed in UTF-8: decodes to U+FFFD, as other malformed bytes do
      } else if (kind == 2) {
        w.write(0xfe);
      } else if (kind == 3) {
        w.write(0); // a NUL byte is a byte of a word like any other
      } else {
        w.write('a' + random.nextInt(4 + i % 20));
      }
    }
    return w.toByteArray();
  }

  /** Writes {@code lines} lines of Zipf-like words and counts them as the line path reads them. */
  private Path text(
      String name,
      SplittableRandom random,
      List<byte[]> vocabulary,
      int lines,
      Map<String, Long> expected)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int l = 0; l < lines; l++) {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int n = random.nextInt(12); n > 0; n--) {
        int at = (int) Math.min(vocabulary.size() - 1, 1 / (random.nextDouble() + 1e-4) - 1);
        line.writeBytes(vocabulary.get(at));
        line.write(' ');
      }
      byte[] bytes = line.toByteArray();
      out.writeBytes(bytes);
      out.write('\n');
      for (String w : new String(bytes, StandardCharsets.UTF_8).split(" ")) {
        if (!w.isEmpty()) {
          expected.merge(w, 1L, Long::sum);
        }
      }
    }
    Path file = dir.resolve(name);
    Files.write(file, out.toByteArray());
    return file;
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void tablesAndShards_inAnyOrder_countEachWordOnceInItsStage(int seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    int readers = 1 + random.nextInt(3);
    int partitions = 1 + random.nextInt(4);
    List<byte[]> vocabulary = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      vocabulary.add(word(random));
    }
    Map<String, Long> expected = new HashMap<>();
    List<List<Shard>> toStage = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      toStage.add(new ArrayList<>());
    }
    for (int r = 0; r < readers; r++) {
      // Some readers flush along the way (their shards and their table hold the same words).
      int flushAt = random.nextBoolean() ? Integer.MAX_VALUE : 50 + random.nextInt(500);
      ByteWordCounts counts =
          new ByteReading(
                  "UTF-8",
                  Tokenizer.SPACE,
                  partitions,
                  flushAt,
                  1 << 12,
                  ByteWordCounts.NO_LINE_BOUND,
                  null,
                  null,
                  null)
              .get();
      Path file = text("r" + r + ".txt", random, vocabulary, 1 + random.nextInt(3_000), expected);
      List<Shard> shards = new ArrayList<>();
      for (FileChunk chunk : FileChunk.split(List.of(file), 1 << 12)) {
        shards.addAll(counts.add(chunk).events());
      }
      List<Shard> last = counts.drainLast();
      assertTrue(last.isEmpty() || last.size() == partitions, "one shard per stage: " + last);
      shards.addAll(last);
      for (Shard s : shards) {
        toStage.get(s.partition()).add(s);
      }
    }
    Map<String, Long> seen = new HashMap<>();
    long words = 0;
    long distinct = 0;
    for (int p = 0; p < partitions; p++) {
      List<Shard> events = toStage.get(p);
      Collections.shuffle(events, new Random(seed * 31L + p));
      ShardCounts stage = new ShardCounts();
      for (Shard s : events) {
        stage.merge(s);
      }
      words += stage.words();
      distinct += stage.distinct();
      int partition = p;
      stage.forEach(
          count -> true,
          (word, count) -> {
            assertTrue(count > 0, word);
            assertEquals(partition, Shard.partitionOf(word, toStage.size()), word);
            assertNull(seen.put(word, count), "counted by two stages or twice: " + word);
          });
    }
    assertEquals(expected, seen, "seed " + seed);
    assertEquals(expected.values().stream().mapToLong(Long::longValue).sum(), words);
    assertEquals(expected.size(), distinct);
  }

  @Test
  void forEach_aCountThreshold_givesExactlyTheWordsAtOrAboveIt() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    List<byte[]> vocabulary = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      vocabulary.add(word(random));
    }
    Map<String, Long> expected = new HashMap<>();
    Path a = text("a.txt", random, vocabulary, 2_000, expected);
    Path b = text("b.txt", random, vocabulary, 2_000, expected);
    ShardCounts[] stages = {new ShardCounts(), new ShardCounts()};
    for (Path file : List.of(a, b)) {
      ByteWordCounts counts =
          new ByteReading(
                  "UTF-8",
                  Tokenizer.SPACE,
                  2,
                  Integer.MAX_VALUE,
                  1 << 12,
                  ByteWordCounts.NO_LINE_BOUND,
                  null,
                  null,
                  null)
              .get();
      for (FileChunk chunk : FileChunk.split(List.of(file), 1 << 12)) {
        counts.add(chunk);
      }
      for (Shard s : counts.drainLast()) {
        stages[s.partition()].merge(s);
      }
    }
    Map<String, Long> seen = new HashMap<>();
    for (ShardCounts stage : stages) {
      stage.forEach(count -> count >= 20, seen::put);
    }
    Map<String, Long> want = new HashMap<>(expected);
    want.values().removeIf(count -> count < 20);
    assertTrue(want.size() > 10, "a threshold some words pass: " + want.size());
    assertEquals(want, seen);
  }
}
