package dev.flowstage.bench;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.dispatch.Outbox;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Events per second routed by the partition dispatcher alone, without threads: {@code dispatch} of
 * one batch of {@value #BATCH} events over N partitions (default hash), each partition's consumer
 * having asked for enough. Measures the per-event routing cost (hash, per-partition list) that
 * every {@code Flow.partition()} pays.
 *
 * {@snippet lang="shell" :
 * scripts/bench PartitionBenchmark
 * }
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PartitionBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public PartitionBenchmark() {}

  /** Events per dispatched batch (the default maxDemand). */
  static final int BATCH = 1000;

  /** How many partitions. */
  @Param({"2", "8"})
  public int partitions;

  private Dispatcher<Integer> dispatcher;
  private Subscription[] subscriptions;
  private List<Integer> batch;
  private Sink sink;

  /** A subscription of the benchmark's own: only its options matter to the dispatcher. */
  private record Sub(SubscriptionOptions options) implements Subscription {}

  /** Counts what the dispatcher sends, into a blackhole. */
  private static final class Sink implements Outbox<Integer> {
    Blackhole blackhole;

    @Override
    public void send(Subscription to, List<Integer> events) {
      blackhole.consume(events);
    }

    @Override
    public void askUpstream(long demand) {}

    @Override
    public void info(Object message) {}
  }

  /** Subscribes one consumer per partition. */
  @Setup
  public void setUp() {
    dispatcher = Dispatchers.partition(partitions);
    sink = new Sink();
    subscriptions = new Subscription[partitions];
    for (int p = 0; p < partitions; p++) {
      subscriptions[p] = new Sub(SubscriptionOptions.builder().partition(p).build());
      dispatcher.subscribe(subscriptions[p], sink);
    }
    batch = Arrays.asList(Arrays.copyOf(Events.all(), BATCH));
  }

  /**
   * Routes one batch; every partition then asks again for what it received, so demand never runs
   * out.
   *
   * @param blackhole receives the per-partition lists
   * @return the leftovers (always empty here)
   */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public List<Integer> route(Blackhole blackhole) {
    sink.blackhole = blackhole;
    for (Subscription s : subscriptions) {
      dispatcher.ask(s, BATCH, sink); // at most BATCH per partition per round
    }
    List<Integer> left = dispatcher.dispatch(batch, sink);
    if (!left.isEmpty()) {
      throw new IllegalStateException("partition dispatcher kept " + left.size() + " events");
    }
    return left;
  }
}
