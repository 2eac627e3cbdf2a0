package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Producer buffer options through running stages, and per-stage statistics. */
final class BufferAndStatisticsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("buffer");

  @AfterEach
  void close() {
    system.close();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  private Stage<Integer> producer(ProducerOptions<Integer> options) {
    return system.startProducer(TestProducer.silent(), options);
  }

  @Test
  void bufferKeepLast_overflow_keepsNewestAndCountsDiscards() {
    Stage<Integer> p =
        producer(
            ProducerOptions.<Integer>builder().bufferSize(5).bufferKeep(BufferKeep.LAST).build());
    p.call(new TestProducer.Emit(range(0, 8)), WAIT);
    assertEquals(5, p.estimateBufferedCount(WAIT));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(p, SubscriptionOptions.defaults());
    assertEquals(range(3, 8), rec.awaitEvents(5));
    StageStats stats = p.stats();
    assertEquals(3, stats.discarded());
    assertEquals(5, stats.bufferHighWater());
  }

  @Test
  void bufferKeepFirst_overflow_keepsOldest() {
    Stage<Integer> p =
        producer(
            ProducerOptions.<Integer>builder().bufferSize(5).bufferKeep(BufferKeep.FIRST).build());
    p.call(new TestProducer.Emit(range(0, 8)), WAIT);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(p, SubscriptionOptions.defaults());
    assertEquals(range(0, 5), rec.awaitEvents(5));
    assertEquals(3, p.stats().discarded());
  }

  @Test
  void unboundedBuffer_keepsEverything() {
    Stage<Integer> p =
        producer(ProducerOptions.<Integer>builder().bufferSize(ProducerOptions.UNBOUNDED).build());
    p.call(new TestProducer.Emit(range(0, 20_000)), WAIT);
    assertEquals(20_000, p.estimateBufferedCount(WAIT));
    assertEquals(0, p.stats().discarded());
  }

  @Test
  void defaultProducerBuffer_isTenThousand() {
    Stage<Integer> p = producer(ProducerOptions.defaults());
    p.call(new TestProducer.Emit(range(0, 10_005)), WAIT);
    assertEquals(10_000, p.estimateBufferedCount(WAIT));
    assertEquals(5, p.stats().discarded());
  }

  @Test
  void discardWhenNoConsumers_dropsInsteadOfBuffering() {
    Stage<Integer> p =
        producer(ProducerOptions.<Integer>builder().discardWhenNoConsumers(true).build());
    p.call(new TestProducer.Emit(range(0, 10)), WAIT);
    assertEquals(0, p.estimateBufferedCount(WAIT));
    assertEquals(10, p.stats().discarded());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(p, SubscriptionOptions.defaults());
    p.cast(new TestProducer.Emit(range(10, 12)));
    assertEquals(range(10, 12), rec.awaitEvents(2));
  }

  @Test
  void estimateBufferedCount_onConsumer_isZero() {
    Stage<Void> c = system.startConsumer(new RecordingConsumer<Integer>());
    assertEquals(0, c.estimateBufferedCount(WAIT));
  }

  @Test
  void stats_finiteProducerToConsumer_countsEventsAsksAndDemand() {
    Stage<Integer> p = system.startProducer(Producers.fromIterable(range(0, 25)));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> c = system.startConsumer("counted", rec);
    c.subscribeTo(p, SubscriptionOptions.builder().maxDemand(10).minDemand(5).build());
    assertEquals(ExitReason.normal(), c.awaitExit(WAIT));
    p.awaitExit(WAIT);
    StageStats cs = c.stats();
    assertEquals("counted", cs.name());
    assertEquals(25, cs.eventsIn());
    assertEquals(0, cs.eventsOut());
    // One initial ask of 10, then one ask of 5 after each chunk of 5 events.
    assertEquals(6, cs.asksSent());
    assertTrue(cs.busyNanos() > 0);
    assertTrue(cs.messages() >= 5);
    StageStats ps = p.stats();
    assertEquals(25, ps.eventsOut());
    assertTrue(ps.demandReceived() >= 25, ps.toString());
    assertTrue(ps.asksReceived() >= 3, ps.toString());
    assertEquals(0, ps.bufferHighWater());
  }
}
