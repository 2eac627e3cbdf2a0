package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.GreedyDispatcher;
import dev.flowstage.stage.testing.LogRecorder;
import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GenStage rules (the semantics reference, part A) that no other test pinned: option defaults and
 * validation, cumulative manual demand, accumulate mode, producer-consumer buffering, ordered infos
 * and the cancel modes on a shutdown.
 */
final class GenStageSemanticsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("semantics");

  @AfterEach
  void close() {
    system.close();
  }

  // A5: max_demand 1000, min_demand div(max_demand, 2), cancel permanent.
  @Test
  void subscriptionOptions_defaults_areGenStages() {
    SubscriptionOptions d = SubscriptionOptions.defaults();
    assertEquals(1000, d.maxDemand());
    assertEquals(500, d.minDemand());
    assertEquals(CancelMode.PERMANENT, d.cancel());
    assertNull(d.partition());
    assertNull(d.selector());
    assertEquals(0, SubscriptionOptions.builder().maxDemand(1).build().minDemand());
    assertEquals(1, SubscriptionOptions.builder().maxDemand(3).build().minDemand());
    assertEquals(500, SubscriptionOptions.builder().maxDemand(1001).build().minDemand());
  }

  // A5: max_demand >= 1; min_demand in 0..max_demand-1.
  @Test
  void subscriptionOptions_outOfRange_areRejected() {
    assertEquals(999, SubscriptionOptions.builder().minDemand(999).build().minDemand());
    assertEquals(0, SubscriptionOptions.builder().minDemand(0).build().minDemand());
    // The messages name the bound and the value given, as GenStage's do.
    IllegalArgumentException zeroMax =
        assertThrows(
            IllegalArgumentException.class,
            () -> SubscriptionOptions.builder().maxDemand(0).build());
    assertTrue(zeroMax.getMessage().contains("at least 1, got: 0"), zeroMax.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> SubscriptionOptions.builder().minDemand(1000).build());
    IllegalArgumentException bigMin =
        assertThrows(
            IllegalArgumentException.class,
            () -> SubscriptionOptions.builder().minDemand(2000).build());
    assertTrue(
        bigMin.getMessage().contains("(1000)") && bigMin.getMessage().contains("got: 2000"),
        bigMin.getMessage());
    for (int negative : new int[] {-1, -2}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> SubscriptionOptions.builder().minDemand(negative).build());
      assertTrue(e.getMessage().contains(Integer.toString(negative)), e.getMessage());
    }
  }

  // A4: buffer_keep :last, demand :forward; the buffer size is the stage kind's default.
  @Test
  void producerOptions_defaults_areGenStages() {
    ProducerOptions<Object> d = ProducerOptions.defaults();
    assertEquals(ProducerOptions.DEFAULT_BUFFER, d.bufferSize());
    assertEquals(BufferKeep.LAST, d.bufferKeep());
    assertEquals(DemandMode.FORWARD, d.demandMode());
    assertEquals(false, d.discardWhenNoConsumers());
    assertNull(d.dispatcher());
  }

  // A2: demand is cumulative; A7.2: a manual subscription asks nothing by itself.
  @Test
  void manualAsks_addUp() {
    TestProducer tp = TestProducer.counter();
    Stage<Integer> producer = system.startProducer(tp);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(producer, SubscriptionOptions.defaults());
    consumer.ask(sub, 5);
    consumer.ask(sub, 5);
    assertEquals(5, tp.awaitDemand());
    assertEquals(5, tp.awaitDemand());
    assertEquals(IntStream.range(0, 10).boxed().toList(), rec.awaitEvents(10));
  }

  // A7.5: setting accumulate while accumulating does not reset the recorded demand.
  @Test
  void accumulateAgain_keepsTheRecordedDemand() {
    TestProducer tp = TestProducer.counter();
    Stage<Integer> producer =
        system.startProducer(
            tp, ProducerOptions.<Integer>builder().demandMode(DemandMode.ACCUMULATE).build());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system
        .startConsumer(rec)
        .subscribeTo(producer, SubscriptionOptions.builder().maxDemand(4).minDemand(0).build());
    producer.demandMode(DemandMode.ACCUMULATE);
    assertEquals(DemandMode.ACCUMULATE, producer.demandMode(WAIT));
    producer.demandMode(DemandMode.FORWARD);
    assertEquals(4, tp.awaitDemand());
    assertEquals(List.of(0, 1, 2, 3), rec.awaitEvents(4));
  }

  /** Emits {@code fanOut} events per input event. */
  private record Expand(int fanOut) implements ProducerConsumer<Integer, Integer> {
    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
      List<Integer> out = new ArrayList<>();
      for (Integer e : events) {
        for (int i = 0; i < fanOut; i++) {
          out.add(e * fanOut + i);
        }
      }
      ctx.emit(out);
    }
  }

  // A4/A8: a producer-consumer's buffer is unbounded by default, so a fan-out beyond the
  // producer default of 10 000 loses nothing.
  @Test
  void producerConsumer_defaultBuffer_isUnbounded() {
    TestProducer tp = TestProducer.silent();
    Stage<Integer> source = system.startProducer(tp);
    Stage<Integer> pc = system.startProducerConsumer(new Expand(12_000));
    pc.subscribeTo(source, SubscriptionOptions.builder().maxDemand(1).minDemand(0).build());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(pc, SubscriptionOptions.defaults());
    consumer.ask(sub, 1);
    source.cast(new TestProducer.Emit(List.of(1)));
    assertEquals(List.of(12_000), rec.awaitEvents(1));
    assertEquals(11_999, pc.estimateBufferedCount(WAIT));
    assertEquals(0, pc.stats().discarded());
    consumer.ask(sub, 11_999);
    List<Integer> rest = rec.awaitEvents(11_999);
    assertEquals(12_001, rest.get(0));
    assertEquals(23_999, rest.get(rest.size() - 1));
  }

  // A8: a producer-consumer that emits nothing uses no downstream demand, so it keeps pulling.
  @Test
  void producerConsumer_discardingEverything_keepsPullingUpstream() throws Exception {
    CountDownLatch handled = new CountDownLatch(2_000);
    ProducerConsumer<Integer, Integer> drop =
        (events, from, ctx) -> events.forEach(e -> handled.countDown());
    Stage<Integer> source = system.startProducer(TestProducer.counter());
    Stage<Integer> pc = system.startProducerConsumer(drop);
    pc.subscribeTo(source, SubscriptionOptions.builder().maxDemand(10).minDemand(5).build());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system
        .startConsumer(rec)
        .subscribeTo(pc, SubscriptionOptions.builder().maxDemand(1).minDemand(0).build());
    assertTrue(handled.await(WAIT.toSeconds(), TimeUnit.SECONDS), "pc stopped pulling");
    assertTrue(rec.noBatchPending());
  }

  // A9.3: several infos queued at the same place in the buffer keep their order (1.3.1).
  @Test
  void severalInfosBehindBufferedEvents_keepTheirOrder() {
    TestProducer tp = TestProducer.silent();
    Stage<Integer> producer = system.startProducer(tp);
    producer.cast(new TestProducer.Emit(List.of(1, 2, 3)));
    producer.asyncInfo("a");
    producer.asyncInfo("b");
    producer.cast(new TestProducer.Emit(List.of(4)));
    producer.asyncInfo("c");
    assertEquals(4, producer.estimateBufferedCount(WAIT));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(producer, SubscriptionOptions.defaults());
    consumer.ask(sub, 10);
    assertEquals(List.of(1, 2, 3), ((RecordingConsumer.Batch<?>) rec.awaitTimeline()).events());
    assertEquals(new ProducerInfo(sub, "a"), rec.awaitTimeline());
    assertEquals(new ProducerInfo(sub, "b"), rec.awaitTimeline());
    assertEquals(List.of(4), ((RecordingConsumer.Batch<?>) rec.awaitTimeline()).events());
    assertEquals(new ProducerInfo(sub, "c"), rec.awaitTimeline());
    assertEquals("a", tp.awaitInfo());
    assertEquals("b", tp.awaitInfo());
    assertEquals("c", tp.awaitInfo());
  }

  // A10.2: a shutdown stops only a permanent consumer (transient exits on anything else).
  @ParameterizedTest
  @EnumSource(CancelMode.class)
  void producerStopsWithShutdown_consumerReactsPerMode(CancelMode mode) {
    Stage<Integer> producer = system.startProducer(TestProducer.silent());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(producer, SubscriptionOptions.builder().cancel(mode).build());
    producer.stop(ExitReason.shutdown("bye"));
    assertEquals(ExitReason.shutdown("bye"), rec.awaitCancel().reason());
    if (mode == CancelMode.PERMANENT) {
      assertEquals(ExitReason.shutdown("bye"), consumer.awaitExit(WAIT));
    } else {
      consumer.syncInfo("still-alive", WAIT);
      assertEquals("still-alive", rec.awaitInfo());
    }
  }

  // A10.2: a transient consumer stops when its producer cancels it with a failure reason.
  @Test
  void cancelWithFailureReason_stopsATransientConsumer() {
    TestProducer tp = TestProducer.silent();
    Stage<Integer> producer = system.startProducer(tp);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub =
        consumer.subscribeTo(
            producer, SubscriptionOptions.builder().cancel(CancelMode.TRANSIENT).build());
    ExitReason failure = ExitReason.failure(new IllegalStateException("rejected"));
    producer.cancel(sub, failure);
    assertEquals(failure, consumer.awaitExit(WAIT));
    assertEquals(failure, tp.awaitCancel());
    assertTrue(producer.isAlive());
  }

  // A10.2: when handleCancel stops the stage, that wins over the cancel mode.
  @Test
  void handleCancelStops_winsOverTemporary() {
    ExitReason own = ExitReason.shutdown("my choice");
    Consumer<Integer> stopper =
        new Consumer<>() {
          @Override
          public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {}

          @Override
          public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
            ctx.stop(own);
          }
        };
    Stage<Integer> producer = system.startProducer(TestProducer.silent());
    Stage<Void> consumer = system.startConsumer(stopper);
    consumer.subscribeTo(
        producer, SubscriptionOptions.builder().cancel(CancelMode.TEMPORARY).build());
    producer.stop(ExitReason.normal());
    assertEquals(own, consumer.awaitExit(WAIT));
  }

  // A7.3: handleDemand always gets a positive demand, exactly what the buffer could not serve.
  @Test
  void handleDemand_getsOnlyWhatTheBufferCannotServe() {
    AtomicLong smallest = new AtomicLong(Long.MAX_VALUE);
    TestProducer tp = TestProducer.silent();
    Producer<Integer> watching =
        new Producer<>() {
          @Override
          public void handleDemand(long demand, ProducerContext<Integer> ctx) {
            smallest.accumulateAndGet(demand, Math::min);
            tp.handleDemand(demand, ctx);
          }

          @Override
          public void handleCast(Object message, ProducerContext<Integer> ctx) {
            tp.handleCast(message, ctx);
          }
        };
    Stage<Integer> producer = system.startProducer(watching);
    producer.cast(new TestProducer.Emit(List.of(1, 2, 3)));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(producer, SubscriptionOptions.defaults());
    consumer.ask(sub, 2); // all from the buffer
    assertEquals(List.of(1, 2), rec.awaitEvents(2));
    consumer.ask(sub, 5); // 1 from the buffer, 4 from handleDemand
    assertEquals(List.of(3), rec.awaitEvents(1));
    assertEquals(4, tp.awaitDemand());
    assertTrue(tp.noDemandPending());
    assertEquals(4, smallest.get());
  }

  // A10.2: exits propagate downstream only, each permanent consumer stopping with the same reason.
  @Test
  void producerFailure_reachesAChainDownstreamWithTheSameReason() {
    Stage<Integer> source = system.startProducer(TestProducer.silent());
    Stage<Integer> pc = system.startProducerConsumer(new Expand(1));
    pc.subscribeTo(source, SubscriptionOptions.defaults());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(pc, SubscriptionOptions.defaults());
    ExitReason failure = ExitReason.failure(new IllegalStateException("upstream broke"));
    source.kill(failure);
    ExitReason pcExit = pc.awaitExit(WAIT);
    assertEquals(failure, pcExit);
    assertInstanceOf(ExitReason.Failure.class, consumer.awaitExit(WAIT));
    assertEquals(failure, consumer.awaitExit(WAIT));
  }

  // A9.1: keep LAST drops the oldest events; an info queued behind a dropped event is delivered at
  // once, and the drop is counted.
  @Test
  void bufferKeepLast_overflowPastAnInfo_deliversTheInfoAtOnce() {
    TestProducer tp = TestProducer.silent();
    List<Long> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    Stage<Integer> producer =
        system.startProducer(
            tp,
            ProducerOptions.<Integer>builder()
                .bufferSize(3)
                .onDiscard(
                    (stage, count, why) -> {
                      reported.add(count);
                      return false;
                    })
                .build());
    producer.cast(new TestProducer.EmitThenInfo(List.of(1, 2), "behind-2"));
    producer.cast(new TestProducer.Emit(List.of(3, 4, 5)));
    assertEquals("behind-2", tp.awaitInfo());
    assertEquals(3, producer.estimateBufferedCount(WAIT));
    assertEquals(2, producer.stats().discarded());
    assertEquals(List.of(2L), reported);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(producer, SubscriptionOptions.defaults());
    assertEquals(List.of(3, 4, 5), rec.awaitEvents(3));
  }

  // A12.1: by default a source producer keeps running when its last consumer cancels.
  @Test
  void fromIterator_defaultOnCancel_keepsRunningWhenTheLastConsumerLeaves() {
    Stage<Integer> producer =
        system.startProducer(Producers.fromIterator(IntStream.range(0, 1_000_000).iterator()));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub =
        consumer.subscribeTo(
            producer,
            SubscriptionOptions.builder().maxDemand(5).cancel(CancelMode.TEMPORARY).build());
    assertEquals(List.of(0, 1, 2, 3, 4), rec.awaitEvents(5));
    consumer.cancel(sub, ExitReason.normal());
    assertEquals(ExitReason.normal(), rec.awaitCancel().reason());
    assertEquals(DemandMode.FORWARD, producer.demandMode(WAIT)); // answers: still running
    assertTrue(producer.isAlive());
  }

  // A12.2: a transient stream over a producer that is not alive fails, as a permanent one does.
  @Test
  void stream_transientOverDeadProducer_throws() {
    Stage<Integer> p = system.startProducer(TestProducer.counter());
    p.stop(ExitReason.shutdown());
    p.awaitExit(WAIT);
    SubscriptionOptions transientOpts =
        SubscriptionOptions.builder().cancel(CancelMode.TRANSIENT).build();
    try (java.util.stream.Stream<Integer> s = system.stream(List.of(p), transientOpts)) {
      StageException e = assertThrows(StageException.class, s::toList);
      assertTrue(e.getMessage().contains("not alive"), e.getMessage());
    }
  }

  // A6: the demand mode of a consumer or a producer-consumer reads as forward (GenStage crashes a
  // producer-consumer asked this: A14.2, not copied).
  @Test
  void demandModeQuery_onConsumerAndProducerConsumer_isForward() {
    Stage<Integer> pc = system.startProducerConsumer(new Expand(1));
    Stage<Void> consumer = system.startConsumer(new RecordingConsumer<Integer>());
    assertEquals(DemandMode.FORWARD, pc.demandMode(WAIT));
    assertEquals(DemandMode.FORWARD, consumer.demandMode(WAIT));
    assertTrue(pc.isAlive());
  }

  // A10.2: a broadcast dispatcher refusing a second subscription of the same consumer does not
  // stop it, even with a permanent subscription; the first subscription keeps flowing.
  @Test
  void broadcastRefusingASecondSubscription_leavesThePermanentConsumerRunning() {
    Stage<Integer> producer =
        system.startProducer(
            TestProducer.counter(),
            ProducerOptions.<Integer>builder()
                .dispatcher(dev.flowstage.stage.dispatch.Dispatchers::broadcast)
                .build());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    SubscriptionOptions options = SubscriptionOptions.builder().maxDemand(4).minDemand(2).build();
    consumer.subscribeTo(producer, options);
    assertThrows(StageException.class, () -> consumer.subscribeTo(producer, options));
    assertEquals(IntStream.range(0, 20).boxed().toList(), rec.awaitEvents(20));
    assertTrue(consumer.isAlive());
  }

  // A13: the default restart intensity is 3 restarts within 5 seconds.
  @Test
  void consumerSupervisor_defaultIntensity_allowsThreeRestarts() {
    java.util.concurrent.atomic.AtomicInteger attempts =
        new java.util.concurrent.atomic.AtomicInteger();
    dev.flowstage.stage.supervisor.ConsumerSupervisor<String> sup =
        dev.flowstage.stage.supervisor.ConsumerSupervisor.<String>builder(
                event -> {
                  attempts.incrementAndGet();
                  throw new IllegalStateException("always fails");
                })
            .restart(dev.flowstage.stage.supervisor.Restart.TRANSIENT)
            .start(system);
    sup.startChild("x");
    assertInstanceOf(ExitReason.Shutdown.class, sup.stage().awaitExit(WAIT));
    assertEquals(4, attempts.get()); // the first run and 3 restarts
  }

  // A8: a producer-consumer's own ordered info and an upstream's end wait behind the input it
  // queued while its consumers were not asking.
  @Test
  void producerConsumer_infoAndUpstreamEnd_waitBehindQueuedInput() {
    java.util.concurrent.BlockingQueue<Object> seen =
        new java.util.concurrent.LinkedBlockingQueue<>();
    ProducerConsumer<Integer, Integer> logging =
        new ProducerConsumer<>() {
          @Override
          public void handleEvents(
              List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
            seen.add(List.copyOf(events));
            ctx.emit(events);
          }

          @Override
          public void handleInfo(Object message, ProducerContext<Integer> ctx) {
            seen.add(message);
          }

          @Override
          public void handleCancel(
              Peer peer,
              Subscription subscription,
              ExitReason reason,
              ProducerContext<Integer> ctx) {
            seen.add(reason);
          }
        };
    TestProducer tp = TestProducer.silent();
    Stage<Integer> source = system.startProducer(tp);
    Stage<Integer> pc = system.startProducerConsumer(logging);
    pc.subscribeTo(source, SubscriptionOptions.builder().cancel(CancelMode.TRANSIENT).build());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(pc, SubscriptionOptions.defaults());
    source.cast(new TestProducer.Emit(List.of(1, 2)));
    source.cast(new TestProducer.Done());
    assertEquals(ExitReason.normal(), source.awaitExit(WAIT));
    pc.asyncInfo("marker");
    assertTrue(seen.isEmpty(), seen.toString());
    consumer.ask(sub, 10);
    assertEquals(List.of(1, 2), rec.awaitEvents(2));
    List<Object> order = drain(seen, 3);
    assertEquals(List.of(1, 2), order.get(0), order.toString());
    // the end and the info raced each other into the mailbox; both come after the input
    assertEquals(
        java.util.Set.of(ExitReason.normal(), "marker"),
        java.util.Set.copyOf(order.subList(1, 3)),
        order.toString());
  }

  private static List<Object> drain(java.util.concurrent.BlockingQueue<Object> q, int n) {
    List<Object> out = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        Object o = q.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (o == null) {
          throw new AssertionError("timed out after " + out);
        }
        out.add(o);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return out;
  }

  // A7.1: events beyond the outstanding demand are still handled, chunk by chunk, but only the
  // asked-for part is counted (so it re-asks nothing for the excess), and the excess is logged.
  @Test
  void eventsInExcess_areHandled_notCountedAsDemand_andLoggedOnce() {
    try (LogRecorder log = new LogRecorder("dev.flowstage")) {
      TestProducer tp = TestProducer.silent();
      Stage<Integer> producer =
          system.startProducer(
              tp, ProducerOptions.<Integer>builder().dispatcher(GreedyDispatcher::new).build());
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      system
          .startConsumer(rec)
          .subscribeTo(producer, SubscriptionOptions.builder().maxDemand(2).minDemand(1).build());
      assertEquals(2, tp.awaitDemand());
      producer.cast(new TestProducer.Emit(List.of(0, 1, 2, 3, 4)));
      for (int i = 0; i < 5; i++) {
        assertEquals(List.of(i), rec.awaitBatchEvents()); // chunks of max - min = 1
      }
      // The two asked-for events each crossed min_demand (ask 1 each); the 3 in excess asked none.
      assertEquals(1, tp.awaitDemand());
      assertEquals(1, tp.awaitDemand());
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (log.records().isEmpty() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertEquals(1, log.records().size(), log.text());
      assertTrue(log.text().contains("received 3 events in excess"), log.text());
      assertTrue(tp.noDemandPending());
    }
  }

  // A10.2: the cancel mode applies per subscription: a permanent consumer stops when any one of
  // its producers ends, even normally, and its other producers see it leave.
  @Test
  void permanentConsumerOfTwoProducers_stopsWhenOneEnds_theOtherSeesItLeave() {
    TestProducer finishing = TestProducer.silent();
    TestProducer endless = TestProducer.counter();
    Stage<Integer> first = system.startProducer(finishing);
    Stage<Integer> second = system.startProducer(endless);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(first, SubscriptionOptions.defaults());
    consumer.subscribeTo(second, SubscriptionOptions.defaults());
    first.cast(new TestProducer.Done());
    assertEquals(ExitReason.normal(), consumer.awaitExit(WAIT));
    assertEquals(ExitReason.normal(), endless.awaitCancel());
    assertTrue(second.isAlive());
  }

  // A6: asking 0 sends nothing (and is not an error).
  @Test
  void askZero_sendsNothing() {
    TestProducer tp = TestProducer.counter();
    Stage<Integer> producer = system.startProducer(tp);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(producer, SubscriptionOptions.defaults());
    consumer.ask(sub, 0);
    consumer.ask(sub, 3);
    assertEquals(3, tp.awaitDemand());
    assertEquals(List.of(0, 1, 2), rec.awaitEvents(3));
    assertEquals(1, producer.stats().asksReceived());
  }

  // A11.2 + A7.5: equal demands are served in subscription order, and accumulated demands are
  // replayed one by one, not summed.
  @Test
  void demandDispatcher_equalDemands_firstSubscriberFirst_replayedDemandsNotSummed() {
    TestProducer tp = TestProducer.counter();
    Stage<Integer> producer =
        system.startProducer(
            tp, ProducerOptions.<Integer>builder().demandMode(DemandMode.ACCUMULATE).build());
    SubscriptionOptions five = SubscriptionOptions.builder().maxDemand(5).minDemand(0).build();
    RecordingConsumer<Integer> first = new RecordingConsumer<>();
    RecordingConsumer<Integer> second = new RecordingConsumer<>();
    system.startConsumer(first).subscribeTo(producer, five);
    system.startConsumer(second).subscribeTo(producer, five);
    producer.demandMode(DemandMode.FORWARD);
    assertEquals(5, tp.awaitDemand());
    assertEquals(5, tp.awaitDemand());
    assertEquals(List.of(0, 1, 2, 3, 4), first.awaitBatchEvents());
    assertEquals(List.of(5, 6, 7, 8, 9), second.awaitBatchEvents());
  }

  // A11.3 (1.3.0): a broadcast subscriber that has not asked yet holds everyone back; once it
  // asks, every consumer receives the same events.
  @Test
  void broadcast_subscriberThatHasNotAsked_holdsEveryoneBack() {
    TestProducer tp = TestProducer.silent();
    Stage<Integer> producer =
        system.startProducer(
            tp,
            ProducerOptions.<Integer>builder()
                .dispatcher(dev.flowstage.stage.dispatch.Dispatchers::broadcast)
                .build());
    RecordingConsumer<Integer> eager = new RecordingConsumer<>();
    system.startConsumer(eager).subscribeTo(producer, SubscriptionOptions.defaults());
    RecordingConsumer<Integer> silent = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> silentStage = system.startConsumer(silent);
    Subscription sub = silentStage.subscribeTo(producer, SubscriptionOptions.defaults());
    producer.call(new TestProducer.Emit(List.of(1, 2, 3, 4, 5)), WAIT);
    assertEquals(5, producer.estimateBufferedCount(WAIT));
    assertTrue(eager.noBatchPending());
    silentStage.ask(sub, 2);
    assertEquals(List.of(1, 2), silent.awaitBatchEvents());
    assertEquals(List.of(1, 2), eager.awaitBatchEvents());
    silentStage.ask(sub, 10);
    assertEquals(List.of(3, 4, 5), silent.awaitBatchEvents());
    assertEquals(List.of(3, 4, 5), eager.awaitBatchEvents());
  }

  // A11.4: events hashed to a partition without a consumer wait in the dispatcher for one; DROP
  // discards an event.
  @Test
  void partition_eventsForAPartitionWithoutConsumer_waitForIt_andDropDiscards() {
    TestProducer tp = TestProducer.silent();
    Stage<Integer> producer =
        system.startProducer(
            tp,
            ProducerOptions.<Integer>builder()
                .dispatcher(
                    () ->
                        dev.flowstage.stage.dispatch.Dispatchers.<Integer>partition(
                            2, e -> e < 0 ? dev.flowstage.stage.dispatch.Dispatchers.DROP : e % 2))
                .build());
    RecordingConsumer<Integer> even = new RecordingConsumer<>();
    system
        .startConsumer(even)
        .subscribeTo(producer, SubscriptionOptions.builder().partition(0).build());
    producer.call(new TestProducer.Emit(List.of(0, 1, -1, 2, 3, -2, 4, 5)), WAIT);
    assertEquals(List.of(0, 2, 4), even.awaitBatchEvents());
    assertEquals(3, producer.estimateBufferedCount(WAIT));
    RecordingConsumer<Integer> odd = new RecordingConsumer<>();
    system
        .startConsumer(odd)
        .subscribeTo(producer, SubscriptionOptions.builder().partition(1).build());
    assertEquals(List.of(1, 3, 5), odd.awaitBatchEvents());
    assertEquals(0, producer.estimateBufferedCount(WAIT));
  }

  // A4/A14.1: bufferSize 0 is valid here (GenStage crashes init): what consumers asked for is
  // delivered, the rest is discarded and counted.
  @Test
  void bufferSizeZero_deliversWhatWasAsked_discardsTheRest() {
    List<Long> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
    Stage<Integer> producer =
        system.startProducer(
            TestProducer.silent(),
            ProducerOptions.<Integer>builder()
                .bufferSize(0)
                .onDiscard(
                    (stage, count, why) -> {
                      reported.add(count);
                      return false;
                    })
                .build());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(producer, SubscriptionOptions.defaults());
    consumer.ask(sub, 3);
    producer.syncInfo("asked", WAIT); // the ask is handled before the emit below
    producer.call(new TestProducer.Emit(List.of(1, 2, 3, 4, 5)), WAIT);
    assertEquals(List.of(1, 2, 3), rec.awaitBatchEvents());
    assertEquals(0, producer.estimateBufferedCount(WAIT));
    assertEquals(2, producer.stats().discarded());
    assertEquals(List.of(2L), reported);
  }

  // A12.2: a transient stream halts when its producer ends with a shutdown, as on a normal end.
  @Test
  void stream_transientProducerShutDown_halts() {
    Stage<Integer> p = system.startProducer(TestProducer.silent());
    p.cast(new TestProducer.Emit(List.of(1, 2, 3)));
    SubscriptionOptions transientOpts =
        SubscriptionOptions.builder().cancel(CancelMode.TRANSIENT).build();
    try (java.util.stream.Stream<Integer> s = system.stream(List.of(p), transientOpts)) {
      java.util.Iterator<Integer> it = s.iterator();
      assertEquals(List.of(1, 2, 3), List.of(it.next(), it.next(), it.next()));
      p.stop(ExitReason.shutdown("maintenance"));
      assertEquals(false, it.hasNext());
    }
  }
}
