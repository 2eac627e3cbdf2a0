package dev.flowstage.bench.wordcount;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Word count as a plain single-threaded loop: the reference for "what one core does".
 *
 * <p>Reads lines with a {@link BufferedReader}, splits on the space character with {@code indexOf}
 * (no regex, no array per line), and counts in a {@code HashMap<String, long[]>} so counting does
 * not box. This is the loop a performance-aware user writes first; Flowstage's scaling target is
 * measured against it.
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.SingleThreadWordCount target/corpus/words-16m.txt
 * }
 */
public final class SingleThreadWordCount {
  private SingleThreadWordCount() {}

  /**
   * Counts the words of the file given as the only argument.
   *
   * @param args the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
    WordCountMain.run("single-thread", args, SingleThreadWordCount::count);
  }

  /**
   * Counts the words of a UTF-8 file.
   *
   * @param file the file
   * @return the canonical result
   * @throws IOException if the file cannot be read
   */
  public static WordCountResult count(Path file) throws IOException {
    Map<String, long[]> counts = new HashMap<>(1 << 16);
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        int from = 0;
        int length = line.length();
        while (from <= length) {
          int space = line.indexOf(' ', from);
          int to = space < 0 ? length : space;
          if (to > from) {
            counts.computeIfAbsent(line.substring(from, to), w -> new long[1])[0]++;
          }
          from = to + 1;
        }
      }
    }
    return WordCountResult.ofCounters(counts);
  }
}
