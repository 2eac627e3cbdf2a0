package dev.flowstage.bench.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.bench.wordcount.WordCountResult.WordCount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SingleThreadWordCountTest {
  @TempDir Path dir;

  static WordCountResult countText(byte[] text) {
    try {
      Path file = Files.createTempFile("corpus", ".txt");
      try {
        Files.write(file, text);
        return SingleThreadWordCount.count(file);
      } finally {
        Files.delete(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void count_spaceTokenizer_skipsEmptyTokensAndKeepsCaseAndPunctuation() throws IOException {
    Path file = dir.resolve("t.txt");
    Files.writeString(file, " a  A a, a\n\nb a\n  \nb", StandardCharsets.UTF_8);
    WordCountResult r = SingleThreadWordCount.count(file);
    assertEquals(7, r.words());
    assertEquals(4, r.distinct());
    assertEquals(
        List.of(
            new WordCount("a", 3),
            new WordCount("b", 2),
            new WordCount("A", 1),
            new WordCount("a,", 1)),
        r.top());
  }
}
