package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Publishers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.testing.LogRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same subscriber scenarios through both publishers that bridge to a {@link
 * java.util.concurrent.Flow.Subscriber}: {@link Flow#toPublisher()} (a flow's run) and {@link
 * Publishers#of} (running producer stages). Both go through one bridge, flow-stages' subscriber
 * consumer; a scenario that passes for one and fails for the other means the two paths diverged.
 * Every scenario's subscriber also checks the rules that hold throughout: {@code onSubscribe}
 * first, serial signals, nothing beyond the request, nothing after a terminal signal.
 */
final class PublisherBridgeParityTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  /** How a bridge is made over a source stream, and how to tell that its source has stopped. */
  interface Bridge {
    /**
     * A publisher of {@code source}'s elements, in order.
     *
     * @param source the elements; closed (or its producer stopped) when the publisher is done
     * @return the publisher
     */
    java.util.concurrent.Flow.Publisher<Integer> of(Stream<Integer> source);

    /** Waits until the last source made by {@link #of} has stopped. */
    void awaitSourceStopped() throws InterruptedException;

    /** Stops whatever is left. */
    void close();
  }

  /** {@code Flow.toPublisher}: a one-stage flow over the source (its end closes the stream). */
  static final class FlowBridge implements Bridge {
    private volatile CountDownLatch closed;

    @Override
    public java.util.concurrent.Flow.Publisher<Integer> of(Stream<Integer> source) {
      CountDownLatch c = new CountDownLatch(1);
      closed = c;
      return Flow.fromEnumerable(source.onClose(c::countDown), o -> o.stages(1).maxDemand(8))
          .toPublisher();
    }

    @Override
    public void awaitSourceStopped() throws InterruptedException {
      assertTrue(closed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the flow's source still runs");
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
      return "Flow.toPublisher";
    }
  }

  /** {@code Publishers.of}: a producer stage over the source that stops when it is cancelled. */
  static final class StageBridge implements Bridge {
    private final StageSystem system = new StageSystem("parity");
    private volatile Stage<Integer> producer;

    @Override
    public java.util.concurrent.Flow.Publisher<Integer> of(Stream<Integer> source) {
      producer =
          system.startProducer(Producers.fromIterator(source.iterator(), Producers.OnCancel.STOP));
      return Publishers.of(
          system,
          List.of(producer),
          SubscriptionOptions.builder().maxDemand(8).minDemand(4).build());
    }

    @Override
    public void awaitSourceStopped() {
      producer.awaitExit(WAIT); // throws if it still runs
    }

    @Override
    public void close() {
      system.close();
    }

    @Override
    public String toString() {
      return "Publishers.of";
    }
  }

  static Stream<Bridge> bridges() {
    return Stream.of(new FlowBridge(), new StageBridge());
  }

  /**
   * A subscriber that records every signal and every rule it sees broken. It requests {@code
   * initial} in {@code onSubscribe}, then {@code chunk} each time a chunk has arrived; it throws or
   * cancels at the given item (or in {@code onSubscribe} for {@code 0} and {@code throwOnSubscribe}
   * / {@code cancelOnSubscribe}).
   */
  static final class Probe implements java.util.concurrent.Flow.Subscriber<Integer> {
    long initial = Long.MAX_VALUE;
    long chunk;
    int throwAt = -1;
    int cancelAt = -1;
    boolean throwOnSubscribe;
    boolean cancelOnSubscribe;

    final List<Integer> items = Collections.synchronizedList(new ArrayList<>());
    final List<String> broken = Collections.synchronizedList(new ArrayList<>());
    final AtomicReference<Throwable> error = new AtomicReference<>();
    final AtomicLong terminals = new AtomicLong();
    final CountDownLatch terminal = new CountDownLatch(1);
    final CountDownLatch subscribed = new CountDownLatch(1);
    final AtomicReference<Thread> signalThread = new AtomicReference<>();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicBoolean inSignal = new AtomicBoolean();
    private volatile java.util.concurrent.Flow.Subscription subscription;
    private long inChunk;

    void request(long n) {
      if (n > 0) {
        requested.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      }
      subscription.request(n);
    }

    private void enter(String signal) {
      if (subscription == null && !signal.equals("onSubscribe")) {
        broken.add(signal + " before onSubscribe (rule 1.9)");
      }
      if (terminals.get() > 0) {
        broken.add(signal + " after a terminal signal (rule 1.7)");
      }
      if (!inSignal.compareAndSet(false, true)) {
        broken.add(signal + " concurrent with another signal (rule 1.3)");
      }
    }

    private void exit() {
      inSignal.set(false);
    }

    @Override
    public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
      enter("onSubscribe");
      if (subscription != null) {
        broken.add("a second onSubscribe");
      }
      subscription = s;
      signalThread.set(Thread.currentThread());
      subscribed.countDown();
      try {
        if (throwOnSubscribe) {
          throw new IllegalStateException("onSubscribe throws (rule 2.13)");
        }
        if (cancelOnSubscribe) {
          s.cancel();
        } else if (initial != 0) {
          request(initial);
        }
      } finally {
        exit();
      }
    }

    @Override
    public void onNext(Integer item) {
      enter("onNext");
      try {
        items.add(item);
        long r = requested.get();
        if (r != Long.MAX_VALUE && items.size() > r) {
          broken.add("onNext " + items.size() + " beyond the " + r + " requested (rule 1.1)");
        }
        if (items.size() == throwAt) {
          throw new IllegalStateException("onNext throws (rule 2.13)");
        }
        if (items.size() == cancelAt) {
          subscription.cancel();
          return;
        }
        if (chunk > 0 && ++inChunk == chunk) {
          inChunk = 0;
          request(chunk);
        }
      } finally {
        exit();
      }
    }

    @Override
    public void onError(Throwable t) {
      enter("onError");
      error.set(t);
      terminals.incrementAndGet();
      exit();
      terminal.countDown();
    }

    @Override
    public void onComplete() {
      enter("onComplete");
      terminals.incrementAndGet();
      exit();
      terminal.countDown();
    }

    void awaitTerminal() throws InterruptedException {
      assertTrue(terminal.await(WAIT.toSeconds(), TimeUnit.SECONDS), "no terminal signal");
    }

    /** Waits until the thread that signals has ended: no signal can come after. */
    void awaitQuiet() throws InterruptedException {
      assertTrue(subscribed.await(WAIT.toSeconds(), TimeUnit.SECONDS), "no onSubscribe");
      Thread t = signalThread.get();
      t.join(WAIT);
      assertFalse(t.isAlive(), "the bridge's thread still runs");
    }
  }

  private LogRecorder log;

  @BeforeEach
  void listen() {
    log = new LogRecorder("dev.flowstage");
  }

  @AfterEach
  void stopListening() {
    log.close();
  }

  private static Stream<Integer> range(int n) {
    return IntStream.range(0, n).boxed();
  }

  private static Stream<Integer> endless() {
    return Stream.iterate(0, i -> i + 1);
  }

  private static List<Integer> upTo(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void smallRequests_everyEventOnceInOrder_thenOneCompletion(Bridge bridge) throws Exception {
    try {
      Probe p = new Probe();
      p.initial = 3;
      p.chunk = 3;
      bridge.of(range(100)).subscribe(p);
      p.awaitTerminal();
      p.awaitQuiet();
      assertEquals(upTo(100), p.items);
      assertNull(p.error.get());
      assertEquals(1, p.terminals.get());
      assertEquals(List.of(), p.broken);
    } finally {
      bridge.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void noRequestBeyondWhatWasAsked_thenOverflowingRequestsAreUnbounded(Bridge bridge)
      throws Exception {
    try {
      Probe p = new Probe();
      p.initial = 5;
      bridge.of(range(50)).subscribe(p);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (p.items.size() < 5 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      assertEquals(5, p.items.size());
      // Any sixth event before these requests is recorded as broken (rule 1.1).
      p.request(Long.MAX_VALUE);
      p.request(Long.MAX_VALUE); // adds up to at most Long.MAX_VALUE (rule 3.17)
      p.request(1);
      p.awaitTerminal();
      assertEquals(upTo(50), p.items);
      assertEquals(1, p.terminals.get());
      assertNull(p.error.get());
      assertEquals(List.of(), p.broken);
    } finally {
      bridge.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void nonPositiveRequest_isOneIllegalArgumentError_andTheSourceStops(Bridge bridge)
      throws Exception {
    try {
      for (long bad : new long[] {0, -1, Long.MIN_VALUE}) {
        Probe p = new Probe();
        p.initial = 0;
        bridge.of(endless()).subscribe(p);
        assertTrue(p.subscribed.await(WAIT.toSeconds(), TimeUnit.SECONDS));
        p.request(2);
        p.request(bad);
        p.awaitTerminal();
        bridge.awaitSourceStopped();
        p.awaitQuiet();
        assertInstanceOf(IllegalArgumentException.class, p.error.get(), "request(" + bad + ")");
        assertTrue(p.error.get().getMessage().contains("rule 3.9"), p.error.get().getMessage());
        assertEquals(1, p.terminals.get());
        assertTrue(p.items.size() <= 2, "at most the 2 requested: " + p.items);
        assertEquals(List.of(), p.broken);
      }
    } finally {
      bridge.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void nullEvent_isOneNullPointerErrorNamingRule213_andTheSourceStops(Bridge bridge)
      throws Exception {
    // Found by FlowFuzzProperties (seed 3101): a null event (which flows carry, flow.md) reached
    // the bridge's buffer and failed it with a bare NullPointerException from ArrayDeque.
    try {
      Probe p = new Probe();
      bridge.of(endless().map(i -> i == 3 ? null : i)).subscribe(p);
      p.awaitTerminal();
      bridge.awaitSourceStopped();
      p.awaitQuiet();
      assertInstanceOf(NullPointerException.class, p.error.get());
      assertTrue(p.error.get().getMessage().contains("rule 2.13"), p.error.get().getMessage());
      assertEquals(1, p.terminals.get());
      assertEquals(upTo(p.items.size()), p.items, "a prefix of the events before the null");
      assertTrue(p.items.size() <= 3, "nothing from the null on: " + p.items);
      assertEquals(List.of(), p.broken);
    } finally {
      bridge.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void cancelInOnNext_noFurtherSignal_andTheSourceStops(Bridge bridge) throws Exception {
    try {
      Probe p = new Probe();
      p.initial = 4;
      p.chunk = 4;
      p.cancelAt = 10;
      bridge.of(endless()).subscribe(p);
      bridge.awaitSourceStopped();
      p.awaitQuiet();
      assertEquals(upTo(10), p.items);
      assertEquals(0, p.terminals.get(), "a cancelled subscriber gets no terminal signal");
      assertEquals(List.of(), p.broken);
      assertEquals("", log.text());
    } finally {
      bridge.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void cancelInOnSubscribe_noSignalAtAll(Bridge bridge) throws Exception {
    try {
      Probe p = new Probe();
      p.cancelOnSubscribe = true;
      bridge.of(range(10)).subscribe(p);
      p.awaitQuiet();
      assertEquals(List.of(), p.items);
      assertEquals(0, p.terminals.get());
      assertEquals(List.of(), p.broken);
    } finally {
      bridge.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void throwingOnNext_isTreatedAsCancelled_loggedOnce_andTheSourceStops(Bridge bridge)
      throws Exception {
    try {
      Probe p = new Probe();
      p.throwAt = 6;
      bridge.of(endless()).subscribe(p);
      bridge.awaitSourceStopped();
      p.awaitQuiet();
      assertEquals(upTo(6), p.items, "nothing after the throw (rule 2.13)");
      assertEquals(0, p.terminals.get(), "the subscriber that threw gets no onError");
      assertEquals(List.of(), p.broken);
      assertEquals(1, log.records().size(), log.text());
      assertTrue(log.text().contains("onNext threw; treated as cancelled"), log.text());
    } finally {
      bridge.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void throwingOnSubscribe_isTreatedAsCancelled_noFurtherSignal(Bridge bridge) throws Exception {
    try {
      Probe p = new Probe();
      p.throwOnSubscribe = true;
      bridge.of(range(10)).subscribe(p);
      p.awaitQuiet();
      assertEquals(List.of(), p.items);
      assertEquals(0, p.terminals.get());
      assertEquals(List.of(), p.broken);
      assertTrue(log.text().contains("onSubscribe threw; treated as cancelled"), log.text());
    } finally {
      bridge.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bridges")
  void sourceFailure_isOneOnErrorCarryingTheOriginalCause(Bridge bridge) throws Exception {
    try {
      IllegalStateException boom = new IllegalStateException("the source fails at 30");
      Stream<Integer> failing =
          range(100)
              .map(
                  i -> {
                    if (i == 30) {
                      throw boom;
                    }
                    return i;
                  });
      Probe p = new Probe();
      p.initial = 1;
      p.chunk = 1;
      bridge.of(failing).subscribe(p);
      p.awaitTerminal();
      p.awaitQuiet();
      Throwable e = p.error.get();
      // A flow's failure is the FlowException a terminal throws; a producer's is its cause.
      assertSame(boom, e instanceof FlowException f ? f.getCause() : e, String.valueOf(e));
      assertEquals(1, p.terminals.get());
      assertEquals(upTo(p.items.size()), p.items, "a prefix, in order");
      assertTrue(p.items.size() <= 30, p.items.toString());
      assertEquals(List.of(), p.broken);
    } finally {
      bridge.close();
    }
  }
}
