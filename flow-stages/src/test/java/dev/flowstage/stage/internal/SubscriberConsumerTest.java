package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The subscriber bridge fed by a source of its own ({@link SubscriberConsumer#forRun}, what {@code
 * Flow.toPublisher} runs into): its producers subscribe it from outside, and only {@link
 * SubscriberConsumer#end} says how the subscriber ends. The rules it shares with {@code
 * Publishers.of} are checked through both publishers by flow-core's {@code
 * PublisherBridgeParityTest} and the TCK.
 */
final class SubscriberConsumerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** Records signals; requests {@code initial} in {@code onSubscribe}. */
  static class Recorder implements Flow.Subscriber<Integer> {
    final long initial;
    final List<Integer> items = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final AtomicInteger terminals = new AtomicInteger();
    final CountDownLatch terminal = new CountDownLatch(1);
    volatile Flow.Subscription subscription;

    Recorder(long initial) {
      this.initial = initial;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (initial > 0) {
        s.request(initial);
      }
    }

    @Override
    public void onNext(Integer item) {
      items.add(item);
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
      terminals.incrementAndGet();
      terminal.countDown();
    }

    @Override
    public void onComplete() {
      terminals.incrementAndGet();
      terminal.countDown();
    }

    void awaitItems(int n) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (items.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertEquals(n, items.size(), "items: " + items);
    }

    void awaitTerminal() throws InterruptedException {
      assertTrue(terminal.await(WAIT.toSeconds(), TimeUnit.SECONDS), "no terminal signal");
    }
  }

  private static SubscriptionOptions temporary() {
    return SubscriptionOptions.builder()
        .maxDemand(8)
        .minDemand(4)
        .cancel(CancelMode.TEMPORARY)
        .build();
  }

  private static List<Integer> upTo(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  /** A producer that emits {@code 0 .. n-1} on its first demand, then fails with {@code cause}. */
  private static Producer<Integer> emitsThenFails(int n, RuntimeException cause) {
    return new Producer<>() {
      private boolean emitted;

      @Override
      public void handleDemand(long demand, ProducerContext<Integer> ctx) {
        if (!emitted) {
          emitted = true;
          ctx.emit(upTo(n));
          ctx.stop(ExitReason.failure(cause));
        }
      }
    };
  }

  @Test
  void normalEnd_completesOnlyOnceEveryEventBeforeItWasTaken() throws Exception {
    try (StageSystem system = new StageSystem("bridge-test")) {
      Stage<Integer> producer = system.startProducer(Producers.fromIterator(upTo(12).iterator()));
      Recorder r = new Recorder(5);
      SubscriberConsumer<Integer> bridge = SubscriberConsumer.forRun(r);
      Stage<Void> stage = system.startConsumer(bridge);
      stage.subscribeTo(producer, temporary());
      producer.awaitExit(WAIT); // every event is in the bridge's mailbox or buffer now
      r.awaitItems(5);
      bridge.end(null);
      // This request's wake-up is behind the end in the mailbox: once its event arrived, the end
      // was
      // taken, with events still held, and the subscriber must not have completed.
      r.subscription.request(1);
      r.awaitItems(6);
      assertEquals(0, r.terminals.get(), "completed with 6 events held");
      r.subscription.request(Long.MAX_VALUE);
      r.awaitTerminal();
      assertEquals(upTo(12), r.items);
      assertEquals(1, r.terminals.get());
      assertEquals(null, r.error.get());
      stage.awaitExit(WAIT);
    }
  }

  /** A producer that emits what it is told to ({@code Integer} infos: how many), or finishes. */
  private static Producer<Integer> onCommand() {
    return new Producer<>() {
      private int next;

      @Override
      public void handleDemand(long demand, ProducerContext<Integer> ctx) {}

      @Override
      public void handleInfo(Object message, ProducerContext<Integer> ctx) {
        if (message instanceof Integer n) {
          List<Integer> batch = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            batch.add(next++);
          }
          ctx.emit(batch); // within the bridge's ask of 8
        } else {
          ctx.done();
        }
      }
    };
  }

  @Test
  void normalEnd_toldWhileEventsAreStillInItsMailbox_losesNone() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Recorder r =
        new Recorder(1) {
          @Override
          public void onNext(Integer item) {
            super.onNext(item);
            entered.countDown();
            try {
              release.await(); // holds the bridge's thread while its mailbox fills
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
        };
    try (StageSystem system = new StageSystem("bridge-test")) {
      Stage<Integer> producer = system.startProducer(onCommand());
      SubscriberConsumer<Integer> bridge = SubscriberConsumer.forRun(r);
      Stage<Void> stage = system.startConsumer(bridge);
      stage.subscribeTo(producer, temporary());
      producer.send(1);
      assertTrue(entered.await(WAIT.toSeconds(), TimeUnit.SECONDS), "no first event");
      r.subscription.request(5); // a wake-up, queued ahead of the events that follow
      producer.send(3);
      producer.send("done");
      producer.awaitExit(WAIT); // its last events are in the bridge's mailbox, behind the wake-up
      bridge.end(null);
      release.countDown();
      r.awaitTerminal();
      assertEquals(upTo(4), r.items, "completed before the last events were taken");
      assertEquals(1, r.terminals.get());
      stage.awaitExit(WAIT);
    }
  }

  @Test
  void producerFailure_isNotItsToTell_theEndIs() throws Exception {
    try (StageSystem system = new StageSystem("bridge-test")) {
      RuntimeException producerCause = new IllegalStateException("the producer's failure");
      Stage<Integer> producer = system.startProducer(emitsThenFails(3, producerCause));
      Recorder r = new Recorder(Long.MAX_VALUE);
      SubscriberConsumer<Integer> bridge = SubscriberConsumer.forRun(r);
      Stage<Void> stage = system.startConsumer(bridge);
      stage.subscribeTo(producer, temporary());
      producer.awaitExit(WAIT);
      r.awaitItems(3);
      RuntimeException told = new IllegalStateException("how the whole source ended");
      bridge.end(told);
      r.awaitTerminal();
      assertSame(told, r.error.get(), "the bridge told its producer's failure itself");
      assertEquals(1, r.terminals.get());
      stage.awaitExit(WAIT);
    }
  }

  @Test
  void failure_isSignalledWithoutDemand_droppingWhatIsHeld() throws Exception {
    try (StageSystem system = new StageSystem("bridge-test")) {
      Stage<Integer> producer = system.startProducer(Producers.fromIterator(upTo(100).iterator()));
      Recorder r = new Recorder(0);
      SubscriberConsumer<Integer> bridge = SubscriberConsumer.forRun(r);
      Stage<Void> stage = system.startConsumer(bridge);
      stage.subscribeTo(producer, temporary());
      RuntimeException told = new IllegalStateException("failed");
      bridge.end(told);
      bridge.end(null); // the first end counts
      r.awaitTerminal();
      assertSame(told, r.error.get());
      assertEquals(List.of(), r.items);
      stage.awaitExit(WAIT);
      assertEquals(1, r.terminals.get());
    }
  }

  @Test
  void end_afterCancel_signalsNothing() throws Exception {
    try (StageSystem system = new StageSystem("bridge-test")) {
      Stage<Integer> producer = system.startProducer(Producers.fromIterator(upTo(100).iterator()));
      Recorder r = new Recorder(2);
      SubscriberConsumer<Integer> bridge = SubscriberConsumer.forRun(r);
      Stage<Void> stage = system.startConsumer(bridge);
      stage.subscribeTo(producer, temporary());
      r.awaitItems(2);
      r.subscription.cancel();
      stage.awaitExit(WAIT); // the bridge stops on a cancel, and its thread made every signal
      bridge.end(new IllegalStateException("too late"));
      bridge.end(null);
      assertEquals(0, r.terminals.get());
      assertEquals(upTo(2), r.items);
    }
  }

  @Test
  void refuse_beforeStart_isOnSubscribeThenOnError_andOnceStartedDoesNothing() throws Exception {
    RuntimeException cause = new IllegalStateException("cannot start");
    Recorder refused = new Recorder(0);
    SubscriberConsumer<Integer> never = SubscriberConsumer.forRun(refused);
    never.refuse(cause);
    never.refuse(cause);
    assertSame(cause, refused.error.get());
    assertEquals(1, refused.terminals.get());
    assertTrue(refused.subscription != null, "no onSubscribe before onError");

    try (StageSystem system = new StageSystem("bridge-test")) {
      Recorder r = new Recorder(0);
      SubscriberConsumer<Integer> bridge = SubscriberConsumer.forRun(r);
      Stage<Void> stage = system.startConsumer(bridge);
      bridge.refuse(cause); // it started: the bridge's own signals rule
      bridge.end(null);
      r.awaitTerminal();
      assertEquals(null, r.error.get());
      assertEquals(1, r.terminals.get());
      stage.awaitExit(WAIT);
    }
  }
}
