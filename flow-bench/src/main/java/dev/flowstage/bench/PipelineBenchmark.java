package dev.flowstage.bench;

import dev.flowstage.stage.dispatch.Dispatchers;
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
 * Events per second through a 3-stage pipeline, producer -> producer-consumer (a per-event map) ->
 * consumer, for batch sizes (maxDemand) 1 to 10 000. Each invocation moves {@value Events#COUNT}
 * events and starts and closes its stages.
 *
 * <p>Baseline: {@code reactorTwoHops}, the same shape in Reactor: a source thread, {@code
 * publishOn} a second thread that maps, {@code publishOn} a third that sums, both hops with a
 * prefetch of {@code batchSize}.
 *
 * {@snippet lang="shell" :
 * scripts/bench PipelineBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PipelineBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public PipelineBenchmark() {}

  /** Events per batch (GenStage: maxDemand) on both subscriptions. */
  @Param({"1", "10", "100", "1000", "10000"})
  public int batchSize;

  private Scheduler source;
  private Scheduler middle;
  private Scheduler sink;

  /** Creates Reactor's three single-thread schedulers. */
  @Setup
  public void setUp() {
    source = Schedulers.newSingle("pipe-source");
    middle = Schedulers.newSingle("pipe-middle");
    sink = Schedulers.newSingle("pipe-sink");
  }

  /** Disposes the schedulers. */
  @TearDown
  public void tearDown() {
    source.dispose();
    middle.dispose();
    sink.dispose();
  }

  /**
   * Moves all events through producer -> producer-consumer -> consumer stages.
   *
   * @return the consumer's sum of the events
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long flowstage() {
    return Events.check(StageFixtures.run(1, 1, batchSize, Dispatchers::demand, false)[0]);
  }

  /**
   * Moves all events through two Reactor {@code publishOn} hops with a map between them.
   *
   * @return the sum of the events
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long reactorTwoHops() {
    Integer[] table = Events.all();
    Long sum =
        Flux.fromArray(Events.all())
            .subscribeOn(source)
            .publishOn(middle, batchSize)
            .map(e -> table[e])
            .publishOn(sink, batchSize)
            .reduce(0L, (acc, e) -> acc + e)
            .block();
    return Events.check(sum == null ? -1 : sum);
  }
}
