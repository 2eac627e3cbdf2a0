package dev.flowstage.bench.wordcount;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class CorpusGeneratorTest {

  private static byte[] corpus(long size) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CorpusGenerator.write(size, out);
    return out.toByteArray();
  }

  @Test
  void write_twice_isDeterministic() throws IOException {
    assertArrayEquals(corpus(200_000), corpus(200_000));
  }

  @Test
  void write_smallerSize_isPrefixOfLarger() throws IOException {
    byte[] small = corpus(50_000);
    byte[] large = corpus(300_000);
    assertArrayEquals(small, Arrays.copyOf(large, small.length));
  }

  @Test
  void write_anySize_endsAtFirstLineEndAtOrAfterSize() throws IOException {
    byte[] text = corpus(100_000);
    assertTrue(text.length >= 100_000);
    assertEquals('\n', text[text.length - 1]);
    String s = new String(text, StandardCharsets.UTF_8);
    assertTrue(s.substring(0, s.length() - 1).lastIndexOf('\n') < 100_000);
  }

  @Test
  void write_lines_areWordsSeparatedBySingleSpaces() throws IOException {
    String text = new String(corpus(300_000), StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      String[] words = line.split(" ", -1);
      assertTrue(words.length >= 4 && words.length <= 16, line);
      for (String w : words) {
        assertFalse(w.isEmpty(), "empty token in: " + line);
      }
    }
  }

  @Test
  void write_words_followZipfHeadAndKeepCaseAndPunctuation() throws IOException {
    WordCountResult r = SingleThreadWordCountTest.countText(corpus(1 << 20));
    // Zipf, exponent 1: the most frequent word occurs about twice as often as the second.
    double ratio = (double) r.top().get(0).count() / r.top().get(1).count();
    assertTrue(ratio > 1.7 && ratio < 2.3, "rank1/rank2 = " + ratio);
    String text = new String(corpus(1 << 20), StandardCharsets.UTF_8);
    assertTrue(text.chars().anyMatch(Character::isUpperCase));
    assertTrue(text.contains(", ") || text.contains(",\n"));
    assertTrue(text.chars().anyMatch(c -> c > 127));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "-1", "12x", "m", ""})
  void parseSize_bad_throwsTeachingTheFormat(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CorpusGenerator.parseSize(text));
    assertTrue(e.getMessage().contains("k, m or g"), e.getMessage());
  }

  @Test
  void parseSize_suffixes_arePowersOf1024() {
    assertEquals(16L << 20, CorpusGenerator.parseSize("16m"));
    assertEquals(1L << 30, CorpusGenerator.parseSize("1G"));
    assertEquals(3L << 10, CorpusGenerator.parseSize("3k"));
    assertEquals(123L, CorpusGenerator.parseSize("123"));
  }

  /**
   * The many-files corpus holds the single-file corpus's text, cut at line ends, in path order,
   * over the folders; it is deterministic and replaces an older folder whole.
   */
  @Test
  void generateFiles_concatenatedInPathOrder_isTheCorpus(@org.junit.jupiter.api.io.TempDir Path dir)
      throws IOException {
    java.io.ByteArrayOutputStream one = new java.io.ByteArrayOutputStream();
    CorpusGenerator.write(200_000, one);
    Path folder = dir.resolve("files");
    long written = CorpusGenerator.generateFiles(450, 200_000, folder);
    assertEquals(one.size(), written);
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    List<Path> files = WordCountComparison.corpusFiles(folder);
    assertEquals(450, files.size());
    for (Path f : files) {
      byte[] b = java.nio.file.Files.readAllBytes(f);
      assertTrue(b.length > 0 && b[b.length - 1] == '\n', f.toString());
      all.writeBytes(b);
    }
    assertArrayEquals(one.toByteArray(), all.toByteArray());
    assertEquals(written, WordCountComparison.corpusBytes(folder));
    CorpusGenerator.generateFiles(3, 1000, folder); // replaced whole
    assertEquals(3, WordCountComparison.corpusFiles(folder).size());
  }
}
