package dev.flowstage.examples.polling;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A producer over an external queue that cannot notify anyone (think of a database table or a
 * message broker polled over HTTP): while consumers' demand is pending it polls every 20 ms, and it
 * does not poll at all while nobody asks.
 *
 * <p>Run: {@code scripts/flowstage example polling}
 */
public final class PollingProducerExample {
  private PollingProducerExample() {}

  /** The outside world: a queue some other system fills, and a flag set when it is done. */
  static final class ExternalQueue {
    private final ConcurrentLinkedQueue<String> items = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    void add(String item) {
      items.add(item);
    }

    void close() {
      closed = true;
    }

    // snippet-start: polling
    /** Up to {@code max} items; empty if none now; {@code null} once closed and drained. */
    List<String> poll(long max) {
      boolean wasClosed = closed; // read before draining: items added before close are seen
      List<String> batch = new ArrayList<>();
      for (String item; batch.size() < max && (item = items.poll()) != null; ) {
        batch.add(item);
      }
      return batch.isEmpty() && wasClosed ? null : batch;
    }
    // snippet-end: polling
  }

  /**
   * Feeds 12 orders into the external queue in three bursts while a consumer reads them through a
   * polling producer.
   *
   * @param out where the narrative goes
   * @return the items in the order the consumer received them
   */
  public static List<String> run(PrintWriter out) {
    ExternalQueue external = new ExternalQueue();
    List<String> received = new CopyOnWriteArrayList<>();
    try (StageSystem system = new StageSystem("polling")) {
      // snippet-start: polling-producer
      Stage<String> producer =
          system.startProducer(Producers.polling(external::poll, Duration.ofMillis(20)));
      Stage<Void> consumer =
          system.startConsumer(
              "consumer",
              new Consumer<String>() {
                @Override
                public void handleEvents(List<String> batch, Subscription from, StageContext ctx) {
                  out.println("consumer got " + batch);
                  received.addAll(batch);
                }
              });
      consumer.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(4).build());
      // snippet-end: polling-producer
      Thread feeder =
          Thread.ofVirtual()
              .name("feeder")
              .start(
                  () -> {
                    int n = 0;
                    for (int burst = 1; burst <= 3; burst++) {
                      for (int i = 0; i < 4; i++) {
                        external.add("order-" + ++n);
                      }
                      out.println("outside: burst " + burst + " of 4 orders arrived");
                      try {
                        Thread.sleep(50); // the outside world is slow, not a synchronization
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                      }
                    }
                    external.close();
                  });
      consumer.awaitExit(Duration.ofSeconds(30));
      feeder.join();
      out.println("The queue was closed and drained; the producer finished, the consumer too.");
      out.flush();
      return List.copyOf(received);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(new PrintWriter(System.out, true));
  }
}
