package dev.flowstage.bench;

import dev.flowstage.bench.wordcount.CorpusGenerator;
import dev.flowstage.bench.wordcount.FlowWordCount;
import dev.flowstage.flow.Flow;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Word count of an in-memory corpus (the first {@value #MIB} MiB of the benchmark corpus, already
 * split into lines), as a Flow written the way a user writes it, against {@code java.util.stream}
 * sequential and parallel versions of the same job. The score is corpora per second; the end-to-end
 * comparison over files is {@code scripts/bench wordcount}.
 *
 * {@snippet lang="shell" :
 * scripts/bench WordCountBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class WordCountBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public WordCountBenchmark() {}

  static final int MIB = 4;

  private List<String> lines;

  /**
   * Generates the corpus in memory.
   *
   * @throws IOException never (in-memory)
   */
  @Setup
  public void setUp() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CorpusGenerator.write(MIB << 20, out);
    lines = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
  }

  /**
   * Counts with the Flow API: flatMap split, partition, reduce into a map per partition (no
   * combiner: every word crosses the partition).
   *
   * @return the number of distinct words
   */
  @Benchmark
  public long flow() {
    return Deadline.within(
        StageFixtures.TIMEOUT,
        () ->
            distinct(words().reduce(Object2LongOpenHashMap<String>::new, FlowWordCount::addWord)));
  }

  /**
   * As {@link #flow()}, with the combiner that merges two maps: the mapper stages pre-reduce and
   * only partial maps cross the partition.
   *
   * @return the number of distinct words
   */
  @Benchmark
  public long flowCombining() {
    return Deadline.within(
        StageFixtures.TIMEOUT,
        () ->
            distinct(
                words()
                    .reduce(
                        Object2LongOpenHashMap<String>::new,
                        FlowWordCount::addWord,
                        FlowWordCount::addAll)));
  }

  private Flow<String> words() {
    return Flow.fromEnumerable(lines)
        .flatMap(line -> Arrays.asList(line.split(" ")))
        .filter(word -> !word.isEmpty())
        .partition();
  }

  private static long distinct(Flow<Object2LongOpenHashMap<String>> partitions) {
    return partitions.toList().stream().mapToLong(Map::size).sum();
  }

  /**
   * Counts with a sequential stream.
   *
   * @return the number of distinct words
   */
  @Benchmark
  public long streamsSequential() {
    return count(lines.stream());
  }

  /**
   * Counts with a parallel stream.
   *
   * @return the number of distinct words
   */
  @Benchmark
  public long streamsParallel() {
    return count(lines.parallelStream());
  }

  private static long count(Stream<String> lines) {
    return lines
        .flatMap(line -> Arrays.stream(line.split(" ")))
        .filter(word -> !word.isEmpty())
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .size();
  }
}
