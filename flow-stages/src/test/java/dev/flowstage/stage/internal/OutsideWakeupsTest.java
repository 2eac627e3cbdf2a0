package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The outside wake-up hand-off (ADR 0002): busy stages wait for stages woken from outside until
 * those have run, never lose such a wake-up, and never stay parked because of one that cannot be
 * served. No timing assertions: the only bound is that things happen at all within 30 s.
 */
final class OutsideWakeupsTest {
  /**
   * Bounds for the waits that only the hand-off may end: neither the wait's bound nor expiry (a
   * loaded machine can start a waiter thread more than 10 ms late) can end them first.
   */
  private static final long FOREVER = TimeUnit.SECONDS.toNanos(60);

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A call that a silent {@link TestProducer} answers with "ok" (it emits nothing). */
  private static final TestProducer.Emit NOTHING = new TestProducer.Emit(List.of());

  /**
   * Lets registrations left by earlier tests (a stage that exited racing with a wake-up) expire, so
   * the 60 s waits below wait only for this test's registrations.
   */
  @BeforeEach
  void expireEarlierRegistrations() throws InterruptedException {
    Thread.sleep(TimeUnit.NANOSECONDS.toMillis(OutsideWakeups.EXPIRE_NANOS) + 5);
    OutsideWakeups.awaitPending(new Mailbox()); // gives up whatever is older than EXPIRE
  }

  /**
   * Runs {@code awaitPending(self, FOREVER, FOREVER, FOREVER)} on a virtual thread; completes with
   * its result.
   */
  private static CompletableFuture<OutsideWakeups.Wait> waiter(Mailbox self) {
    CompletableFuture<OutsideWakeups.Wait> done = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(() -> done.complete(OutsideWakeups.awaitPending(self, FOREVER, FOREVER, FOREVER)));
    return done;
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void awaitPending_endsOnlyThroughTheHandOff_whenThePendingStageIsServed() throws Exception {
    // With a 60 s fallback the waits below can only end by served() unparking them: a lost
    // wake-up would hang the test until the 30 s bound fails it.
    for (int round = 0; round < 200; round++) {
      Mailbox woken = new Mailbox();
      OutsideWakeups.register(woken);
      assertTrue(woken.outsidePending);
      List<CompletableFuture<OutsideWakeups.Wait>> waiters = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        waiters.add(waiter(new Mailbox()));
      }
      if (round % 2 == 0) {
        Thread.yield(); // some rounds serve before the waiters look, some after
      }
      woken.running();
      assertFalse(woken.outsidePending);
      assertFalse(OutsideWakeups.isPending(woken));
      for (CompletableFuture<OutsideWakeups.Wait> w : waiters) {
        assertNotEquals(OutsideWakeups.Wait.GAVE_UP, get(w));
      }
    }
  }

  @Test
  void awaitPending_doesNotWaitForItself_orForRegistrationsMadeWhileItWaits() throws Exception {
    Mailbox self = new Mailbox();
    OutsideWakeups.register(self);
    // its own registration is no reason to wait
    assertEquals(
        OutsideWakeups.Wait.NONE, OutsideWakeups.awaitPending(self, FOREVER, FOREVER, FOREVER));
    self.running();

    Mailbox first = new Mailbox();
    OutsideWakeups.register(first);
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<OutsideWakeups.Wait> w = new CompletableFuture<>();
    Thread waiterThread =
        Thread.ofVirtual()
            .start(
                () -> {
                  waiting.countDown();
                  w.complete(OutsideWakeups.awaitPending(self, FOREVER, FOREVER, FOREVER));
                });
    waiting.await();
    while (waiterThread.getState() != Thread.State.TIMED_WAITING && !w.isDone()) {
      Thread.onSpinWait();
    }
    // A storm keeps registering: a waiter still ends once the stages pending when it began ran.
    Mailbox later = new Mailbox();
    OutsideWakeups.register(later);
    first.running();
    assertEquals(OutsideWakeups.Wait.SERVED, get(w));
    assertTrue(OutsideWakeups.isPending(later));
    later.running();
  }

  @Test
  void aRegistrationThatIsNeverServed_boundsEachWait_andExpires() throws Exception {
    Mailbox neverRuns = new Mailbox(); // like a stage blocked in a callback or gone
    OutsideWakeups.register(neverRuns);
    long oneMilli = TimeUnit.MILLISECONDS.toNanos(1);
    // The wait's bound ends it though nothing serves the registration.
    assertEquals(
        OutsideWakeups.Wait.GAVE_UP,
        OutsideWakeups.awaitPending(new Mailbox(), oneMilli, FOREVER, FOREVER));
    Thread.sleep(2);
    // Older than the expiry: given up, so busy stages no longer wait for it at all.
    assertEquals(
        OutsideWakeups.Wait.NONE,
        OutsideWakeups.awaitPending(new Mailbox(), FOREVER, oneMilli, oneMilli));
    assertFalse(OutsideWakeups.isPending(neverRuns));
    neverRuns.running(); // a late run is harmless
    assertFalse(neverRuns.outsidePending);
  }

  @Test
  void aRegistrationOfARunnableThread_isKeptLonger_stillQueuedForACarrierAsFarAsWeKnow()
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    Thread spinning =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (!stop.get()) {
                    Thread.onSpinWait();
                  }
                });
    try {
      Mailbox queued = new Mailbox();
      queued.owner(spinning); // RUNNABLE, as a woken stage still waiting for a carrier is
      OutsideWakeups.register(queued);
      long oneMilli = TimeUnit.MILLISECONDS.toNanos(1);
      Thread.sleep(2);
      // Older than the expiry, but runnable: still waited for...
      assertEquals(
          OutsideWakeups.Wait.GAVE_UP,
          OutsideWakeups.awaitPending(new Mailbox(), oneMilli, oneMilli, FOREVER));
      assertTrue(OutsideWakeups.isPending(queued));
      // ...until the longer bound for runnable threads.
      assertEquals(
          OutsideWakeups.Wait.NONE,
          OutsideWakeups.awaitPending(new Mailbox(), FOREVER, oneMilli, oneMilli));
      assertFalse(OutsideWakeups.isPending(queued));
    } finally {
      stop.set(true);
      spinning.join();
    }
  }

  @Test
  void expiringARegistration_wakesTheStagesWaitingForIt() throws Exception {
    Mailbox neverRuns = new Mailbox();
    OutsideWakeups.register(neverRuns);
    CompletableFuture<OutsideWakeups.Wait> w = waiter(new Mailbox());
    Thread.sleep(2);
    // Another busy stage gives the registration up; the first waiter must not sleep on.
    OutsideWakeups.awaitPending(
        new Mailbox(), FOREVER, TimeUnit.MILLISECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
    assertNotEquals(OutsideWakeups.Wait.GAVE_UP, get(w));
    assertFalse(OutsideWakeups.isPending(neverRuns));
  }

  @Test
  void awaitPending_returnsWhenInterrupted_keepingTheInterrupt() throws Exception {
    Mailbox woken = new Mailbox();
    OutsideWakeups.register(woken);
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();
    Thread t =
        Thread.ofVirtual()
            .start(
                () -> {
                  OutsideWakeups.Wait w =
                      OutsideWakeups.awaitPending(new Mailbox(), FOREVER, FOREVER, FOREVER);
                  interrupted.complete(
                      w == OutsideWakeups.Wait.GAVE_UP && Thread.currentThread().isInterrupted());
                });
    t.interrupt();
    assertTrue(get(interrupted));
    woken.running();
  }

  @Test
  void stagesStartedCalledAndStoppedFromOutside_leaveNothingPending() throws Exception {
    try (StageSystem system = new StageSystem("wake")) {
      Stage<Integer> echo = system.startProducer(TestProducer.silent());
      Mailbox mailbox = ((StageCell<?>) echo).mailbox;
      for (int i = 0; i < 100; i++) {
        assertEquals("ok", echo.call(NOTHING, TIMEOUT));
      }
      echo.stop(ExitReason.normal());
      assertEquals(ExitReason.normal(), echo.awaitExit(TIMEOUT));
      assertFalse(mailbox.outsidePending);
      assertFalse(OutsideWakeups.isPending(mailbox));
    }
  }

  /**
   * Every call and stop of the storm has its own 30 s bound, so a lost wake-up fails the storm. The
   * storm as a whole is not bounded by 30 s: its 3 000 calls each wait for a carrier that 8 busy
   * stages share, and on one carrier of a host loaded eightfold they took longer than that once
   * (docs/open-work.md) without any wake-up being lost.
   */
  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aStormOfOutsideWakeups_neitherLosesOneNorStallsBusyPipelines() throws Exception {
    try (StageSystem system = new StageSystem("storm")) {
      // More busy pairs than the 2-core CI box has carriers.
      List<AtomicLong> received = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        AtomicLong count = new AtomicLong();
        received.add(count);
        Stage<Integer> producer = system.startProducer(TestProducer.counter());
        Stage<Void> consumer = system.startConsumer(new Counting(count));
        consumer.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(1000).build());
      }
      // A finite pipeline started among them must finish.
      AtomicLong finiteCount = new AtomicLong();
      Stage<Long> finite = system.startProducer(new Finite(200_000));
      Stage<Void> finiteConsumer = system.startConsumer(new Counting(finiteCount));
      finiteConsumer.subscribeTo(finite, SubscriptionOptions.builder().maxDemand(500).build());

      Stage<Integer> echo = system.startProducer(TestProducer.silent());
      // Outside wake-ups from several platform threads at once: calls, starts and stops.
      List<CompletableFuture<Void>> storms = new ArrayList<>();
      for (int t = 0; t < 3; t++) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        storms.add(done);
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    for (int i = 0; i < 1000; i++) {
                      if (!"ok".equals(echo.call(NOTHING, TIMEOUT))) {
                        throw new AssertionError("wrong reply");
                      }
                      if (i % 10 == 0) {
                        Stage<Integer> s = system.startProducer(TestProducer.silent());
                        s.stop(ExitReason.normal());
                        s.awaitExit(TIMEOUT);
                      }
                    }
                    done.complete(null);
                  } catch (Throwable e) {
                    done.completeExceptionally(e);
                  }
                });
      }
      for (CompletableFuture<Void> s : storms) {
        // every call answered, every start and stop seen: no wake-up lost
        s.get(4, TimeUnit.MINUTES);
      }
      assertEquals(ExitReason.normal(), finiteConsumer.awaitExit(TIMEOUT));
      assertEquals(200_000, finiteCount.get());
      // The busy pairs still run after the storm.
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      for (AtomicLong count : received) {
        long before = count.get();
        while (count.get() == before && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        assertTrue(count.get() > before, "a busy pipeline stalled");
      }
    }
  }

  /** Emits {@code total} numbers, then ends. */
  private static final class Finite implements Producer<Long> {
    private final long total;
    private long next;

    Finite(long total) {
      this.total = total;
    }

    @Override
    public void handleDemand(long demand, ProducerContext<Long> ctx) {
      long n = Math.min(demand, total - next);
      List<Long> batch = new ArrayList<>((int) n);
      for (long i = 0; i < n; i++) {
        batch.add(next++);
      }
      ctx.emit(batch);
      if (next == total) {
        ctx.done();
      }
    }
  }

  /** Counts the events it takes. */
  private static final class Counting implements Consumer<Object> {
    private final AtomicLong count;

    Counting(AtomicLong count) {
      this.count = count;
    }

    @Override
    public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {
      count.addAndGet(events.size());
    }
  }
}
