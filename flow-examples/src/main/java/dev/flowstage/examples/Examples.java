package dev.flowstage.examples;

import dev.flowstage.examples.consumersupervisor.ConsumerSupervisorExample;
import dev.flowstage.examples.eventbus.EventBusExample;
import dev.flowstage.examples.polling.PollingProducerExample;
import dev.flowstage.examples.producerconsumer.ProducerConsumerExample;
import dev.flowstage.examples.ratelimiter.RateLimiterExample;
import dev.flowstage.examples.windows.FixedWindowCountsExample;
import dev.flowstage.examples.wordcount.WordCountExample;
import dev.flowstage.examples.workerpool.WorkerPoolExample;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/** The examples {@code flowstage example NAME} can run, in the order they are listed. */
public final class Examples {
  private Examples() {}

  /** Runs an example, writing its narrative to {@code out}. */
  @FunctionalInterface
  public interface Body {
    /**
     * Runs the example to its end.
     *
     * @param out where the narrative goes
     * @throws Exception if the example fails
     */
    void run(PrintWriter out) throws Exception;
  }

  /**
   * One example.
   *
   * @param name the name given to {@code flowstage example}
   * @param summary one line saying what it shows
   * @param body the program
   */
  public record Example(String name, String summary, Body body) {}

  private static final List<Example> ALL =
      List.of(
          new Example(
              "producer-consumer",
              "A -> B -> C: a counter, a multiplier and a printer under demand (GenStage README)",
              ProducerConsumerExample::run),
          new Example(
              "consumer-supervisor",
              "one child task per event from a counter, at most 4 at once (GenStage README)",
              ConsumerSupervisorExample::run),
          new Example(
              "event-bus",
              "GenEvent replaced: a broadcast dispatcher, notify blocks only on back-pressure",
              EventBusExample::run),
          new Example(
              "rate-limiter",
              "manual demand: a consumer allows 5 events per 100 ms (GenStage README)",
              RateLimiterExample::run),
          new Example(
              "worker-pool",
              "pending demand: workers ask before any job exists; the queue remembers",
              WorkerPoolExample::run),
          new Example(
              "polling",
              "a producer polling an external queue only while demand is pending",
              PollingProducerExample::run),
          new Example(
              "wordcount",
              "word count on Flow: flatMap into words, partition by word, reduce, top N",
              WordCountExample::run),
          new Example(
              "windows",
              "fixed one-minute windows: requests per minute and status from an access log",
              FixedWindowCountsExample::run));

  /** {@return every example, in listing order} */
  public static List<Example> all() {
    return ALL;
  }

  /**
   * Finds an example by name.
   *
   * @param name the example's name
   * @return the example, or empty if there is none with that name
   */
  public static Optional<Example> find(String name) {
    return ALL.stream().filter(e -> e.name().equals(name)).findFirst();
  }
}
