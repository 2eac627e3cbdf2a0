package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.supervisor.ConsumerSupervisor;
import dev.flowstage.stage.supervisor.Restart;
import dev.flowstage.stage.testing.LogRecorder;
import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogRecord;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A failure audit of the stage runtime, as a demanding user would test it: failures are reported
 * once, leaving stages change nobody's demand or events, and a closed system leaves no thread.
 */
final class FailureAuditTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final StageSystem system = new StageSystem("audit");
  private LogRecorder log;

  @BeforeEach
  void listen() {
    log = new LogRecorder("dev.flowstage");
  }

  @AfterEach
  void close() {
    system.close();
    log.close();
    assertTrue(system.threads().stream().noneMatch(Thread::isAlive), "threads left running");
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /** Fails in handleEvents on the given event; otherwise passes events on. */
  private static ProducerConsumer<Integer, Integer> failingOn(int bad, RuntimeException e) {
    return (events, from, ctx) -> {
      if (events.contains(bad)) {
        throw e;
      }
      ctx.emit(events);
    };
  }

  @Test
  void producerConsumerFails_downstreamReceivesIt_upstreamLives_nothingIsLogged() {
    RuntimeException boom = new IllegalStateException("pc broke");
    TestProducer producer = TestProducer.silent();
    Stage<Integer> source = system.startProducer(producer);
    Stage<Integer> pc = system.startProducerConsumer(failingOn(3, boom));
    pc.subscribeTo(source, SubscriptionOptions.defaults());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> sink = system.startConsumer(rec);
    sink.subscribeTo(pc, SubscriptionOptions.builder().cancel(CancelMode.TEMPORARY).build());
    source.cast(new TestProducer.Emit(List.of(1, 2)));
    assertEquals(List.of(1, 2), rec.awaitEvents(2));
    source.cast(new TestProducer.Emit(List.of(3)));
    RecordingConsumer.Cancel c = rec.awaitCancel();
    assertSame(boom, assertInstanceOf(ExitReason.Failure.class, c.reason()).cause());
    // the producer sees its consumer go and keeps running (cancels do not cascade upstream)
    assertInstanceOf(ExitReason.Failure.class, producer.awaitCancel());
    assertTrue(source.isAlive());
    assertTrue(sink.isAlive(), "a temporary consumer outlives its producer");
    system.close();
    assertEquals("", log.text());
  }

  @Test
  void broadcast_slowConsumerLeaves_theOtherGetsEveryEventOnceWithoutGaps() throws Exception {
    Stage<Integer> source =
        system.startProducer(
            TestProducer.silent(),
            ProducerOptions.<Integer>builder().dispatcher(Dispatchers::broadcast).build());
    RecordingConsumer<Integer> fast = new RecordingConsumer<>();
    RecordingConsumer<Integer> slow = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    system.startConsumer(fast).subscribeTo(source, SubscriptionOptions.defaults());
    Stage<Void> slowStage = system.startConsumer(slow);
    Subscription slowSub =
        slowStage.subscribeTo(source, SubscriptionOptions.builder().maxDemand(10).build());
    slowStage.ask(slowSub, 5);
    source.call(new TestProducer.Emit(range(0, 20)), WAIT);
    assertEquals(range(0, 5), fast.awaitEvents(5));
    assertEquals(range(0, 5), slow.awaitEvents(5));
    // the silent slow consumer holds the broadcast back; leaving releases the rest
    slowStage.cancel(slowSub, ExitReason.normal());
    assertEquals(range(5, 20), fast.awaitEvents(15));
    source.call(new TestProducer.Emit(range(20, 25)), WAIT);
    assertEquals(range(20, 25), fast.awaitEvents(5));
    assertEquals(0, source.estimateBufferedCount(WAIT));
    assertTrue(slow.noBatchPending(), "the consumer that left got more");
  }

  @Test
  void bufferOverflow_withTheDefaultListener_isLoggedOnceAsAWarningWithTheCount() {
    Stage<Integer> p =
        system.startProducer(
            TestProducer.silent(),
            ProducerOptions.<Integer>builder().name("overflowing").bufferSize(5).build());
    p.call(new TestProducer.Emit(range(0, 8)), WAIT);
    assertEquals(3, p.stats().discarded());
    system.close();
    List<LogRecord> records = log.records();
    assertEquals(1, records.size(), log.text());
    assertTrue(records.get(0).getMessage().contains("overflowing"), log.text());
    assertTrue(records.get(0).getMessage().contains("3"), log.text());
  }

  @Test
  void asyncSubscribeTemporary_toADeadStage_leavesTheConsumerRunningSilently() {
    Stage<Integer> dead = system.startProducer(TestProducer.silent());
    dead.stop(ExitReason.shutdown());
    dead.awaitExit(WAIT);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> c = system.startConsumer(rec);
    c.asyncSubscribeTo(dead, SubscriptionOptions.builder().cancel(CancelMode.TEMPORARY).build());
    c.syncInfo("alive", WAIT);
    assertEquals("alive", rec.awaitInfo());
    assertTrue(c.isAlive());
    system.close();
    assertEquals("", log.text());
  }

  @Test
  void supervisor_temporaryChildFailing_isLoggedOnce() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    ConsumerSupervisor<String> sup =
        ConsumerSupervisor.<String>builder(
                event -> {
                  ran.countDown();
                  throw new IllegalStateException("child broke");
                })
            .restart(Restart.TEMPORARY)
            .start(system);
    sup.startChild("x");
    assertTrue(ran.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (sup.countChildren().children() != 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    system.close();
    assertEquals(1, log.records().size(), log.text());
    assertTrue(log.records().get(0).getThrown() instanceof IllegalStateException, log.text());
  }

  @Test
  void supervisor_maxRestartsExceeded_interruptsOtherChildrenAndCancelsUpstream() throws Exception {
    TestProducer producer = TestProducer.silent();
    Stage<Integer> source = system.startProducer(producer);
    CountDownLatch otherStarted = new CountDownLatch(1);
    CountDownLatch otherInterrupted = new CountDownLatch(1);
    ConsumerSupervisor<Integer> sup =
        ConsumerSupervisor.<Integer>builder(
                event -> {
                  if (event == 0) {
                    otherStarted.countDown();
                    try {
                      new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                      otherInterrupted.countDown();
                      throw e;
                    }
                  }
                  throw new IllegalStateException("always");
                })
            .restart(Restart.TRANSIENT)
            .maxRestarts(1, Duration.ofMinutes(1))
            .subscribeTo(source, SubscriptionOptions.builder().maxDemand(4).minDemand(2).build())
            .start(system);
    assertEquals(4, producer.awaitDemand());
    source.cast(new TestProducer.Emit(List.of(0)));
    assertTrue(otherStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    source.cast(new TestProducer.Emit(List.of(1)));
    ExitReason r = sup.stage().awaitExit(WAIT);
    assertInstanceOf(ExitReason.Shutdown.class, r);
    assertTrue(otherInterrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    producer.awaitCancel();
    assertTrue(source.isAlive());
  }

  /** A consumer whose {@code handleSubscribe} throws {@code boom}. */
  private static Consumer<Integer> failingToSubscribe(RuntimeException boom) {
    return new Consumer<Integer>() {
      @Override
      public SubscriptionMode handleSubscribe(Subscription s, StageContext ctx) {
        throw boom;
      }

      @Override
      public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {}
    };
  }

  @Test
  void handleSubscribeThrows_subscribeToThrowsTheCauseAtOnce_andItIsNotLoggedToo() {
    RuntimeException boom = new IllegalStateException("handleSubscribe broke");
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    Stage<Void> consumer = system.startConsumer(failingToSubscribe(boom));
    // a hang guard far beyond the default: the answer must not be a timeout
    StageException e =
        assertThrows(
            StageException.class,
            () -> consumer.subscribeTo(producer, SubscriptionOptions.defaults(), WAIT));
    assertSame(boom, e.getCause(), e.toString());
    awaitDead(consumer);
    assertTrue(producer.isAlive());
    system.close();
    assertEquals("", log.text());
  }

  @Test
  void handleCallThrows_theCallerGetsTheCause_andItIsNotLoggedToo() {
    RuntimeException boom = new IllegalStateException("handleCall broke");
    Stage<Void> stage =
        system.startConsumer(
            new Consumer<Integer>() {
              @Override
              public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {}

              @Override
              public Object handleCall(Object request, StageContext ctx) {
                throw boom;
              }
            });
    StageException e = assertThrows(StageException.class, () -> stage.call("q", WAIT));
    assertSame(boom, e.getCause());
    awaitDead(stage);
    system.close();
    assertEquals("", log.text());
  }

  @Test
  void handleSubscribeThrows_onAnAsyncSubscribe_nobodyReceivesIt_soItIsLoggedOnce() {
    RuntimeException boom = new IllegalStateException("handleSubscribe broke");
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    Stage<Void> consumer = system.startConsumer(failingToSubscribe(boom));
    consumer.asyncSubscribeTo(producer, SubscriptionOptions.defaults());
    awaitDead(consumer);
    system.close();
    assertEquals(1, log.records().size(), log.text());
    assertSame(boom, log.records().get(0).getThrown());
  }

  /**
   * A greedy producer (three times what is asked) feeding an expanding producer-consumer (ten
   * events per input event) feeding a manual consumer that asks in small seeded steps: the consumer
   * never holds more than it asked for, and gets every event exactly once, in order.
   */
  @Test
  void demand_isNeverExceeded_throughAGreedyProducerAndAnExpandingStage() throws Exception {
    Stage<Integer> greedy =
        system.startProducer(
            new Producer<Integer>() {
              int next;

              @Override
              public void handleDemand(long demand, ProducerContext<Integer> ctx) {
                for (long i = 0; i < demand * 3; i++) {
                  ctx.emit(next++);
                }
              }
            },
            ProducerOptions.<Integer>builder().bufferSize(ProducerOptions.UNBOUNDED).build());
    Stage<Integer> expand =
        system.startProducerConsumer(
            (List<Integer> events, Subscription from, ProducerContext<Integer> ctx) -> {
              for (int e : events) {
                for (int k = 0; k < 10; k++) {
                  ctx.emit(e * 10 + k);
                }
              }
            });
    expand.subscribeTo(greedy, SubscriptionOptions.builder().maxDemand(4).minDemand(1).build());
    java.util.concurrent.atomic.AtomicLong asked = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong got = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<String> violation =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.LinkedBlockingQueue<Integer> seen =
        new java.util.concurrent.LinkedBlockingQueue<>();
    Stage<Void> sink =
        system.startConsumer(
            new Consumer<Integer>() {
              @Override
              public SubscriptionMode handleSubscribe(Subscription s, StageContext ctx) {
                return SubscriptionMode.MANUAL;
              }

              @Override
              public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {
                if (got.addAndGet(events.size()) > asked.get()) {
                  violation.compareAndSet(
                      null, got.get() + " events for " + asked.get() + " asked");
                }
                seen.addAll(events);
              }
            });
    Subscription sub = sink.subscribeTo(expand, SubscriptionOptions.defaults());
    java.util.Random random = new java.util.Random(42);
    int total = 0;
    for (int round = 0; round < 200; round++) {
      // the first ask is the largest: a demand dispatcher warns about asks above the first (A11.2)
      int n = round == 0 ? 7 : 1 + random.nextInt(7);
      asked.addAndGet(n);
      sink.ask(sub, n);
      for (int i = 0; i < n; i++) {
        Integer e = seen.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals(total++, e, "an event missing or out of order");
      }
    }
    assertEquals(null, violation.get());
    assertEquals(total, got.get());
    system.close();
    assertEquals("", log.text());
  }

  @Test
  void stageThatFailed_notAliveErrorsCarryItsFailureAsCause() {
    RuntimeException boom = new IllegalStateException("producer broke");
    Stage<Integer> producer = system.startProducer(TestProducer.silent());
    var exit = producer.onExit().toCompletableFuture();
    producer.kill(ExitReason.failure(boom));
    exit.join();
    StageNotAliveException sync =
        assertThrows(
            StageNotAliveException.class,
            () ->
                system
                    .startConsumer(new RecordingConsumer<Integer>())
                    .subscribeTo(producer, SubscriptionOptions.defaults()));
    assertSame(boom, sync.getCause());
    StageNotAliveException call =
        assertThrows(StageNotAliveException.class, () -> producer.call("q", WAIT));
    assertSame(boom, call.getCause());
    RecordingConsumer<Integer> late = new RecordingConsumer<>();
    system
        .startConsumer(late)
        .asyncSubscribeTo(
            producer, SubscriptionOptions.builder().cancel(CancelMode.TEMPORARY).build());
    ExitReason.Failure f = assertInstanceOf(ExitReason.Failure.class, late.awaitCancel().reason());
    assertInstanceOf(StageNotAliveException.class, f.cause());
    assertSame(boom, f.cause().getCause());
  }

  @Test
  void supervisor_itsProducerFails_stopsWithThatFailure_interruptsChildren_reportsOnce()
      throws Exception {
    RuntimeException boom = new IllegalStateException("source broke");
    TestProducer producer = TestProducer.silent();
    Stage<Integer> source = system.startProducer(producer);
    CountDownLatch childStarted = new CountDownLatch(1);
    CountDownLatch childInterrupted = new CountDownLatch(1);
    ConsumerSupervisor<Integer> sup =
        ConsumerSupervisor.<Integer>builder(
                event -> {
                  childStarted.countDown();
                  try {
                    new CountDownLatch(1).await();
                  } catch (InterruptedException e) {
                    childInterrupted.countDown();
                    throw e;
                  }
                })
            .subscribeTo(source, SubscriptionOptions.builder().maxDemand(2).minDemand(1).build())
            .start(system);
    assertEquals(2, producer.awaitDemand());
    source.cast(new TestProducer.Emit(List.of(1)));
    assertTrue(childStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    var exit = sup.stage().onExit().toCompletableFuture();
    source.kill(ExitReason.failure(boom));
    ExitReason.Failure f = assertInstanceOf(ExitReason.Failure.class, exit.join());
    assertSame(boom, f.cause());
    assertTrue(childInterrupted.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    system.close();
    assertEquals(
        "", log.text(), "the onExit caller received it; an interrupted child is no failure");
  }

  /**
   * A publisher breaking rule 1.1: on its first request of {@code n} it signals {@code n + extra}
   * items and keeps the subscription open; it records whether it was cancelled.
   */
  static final class OverDelivering implements java.util.concurrent.Flow.Publisher<Integer> {
    final int extra;
    final CountDownLatch cancelled = new CountDownLatch(1);

    OverDelivering(int extra) {
      this.extra = extra;
    }

    @Override
    public void subscribe(java.util.concurrent.Flow.Subscriber<? super Integer> s) {
      s.onSubscribe(
          new java.util.concurrent.Flow.Subscription() {
            boolean sent;

            @Override
            public void request(long n) {
              if (!sent) {
                sent = true;
                for (int i = 0; i < n + extra; i++) {
                  s.onNext(i);
                }
              }
            }

            @Override
            public void cancel() {
              cancelled.countDown();
            }
          });
    }

    @Override
    public String toString() {
      return "OverDelivering";
    }
  }

  @Test
  void fromPublisher_signallingMoreThanRequested_failsTheStageNamingRule11_andCancelsUpstream()
      throws Exception {
    OverDelivering greedy = new OverDelivering(5);
    Stage<Integer> p = system.startProducer(Producers.fromPublisher(greedy));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system
        .startConsumer(rec)
        .subscribeTo(
            p,
            SubscriptionOptions.builder()
                .maxDemand(10)
                .minDemand(5)
                .cancel(CancelMode.TEMPORARY)
                .build());
    ExitReason.Failure f = assertInstanceOf(ExitReason.Failure.class, rec.awaitCancel().reason());
    IllegalStateException e = assertInstanceOf(IllegalStateException.class, f.cause());
    assertTrue(e.getMessage().contains("more items than requested"), e.getMessage());
    assertTrue(e.getMessage().contains("rule 1.1"), e.getMessage());
    assertTrue(e.getMessage().contains("OverDelivering"), e.getMessage());
    assertTrue(greedy.cancelled.await(WAIT.toSeconds(), TimeUnit.SECONDS), "not cancelled");
    assertEquals(
        range(0, 10), rec.drainBatches().stream().flatMap(b -> b.events().stream()).toList());
    system.close();
    assertEquals("", log.text(), "the consumer received the failure");
  }

  @Test
  void emitOneAfterDone_failsTheStageNamingIt_theEarlierEventsAreDelivered() {
    checkEmitAfterDone(ctx -> ctx.emit(99));
  }

  @Test
  void emitListAfterDone_failsTheStageNamingIt_theEarlierEventsAreDelivered() {
    checkEmitAfterDone(ctx -> ctx.emit(List.of(99, 100)));
  }

  private void checkEmitAfterDone(java.util.function.Consumer<ProducerContext<Integer>> late) {
    Stage<Integer> p =
        system.startProducer(
            (long demand, ProducerContext<Integer> ctx) -> {
              ctx.emit(List.of(1, 2));
              ctx.done();
              late.accept(ctx);
            });
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system
        .startConsumer(rec)
        .subscribeTo(p, SubscriptionOptions.builder().cancel(CancelMode.TEMPORARY).build());
    ExitReason.Failure f = assertInstanceOf(ExitReason.Failure.class, rec.awaitCancel().reason());
    IllegalStateException e = assertInstanceOf(IllegalStateException.class, f.cause());
    assertTrue(e.getMessage().contains("after done()"), e.getMessage());
    assertTrue(e.getMessage().contains(p.name()), e.getMessage());
    assertEquals(
        List.of(1, 2), rec.drainBatches().stream().flatMap(b -> b.events().stream()).toList());
    system.close();
    assertEquals("", log.text(), "the consumer received the failure");
  }

  private static void awaitDead(Stage<?> stage) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (stage.isAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertTrue(!stage.isAlive(), stage + " still runs");
  }
}
