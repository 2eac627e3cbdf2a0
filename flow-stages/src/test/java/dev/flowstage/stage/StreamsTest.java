package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Producers over iterators/streams, Stream out of stages, the polling producer. */
final class StreamsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("streams");

  @AfterEach
  void close() {
    system.close();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /** Counts how many items were pulled. */
  private static final class CountingIterator implements Iterator<Integer> {
    final AtomicInteger pulled = new AtomicInteger();
    private final int size;

    CountingIterator(int size) {
      this.size = size;
    }

    @Override
    public boolean hasNext() {
      return pulled.get() < size;
    }

    @Override
    public Integer next() {
      return pulled.getAndIncrement();
    }
  }

  @Test
  void fromIterator_pullsExactlyTheDemand() {
    CountingIterator it = new CountingIterator(100);
    Stage<Integer> producer = system.startProducer(Producers.fromIterator(it));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(producer, SubscriptionOptions.defaults());
    consumer.ask(sub, 3);
    assertEquals(range(0, 3), rec.awaitBatchEvents());
    assertEquals(3, it.pulled.get());
    consumer.ask(sub, 4);
    assertEquals(range(3, 7), rec.awaitBatchEvents());
    assertEquals(7, it.pulled.get());
  }

  @Test
  void stream_overFiniteProducer_yieldsEverythingThenEnds() {
    Stage<Integer> producer = system.startProducer(Producers.fromIterable(range(0, 2500)));
    List<Integer> got;
    try (Stream<Integer> s = system.stream(List.of(producer), SubscriptionOptions.defaults())) {
      got = s.toList();
    }
    assertEquals(range(0, 2500), got);
    assertEquals(ExitReason.normal(), producer.awaitExit(WAIT));
  }

  @Test
  void stream_transientOverTwoProducers_endsWhenBothDone() {
    Stage<Integer> a = system.startProducer(Producers.fromIterable(range(0, 300)));
    Stage<Integer> b = system.startProducer(Producers.fromStream(range(300, 700).stream()));
    SubscriptionOptions transientSmall =
        SubscriptionOptions.builder().maxDemand(50).cancel(CancelMode.TRANSIENT).build();
    List<Integer> got;
    try (Stream<Integer> s = system.stream(List.of(a, b), transientSmall)) {
      got = new ArrayList<>(s.toList());
    }
    got.sort(null);
    assertEquals(range(0, 700), got);
  }

  @Test
  void stream_producerFails_throwsStageException() {
    Producer<Integer> failing =
        new Producer<>() {
          private int sent;

          @Override
          public void handleDemand(long demand, ProducerContext<Integer> ctx) {
            if (sent > 0) {
              throw new IllegalStateException("source broke");
            }
            sent = 5;
            ctx.emit(range(0, 5));
          }
        };
    Stage<Integer> p = system.startProducer(failing);
    SubscriptionOptions tiny = SubscriptionOptions.builder().maxDemand(5).minDemand(0).build();
    try (Stream<Integer> s = system.stream(List.of(p), tiny)) {
      StageException e = assertThrows(StageException.class, s::toList);
      assertTrue(e.getMessage().contains("source broke"), e.getMessage());
    }
  }

  @Test
  void stream_temporaryOverDeadProducer_isEmpty_permanentThrows() {
    Stage<Integer> p = system.startProducer(TestProducer.counter());
    p.stop(ExitReason.shutdown());
    p.awaitExit(WAIT);
    SubscriptionOptions temporary =
        SubscriptionOptions.builder().cancel(CancelMode.TEMPORARY).build();
    try (Stream<Integer> s = system.stream(List.of(p), temporary)) {
      assertEquals(List.of(), s.toList());
    }
    try (Stream<Integer> s = system.stream(List.of(p), SubscriptionOptions.defaults())) {
      StageException e = assertThrows(StageException.class, s::toList);
      assertTrue(e.getMessage().contains("not alive"), e.getMessage());
    }
  }

  @Test
  void stream_asksLikeAnAutomaticConsumer_afterEachChunkIsRead() {
    // Reference A12.2: a stream batches and re-asks exactly as an automatic consumer (A7.1). With
    // 10/5 it asks 10, and asks 5 more only when the reader goes past the first chunk of 5.
    TestProducer counter = TestProducer.counter();
    Stage<Integer> p = system.startProducer(counter);
    SubscriptionOptions tenFive = SubscriptionOptions.builder().maxDemand(10).minDemand(5).build();
    try (Stream<Integer> s = system.stream(List.of(p), tenFive)) {
      Iterator<Integer> it = s.iterator();
      List<Integer> read = new ArrayList<>();
      read.add(it.next());
      assertEquals(10, counter.awaitDemand());
      for (int i = 1; i < 6; i++) { // the 6th event is read after the first chunk's ask
        read.add(it.next());
      }
      assertEquals(5, counter.awaitDemand());
      for (int i = 6; i < 11; i++) {
        read.add(it.next());
      }
      assertEquals(5, counter.awaitDemand());
      assertEquals(range(0, 11), read);
    }
  }

  @Test
  void stream_closedEarly_cancelsTheSubscription() {
    TestProducer counter = TestProducer.counter();
    Stage<Integer> p = system.startProducer(counter);
    SubscriptionOptions small = SubscriptionOptions.builder().maxDemand(10).build();
    try (Stream<Integer> s = system.stream(List.of(p), small)) {
      assertEquals(range(0, 25), s.limit(25).toList());
    }
    assertEquals(ExitReason.normal(), counter.awaitCancel());
    assertTrue(p.isAlive());
  }

  @Test
  void stream_abandonedAfterLimitWithoutClose_cancelsOnceUnreachable() {
    TestProducer counter = TestProducer.counter();
    Stage<Integer> p = system.startProducer(counter);
    assertEquals(range(0, 10), firstTen(p)); // Java never closes a stream that limit abandons
    // The Cleaner stops the stream's consumer once the stream is garbage.
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (system.stages().size() > 1 && System.nanoTime() < deadline) {
      System.gc();
      sleep(20);
    }
    assertEquals(List.of(p), system.stages());
    assertEquals(ExitReason.normal(), counter.awaitCancel());
  }

  @Test
  void stream_exhausted_stopsItsConsumer() {
    Stage<Integer> p = system.startProducer(Producers.fromIterable(range(0, 30)));
    assertEquals(
        range(0, 30), system.<Integer>stream(List.of(p), SubscriptionOptions.defaults()).toList());
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!system.stages().isEmpty() && System.nanoTime() < deadline) {
      sleep(5);
    }
    assertEquals(List.of(), system.stages());
  }

  /** Leaves no reference to the stream behind. */
  private List<Integer> firstTen(Stage<Integer> p) {
    SubscriptionOptions small = SubscriptionOptions.builder().maxDemand(10).build();
    return system.<Integer>stream(List.of(p), small).limit(10).toList();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void fromIterator_onCancelStop_stopsWhenLastConsumerLeaves() {
    Stage<Integer> p =
        system.startProducer(
            Producers.fromIterator(new CountingIterator(1_000_000), Producers.OnCancel.STOP));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub =
        consumer.subscribeTo(
            p, SubscriptionOptions.builder().maxDemand(10).cancel(CancelMode.TEMPORARY).build());
    rec.awaitEvents(10);
    consumer.cancel(sub, ExitReason.normal());
    assertEquals(ExitReason.normal(), p.awaitExit(WAIT));
  }

  @Test
  void fromStream_closesTheStreamWhenTheStageExits() {
    AtomicBoolean closed = new AtomicBoolean();
    Stream<Integer> source = range(0, 3).stream().onClose(() -> closed.set(true));
    Stage<Integer> p = system.startProducer(Producers.fromStream(source));
    try (Stream<Integer> s = system.stream(List.of(p), SubscriptionOptions.defaults())) {
      assertEquals(range(0, 3), s.toList());
    }
    p.awaitExit(WAIT);
    assertTrue(closed.get());
  }

  @Test
  void polling_emitsWhatTheSourceHasWhileDemandIsPending() {
    ConcurrentLinkedQueue<Integer> queue = new ConcurrentLinkedQueue<>();
    AtomicInteger polls = new AtomicInteger();
    Producer<Integer> poller =
        Producers.polling(
            max -> {
              polls.incrementAndGet();
              List<Integer> out = new ArrayList<>();
              Integer i;
              while (out.size() < max && (i = queue.poll()) != null) {
                out.add(i);
              }
              return out;
            },
            Duration.ofMillis(5));
    Stage<Integer> p = system.startProducer(poller);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(p, SubscriptionOptions.builder().maxDemand(4).build());
    queue.addAll(range(0, 3));
    assertEquals(range(0, 3), rec.awaitEvents(3));
    queue.addAll(range(3, 10));
    assertEquals(range(3, 10), rec.awaitEvents(7));
    assertTrue(polls.get() >= 2);
  }

  @Test
  void polling_nullFromSource_finishesTheProducer() {
    AtomicInteger calls = new AtomicInteger();
    Producer<Integer> poller =
        Producers.polling(
            max -> calls.getAndIncrement() == 0 ? List.of(1, 2) : null, Duration.ofMillis(1));
    Stage<Integer> p = system.startProducer(poller);
    try (Stream<Integer> s = system.stream(List.of(p), SubscriptionOptions.defaults())) {
      assertEquals(List.of(1, 2), s.toList());
    }
    assertEquals(ExitReason.normal(), p.awaitExit(WAIT));
  }

  @Test
  void polling_badInterval_throwsWithRule() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Producers.polling(max -> List.of(), Duration.ZERO));
    assertInstanceOf(String.class, e.getMessage());
    assertTrue(e.getMessage().contains("positive"));
  }
}
