package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Cancel from either side, cancel modes on each exit reason, finite producers (done). */
final class CancelModesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("cancel");

  @AfterEach
  void close() {
    system.close();
  }

  private static SubscriptionOptions opts(CancelMode mode) {
    return SubscriptionOptions.builder().maxDemand(10).minDemand(5).cancel(mode).build();
  }

  /** A producer that throws on the cast "boom". */
  private static final class Fragile implements Producer<Integer> {
    @Override
    public void handleDemand(long demand, ProducerContext<Integer> ctx) {}

    @Override
    public void handleCast(Object message, ProducerContext<Integer> ctx) {
      throw new IllegalStateException("boom");
    }
  }

  @ParameterizedTest
  @EnumSource(CancelMode.class)
  void producerDone_consumerReactsPerMode(CancelMode mode) {
    Stage<Integer> producer = system.startProducer(Producers.fromIterable(List.of(1, 2, 3)));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(producer, opts(mode));
    assertEquals(List.of(1, 2, 3), rec.awaitEvents(3));
    assertEquals(ExitReason.normal(), rec.awaitCancel().reason());
    assertEquals(ExitReason.normal(), producer.awaitExit(WAIT));
    if (mode == CancelMode.PERMANENT) {
      assertEquals(ExitReason.normal(), consumer.awaitExit(WAIT));
    } else {
      consumer.syncInfo("still-alive", WAIT);
      assertEquals("still-alive", rec.awaitInfo());
      assertTrue(consumer.isAlive());
    }
  }

  @ParameterizedTest
  @EnumSource(CancelMode.class)
  void producerFails_consumerReactsPerMode(CancelMode mode) {
    Stage<Integer> producer = system.startProducer(new Fragile());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(producer, opts(mode));
    producer.cast("boom");
    ExitReason.Failure f = assertInstanceOf(ExitReason.Failure.class, producer.awaitExit(WAIT));
    assertEquals("boom", f.cause().getMessage());
    assertEquals(f, rec.awaitCancel().reason());
    if (mode == CancelMode.TEMPORARY) {
      consumer.syncInfo("still-alive", WAIT);
      assertEquals("still-alive", rec.awaitInfo());
    } else {
      assertEquals(f, consumer.awaitExit(WAIT));
    }
  }

  @Test
  void consumerCancels_bothSidesSeeTheReasonAndTemporaryConsumerLives() {
    TestProducer tp = TestProducer.counter();
    Stage<Integer> producer = system.startProducer(tp);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(producer, opts(CancelMode.TEMPORARY));
    rec.awaitEvents(5);
    consumer.cancel(sub, ExitReason.shutdown("enough"));
    RecordingConsumer.Cancel c = rec.awaitCancel();
    assertSame(sub, c.subscription());
    assertEquals(ExitReason.shutdown("enough"), c.reason());
    assertEquals(ExitReason.shutdown("enough"), tp.awaitCancel());
    assertTrue(producer.isAlive());
  }

  @Test
  void consumerCancelsPermanent_consumerStopsWithTheReason() {
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(producer, opts(CancelMode.PERMANENT));
    producer.cancel(sub, ExitReason.shutdown("from producer handle"));
    assertEquals(ExitReason.shutdown("from producer handle"), consumer.awaitExit(WAIT));
    assertTrue(producer.isAlive());
  }

  @Test
  void producerCancelsFromInside_consumerGetsHandleCancel() {
    Producer<Integer> canceller =
        new Producer<>() {
          @Override
          public void handleDemand(long demand, ProducerContext<Integer> ctx) {
            ctx.emit(List.of(1));
            for (Subscription s : ctx.consumers()) {
              ctx.cancel(s, ExitReason.shutdown("bye"));
            }
          }
        };
    Stage<Integer> producer = system.startProducer(canceller);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(producer, opts(CancelMode.TEMPORARY));
    assertEquals(List.of(1), rec.awaitBatchEvents());
    assertEquals(ExitReason.shutdown("bye"), rec.awaitCancel().reason());
  }

  @Test
  void done_deliversEveryBufferedEventBeforeEnding() {
    TestProducer tp = TestProducer.silent();
    Stage<Integer> producer = system.startProducer(tp);
    List<Integer> events = IntStream.range(0, 50).boxed().toList();
    producer.cast(new TestProducer.Emit(events));
    producer.cast(new TestProducer.Done());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(producer, opts(CancelMode.PERMANENT));
    assertEquals(events, rec.awaitEvents(50));
    assertEquals(ExitReason.normal(), rec.awaitCancel().reason());
    assertEquals(ExitReason.normal(), consumer.awaitExit(WAIT));
  }

  @Test
  void consumerExits_producerSeesCancelWithItsReasonAndKeepsRunning() {
    TestProducer tp = TestProducer.counter();
    Stage<Integer> producer = system.startProducer(tp);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(producer, opts(CancelMode.PERMANENT));
    rec.awaitEvents(1);
    consumer.stop(ExitReason.shutdown("gone"));
    assertEquals(ExitReason.shutdown("gone"), tp.awaitCancel());
    assertTrue(producer.isAlive());
  }
}
