package dev.flowstage.examples.ratelimiter;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

/**
 * GenStage's rate limiter in Java: a consumer in <em>manual</em> demand mode asks each producer for
 * at most {@code N} events per interval, so however fast the producer is, events arrive at {@code
 * N} per interval.
 *
 * <p>The consumer never asks for more than it has received since its last ask, so it never has more
 * than {@code N} events outstanding per producer.
 *
 * <p>Run: {@code scripts/flowstage example rate-limiter}
 */
public final class RateLimiterExample {
  private RateLimiterExample() {}

  /** Asks a producer again after each interval. */
  private record Tick(Subscription subscription) {}

  // snippet-start: rate-limiter
  /** Allows each producer {@code perInterval} events per {@code interval}. */
  static final class RateLimiter implements Consumer<Integer> {
    private final int perInterval;
    private final Duration interval;
    private final PrintWriter out;

    /** Per producer: how many events may be asked for at the next tick. */
    private final Map<Subscription, Integer> pending = new HashMap<>();

    /** Events received between two asks, per tick: never more than {@code perInterval}. */
    final List<Integer> receivedPerTick = new CopyOnWriteArrayList<>();

    final List<Integer> received = new CopyOnWriteArrayList<>();
    private int sinceLastAsk;

    RateLimiter(int perInterval, Duration interval, PrintWriter out) {
      this.perInterval = perInterval;
      this.interval = interval;
      this.out = out;
    }

    @Override
    public SubscriptionMode handleSubscribe(Subscription sub, StageContext ctx) {
      pending.put(sub, perInterval);
      ctx.sendAfter(new Tick(sub), Duration.ZERO); // first ask right away
      return SubscriptionMode.MANUAL; // demand is ours to send
    }

    @Override
    public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {
      out.println("  received " + events);
      received.addAll(events);
      sinceLastAsk += events.size();
      pending.merge(from, events.size(), Integer::sum); // these may be asked for again
    }

    @Override
    public void handleInfo(Object message, StageContext ctx) {
      if (message instanceof Tick(Subscription sub) && pending.containsKey(sub)) {
        int ask = pending.put(sub, 0);
        receivedPerTick.add(sinceLastAsk);
        sinceLastAsk = 0;
        out.println("tick: asking for " + ask);
        ctx.ask(sub, ask);
        ctx.sendAfter(message, interval);
      }
    }

    @Override
    public void handleCancel(Subscription sub, ExitReason reason, StageContext ctx) {
      pending.remove(sub);
    }
  }

  // snippet-end: rate-limiter

  /**
   * What the rate limiter saw.
   *
   * @param received every event the consumer received, in order
   * @param receivedPerTick how many events arrived in each interval
   */
  public record Outcome(List<Integer> received, List<Integer> receivedPerTick) {}

  /**
   * Runs a producer of 20 events through a limit of 5 events per 100 ms.
   *
   * @param out where the narrative goes
   * @return what the limiter received
   */
  public static Outcome run(PrintWriter out) {
    out.println("A producer of 20 events; the consumer allows 5 events per 100 ms.");
    try (StageSystem system = new StageSystem("rate-limiter")) {
      Stage<Integer> producer =
          system.startProducer(Producers.fromStream(IntStream.range(0, 20).boxed()));
      RateLimiter limiter = new RateLimiter(5, Duration.ofMillis(100), out);
      Stage<Void> consumer = system.startConsumer("rate-limiter", limiter);
      consumer.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(5).build());
      consumer.awaitExit(Duration.ofSeconds(30));
      out.println("The producer finished after 20 events; the consumer stopped with it.");
      out.flush();
      return new Outcome(List.copyOf(limiter.received), List.copyOf(limiter.receivedPerTick));
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
