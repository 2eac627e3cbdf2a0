package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** StageSystem, names, exit reasons, watchers, failures, calls, sending to dead stages, close. */
final class LifecycleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("life");

  @AfterEach
  void close() {
    system.close();
  }

  private static final class Echo implements Consumer<Object> {
    @Override
    public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

    @Override
    public Object handleCall(Object request, StageContext ctx) {
      if ("fail".equals(request)) {
        throw new IllegalArgumentException("bad request");
      }
      return "echo:" + request;
    }

    @Override
    public void handleCast(Object message, StageContext ctx) {
      throw new IllegalStateException("cast failed: " + message);
    }
  }

  @Test
  void namedStage_lookupFindsItUntilItExits() {
    Stage<Void> s = system.startConsumer("echo", new Echo());
    assertSame(s, system.lookup("echo").orElseThrow());
    assertEquals("echo", s.name());
    assertTrue(system.stages().contains(s));
    s.stop(ExitReason.shutdown());
    assertEquals(ExitReason.shutdown(), s.awaitExit(WAIT));
    assertTrue(system.lookup("echo").isEmpty());
  }

  @Test
  void stop_handlesMessagesAlreadyQueuedFirst_killDoesNot() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    Consumer<Object> gated =
        new Consumer<>() {
          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

          @Override
          public void handleCast(Object message, StageContext ctx) {
            try {
              gate.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            seen.add(message);
          }
        };
    Stage<Void> stopped = system.startConsumer(gated);
    stopped.cast("first");
    stopped.cast("second");
    stopped.stop(ExitReason.shutdown());
    Stage<Void> killed = system.startConsumer(gated);
    killed.cast("k1");
    killed.cast("k2");
    gate.countDown();
    assertEquals(ExitReason.shutdown(), stopped.awaitExit(WAIT));
    killed.kill(ExitReason.shutdown("killed"));
    assertEquals(ExitReason.shutdown("killed"), killed.awaitExit(WAIT));
    List<Object> got = new ArrayList<>();
    seen.drainTo(got);
    assertTrue(got.containsAll(List.of("first", "second")), got.toString());
  }

  @Test
  void duplicateName_throwsAndTellsToPickAnother() {
    system.startConsumer("dup", new Echo());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> system.startConsumer("dup", new Echo()));
    assertTrue(e.getMessage().contains("pick another name"), e.getMessage());
  }

  @Test
  void call_repliesAndFailingCallEndsStageWithTheException() {
    Stage<Void> s = system.startConsumer(new Echo());
    assertEquals("echo:hi", s.call("hi", WAIT));
    StageException e = assertThrows(StageException.class, () -> s.call("fail", WAIT));
    assertInstanceOf(IllegalArgumentException.class, e.getCause());
    ExitReason.Failure f = assertInstanceOf(ExitReason.Failure.class, s.awaitExit(WAIT));
    assertEquals("bad request", f.cause().getMessage());
  }

  @Test
  void call_timeout_throwsStageException() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    Consumer<Object> slow =
        new Consumer<>() {
          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

          @Override
          public Object handleCall(Object request, StageContext ctx) {
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return "late";
          }
        };
    Stage<Void> s = system.startConsumer(slow);
    StageException e = assertThrows(StageException.class, () -> s.call("x", Duration.ofMillis(50)));
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    release.countDown();
  }

  @Test
  void failingCast_endsStageWithException_watchersNotified_thenSendsNeverThrow() throws Exception {
    Stage<Void> s = system.startConsumer(new Echo());
    LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    Consumer<Object> watcher =
        new Consumer<>() {
          @Override
          public void init(StageContext ctx) {
            ctx.watch(s);
          }

          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

          @Override
          public void handleInfo(Object message, StageContext ctx) {
            seen.add(message);
          }
        };
    system.startConsumer(watcher);
    LinkedBlockingQueue<Boolean> aliveWhenFutureCompleted = new LinkedBlockingQueue<>();
    s.onExit().thenAccept(r -> aliveWhenFutureCompleted.add(s.isAlive()));
    s.cast("x");
    assertEquals(false, aliveWhenFutureCompleted.poll(20, TimeUnit.SECONDS));
    StageDown down = assertInstanceOf(StageDown.class, seen.poll(20, TimeUnit.SECONDS));
    assertSame(s, down.stage());
    ExitReason.Failure f = assertInstanceOf(ExitReason.Failure.class, down.reason());
    assertEquals("cast failed: x", f.cause().getMessage());
    assertEquals(f, s.exitReason().orElseThrow());
    assertFalse(s.isAlive());
    // Sending to the dead stage: never blocks or throws; sync operations fail fast.
    s.cast("again");
    s.send("info");
    s.asyncInfo("info");
    s.stop(ExitReason.shutdown());
    assertThrows(StageNotAliveException.class, () -> s.call("hi", WAIT));
    assertThrows(StageNotAliveException.class, () -> s.syncInfo("hi", WAIT));
  }

  @Test
  void watchDeadStage_deliversDownAtOnce() throws Exception {
    Stage<Void> dead = system.startConsumer(new Echo());
    dead.stop(ExitReason.normal());
    dead.awaitExit(WAIT);
    LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    system.startConsumer(
        new Consumer<Object>() {
          @Override
          public void init(StageContext ctx) {
            ctx.watch(dead);
          }

          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

          @Override
          public void handleInfo(Object message, StageContext ctx) {
            seen.add(message);
          }
        });
    StageDown down = assertInstanceOf(StageDown.class, seen.poll(20, TimeUnit.SECONDS));
    assertEquals(ExitReason.normal(), down.reason());
  }

  @Test
  void watchAndSubscribeSameProducer_oneStageDownAfterTheCancel() throws Exception {
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    Consumer<Integer> c =
        new Consumer<>() {
          @Override
          public void init(StageContext ctx) {
            ctx.watch(producer);
            ctx.subscribeTo(
                producer, SubscriptionOptions.builder().cancel(CancelMode.TEMPORARY).build());
          }

          @Override
          public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {}

          @Override
          public void handleCancel(Subscription s, ExitReason reason, StageContext ctx) {
            seen.add("cancel:" + reason);
          }

          @Override
          public void handleInfo(Object message, StageContext ctx) {
            seen.add(message);
          }
        };
    Stage<Void> consumer = system.startConsumer(c);
    producer.stop(ExitReason.shutdown());
    List<Object> got = new ArrayList<>();
    got.add(seen.poll(20, TimeUnit.SECONDS));
    got.add(seen.poll(20, TimeUnit.SECONDS));
    consumer.syncInfo("end", WAIT);
    got.add(seen.poll(20, TimeUnit.SECONDS));
    assertEquals(3, got.size());
    assertTrue(got.contains("cancel:" + ExitReason.shutdown()), got.toString());
    assertEquals(1, got.stream().filter(o -> o instanceof StageDown).count(), got.toString());
    assertEquals("end", got.get(2));
  }

  @Test
  void initFailure_startThrowsWithCause() {
    Consumer<Object> bad =
        new Consumer<>() {
          @Override
          public void init(StageContext ctx) {
            throw new IllegalStateException("cannot init");
          }

          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}
        };
    StageException e = assertThrows(StageException.class, () -> system.startConsumer("bad", bad));
    assertEquals("cannot init", e.getCause().getMessage());
    assertTrue(system.lookup("bad").isEmpty());
  }

  @Test
  void subscribeToDeadProducer_throwsNotAlive() {
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    producer.stop(ExitReason.shutdown());
    producer.awaitExit(WAIT);
    Stage<Void> consumer = system.startConsumer(new RecordingConsumer<Integer>());
    StageNotAliveException e =
        assertThrows(
            StageNotAliveException.class,
            () -> consumer.subscribeTo(producer, SubscriptionOptions.defaults()));
    assertTrue(e.getMessage().contains("not alive"), e.getMessage());
  }

  @Test
  void asyncSubscribeToDeadProducer_permanentConsumerStopsWithNotAlive() {
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    producer.stop(ExitReason.shutdown());
    producer.awaitExit(WAIT);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.asyncSubscribeTo(producer, SubscriptionOptions.defaults());
    ExitReason.Failure f = assertInstanceOf(ExitReason.Failure.class, consumer.awaitExit(WAIT));
    assertInstanceOf(StageNotAliveException.class, f.cause());
  }

  @Test
  void asyncSubscribeToFinishedProducer_endsNormally_transientConsumerLives() {
    Stage<Integer> producer = system.startProducer(Producers.fromIterable(List.of(1)));
    RecordingConsumer<Integer> first = new RecordingConsumer<>();
    system.startConsumer(first).subscribeTo(producer, SubscriptionOptions.defaults());
    assertEquals(ExitReason.normal(), producer.awaitExit(WAIT));
    RecordingConsumer<Integer> late = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(late);
    consumer.asyncSubscribeTo(
        producer, SubscriptionOptions.builder().cancel(CancelMode.TRANSIENT).build());
    assertEquals(ExitReason.normal(), late.awaitCancel().reason());
    consumer.syncInfo("alive", WAIT);
    assertEquals("alive", late.awaitInfo());
  }

  @Test
  void subscribeToConsumer_isRefusedAndConsumerKeepsRunning() {
    Stage<Void> target = system.startConsumer(new Echo());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    StageException e =
        assertThrows(
            StageException.class,
            () -> consumer.subscribeTo(target, SubscriptionOptions.defaults()));
    assertTrue(e.getMessage().contains("is a consumer"), e.getMessage());
    assertInstanceOf(ExitReason.Failure.class, rec.awaitCancel().reason());
    consumer.syncInfo("alive", WAIT);
    assertEquals("alive", rec.awaitInfo());
  }

  @Test
  void producerSubscribing_isRejected() {
    Stage<Integer> p1 = system.startProducer(TestProducer.counter());
    Stage<Integer> p2 = system.startProducer(TestProducer.counter());
    StageException e =
        assertThrows(
            StageException.class, () -> p1.subscribeTo(p2, SubscriptionOptions.defaults()));
    assertTrue(e.getMessage().contains("is a producer"), e.getMessage());
  }

  @Test
  void foreignStageHandle_isRejectedWithAMessage() {
    Stage<Void> consumer = system.startConsumer(new Echo());
    try (StageSystem other = new StageSystem("other")) {
      Stage<Integer> p = other.startProducer(TestProducer.counter());
      // Stages of another system are real stages: subscribing across systems works.
      assertTrue(consumer.subscribeTo(p, SubscriptionOptions.defaults()) != null);
    }
  }

  @Test
  void close_stopsEveryStageAndJoinsAllThreads_evenOneBlockedInACallback() {
    StageSystem local = new StageSystem("closing");
    CountDownLatch never = new CountDownLatch(1);
    Stage<Integer> producer = local.startProducer(TestProducer.counter());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    local.startConsumer(rec).subscribeTo(producer, SubscriptionOptions.defaults());
    Stage<Void> blocked =
        local.startConsumer(
            new Consumer<Object>() {
              @Override
              public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

              @Override
              public void handleCast(Object message, StageContext ctx) {
                try {
                  never.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    blocked.cast("block");
    rec.awaitEvents(10);
    List<Thread> threads = local.threads();
    assertEquals(3, threads.size());
    local.close();
    for (Thread t : threads) {
      assertFalse(t.isAlive(), t.getName());
    }
    assertFalse(producer.isAlive());
    assertEquals(ExitReason.shutdown(), producer.exitReason().orElseThrow());
    assertThrows(IllegalStateException.class, () -> local.startConsumer(new Echo()));
  }

  @Test
  void close_64StagesBlockedInCallbacks_returnsWithinOneGracePeriod() {
    Duration grace = Duration.ofMillis(600);
    StageSystem local = new StageSystem("closing-many", grace);
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch allBlocked = new CountDownLatch(64);
    List<Stage<Void>> stages = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      Stage<Void> s =
          local.startConsumer(
              new Consumer<Object>() {
                @Override
                public void handleEvents(
                    List<Object> events, Subscription from, StageContext ctx) {}

                @Override
                public void handleCast(Object message, StageContext ctx) {
                  allBlocked.countDown();
                  try {
                    never.await(); // like a blocking IO call: ends with an exception on interrupt
                  } catch (InterruptedException e) {
                    throw new IllegalStateException("interrupted", e);
                  }
                }
              });
      s.cast("block");
      stages.add(s);
    }
    await(allBlocked);
    List<Thread> threads = local.threads();
    long start = System.nanoTime();
    local.close();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    // one grace period for all 64 (it used to be 5 s per blocked stage, one after the other)
    assertTrue(took.compareTo(grace.plusMillis(1500)) < 0, "close took " + took);
    for (Thread t : threads) {
      assertFalse(t.isAlive(), t.getName());
    }
    for (Stage<Void> s : stages) {
      // interrupted by close: a shutdown, not a failure of the stage
      assertEquals(ExitReason.shutdown(), s.exitReason().orElseThrow());
    }
  }

  @Test
  void closeNow_interruptsACallbackBusyWithWork_atOnce_asAShutdown() throws InterruptedException {
    // A grace of an hour: a close that waited for its polite half would outlast the hang guard.
    StageSystem local = new StageSystem("closing-now", Duration.ofHours(1));
    CountDownLatch busy = new CountDownLatch(1);
    List<Object> handled = Collections.synchronizedList(new ArrayList<>());
    Stage<Void> worker =
        local.startConsumer(
            new Consumer<Object>() {
              @Override
              public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

              @Override
              public void handleCast(Object message, StageContext ctx) {
                handled.add(message);
                busy.countDown();
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.onSpinWait(); // a long piece of work that checks between its steps
                }
                throw new IllegalStateException("stopped: interrupted");
              }
            });
    worker.cast("work");
    worker.cast("queued");
    await(busy);
    List<Thread> threads = local.threads();
    Thread closing = Thread.ofPlatform().start(local::closeNow);
    closing.join(Duration.ofMinutes(1)); // a hang guard only
    assertFalse(closing.isAlive(), "closeNow waited for the polite half of the grace");
    for (Thread t : threads) {
      assertFalse(t.isAlive(), t.getName());
    }
    // killed, not stopped: the queued message was not handled, and the throw is no failure
    assertEquals(List.of("work"), handled);
    assertEquals(ExitReason.shutdown(), worker.exitReason().orElseThrow());
    assertThrows(IllegalStateException.class, () -> local.startConsumer(new Echo()));
  }

  @Test
  void close_fromAnInterruptedThread_killsWhatRuns_waitsForIt_andKeepsTheInterrupt()
      throws InterruptedException {
    // A grace of an hour: only the interrupt can make this close kill the busy stage in time.
    StageSystem local = new StageSystem("closing-interrupted", Duration.ofHours(1));
    CountDownLatch busy = new CountDownLatch(1);
    Stage<Void> worker =
        local.startConsumer(
            new Consumer<Object>() {
              @Override
              public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

              @Override
              public void handleCast(Object message, StageContext ctx) {
                busy.countDown();
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
                // Work that checks the interrupt, and then some cleanup that must finish
                // before the close returns.
                while (!Thread.currentThread().isInterrupted()) {
                  Thread.onSpinWait();
                }
                while (System.nanoTime() < until) {
                  Thread.onSpinWait();
                }
              }
            });
    worker.cast("work");
    await(busy);
    List<Thread> threads = local.threads();
    AtomicBoolean interruptKept = new AtomicBoolean();
    Thread closing =
        Thread.ofPlatform()
            .start(
                () -> {
                  Thread.currentThread().interrupt();
                  local.close();
                  interruptKept.set(Thread.currentThread().isInterrupted());
                  for (Thread t : threads) {
                    if (t.isAlive()) {
                      interruptKept.set(false); // returned before its stages ended
                    }
                  }
                });
    closing.join(Duration.ofMinutes(1)); // a hang guard only
    assertFalse(closing.isAlive(), "an interrupted close waited for the polite half of the grace");
    assertTrue(
        interruptKept.get(), "the close returned before its stage ended or lost the interrupt");
    assertEquals(ExitReason.shutdown(), worker.exitReason().orElseThrow());
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(20, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void subscribeTo_returnsAfterTheConsumersHandleSubscribeAndFirstAsk() {
    Stage<Integer> producer = system.startProducer(TestProducer.silent());
    for (int i = 0; i < 50; i++) {
      java.util.concurrent.atomic.AtomicBoolean subscribed =
          new java.util.concurrent.atomic.AtomicBoolean();
      Stage<Void> consumer =
          system.startConsumer(
              new Consumer<Object>() {
                @Override
                public SubscriptionMode handleSubscribe(Subscription s, StageContext ctx) {
                  Thread.yield(); // give the producer a chance to accept first
                  subscribed.set(true);
                  return SubscriptionMode.AUTOMATIC;
                }

                @Override
                public void handleEvents(
                    List<Object> events, Subscription from, StageContext ctx) {}
              });
      consumer.subscribeTo(producer, SubscriptionOptions.defaults());
      assertTrue(subscribed.get(), "handleSubscribe had not run");
      assertEquals(1, consumer.stats().asksSent(), "the first ask was not sent yet");
    }
  }
}
