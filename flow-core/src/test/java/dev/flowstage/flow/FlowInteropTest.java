package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RangePublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** {@code java.util.concurrent.Flow} interop of the Flow DSL and {@link RunningFlow} futures. */
final class FlowInteropTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * Runs {@code body} with the runtime's failure log muted: the runtime logs a failing stage with
   * its trace, and these tests fail stages on purpose. Through reflection because the test module
   * (flow-core patched) does not read {@code java.logging}; reflection needs no read edge.
   */
  private static void quietly(ThrowingRunnable body) throws Exception {
    Class<?> loggerClass = Class.forName("java.util.logging.Logger");
    Class<?> levelClass = Class.forName("java.util.logging.Level");
    Object logger =
        loggerClass.getMethod("getLogger", String.class).invoke(null, "dev.flowstage.stage");
    java.lang.reflect.Method setLevel = loggerClass.getMethod("setLevel", levelClass);
    Object before = loggerClass.getMethod("getLevel").invoke(logger);
    setLevel.invoke(logger, levelClass.getField("OFF").get(null));
    try {
      body.run();
    } finally {
      setLevel.invoke(logger, before);
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  // -------------------------------------------------------------------------------------------
  // fromPublisher

  @Test
  void fromPublisher_deliversEveryEvent_andAsksInTheFlowsBatches() {
    RangePublisher<Long> pub = RangePublisher.ofLongs(10_000, null);
    long sum =
        Flow.fromPublisher(pub, o -> o.stages(2).maxDemand(100).minDemand(50))
            .map(x -> x * 2)
            .collect(Collectors.summingLong(Long::longValue));
    assertEquals(2L * (10_000L * 9_999 / 2), sum);
    // Batches, not one by one: the first ask is a whole maxDemand, refills are half of it.
    assertEquals(100L, pub.requests.get(0));
    assertTrue(pub.requests.stream().allMatch(n -> n >= 50), () -> "requests " + pub.requests);
    assertTrue(pub.requests.size() <= 10_000 / 50 + 4, () -> "requests " + pub.requests.size());
  }

  @Test
  void fromPublisher_asyncPublisher_losesNoEvent() throws Exception {
    // SubmissionPublisher signals on its executor's threads while the flow runs on its own.
    java.util.concurrent.SubmissionPublisher<Integer> pub =
        new java.util.concurrent.SubmissionPublisher<>(
            java.util.concurrent.ForkJoinPool.commonPool(), 64);
    RunningFlow<Long> running =
        Flow.fromPublisher(pub, o -> o.stages(4).maxDemand(50))
            .map(x -> (long) x)
            .start(Collectors.summingLong(Long::longValue));
    Thread producer =
        Thread.ofVirtual()
            .start(
                () -> {
                  for (int i = 1; i <= 100_000; i++) {
                    pub.submit(i); // blocks while the flow does not ask: back-pressure
                  }
                  pub.close();
                });
    assertEquals(100_000L * 100_001 / 2, running.toCompletableFuture().get(60, TimeUnit.SECONDS));
    producer.join();
    assertTrue(running.isTerminated());
  }

  @Test
  void fromPublisher_describesItself() {
    assertTrue(
        Flow.fromPublisher(RangePublisher.ofLongs(1, null)).describe().contains("fromPublisher"),
        "describe names the publisher source");
  }

  @Test
  void fromPublisher_emptyPublisher_isAnEmptyFlow() {
    assertEquals(List.of(), Flow.fromPublisher(RangePublisher.ofLongs(0, null)).toList());
  }

  @Test
  void fromPublisher_onError_failsTheFlowWithThatCause() {
    IllegalStateException boom = new IllegalStateException("upstream broke");
    RangePublisher<Long> pub = RangePublisher.ofLongs(10, boom);
    FlowException e =
        assertThrows(FlowException.class, () -> Flow.fromPublisher(pub).map(x -> x).toList());
    assertSame(boom, e.getCause());
  }

  @Test
  void fromPublisher_cancellingTheFlow_cancelsTheSubscription() throws Exception {
    // Never completes: the flow can only end by being cancelled.
    java.util.concurrent.SubmissionPublisher<Integer> pub =
        new java.util.concurrent.SubmissionPublisher<>();
    AtomicInteger seen = new AtomicInteger();
    RunningFlow<Void> running = Flow.fromPublisher(pub).each(x -> seen.incrementAndGet()).start();
    for (int i = 0; i < 100; i++) {
      pub.submit(i);
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (seen.get() < 100 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(100, seen.get());
    running.cancel();
    assertTrue(running.isTerminated());
    assertThrows(CancellationException.class, running::await);
    deadline = System.nanoTime() + WAIT.toNanos();
    while (pub.getNumberOfSubscribers() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(0, pub.getNumberOfSubscribers(), "the flow's subscription was not cancelled");
    pub.close();
  }

  // -------------------------------------------------------------------------------------------
  // toPublisher

  /** A subscriber recording every signal; requests {@code chunk} at a time as it consumes. */
  static final class Recorder<T> implements java.util.concurrent.Flow.Subscriber<T> {
    final BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    final List<T> items = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch terminal = new CountDownLatch(1);
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final AtomicInteger terminals = new AtomicInteger();
    final AtomicReference<Thread> signalThread = new AtomicReference<>();
    final long chunk;
    final long cancelAfter;
    volatile java.util.concurrent.Flow.Subscription subscription;
    long inChunk;

    Recorder(long chunk, long cancelAfter) {
      this.chunk = chunk;
      this.cancelAfter = cancelAfter;
    }

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
      subscription = s;
      signalThread.set(Thread.currentThread());
      if (chunk > 0) {
        s.request(chunk);
      }
    }

    @Override
    public void onNext(T item) {
      items.add(item);
      if (items.size() == cancelAfter) {
        subscription.cancel();
        terminal.countDown();
        return;
      }
      if (chunk > 0 && ++inChunk == chunk) {
        inChunk = 0;
        subscription.request(chunk);
      }
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

    void await() throws InterruptedException {
      assertTrue(terminal.await(WAIT.toSeconds(), TimeUnit.SECONDS), "no terminal signal");
    }
  }

  @Test
  void toPublisher_smallRequests_deliverEveryEventOnceThenComplete() throws Exception {
    Recorder<Integer> r = new Recorder<>(7, -1);
    Flow.fromEnumerable(IntStream.range(0, 5000).boxed().toList(), o -> o.stages(3))
        .map(x -> x + 1)
        .toPublisher()
        .subscribe(r);
    r.await();
    assertNull(r.error.get());
    assertEquals(1, r.terminals.get());
    List<Integer> sorted = new ArrayList<>(r.items);
    Collections.sort(sorted);
    assertEquals(IntStream.rangeClosed(1, 5000).boxed().toList(), sorted);
  }

  @Test
  void toPublisher_neverSignalsBeyondTheRequest() throws Exception {
    Recorder<Integer> r = new Recorder<>(0, -1);
    Flow.fromEnumerable(IntStream.range(0, 100).boxed().toList()).toPublisher().subscribe(r);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (r.subscription == null && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    r.subscription.request(3);
    Thread.sleep(200);
    assertEquals(3, r.items.size());
    r.subscription.request(Long.MAX_VALUE);
    r.subscription.request(Long.MAX_VALUE); // overflow caps, rule 3.17
    r.await();
    assertEquals(100, r.items.size());
    assertEquals(1, r.terminals.get());
  }

  @Test
  void toPublisher_cancel_stopsTheFlowAndEveryThread() throws Exception {
    AtomicReference<Thread> sourceThread = new AtomicReference<>();
    Iterator<Long> infinite =
        LongStream.iterate(0, i -> i + 1)
            .peek(i -> sourceThread.set(Thread.currentThread()))
            .boxed()
            .iterator();
    Recorder<Long> r = new Recorder<>(10, 1000);
    Flow.fromEnumerable(infinite, o -> o.stages(2).maxDemand(50)).toPublisher().subscribe(r);
    r.await();
    assertEquals(1000, r.items.size());
    assertEquals(0, r.terminals.get(), "a cancelled subscriber gets no terminal signal");
    // The reading thread exits only after every stage thread of the run has exited.
    r.signalThread.get().join(WAIT);
    assertTrue(!r.signalThread.get().isAlive(), "the publisher's reader is still running");
    sourceThread.get().join(WAIT);
    assertTrue(!sourceThread.get().isAlive(), "the source stage is still running");
  }

  @Test
  void toPublisher_failure_isSignalledOnceAsTheFlowException() throws Exception {
    quietly(
        () -> {
          Recorder<Integer> r = new Recorder<>(Long.MAX_VALUE, -1);
          Flow.fromEnumerable(IntStream.range(0, 1000).boxed().toList())
              .map(
                  x -> {
                    if (x == 500) {
                      throw new IllegalArgumentException("bad event 500");
                    }
                    return x;
                  })
              .toPublisher()
              .subscribe(r);
          r.await();
          Thread.sleep(100); // a second terminal signal would arrive meanwhile
          assertEquals(1, r.terminals.get());
          FlowException e = assertInstanceOf(FlowException.class, r.error.get());
          assertInstanceOf(IllegalArgumentException.class, e.getCause());
        });
  }

  @Test
  void toPublisher_failsWithoutAnyRequest() throws Exception {
    quietly(
        () -> {
          Recorder<Integer> r = new Recorder<>(0, -1);
          Flow.fromEnumerable(List.of(1, 2, 3))
              .<Integer>map(
                  x -> {
                    throw new IllegalStateException("fails before any request");
                  })
              .toPublisher()
              .subscribe(r);
          r.await();
          assertInstanceOf(FlowException.class, r.error.get());
        });
  }

  @Test
  void toPublisher_nonPositiveRequest_signalsIllegalArgument() throws Exception {
    Recorder<Integer> r = new Recorder<>(0, -1);
    Flow.fromEnumerable(IntStream.range(0, 10).boxed().toList()).toPublisher().subscribe(r);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (r.subscription == null && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    r.subscription.request(0);
    r.await();
    assertInstanceOf(IllegalArgumentException.class, r.error.get());
    assertEquals(1, r.terminals.get());
  }

  @Test
  void toPublisher_isCold_eachSubscriberRunsTheFlow() throws Exception {
    java.util.concurrent.Flow.Publisher<Integer> p =
        Flow.fromEnumerable(List.of(1, 2, 3)).toPublisher();
    for (int i = 0; i < 2; i++) {
      Recorder<Integer> r = new Recorder<>(Long.MAX_VALUE, -1);
      p.subscribe(r);
      r.await();
      assertEquals(3, r.items.size());
    }
  }

  @Test
  void fromPublisherOfToPublisher_roundTrips() {
    List<Integer> out =
        Flow.fromPublisher(
                Flow.fromEnumerable(IntStream.range(0, 3000).boxed().toList()).toPublisher(),
                o -> o.stages(2))
            .toList();
    assertEquals(3000, out.size());
    assertEquals(3000, out.stream().distinct().count());
  }

  // -------------------------------------------------------------------------------------------
  // RunningFlow.toCompletableFuture

  @Test
  void future_completesWithTheResult_andComposes() throws Exception {
    RunningFlow<Long> running =
        Flow.fromEnumerable(IntStream.range(0, 1000).boxed().toList()).start(Collectors.counting());
    CompletableFuture<String> text = running.toCompletableFuture().thenApply(n -> "n=" + n);
    assertEquals("n=1000", text.get(20, TimeUnit.SECONDS));
    assertTrue(running.isTerminated());
  }

  @Test
  void future_failure_carriesTheFlowExceptionAsCause() throws Exception {
    quietly(
        () -> {
          RunningFlow<List<Integer>> running =
              Flow.fromEnumerable(List.of(1, 2, 3))
                  .<Integer>map(
                      x -> {
                        throw new IllegalStateException("boom");
                      })
                  .start(Collectors.<Integer>toList());
          CompletableFuture<List<Integer>> f = running.toCompletableFuture();
          ExecutionException e =
              assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
          FlowException fe = assertInstanceOf(FlowException.class, e.getCause());
          assertInstanceOf(IllegalStateException.class, fe.getCause());
          CompletionException ce = assertThrows(CompletionException.class, f::join);
          assertSame(
              fe, ce.getCause(), "the same exception each time: reported once, not re-wrapped");
        });
  }

  @Test
  void future_cancel_cancelsTheFlow() throws Exception {
    AtomicLong pulled = new AtomicLong();
    Iterator<Long> infinite =
        LongStream.iterate(0, i -> i + 1).peek(i -> pulled.incrementAndGet()).boxed().iterator();
    RunningFlow<Void> running = Flow.fromEnumerable(infinite).start();
    CompletableFuture<Void> f = running.toCompletableFuture();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (pulled.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(f.cancel(true));
    assertTrue(f.isCancelled());
    assertTrue(running.awaitTermination(WAIT));
    assertTrue(running.isTerminated());
    assertThrows(CancellationException.class, running::await);
  }

  @Test
  void future_ofACancelledFlow_isCancelled() throws Exception {
    RunningFlow<Void> running =
        Flow.fromEnumerable(LongStream.iterate(0, i -> i + 1).boxed().iterator()).start();
    CompletableFuture<Void> f = running.toCompletableFuture();
    running.cancel();
    assertThrows(CancellationException.class, () -> f.get(20, TimeUnit.SECONDS));
    assertTrue(f.isCancelled());
  }
}
