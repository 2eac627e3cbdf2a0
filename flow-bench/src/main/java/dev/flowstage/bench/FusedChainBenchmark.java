package dev.flowstage.bench;

import dev.flowstage.flow.Flow;
import java.util.Arrays;
import java.util.List;
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
 * Events per second through a fused map/filter/map chain ending in a sum, in one stage ({@code
 * stages(1)}) behind one source stage, against the same chain as a sequential {@code
 * java.util.stream} on the calling thread. The Flow version pays for its source stage and the hop;
 * the gap to the stream shows what fusion leaves on the table per event.
 *
 * {@snippet lang="shell" :
 * scripts/bench FusedChainBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class FusedChainBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public FusedChainBenchmark() {}

  private final List<Integer> events = Arrays.asList(Events.all());

  /**
   * Runs the chain as a Flow in one stage.
   *
   * @return the sum of the chain's output
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long flow() {
    return Deadline.within(
        StageFixtures.TIMEOUT,
        () ->
            Flow.fromEnumerable(events, o -> o.stages(1))
                .map(e -> e + 1)
                .filter(e -> e % 3 != 0)
                .map(e -> e * 2L)
                .reduce(
                    () -> new long[1],
                    (acc, e) -> {
                      acc[0] += e;
                      return acc;
                    })
                .toList()
                .stream()
                .mapToLong(acc -> acc[0])
                .sum());
  }

  /**
   * Runs the same chain as a sequential stream.
   *
   * @return the sum of the chain's output
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long stream() {
    return events.stream()
        .map(e -> e + 1)
        .filter(e -> e % 3 != 0)
        .map(e -> e * 2L)
        .mapToLong(Long::longValue)
        .sum();
  }
}
