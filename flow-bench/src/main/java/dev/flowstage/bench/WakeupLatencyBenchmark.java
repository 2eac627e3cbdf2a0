package dev.flowstage.bench;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How long a stage woken from outside (a platform thread) waits for a carrier while other stages
 * keep each other busy: the fairness of ADR 0002. Sample time, so the report shows the distribution
 * (p50, p99, max), not only the mean.
 *
 * <p>{@code busyPairs} endless producers each feed a consumer that does nothing, so every pair
 * keeps its carrier busy. {@code call} is one {@code Stage.call} round trip from the benchmark
 * thread to an idle echo stage (the echo is parked, so the call is an outside wake-up); {@code
 * start} starts and stops a consumer stage (its first run is an outside submission too). With no
 * busy pairs both are the plain hand-off cost; the fairness goal is that they stay in the same
 * range as pairs are added, up to more busy pairs (8, so 16 busy stages) than any small machine has
 * carriers: the latency must not grow with how busy the other stages are.
 *
 * {@snippet lang="shell" :
 * scripts/bench WakeupLatencyBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class WakeupLatencyBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public WakeupLatencyBenchmark() {}

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Producer/consumer pairs that keep each other busy while the latency is sampled. */
  @Param({"0", "1", "2", "4", "8"})
  public int busyPairs;

  private StageSystem system;
  private Stage<Void> echo;
  private final List<Stage<?>> busy = new ArrayList<>();

  /** Starts the busy pairs and the echo stage. */
  @Setup
  public void setUp() {
    system = new StageSystem("wakeup");
    for (int i = 0; i < busyPairs; i++) {
      Stage<Long> producer = system.startProducer(new Endless());
      Stage<Void> consumer = system.startConsumer(new Ignoring());
      consumer.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(1000).build());
      busy.add(producer);
    }
    echo = system.startConsumer(new Echo());
  }

  /** Closes the system. */
  @TearDown
  public void tearDown() {
    system.close();
  }

  /**
   * One call round trip to a parked stage.
   *
   * @return the echoed request
   */
  @Benchmark
  public Object call() {
    return echo.call(Boolean.TRUE, TIMEOUT);
  }

  /**
   * Starts a consumer stage (returns once its {@code init} ran) and stops it.
   *
   * @return the started stage
   */
  @Benchmark
  public Stage<Void> start() {
    Stage<Void> s = system.startConsumer(new Ignoring());
    s.stop(dev.flowstage.stage.ExitReason.normal());
    return s;
  }

  /** Emits as many numbers as asked, forever. */
  private static final class Endless implements Producer<Long> {
    private long next;

    @Override
    public void handleDemand(long demand, ProducerContext<Long> ctx) {
      List<Long> batch = new ArrayList<>((int) demand);
      for (long i = 0; i < demand; i++) {
        batch.add(next++);
      }
      ctx.emit(batch);
    }
  }

  /** Takes events and does nothing with them. */
  private static final class Ignoring implements Consumer<Object> {
    @Override
    public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}
  }

  /** Answers each call with its request. */
  private static final class Echo implements Consumer<Object> {
    @Override
    public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

    @Override
    public Object handleCall(Object request, StageContext ctx) {
      return request;
    }
  }
}
