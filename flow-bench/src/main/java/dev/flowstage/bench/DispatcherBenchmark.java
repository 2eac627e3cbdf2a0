package dev.flowstage.bench;

import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of one producer feeding N consumer stages through each built-in dispatcher, at the
 * default maxDemand 1000. The score counts events leaving the producer per second: with {@code
 * BROADCAST} every consumer receives each of them, so N times as many deliveries happen.
 *
 * <p>Baseline: {@link RailsBenchmark} (Reactor {@code parallel()} rails), with {@code -p
 * rails=1,2,4,8}.
 *
 * {@snippet lang="shell" :
 * scripts/bench DispatcherBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class DispatcherBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public DispatcherBenchmark() {}

  /** The built-in dispatchers. */
  public enum Kind {
    /** {@link Dispatchers#demand()}. */
    DEMAND,
    /** {@link Dispatchers#broadcast()}. */
    BROADCAST,
    /** {@link Dispatchers#partition(int)}, one partition per consumer. */
    PARTITION
  }

  /** Which dispatcher. */
  @Param({"DEMAND", "BROADCAST", "PARTITION"})
  public Kind dispatcher;

  /** How many consumer stages. */
  @Param({"1", "2", "4", "8"})
  public int consumers;

  /**
   * Moves all events from one producer to the consumers.
   *
   * @return the sum of what the consumers received
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long dispatch() {
    int n = consumers;
    Supplier<Dispatcher<Integer>> supplier =
        switch (dispatcher) {
          case DEMAND -> Dispatchers::demand;
          case BROADCAST -> Dispatchers::broadcast;
          case PARTITION -> () -> Dispatchers.partition(n);
        };
    long[] sums = StageFixtures.run(0, n, 1000, supplier, dispatcher == Kind.PARTITION);
    long total = 0;
    for (long s : sums) {
      if (dispatcher == Kind.BROADCAST) {
        Events.check(s); // each consumer saw every event
      }
      total += s;
    }
    return dispatcher == Kind.BROADCAST ? total : Events.check(total);
  }
}
