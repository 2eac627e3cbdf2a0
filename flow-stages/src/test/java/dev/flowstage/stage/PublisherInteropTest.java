package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RangePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** {@link Producers#fromPublisher} and {@link Publishers#of}: java.util.concurrent.Flow interop. */
final class PublisherInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** A consumer collecting events and the reason its subscription ended. */
  static final class Collecting implements Consumer<Integer> {
    final List<Integer> events = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<ExitReason> ended = new AtomicReference<>();

    @Override
    public void handleEvents(List<Integer> batch, Subscription from, StageContext ctx) {
      events.addAll(batch);
    }

    @Override
    public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
      ended.set(reason);
    }
  }

  private static SubscriptionOptions demand(int max, int min) {
    return SubscriptionOptions.builder()
        .maxDemand(max)
        .minDemand(min)
        .cancel(CancelMode.TEMPORARY)
        .build();
  }

  @Test
  void fromPublisher_deliversEverything_requestingInTheConsumersBatches() {
    RangePublisher<Integer> range = RangePublisher.ofInts(1000, null);
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> p = system.startProducer(Producers.fromPublisher(range));
      Collecting c = new Collecting();
      Stage<Void> cs = system.startConsumer(c);
      cs.subscribeTo(p, demand(100, 50));
      assertEquals(ExitReason.normal(), p.awaitExit(WAIT));
      // The producer exits once it has dispatched; the consumer's cancel comes after its last
      // batch in its own mailbox, so wait for it before reading what the consumer got.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (c.ended.get() == null && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        Thread.yield();
      }
      assertEquals(ExitReason.normal(), c.ended.get());
      assertEquals(IntStream.range(0, 1000).boxed().toList(), c.events);
      assertEquals(100L, range.requests.get(0));
      assertTrue(range.requests.stream().allMatch(n -> n == 50 || n == 100), range::toString);
      assertFalse(range.cancelled.get());
    }
  }

  @Test
  void fromPublisher_onError_failsTheStageWithThatCause() {
    IllegalStateException boom = new IllegalStateException("boom");
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> p =
          system.startProducer(Producers.fromPublisher(RangePublisher.ofInts(10, boom)));
      Collecting c = new Collecting();
      system.startConsumer(c).subscribeTo(p, demand(100, 50));
      ExitReason r = p.awaitExit(WAIT);
      assertSame(boom, assertInstanceOf(ExitReason.Failure.class, r).cause());
    }
  }

  @Test
  void fromPublisher_stageStop_cancelsUpstream_andLateItemsAreDropped() throws Exception {
    SubmissionPublisher<Integer> pub = new SubmissionPublisher<>();
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> p = system.startProducer(Producers.fromPublisher(pub));
      Collecting c = new Collecting();
      system.startConsumer(c).subscribeTo(p, demand(10, 5));
      for (int i = 0; i < 5; i++) {
        pub.submit(i);
      }
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (c.events.size() < 5 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(List.of(0, 1, 2, 3, 4), c.events);
      p.stop(ExitReason.shutdown());
      p.awaitExit(WAIT);
      deadline = System.nanoTime() + WAIT.toNanos();
      while (pub.getNumberOfSubscribers() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(0, pub.getNumberOfSubscribers());
    } finally {
      pub.close();
    }
  }

  @Test
  void fromPublisher_secondSubscription_isCancelled() {
    try (StageSystem system = new StageSystem()) {
      AtomicReference<Flow.Subscriber<? super Integer>> captured = new AtomicReference<>();
      Flow.Publisher<Integer> capturing = captured::set;
      system.startProducer(Producers.fromPublisher(capturing));
      AtomicInteger cancels = new AtomicInteger();
      Flow.Subscription sub =
          new Flow.Subscription() {
            @Override
            public void request(long n) {}

            @Override
            public void cancel() {
              cancels.incrementAndGet();
            }
          };
      captured.get().onSubscribe(sub);
      captured.get().onSubscribe(sub);
      assertEquals(1, cancels.get(), "rule 2.5: the second subscription is cancelled");
    }
  }

  // -------------------------------------------------------------------------------------------

  /** A subscriber recording signals, requesting {@code chunk} at a time. */
  static final class Recorder implements Flow.Subscriber<Integer> {
    final List<Integer> items = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger terminals = new AtomicInteger();
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final CountDownLatch done = new CountDownLatch(1);
    final long chunk;
    final int cancelAfter;
    volatile Flow.Subscription subscription;
    long inChunk;

    Recorder(long chunk, int cancelAfter) {
      this.chunk = chunk;
      this.cancelAfter = cancelAfter;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (chunk > 0) {
        s.request(chunk);
      }
    }

    @Override
    public void onNext(Integer item) {
      items.add(item);
      if (items.size() == cancelAfter) {
        subscription.cancel();
        done.countDown();
      } else if (chunk > 0 && ++inChunk == chunk) {
        inChunk = 0;
        subscription.request(chunk);
      }
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
      terminals.incrementAndGet();
      done.countDown();
    }

    @Override
    public void onComplete() {
      terminals.incrementAndGet();
      done.countDown();
    }

    void await() throws InterruptedException {
      assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS), "no terminal signal");
    }
  }

  @Test
  void publisher_twoProducers_oneByOne_everyEventOnceThenComplete() throws Exception {
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> a =
          system.startProducer(Producers.fromIterable(IntStream.range(0, 500).boxed().toList()));
      Stage<Integer> b =
          system.startProducer(Producers.fromIterable(IntStream.range(500, 1000).boxed().toList()));
      Recorder r = new Recorder(1, -1);
      Publishers.of(system, List.of(a, b), demand(20, 10)).subscribe(r);
      r.await();
      Thread.sleep(50); // a second terminal signal would arrive meanwhile
      assertNull(r.error.get());
      assertEquals(1, r.terminals.get());
      List<Integer> sorted = new ArrayList<>(r.items);
      Collections.sort(sorted);
      assertEquals(IntStream.range(0, 1000).boxed().toList(), sorted);
    }
  }

  @Test
  void publisher_neverSignalsBeyondTheRequest() throws Exception {
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> p =
          system.startProducer(Producers.fromIterable(IntStream.range(0, 100).boxed().toList()));
      Recorder r = new Recorder(0, -1);
      Publishers.of(system, p).subscribe(r);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (r.subscription == null && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      r.subscription.request(7);
      Thread.sleep(200);
      assertEquals(IntStream.range(0, 7).boxed().toList(), r.items);
      r.subscription.request(Long.MAX_VALUE);
      r.subscription.request(Long.MAX_VALUE);
      r.await();
      assertEquals(100, r.items.size());
    }
  }

  @Test
  void publisher_cancel_stopsTheConsumerStage_andTheProducerWithOnCancelStop() throws Exception {
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> p =
          system.startProducer(
              Producers.fromStream(Stream.iterate(0, i -> i + 1), Producers.OnCancel.STOP));
      Recorder r = new Recorder(10, 300);
      Publishers.of(system, p).subscribe(r);
      r.await();
      assertEquals(ExitReason.normal(), p.awaitExit(WAIT));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (system.stages().size() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(List.of(), system.stages(), "no stage left running after cancel");
      assertEquals(300, r.items.size());
      assertEquals(0, r.terminals.get());
    }
  }

  @Test
  void publisher_producerFailure_isSignalledOnceWithItsCause() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> p =
          system.startProducer(Producers.fromPublisher(RangePublisher.ofInts(50, boom)));
      Recorder r = new Recorder(Long.MAX_VALUE, -1);
      Publishers.of(system, p).subscribe(r);
      r.await();
      Thread.sleep(50);
      assertEquals(1, r.terminals.get());
      assertSame(boom, r.error.get());
    }
  }

  @Test
  void publisher_nonPositiveRequest_signalsIllegalArgument() throws Exception {
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> p = system.startProducer(Producers.fromIterable(List.of(1, 2, 3)));
      Recorder r = new Recorder(0, -1);
      Publishers.of(system, p).subscribe(r);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (r.subscription == null && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      r.subscription.request(-1);
      r.await();
      assertInstanceOf(IllegalArgumentException.class, r.error.get());
    }
  }

  @Test
  void publisher_closedSystem_signalsOnSubscribeThenOnError() throws Exception {
    StageSystem system = new StageSystem();
    Stage<Integer> p = system.startProducer(Producers.fromIterable(List.of(1)));
    Flow.Publisher<Integer> pub = Publishers.of(system, p);
    system.close();
    Recorder r = new Recorder(1, -1);
    pub.subscribe(r);
    r.await();
    assertTrue(r.subscription != null);
    assertTrue(r.error.get() != null);
  }

  @Test
  void publisher_systemClosedMidStream_isAnErrorNotACompletion() throws Exception {
    StageSystem system = new StageSystem();
    Stage<Integer> p = system.startProducer(Producers.fromStream(Stream.iterate(0, i -> i + 1)));
    Recorder r = new Recorder(0, -1);
    Publishers.of(system, p).subscribe(r);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (r.subscription == null && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    r.subscription.request(5);
    system.close();
    r.await();
    assertInstanceOf(StageException.class, r.error.get());
    assertEquals(1, r.terminals.get());
  }

  @Test
  void publisher_throwingOnSubscribe_isTreatedAsCancelled() throws Exception {
    try (StageSystem system = new StageSystem()) {
      Stage<Integer> p = system.startProducer(Producers.fromIterable(List.of(1, 2, 3)));
      AtomicInteger signals = new AtomicInteger();
      Publishers.of(system, p)
          .subscribe(
              new Flow.Subscriber<Integer>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                  throw new IllegalStateException("a broken subscriber (rule 2.13)");
                }

                @Override
                public void onNext(Integer item) {
                  signals.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                  signals.incrementAndGet();
                }

                @Override
                public void onComplete() {
                  signals.incrementAndGet();
                }
              });
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (system.stages().size() > 1 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(List.of(p), system.stages(), "the subscriber's stage stopped");
      Thread.sleep(50);
      assertEquals(0, signals.get(), "no signal after a throwing onSubscribe");
    }
  }
}
