package dev.flowstage.examples.eventbus;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An event bus in place of Elixir's GenEvent (GenStage's {@code examples/gen_event.exs}): a
 * broadcaster producer with the broadcast dispatcher, and listeners that each receive every event
 * they select. {@code notify} returns once the event has been dispatched, so a caller blocks only
 * when every listener's demand is used up: back-pressure, not a lock. Each listener's buffer is its
 * own demand ({@code maxDemand}).
 *
 * <p>Run: {@code scripts/flowstage example event-bus}
 */
public final class EventBusExample {
  private EventBusExample() {}

  /** An event to broadcast and the caller waiting for it to go out. */
  private record Notify(String event, CompletableFuture<Void> sent) {}

  /** No more events: finish once the queue is empty. */
  private record Close() {}

  // snippet-start: event-bus
  /** Queues notifications and dispatches them to every listener as far as demand allows. */
  static final class Broadcaster implements Producer<String> {
    private final ArrayDeque<Notify> queue = new ArrayDeque<>();
    private long pendingDemand;
    private boolean closed;

    @Override
    public void handleDemand(long demand, ProducerContext<String> ctx) {
      pendingDemand += demand; // with broadcast: what the slowest listener still accepts
      dispatch(ctx);
    }

    @Override
    public void handleCast(Object message, ProducerContext<String> ctx) {
      switch (message) {
        case Notify n -> queue.add(n);
        case Close c -> closed = true;
        default -> throw new IllegalArgumentException("unexpected " + message);
      }
      dispatch(ctx);
    }

    private void dispatch(ProducerContext<String> ctx) {
      List<String> events = new ArrayList<>();
      while (pendingDemand > 0 && !queue.isEmpty()) {
        Notify n = queue.poll();
        events.add(n.event());
        n.sent().complete(null); // GenStage.reply(from, :ok): the notifier may go on
        pendingDemand--;
      }
      ctx.emit(events);
      if (closed && queue.isEmpty()) {
        ctx.done();
      }
    }
  }

  /**
   * Broadcasts {@code event} and waits until it has been dispatched to the listeners.
   *
   * @param bus the broadcaster
   * @param event the event
   * @throws TimeoutException if listeners took no event for 5 seconds
   */
  static void notify(Stage<String> bus, String event) throws TimeoutException {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    bus.cast(new Notify(event, sent));
    try {
      sent.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while notifying", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  // snippet-end: event-bus

  /** Prints and keeps what it receives. */
  static final class Listener implements Consumer<String> {
    private final String name;
    private final PrintWriter out;
    final List<String> received = new CopyOnWriteArrayList<>();

    Listener(String name, PrintWriter out) {
      this.name = name;
      this.out = out;
    }

    @Override
    public void handleEvents(List<String> events, Subscription from, StageContext ctx) {
      out.println(name + " got " + events);
      received.addAll(events);
    }
  }

  /**
   * Broadcasts eight events to an audit listener (everything) and an alert listener (errors only).
   *
   * @param out where the narrative goes
   * @return per listener name, the events it received in order
   * @throws TimeoutException if a notification was not dispatched within 5 seconds
   */
  public static Map<String, List<String>> run(PrintWriter out) throws TimeoutException {
    Map<String, List<String>> received = new ConcurrentHashMap<>();
    try (StageSystem system = new StageSystem("event-bus")) {
      // snippet-start: event-bus-wiring
      Stage<String> bus =
          system.startProducer(
              new Broadcaster(),
              ProducerOptions.<String>builder()
                  .name("bus")
                  .dispatcher(Dispatchers::broadcast)
                  .build());
      Listener audit = new Listener("audit", out);
      Listener alerts = new Listener("alerts", out);
      Stage<Void> auditStage = system.startConsumer("audit", audit);
      Stage<Void> alertStage = system.startConsumer("alerts", alerts);
      auditStage.subscribeTo(bus, SubscriptionOptions.builder().maxDemand(4).build());
      alertStage.subscribeTo(
          bus,
          SubscriptionOptions.builder()
              .maxDemand(2)
              .selector((String e) -> e.startsWith("error")) // only what it wants
              .build());
      // snippet-end: event-bus-wiring
      String[] events = {
        "info: started", "error: disk full", "info: retrying", "info: cleaned /tmp",
        "error: timeout", "info: recovered", "info: 42 jobs done", "info: stopping"
      };
      for (String event : events) {
        notify(bus, event);
        out.println("notified " + event);
      }
      bus.cast(new Close());
      auditStage.awaitExit(Duration.ofSeconds(30));
      alertStage.awaitExit(Duration.ofSeconds(30));
      out.println("The bus closed; both listeners received what they selected, in order.");
      out.flush();
      received.put("audit", List.copyOf(audit.received));
      received.put("alerts", List.copyOf(alerts.received));
      return received;
    }
  }

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   * @throws TimeoutException if the bus stalled
   */
  public static void main(String[] args) throws TimeoutException {
    run(new PrintWriter(System.out, true));
  }
}
