package dev.flowstage.bench.wordcount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Word count with {@code java.util.stream}, sequential or parallel, written as the JDK
 * documentation suggests: {@code Files.lines} (which splits a file into ranges for parallel
 * streams), {@code flatMap} over {@code split(" ")}, then {@code groupingBy} with {@code
 * counting()}.
 *
 * <p>The parallel version uses {@code groupingBy} (each fork-join task counts into its own map,
 * then the maps are merged) rather than {@code groupingByConcurrent} (one shared concurrent map, on
 * which the few hottest words of Zipf text contend); on the benchmark machine the two were within
 * run-to-run noise of each other (docs/performance.md).
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.StreamWordCount --parallel target/corpus/words-16m.txt
 * }
 */
public final class StreamWordCount {
  private StreamWordCount() {}

  /**
   * Counts the words of a file: {@code [--parallel] FILE}.
   *
   * @param args an optional {@code --parallel} and the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
    boolean parallel = args.length > 0 && args[0].equals("--parallel");
    String[] rest = parallel ? Arrays.copyOfRange(args, 1, args.length) : args;
    WordCountMain.run(
        parallel ? "streams-parallel" : "streams-sequential", rest, f -> count(f, parallel));
  }

  /**
   * Counts the words of a UTF-8 file.
   *
   * @param file the file
   * @param parallel whether to use a parallel stream
   * @return the canonical result
   * @throws IOException if the file cannot be read
   */
  public static WordCountResult count(Path file, boolean parallel) throws IOException {
    try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
      Stream<String> source = parallel ? lines.parallel() : lines;
      Map<String, Long> counts =
          source
              .flatMap(line -> Arrays.stream(line.split(" ")))
              .filter(word -> !word.isEmpty())
              .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
      return WordCountResult.ofMap(counts);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
