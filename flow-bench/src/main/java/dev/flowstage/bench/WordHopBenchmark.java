package dev.flowstage.bench;

import dev.flowstage.flow.Flow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Words per second through Flow's partition hop as the two-argument word count uses it: {@value
 * #WORDS} short {@code String}s (lines of ten words, split by a {@code flatMap}) {@code
 * partition}ed over two stages, each counting its words in a {@code HashMap} with the two-argument
 * {@code reduce}, so every word crosses to its partition's stage. Each invocation starts and ends
 * its flow. Mirrors {@code flow-api-plain} of {@code scripts/bench wordcount} without the file
 * source.
 *
 * {@snippet lang="shell" :
 * scripts/bench WordHopBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WordHopBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public WordHopBenchmark() {}

  /** Words moved per invocation. */
  static final int WORDS = 200_000;

  private static final int PER_LINE = 10;

  /** Lines of ten words from a vocabulary of 20 000 (seeded, the same every trial). */
  private static final List<List<String>> LINES = lines();

  private static List<List<String>> lines() {
    SplittableRandom random = new SplittableRandom(15);
    List<List<String>> lines = new ArrayList<>();
    for (int l = 0; l < WORDS / PER_LINE; l++) {
      List<String> line = new ArrayList<>(PER_LINE);
      for (int w = 0; w < PER_LINE; w++) {
        line.add("w" + random.nextInt(20_000));
      }
      lines.add(line);
    }
    return lines;
  }

  /**
   * Counts the words over two partition stages.
   *
   * @return the number of words counted (checked)
   */
  @Benchmark
  @OperationsPerInvocation(WORDS)
  public long flowPlainReduce() {
    List<HashMap<String, Integer>> counts =
        Flow.fromEnumerable(LINES, o -> o.stages(2))
            .flatMap(line -> line.stream().map(String::new).toList()) // fresh words, as split makes
            .partition(o -> o.stages(2))
            .reduce(
                HashMap<String, Integer>::new,
                (HashMap<String, Integer> m, String w) -> {
                  m.merge(w, 1, Integer::sum);
                  return m;
                })
            .toList();
    long total = 0;
    for (Map<String, Integer> m : counts) {
      for (int c : m.values()) {
        total += c;
      }
    }
    if (total != WORDS) {
      throw new IllegalStateException("counted " + total + " words, expected " + WORDS);
    }
    return total;
  }
}
