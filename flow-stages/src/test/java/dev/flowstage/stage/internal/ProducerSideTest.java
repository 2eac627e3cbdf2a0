package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A producer's side driven message by message on the test thread, no stage thread started: the
 * consumers are unstarted cells whose mailboxes record what the producer sent them, the way the
 * dispatchers are tested with a recording outbox.
 */
final class ProducerSideTest {
  private final StageRuntime runtime = new StageRuntime("producer-side");

  /** Emits the next {@code demand} integers on each demand. */
  private static final class Counting implements Producer<Integer> {
    int next;

    @Override
    public void handleDemand(long demand, ProducerContext<Integer> ctx) {
      List<Integer> batch = new ArrayList<>();
      for (long i = 0; i < demand; i++) {
        batch.add(next++);
      }
      ctx.emit(batch);
    }
  }

  private StageCell<Integer> producer(ProducerOptions<Integer> options) {
    StageCell<Integer> cell =
        new StageCell<>(runtime, "p", new Callbacks.OfProducer(new Counting()), options);
    cell.thread = Thread.currentThread(); // callbacks run here, as if on the stage's thread
    return cell;
  }

  private StageCell<Void> consumer(String name) {
    Consumer<Object> ignoring =
        new Consumer<>() {
          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}
        };
    return new StageCell<>(
        runtime, name, new Callbacks.OfConsumer(ignoring), ProducerOptions.defaults());
  }

  /** Drains what a cell's mailbox received. */
  private static List<Message> received(StageCell<?> cell) {
    List<Message> messages = new ArrayList<>();
    Message m;
    while ((m = cell.mailbox.poll()) != null) {
      messages.add(m);
    }
    return messages;
  }

  private static List<Object> events(List<Message> messages) {
    List<Object> events = new ArrayList<>();
    for (Message m : messages) {
      if (m instanceof Message.Events e) {
        events.addAll(e.events());
      }
    }
    return events;
  }

  @Test
  void consumer_hasNoProducerSide() {
    assertNull(consumer("c").producer);
  }

  @Test
  void ask_isServedByHandleDemand_andSentAsOneBatch() {
    StageCell<Integer> p = producer(ProducerOptions.defaults());
    StageCell<Void> c = consumer("c");
    StageSubscription sub = new StageSubscription(p, c, SubscriptionOptions.defaults());
    p.producer.onSubscribe(sub);
    assertTrue(sub.accepted.isDone());
    p.producer.onAsk(sub, 5);
    List<Message> got = received(c);
    assertEquals(1, got.size());
    assertEquals(List.of(0, 1, 2, 3, 4), events(got));
  }

  @Test
  void accumulate_holdsDemandUntilForward() {
    StageCell<Integer> p =
        producer(ProducerOptions.<Integer>builder().demandMode(DemandMode.ACCUMULATE).build());
    StageCell<Void> c = consumer("c");
    StageSubscription sub = new StageSubscription(p, c, SubscriptionOptions.defaults());
    p.producer.onSubscribe(sub);
    p.producer.onAsk(sub, 3);
    p.producer.onAsk(sub, 2);
    assertEquals(List.of(), events(received(c)));
    p.producer.setDemandMode(DemandMode.FORWARD);
    assertEquals(List.of(0, 1, 2, 3, 4), events(received(c)));
  }

  @Test
  void cancel_confirmsToTheConsumer_andLaterAsksAreIgnored() {
    StageCell<Integer> p = producer(ProducerOptions.defaults());
    StageCell<Void> c = consumer("c");
    StageSubscription sub = new StageSubscription(p, c, SubscriptionOptions.defaults());
    p.producer.onSubscribe(sub);
    p.producer.onCancel(sub, ExitReason.normal());
    List<Message> got = received(c);
    assertEquals(1, got.size());
    assertInstanceOf(Message.Cancelled.class, got.get(0));
    p.producer.onAsk(sub, 4);
    assertEquals(List.of(), received(c));
  }

  @Test
  void partition_consumerLeavesWithEventsKept_givesThemUpAsDiscarded() {
    StageCell<Integer> p =
        producer(
            ProducerOptions.<Integer>builder()
                .dispatcher(() -> Dispatchers.partition(2, e -> e % 2))
                .onDiscard((name, n, why) -> false)
                .build());
    StageCell<Void> even = consumer("even");
    StageCell<Void> odd = consumer("odd");
    StageSubscription evenSub =
        new StageSubscription(p, even, SubscriptionOptions.builder().partition(0).build());
    StageSubscription oddSub =
        new StageSubscription(p, odd, SubscriptionOptions.builder().partition(1).build());
    p.producer.onSubscribe(evenSub);
    p.producer.onSubscribe(oddSub);
    p.producer.onAsk(oddSub, 4); // 0..3: 1 and 3 sent, 0 and 2 kept for even, which asked nothing
    assertEquals(List.of(1, 3), events(received(odd)));
    assertEquals(2, p.bufferedCount());
    p.producer.onCancel(evenSub, ExitReason.normal());
    assertEquals(0, p.bufferedCount());
    // the 2 given up had used odd's demand: they are replaced; the replacements for the
    // abandoned partition (4, 6) are given up too, until odd has its 2
    assertEquals(List.of(5, 7), events(received(odd)));
    assertEquals(4, p.stats().discarded());
  }
}
