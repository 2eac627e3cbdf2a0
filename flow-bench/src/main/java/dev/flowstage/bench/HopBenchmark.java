package dev.flowstage.bench;

import dev.flowstage.stage.dispatch.Dispatchers;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
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
 * Events per second through one producer-to-consumer hop between two threads, for batch sizes
 * (GenStage's {@code maxDemand}) 1 to 10 000; each invocation moves {@value Events#COUNT} events
 * and the score is events per second.
 *
 * <p>{@code flowstage} runs a producer stage and a consumer stage (each on its own virtual thread)
 * subscribed with {@code maxDemand = batchSize} and the default {@code minDemand = maxDemand / 2};
 * each invocation starts and closes its {@code StageSystem}, so stage start-up is included.
 *
 * <p>Baselines: {@code arrayBlockingQueue} hands the same batches ({@code Object[]} of {@code
 * batchSize} events) from the benchmark thread to a consumer thread through an {@link
 * ArrayBlockingQueue} of two batches (double buffering: at most two batches in flight, as a
 * consumer asking for {@code maxDemand} keeps about that many events outstanding); {@code
 * reactorPublishOn} is Reactor's hop, {@code subscribeOn(single).publishOn(single, prefetch =
 * batchSize)}, which moves events one by one through a queue of {@code batchSize}.
 *
 * {@snippet lang="shell" :
 * scripts/bench HopBenchmark
 * }
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class HopBenchmark {
  /** Creates the benchmark; JMH instantiates one per trial. */
  public HopBenchmark() {}

  private static final Object[] END = new Object[0];

  /** Events per batch (GenStage: maxDemand). */
  @Param({"1", "10", "100", "1000", "10000"})
  public int batchSize;

  private BlockingQueue<Object[]> queue;
  private SynchronousQueue<Long> sums;
  private Thread consumer;
  private Scheduler source;
  private Scheduler target;

  /** Starts the queue's consumer thread and Reactor's two single-thread schedulers. */
  @Setup
  public void setUp() {
    queue = new ArrayBlockingQueue<>(2);
    sums = new SynchronousQueue<>();
    consumer = Thread.ofPlatform().daemon().name("hop-consumer").start(this::consume);
    source = Schedulers.newSingle("hop-source");
    target = Schedulers.newSingle("hop-target");
  }

  /**
   * Stops the consumer thread and the schedulers.
   *
   * @throws InterruptedException if interrupted while joining the consumer
   */
  @TearDown
  public void tearDown() throws InterruptedException {
    consumer.interrupt();
    consumer.join(TimeUnit.SECONDS.toMillis(10));
    source.dispose();
    target.dispose();
  }

  /**
   * Moves all events from a Flowstage producer to a consumer.
   *
   * @return the consumer's sum of the events
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long flowstage() {
    return Events.check(StageFixtures.run(0, 1, batchSize, Dispatchers::demand, false)[0]);
  }

  /**
   * Moves all events through an {@code ArrayBlockingQueue} of batches.
   *
   * @return the consumer's sum of the events
   * @throws InterruptedException if interrupted
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long arrayBlockingQueue() throws InterruptedException {
    Integer[] events = Events.all();
    for (int from = 0; from < events.length; from += batchSize) {
      Object[] batch = new Object[batchSize];
      System.arraycopy(events, from, batch, 0, batchSize);
      queue.put(batch);
    }
    queue.put(END);
    return Events.check(sums.take());
  }

  /**
   * Moves all events through Reactor's {@code publishOn} with a prefetch of {@code batchSize}.
   *
   * @return the consumer's sum of the events
   */
  @Benchmark
  @OperationsPerInvocation(Events.COUNT)
  public long reactorPublishOn() {
    Long sum =
        Flux.fromArray(Events.all())
            .subscribeOn(source)
            .publishOn(target, batchSize)
            .reduce(0L, (acc, e) -> acc + e)
            .block();
    return Events.check(sum == null ? -1 : sum);
  }

  private void consume() {
    try {
      long sum = 0;
      while (true) {
        Object[] batch = queue.take();
        if (batch == END) {
          sums.put(sum);
          sum = 0;
          continue;
        }
        for (Object e : batch) {
          sum += (Integer) e;
        }
      }
    } catch (InterruptedException e) {
      // tearDown: exit
    }
  }
}
