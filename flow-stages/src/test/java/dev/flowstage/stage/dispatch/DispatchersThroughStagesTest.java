package dev.flowstage.stage.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The built-in dispatchers inside a running producer, including demand raised in dispatch. */
final class DispatchersThroughStagesTest {
  private final StageSystem system = new StageSystem("dispatch-test");

  @AfterEach
  void close() {
    system.close();
  }

  private Stage<Integer> counter(Supplier<Dispatcher<Integer>> dispatcher) {
    return system.startProducer(
        TestProducer.counter(), ProducerOptions.<Integer>builder().dispatcher(dispatcher).build());
  }

  private RecordingConsumer<Integer> consumer(Stage<Integer> producer, SubscriptionOptions o) {
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(producer, o);
    return rec;
  }

  private static List<Integer> multiplesOf(int step, int count) {
    List<Integer> result = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      result.add(i * step);
    }
    return result;
  }

  @Test
  void demand_twoConsumers_shareEveryEventOnce() {
    Stage<Integer> producer = counter(Dispatchers::demand);
    SubscriptionOptions options = SubscriptionOptions.builder().maxDemand(10).build();
    RecordingConsumer<Integer> a = consumer(producer, options);
    RecordingConsumer<Integer> b = consumer(producer, options);
    List<Integer> all = new ArrayList<>(a.awaitEvents(30));
    all.addAll(b.awaitEvents(30));
    assertEquals(60, all.stream().distinct().count());
  }

  @Test
  void fair_consumersWithDifferentMaxDemand_bothReceive_noEventTwice() {
    Stage<Integer> producer = counter(() -> Dispatchers.fair(4));
    RecordingConsumer<Integer> big =
        consumer(producer, SubscriptionOptions.builder().maxDemand(1000).build());
    RecordingConsumer<Integer> small =
        consumer(producer, SubscriptionOptions.builder().maxDemand(8).minDemand(4).build());
    List<Integer> fromSmall = small.awaitEvents(40);
    List<Integer> fromBig = big.awaitEvents(40);
    List<Integer> all = new ArrayList<>(fromSmall);
    all.addAll(fromBig);
    assertEquals(all.size(), all.stream().distinct().count());
    assertEquals(fromSmall.stream().sorted().toList(), fromSmall); // in order for each consumer
    assertEquals(fromBig.stream().sorted().toList(), fromBig);
  }

  @Test
  void broadcast_selectorRejectingMost_stillGetsItsEvents() {
    // Each batch of 4 holds at most one multiple of 10: without the discarded events being
    // re-requested (Outbox.askUpstream), this consumer would wait forever.
    Stage<Integer> producer = counter(Dispatchers::broadcast);
    Predicate<Integer> tens = e -> e % 10 == 0;
    RecordingConsumer<Integer> rec =
        consumer(producer, SubscriptionOptions.builder().maxDemand(4).selector(tens).build());
    rec.awaitEvents(multiplesOf(10, 5));
  }

  @Test
  void broadcast_accumulateUntilAllSubscribed_bothReceiveEveryEvent() {
    // As the guide recommends: hold demand until every consumer is subscribed.
    Stage<Integer> producer =
        system.startProducer(
            TestProducer.counter(),
            ProducerOptions.<Integer>builder()
                .dispatcher(Dispatchers::broadcast)
                .demandMode(DemandMode.ACCUMULATE)
                .build());
    SubscriptionOptions options = SubscriptionOptions.builder().maxDemand(8).build();
    RecordingConsumer<Integer> a = consumer(producer, options);
    RecordingConsumer<Integer> b = consumer(producer, options);
    producer.demandMode(DemandMode.FORWARD);
    assertEquals(multiplesOf(1, 40), a.awaitEvents(40));
    assertEquals(multiplesOf(1, 40), b.awaitEvents(40));
  }

  @Test
  void broadcast_sameConsumerTwice_isRefused() {
    Stage<Integer> producer = counter(Dispatchers::broadcast);
    Stage<Void> consumer = system.startConsumer(new RecordingConsumer<Integer>());
    SubscriptionOptions options = SubscriptionOptions.builder().maxDemand(8).build();
    consumer.subscribeTo(producer, options);
    StageException e =
        assertThrows(StageException.class, () -> consumer.subscribeTo(producer, options));
    assertTrue(e.getMessage().contains("already subscribed"), e.getMessage());
  }

  @Test
  void partition_byParity_routesEachEventToItsPartition() {
    Stage<Integer> producer = counter(() -> Dispatchers.partition(2, e -> e % 2));
    RecordingConsumer<Integer> even =
        consumer(producer, SubscriptionOptions.builder().maxDemand(6).partition(0).build());
    RecordingConsumer<Integer> odd =
        consumer(producer, SubscriptionOptions.builder().maxDemand(6).partition(1).build());
    assertEquals(multiplesOf(2, 20), even.awaitEvents(20));
    List<Integer> odds = odd.awaitEvents(20);
    assertTrue(odds.stream().allMatch(e -> e % 2 == 1), odds.toString());
  }

  @Test
  void partition_hashDroppingMost_stillDeliversTheRest() {
    Stage<Integer> producer =
        counter(() -> Dispatchers.partition(1, e -> e % 10 == 0 ? 0 : Dispatchers.DROP));
    RecordingConsumer<Integer> rec =
        consumer(producer, SubscriptionOptions.builder().maxDemand(3).partition(0).build());
    rec.awaitEvents(multiplesOf(10, 5));
  }

  @Test
  void partition_unknownPartition_isRefusedWithTheDispatchersMessage() {
    Stage<Integer> producer = counter(() -> Dispatchers.partition(2));
    Stage<Void> consumer = system.startConsumer(new RecordingConsumer<Integer>());
    StageException e =
        assertThrows(
            StageException.class,
            () ->
                consumer.subscribeTo(producer, SubscriptionOptions.builder().partition(5).build()));
    assertTrue(e.getMessage().contains("partition must be one of [0, 1], got: 5"), e.getMessage());
  }

  @Test
  void partition_finiteProducer_consumerCancelsWithEventsKept_producerStillEnds() {
    AtomicLong reported = new AtomicLong();
    Stage<Integer> producer =
        system.startProducer(
            new Producer<Integer>() {
              boolean emitted;

              @Override
              public void handleDemand(long demand, ProducerContext<Integer> ctx) {
                if (!emitted) {
                  emitted = true;
                  ctx.emit(multiplesOf(1, 100)); // one batch, then the end
                  ctx.done();
                }
              }
            },
            ProducerOptions.<Integer>builder()
                .dispatcher(() -> Dispatchers.partition(2, e -> e % 2))
                .onDiscard(
                    (name, n, why) -> {
                      reported.addAndGet(n);
                      return false; // reported here: the runtime logs nothing
                    })
                .build());
    // partition 0's consumer never asks, so every even event is kept for it
    Stage<Void> idle =
        system.startConsumer(new RecordingConsumer<Integer>(SubscriptionMode.MANUAL));
    Subscription idleSub =
        idle.subscribeTo(producer, SubscriptionOptions.builder().partition(0).build());
    RecordingConsumer<Integer> odd =
        consumer(producer, SubscriptionOptions.builder().maxDemand(100).partition(1).build());
    assertEquals(50, odd.awaitEvents(50).size());
    idle.cancel(idleSub, ExitReason.normal());
    // the kept events are given up, so done() is no longer held behind them
    assertEquals(ExitReason.normal(), producer.awaitExit(Duration.ofSeconds(10)));
    assertEquals(50, reported.get());
    assertEquals(50, producer.stats().discarded());
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(10); // a hang guard only

  @Test
  void demand_consumerCancelsWithDemandOutstanding_nextConsumerReceivesInOrder() {
    // Asks, cancels and emits all go to the producer's mailbox from this thread, in this order.
    TestProducer source = TestProducer.silent();
    Stage<Integer> producer =
        system.startProducer(
            source, ProducerOptions.<Integer>builder().dispatcher(Dispatchers::demand).build());
    Stage<Void> a = system.startConsumer(new RecordingConsumer<Integer>(SubscriptionMode.MANUAL));
    Subscription aSub = a.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(5).build());
    a.ask(aSub, 5);
    assertEquals(5, source.awaitDemand());
    a.cancel(aSub, ExitReason.normal()); // its 5 stay requested upstream
    source.awaitCancel();
    producer.call(new TestProducer.Emit(List.of(0, 1)), TIMEOUT); // nobody has demand: buffered
    RecordingConsumer<Integer> b = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> bStage = system.startConsumer(b);
    Subscription bSub =
        bStage.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(3).build());
    bStage.ask(bSub, 3);
    producer.call(new TestProducer.Emit(List.of(2, 3, 4)), TIMEOUT); // the rest of A's 5
    // the buffered 0 and 1 first (GenStage 1.3 sends 2, 3, 4 and leaves them in the buffer)
    assertEquals(List.of(0, 1, 2), b.awaitEvents(3));
    assertTrue(source.noDemandPending(), "B's ask was covered by A's: nothing asked upstream");
  }

  @Test
  void broadcast_eventsBufferedWhileNewConsumerJoins_bothReceiveInOrder() {
    TestProducer source = TestProducer.silent();
    Stage<Integer> producer =
        system.startProducer(
            source, ProducerOptions.<Integer>builder().dispatcher(Dispatchers::broadcast).build());
    RecordingConsumer<Integer> a = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> aStage = system.startConsumer(a);
    Subscription aSub =
        aStage.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(5).build());
    aStage.ask(aSub, 5);
    assertEquals(5, source.awaitDemand());
    RecordingConsumer<Integer> b = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> bStage = system.startConsumer(b);
    Subscription bSub =
        bStage.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(3).build());
    // B holds A back until it asks: these go to the buffer, 3 of A's 5 still requested
    producer.call(new TestProducer.Emit(List.of(0, 1)), TIMEOUT);
    bStage.ask(bSub, 3);
    producer.call(new TestProducer.Emit(List.of(2, 3, 4)), TIMEOUT);
    assertEquals(List.of(0, 1, 2), a.awaitEvents(3));
    assertEquals(List.of(0, 1, 2), b.awaitEvents(3));
    assertTrue(source.noDemandPending(), "the requested 3 cover B's ask: nothing asked upstream");
  }
}
