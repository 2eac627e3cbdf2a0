package dev.flowstage.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Events per second from one source thread fanned out to parallel consumers with Reactor's {@code
 * parallel()} rails, for prefetch sizes (GenStage: maxDemand) 1 to 10 000: the baseline for the
 * dispatcher benchmarks. Each invocation moves {@value Events#COUNT} events.
 *
 * <p>The source runs on its own thread ({@code subscribeOn}); {@code parallel(rails, batchSize)}
 * deals events round-robin to {@code rails} rails, each {@code runOn} a parallel scheduler with a
 * prefetch of {@code batchSize}, each summing its share. Run more rails with {@code -p
 * rails=1,2,4,8}.
 *
 * {@snippet lang="shell" :
 * scripts/bench RailsBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RailsBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public RailsBenchmark() {}

  /** Events per prefetch (GenStage: maxDemand). */
  @Param({"1", "10", "100", "1000", "10000"})
  public int batchSize;

  /** Number of parallel rails (consumers). */
  @Param({"2"})
  public int rails;

  private Scheduler source;
  private Scheduler workers;

  /** Creates the source thread and the rails' scheduler. */
  @Setup
  public void setUp() {
    source = Schedulers.newSingle("rails-source");
    workers = Schedulers.newParallel("rails", rails);
  }

  /** Disposes the schedulers. */
  @TearDown
  public void tearDown() {
    source.dispose();
    workers.dispose();
  }

  /**
   * Moves all events through {@code parallel().runOn()} rails and sums them.
   *
   * @return the sum of all events
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long reactorParallel() {
    Long sum =
        Flux.fromArray(Events.all())
            .subscribeOn(source)
            .parallel(rails, batchSize)
            .runOn(workers, batchSize)
            .reduce(() -> 0L, (acc, e) -> acc + e)
            .reduce(Long::sum)
            .block();
    return Events.check(sum == null ? -1 : sum);
  }
}
