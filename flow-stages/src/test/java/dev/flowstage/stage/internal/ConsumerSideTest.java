package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A consumer's side driven message by message on the test thread, no stage thread started: the
 * producer is an unstarted cell whose mailbox records the subscribe and the asks.
 */
final class ConsumerSideTest {
  private final StageRuntime runtime = new StageRuntime("consumer-side");
  private final List<List<Object>> handled = new ArrayList<>();

  private StageCell<Void> consumer() {
    Consumer<Object> recording =
        new Consumer<>() {
          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {
            handled.add(List.copyOf(events));
          }
        };
    StageCell<Void> cell =
        new StageCell<>(
            runtime, "c", new Callbacks.OfConsumer(recording), ProducerOptions.defaults());
    cell.thread = Thread.currentThread(); // callbacks run here, as if on the stage's thread
    return cell;
  }

  private StageCell<Integer> producer() {
    Producer<Integer> silent =
        new Producer<>() {
          @Override
          public void handleDemand(long demand, ProducerContext<Integer> ctx) {}
        };
    return new StageCell<>(
        runtime, "p", new Callbacks.OfProducer(silent), ProducerOptions.<Integer>defaults());
  }

  private static List<Message> received(StageCell<?> cell) {
    List<Message> messages = new ArrayList<>();
    Message m;
    while ((m = cell.mailbox.poll()) != null) {
      messages.add(m);
    }
    return messages;
  }

  @Test
  void producer_hasNoConsumerSide() {
    assertNull(producer().consumer);
  }

  @Test
  void subscribe_sendsSubscribeThenAsksMaxDemand_andAsksAgainPastMinDemand() {
    StageCell<Void> c = consumer();
    StageCell<Integer> p = producer();
    SubscriptionOptions options = SubscriptionOptions.builder().maxDemand(10).minDemand(5).build();
    StageSubscription sub = (StageSubscription) c.consumer.subscribeFromInside(p, options);
    List<Message> sent = received(p);
    assertEquals(2, sent.size());
    assertSame(sub, assertInstanceOf(Message.Subscribe.class, sent.get(0)).sub());
    assertEquals(10, assertInstanceOf(Message.Ask.class, sent.get(1)).n());
    // 5 events bring the pending demand down to minDemand: the consumer asks for 5 more
    c.consumer.onEvents(new Message.Events(sub, List.of(0, 1, 2, 3, 4)));
    assertEquals(List.of(List.of(0, 1, 2, 3, 4)), handled);
    List<Message> asks = received(p);
    assertEquals(1, asks.size());
    assertEquals(5, assertInstanceOf(Message.Ask.class, asks.get(0)).n());
  }

  @Test
  void upstreamFailure_permanent_stopsTheStage_temporary_doesNot() {
    StageCell<Void> c = consumer();
    StageCell<Integer> p = producer();
    ExitReason failure = ExitReason.failure(new IllegalStateException("upstream broke"));
    StageSubscription temporary =
        (StageSubscription)
            c.consumer.subscribeFromInside(
                p, SubscriptionOptions.builder().cancel(CancelMode.TEMPORARY).build());
    c.consumer.onUpstreamEnded(temporary, failure, true);
    assertNull(c.pendingStop);
    StageSubscription permanent =
        (StageSubscription) c.consumer.subscribeFromInside(p, SubscriptionOptions.defaults());
    c.consumer.onUpstreamEnded(permanent, failure, true);
    assertSame(failure, c.pendingStop);
    assertEquals(List.of(), c.upstreamSubscriptions());
  }
}
