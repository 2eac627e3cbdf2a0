package dev.flowstage.flow.logic.words;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The byte path's tables: growth, flushing bounds, and the errors it reports. */
final class ByteWordCountsTest {
  @TempDir Path dir;

  private static ByteWordCounts counts(Tokenizer tokenizer, int flushAt) {
    return new ByteReading(
            "UTF-8", tokenizer, 3, flushAt, 1 << 16, ByteWordCounts.NO_LINE_BOUND, null, null, null)
        .get();
  }

  private static Map<String, Long> countAll(ByteWordCounts counts, Path file, List<Integer> sizes) {
    Map<String, Long> seen = new HashMap<>();
    List<Shard> shards = new ArrayList<>();
    for (FileChunk chunk : FileChunk.split(List.of(file), 1 << 16)) {
      List<Shard> out = counts.add(chunk).events();
      shards.addAll(out);
    }
    shards.addAll(counts.drain());
    for (Shard shard : shards) {
      sizes.add(shard.size());
      shard.forEach((word, count) -> seen.merge(word, count, Long::sum));
    }
    return seen;
  }

  private Path manyDistinctWords(Map<String, Long> expected) throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    List<String> occurrences = new ArrayList<>();
    for (int w = 0; w < 60_000; w++) {
      StringBuilder word = new StringBuilder();
      for (int len = 1 + random.nextInt(30); len > 0; len--) {
        word.append((char) ('a' + random.nextInt(26)));
      }
      for (int r = 1 + random.nextInt(3); r > 0; r--) {
        occurrences.add(word.toString());
        expected.merge(word.toString(), 1L, Long::sum);
      }
    }
    Collections.shuffle(occurrences, new java.util.Random(7));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < occurrences.size(); i++) {
      text.append(occurrences.get(i)).append(i % 9 == 8 ? "\n" : " ");
    }
    Path file = dir.resolve("many.txt");
    Files.writeString(file, text);
    return file;
  }

  @ParameterizedTest
  @EnumSource(Tokenizer.class)
  void drainLast_wordsOfEveryLengthAndNonAscii_exactCountsAndTheTableCountsOnAfterwards(
      Tokenizer tokenizer) throws IOException {
    Map<String, Long> expected = new HashMap<>();
    Path file = manyDistinctWords(expected);
    // Non-ASCII words of the short (<= 8 bytes), medium (9-16) and long tables' lengths.
    List<String> accented =
        List.of("\u00e9t\u00e9", "na\u00efvet\u00e9s", "caf\u00e9caf\u00e9caf\u00e9caf\u00e9");
    Path more = dir.resolve("accented.txt");
    Files.writeString(more, String.join(" ", accented) + "\n" + accented.get(0) + "\n");
    Map<String, Long> expectedMore = new HashMap<>();
    for (String w : accented) {
      expectedMore.merge(w, 1L, Long::sum);
    }
    expectedMore.merge(accented.get(0), 1L, Long::sum);

    ByteWordCounts counts = counts(tokenizer, Integer.MAX_VALUE);
    for (int round = 0; round < 2; round++) {
      Path input = round == 0 ? file : more;
      Map<String, Long> want = round == 0 ? expected : expectedMore;
      for (FileChunk chunk : FileChunk.split(List.of(input), 1 << 16)) {
        assertEquals(List.of(), counts.add(chunk).events());
      }
      Map<String, Long> seen = new HashMap<>();
      for (Shard shard : counts.drainLast()) {
        shard.forEach((word, count) -> seen.merge(word, count, Long::sum));
      }
      assertEquals(want, seen, "round " + round);
    }
  }

  @ParameterizedTest
  @EnumSource(Tokenizer.class)
  void add_manyDistinctWordsOfEveryLength_growsEveryTableAndKeepsExactCounts(Tokenizer tokenizer)
      throws IOException {
    Map<String, Long> expected = new HashMap<>();
    Path file = manyDistinctWords(expected);

    List<Integer> sizes = new ArrayList<>();
    Map<String, Long> seen = countAll(counts(tokenizer, Integer.MAX_VALUE), file, sizes);

    assertEquals(expected, seen);
    // One flush at the end: each word once (a lookup that missed after a growth would add it
    // twice).
    assertEquals(expected.size(), sizes.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void add_moreDistinctWordsThanFlushAt_flushesShardsOfBoundedSize() throws IOException {
    Map<String, Long> expected = new HashMap<>();
    Path file = manyDistinctWords(expected);
    List<Integer> sizes = new ArrayList<>();

    Map<String, Long> seen = countAll(counts(Tokenizer.SPACE, 5_000), file, sizes);

    assertEquals(expected, seen);
    assertTrue(sizes.size() > 3 * (expected.size() / 5_000), "flushed: " + sizes.size());
    // A flush happens within one batch of words (64) after the table holds flushAt words, so no
    // shard holds more than that.
    assertTrue(sizes.stream().mapToInt(Integer::intValue).sum() >= expected.size());
    for (int size : sizes) {
      assertTrue(size <= 5_000 + 64, "shard of " + size + " words");
    }
  }

  @Test
  void add_fileGone_throwsNamingIt() {
    Path gone = dir.resolve("gone.txt");
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () -> counts(Tokenizer.SPACE, 10).add(new FileChunk(gone, 0, 10)));
    assertTrue(e.getMessage().contains("gone.txt"), e.getMessage());
  }

  @Test
  void new_unsupportedCharset_isRejectedNamingTheSupportedOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ByteReading(
                    StandardCharsets.UTF_16.name(), Tokenizer.SPACE, 1, 1, 1, 1, null, null, null));
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }
}
