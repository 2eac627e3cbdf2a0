package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Producer-consumer mechanics (reference A8) and the pattern flow-core builds on. */
final class ProducerConsumerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("pc");

  @AfterEach
  void close() {
    system.close();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /** Doubles each event; emits the sum of everything seen once every upstream finished. */
  private static final class DoubleThenSum implements ProducerConsumer<Integer, Integer> {
    private int sum;

    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
      List<Integer> out = new ArrayList<>(events.size());
      for (int e : events) {
        sum += e;
        out.add(e * 2);
      }
      ctx.emit(out);
    }

    @Override
    public void handleCancel(
        Peer peer, Subscription s, ExitReason reason, ProducerContext<Integer> ctx) {
      if (peer == Peer.PRODUCER
          && reason instanceof ExitReason.Normal
          && ctx.producers().isEmpty()) {
        ctx.emit(-sum);
        ctx.done();
      }
    }
  }

  @Test
  void pipeline_twoFiniteSourcesThroughPc_finalEventThenDoneReachesConsumer() {
    Stage<Integer> a = system.startProducer(Producers.fromIterable(range(0, 1000)));
    Stage<Integer> b = system.startProducer(Producers.fromIterable(range(1000, 1500)));
    Stage<Integer> pc = system.startProducerConsumer(new DoubleThenSum());
    SubscriptionOptions transientOpts =
        SubscriptionOptions.builder().maxDemand(100).cancel(CancelMode.TRANSIENT).build();
    pc.subscribeTo(a, transientOpts);
    pc.subscribeTo(b, transientOpts);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(pc, SubscriptionOptions.builder().maxDemand(50).build());
    List<Integer> got = rec.awaitEvents(1501);
    assertEquals(-IntStream.range(0, 1500).sum(), got.get(1500));
    List<Integer> doubled = new ArrayList<>(got.subList(0, 1500));
    doubled.sort(null);
    assertEquals(IntStream.range(0, 1500).map(i -> i * 2).boxed().toList(), doubled);
    assertEquals(ExitReason.normal(), rec.awaitCancel().reason());
    assertEquals(ExitReason.normal(), pc.awaitExit(WAIT));
    assertEquals(ExitReason.normal(), consumer.awaitExit(WAIT));
  }

  @Test
  void pc_withoutDownstreamDemand_holdsInputAndBuffersOnlyOneMessagesOutput() {
    TestProducer counter = TestProducer.counter();
    Stage<Integer> producer = system.startProducer(counter);
    Stage<Integer> pc =
        system.startProducerConsumer(
            (ProducerConsumer<Integer, Integer>) (events, from, ctx) -> ctx.emit(events));
    pc.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(10).minDemand(5).build());
    assertEquals(10, counter.awaitDemand());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(pc, SubscriptionOptions.defaults());
    consumer.ask(sub, 3);
    assertEquals(range(0, 3), rec.awaitBatchEvents());
    // The whole upstream message was handled (10 events): 3 delivered, 7 buffered in the pc;
    // its re-asks fetched more input that now waits unprocessed because downstream demand is 0.
    consumer.ask(sub, 7);
    assertEquals(range(3, 10), rec.awaitEvents(7));
    consumer.ask(sub, 10);
    assertEquals(range(10, 20), rec.awaitEvents(10));
  }

  /** Passes events through; finishes once its upstream finished. */
  private static final class PassThenDone implements ProducerConsumer<Integer, Integer> {
    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
      ctx.emit(events);
    }

    @Override
    public void handleCancel(
        Peer peer, Subscription s, ExitReason reason, ProducerContext<Integer> ctx) {
      if (peer == Peer.PRODUCER && ctx.producers().isEmpty()) {
        ctx.done();
      }
    }
  }

  @Test
  void pc_partitionDispatcher_routesByKeyToEachPartitionConsumer() {
    Stage<Integer> source =
        system.startProducer(
            Producers.fromIterable(range(0, 400)),
            ProducerOptions.<Integer>builder().demandMode(DemandMode.ACCUMULATE).build());
    Stage<Integer> router =
        system.startProducerConsumer(
            new PassThenDone(),
            ProducerOptions.<Integer>builder()
                .name("router")
                .dispatcher(() -> Dispatchers.partition(2, e -> e % 2))
                .build());
    router.subscribeTo(
        source, SubscriptionOptions.builder().maxDemand(30).cancel(CancelMode.TRANSIENT).build());
    List<RecordingConsumer<Integer>> recs = new ArrayList<>();
    List<Stage<Void>> consumers = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      Stage<Void> c = system.startConsumer(rec);
      c.subscribeTo(router, SubscriptionOptions.builder().maxDemand(20).partition(p).build());
      recs.add(rec);
      consumers.add(c);
    }
    source.demandMode(DemandMode.FORWARD);
    assertEquals(
        range(0, 400).stream().filter(i -> i % 2 == 0).toList(), recs.get(0).awaitEvents(200));
    assertEquals(
        range(0, 400).stream().filter(i -> i % 2 == 1).toList(), recs.get(1).awaitEvents(200));
    for (Stage<Void> c : consumers) {
      assertEquals(ExitReason.normal(), c.awaitExit(WAIT));
    }
  }

  @Test
  void pc_badPartitionOption_syncSubscribeThrowsAndConsumerLives() {
    Stage<Integer> router =
        system.startProducerConsumer(
            (ProducerConsumer<Integer, Integer>) (events, from, ctx) -> ctx.emit(events),
            ProducerOptions.<Integer>builder().dispatcher(() -> Dispatchers.partition(2)).build());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    StageException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            StageException.class,
            () -> consumer.subscribeTo(router, SubscriptionOptions.defaults()));
    assertTrue(e.getMessage().contains("partition"), e.getMessage());
    consumer.syncInfo("alive", WAIT);
    assertEquals("alive", rec.awaitInfo());
  }
}
