package dev.flowstage.examples.consumersupervisor;

import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.supervisor.ConsumerSupervisor;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * GenStage's ConsumerSupervisor example in Java: a counter producer feeds a supervisor that starts
 * one child task per event, each on its own virtual thread. With {@code maxDemand} 4 at most four
 * children run at once; as they end, the supervisor asks the producer for more.
 *
 * <p>Run: {@code scripts/flowstage example consumer-supervisor}
 */
public final class ConsumerSupervisorExample {
  private ConsumerSupervisorExample() {}

  /**
   * What happened.
   *
   * @param handled every event a child handled
   * @param mostAtOnce the most children that ran at the same time
   */
  public record Outcome(Set<Integer> handled, int mostAtOnce) {}

  /**
   * Runs 12 events through a supervisor that allows 4 children at a time.
   *
   * @param out where the narrative goes
   * @return what the children did
   * @throws InterruptedException if interrupted while waiting
   */
  public static Outcome run(PrintWriter out) throws InterruptedException {
    int events = 12;
    Set<Integer> handled = ConcurrentHashMap.newKeySet();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    CountDownLatch allDone = new CountDownLatch(events);
    out.println("12 events, one child per event, at most 4 children at once (maxDemand 4).");
    try (StageSystem system = new StageSystem("consumer-supervisor")) {
      Stage<Integer> counter =
          system.startProducer(Producers.fromStream(IntStream.range(0, events).boxed()));
      // snippet-start: consumer-supervisor
      ConsumerSupervisor<Integer> supervisor =
          ConsumerSupervisor.<Integer>builder(
                  event -> {
                    int now = running.incrementAndGet();
                    mostAtOnce.accumulateAndGet(now, Math::max);
                    out.println("child for event " + event + " runs (" + now + " running)");
                    Thread.sleep(10); // the work: a blocking call is cheap on a virtual thread
                    handled.add(event);
                    running.decrementAndGet();
                    allDone.countDown();
                  })
              .name("supervisor")
              .subscribeTo(
                  counter,
                  SubscriptionOptions.builder()
                      .maxDemand(4)
                      .minDemand(2)
                      .cancel(CancelMode.TRANSIENT) // outlive the counter: let children finish
                      .build())
              .start(system);
      // snippet-end: consumer-supervisor
      if (!allDone.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("children did not finish within 30 s");
      }
      supervisor.stage().stop(ExitReason.shutdown());
      supervisor.stage().awaitExit(Duration.ofSeconds(10));
      out.println("All 12 children ended; never more than " + mostAtOnce.get() + " ran at once.");
      out.flush();
      return new Outcome(Set.copyOf(handled), mostAtOnce.get());
    }
  }

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   * @throws InterruptedException if interrupted
   */
  public static void main(String[] args) throws InterruptedException {
    run(new PrintWriter(System.out, true));
  }
}
