package dev.flowstage.examples.producerconsumer;

import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * GenStage's first README example in Java: producer A counts, producer-consumer B multiplies each
 * number by two, consumer C prints what arrives. C asks B for at most 10 events at a time and B
 * forwards that demand to A, so A never produces more than C can take.
 *
 * <p>Unlike GenStage's, this A stops after 30 numbers, and the end travels down the pipeline: A
 * finishes, B learns of it in {@code handleCancel} and finishes too, then C stops.
 *
 * <p>Run: {@code scripts/flowstage example producer-consumer}
 */
public final class ProducerConsumerExample {
  private ProducerConsumerExample() {}

  // snippet-start: producer-consumer
  /** A: emits 0, 1, 2, ... exactly as many as asked, then finishes at {@code limit}. */
  static final class A implements Producer<Integer> {
    private final int limit;
    private int counter;

    A(int limit) {
      this.limit = limit;
    }

    @Override
    public void handleDemand(long demand, ProducerContext<Integer> ctx) {
      List<Integer> events = new ArrayList<>();
      while (events.size() < demand && counter < limit) {
        events.add(counter++);
      }
      ctx.emit(events);
      if (counter == limit) {
        ctx.done(); // deliver what was emitted, then exit normally
      }
    }
  }

  /** B: multiplies every event by {@code multiplier}; finishes when A has finished. */
  static final class B implements ProducerConsumer<Integer, Integer> {
    private final int multiplier;

    B(int multiplier) {
      this.multiplier = multiplier;
    }

    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
      List<Integer> out = new ArrayList<>(events.size());
      for (int e : events) {
        out.add(e * multiplier);
      }
      ctx.emit(out);
    }

    @Override
    public void handleCancel(
        Peer peer, Subscription sub, ExitReason reason, ProducerContext<Integer> ctx) {
      if (peer == Peer.PRODUCER && !reason.isAbnormal()) {
        ctx.done();
      }
    }
  }

  /** C: prints each batch and keeps every event. */
  static final class C implements Consumer<Integer> {
    private final PrintWriter out;
    final List<Integer> received = new CopyOnWriteArrayList<>();

    C(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {
      out.println("C received " + events.size() + " events: " + events);
      received.addAll(events);
    }
  }

  // snippet-end: producer-consumer

  /**
   * Runs A -> B -> C to the end.
   *
   * @param out where the narrative goes
   * @return every event C received, in order
   */
  public static List<Integer> run(PrintWriter out) {
    out.println(
        "A counts from 0 to 29, B doubles, C prints. C asks for 10 events and asks again"
            + " each time it has handled 5, so events arrive in batches of 5.");
    try (StageSystem system = new StageSystem("producer-consumer")) {
      // snippet-start: producer-consumer-wiring
      Stage<Integer> a =
          system.startProducer(new A(30), ProducerOptions.<Integer>builder().name("A").build());
      Stage<Integer> b =
          system.startProducerConsumer(
              new B(2), ProducerOptions.<Integer>builder().name("B").build());
      C c = new C(out);
      Stage<Void> cStage = system.startConsumer("C", c);
      // As in GenStage's README, subscribe downstream first; nothing flows until B asks A.
      cStage.subscribeTo(b, SubscriptionOptions.builder().maxDemand(10).build());
      b.subscribeTo(
          a, SubscriptionOptions.builder().maxDemand(10).cancel(CancelMode.TRANSIENT).build());
      ExitReason reason = cStage.awaitExit(Duration.ofSeconds(30));
      // snippet-end: producer-consumer-wiring
      out.println("A finished, B finished after it, and C stopped: " + reason + ".");
      out.flush();
      return List.copyOf(c.received);
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
