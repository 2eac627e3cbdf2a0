package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ordered infos (sync/async info): delivered after the events emitted before them, never before.
 */
final class InfoOrderingTest {
  private final StageSystem system = new StageSystem("info");

  @AfterEach
  void close() {
    system.close();
  }

  private static SubscriptionOptions opts(int max, int min) {
    return SubscriptionOptions.builder().maxDemand(max).minDemand(min).build();
  }

  @Test
  void asyncInfo_behindBufferedEvents_reachesProducerAndConsumerOnlyAfterThem() {
    TestProducer producer = TestProducer.silent();
    Stage<Integer> stage = system.startProducer(producer);
    // No consumer yet: the events are buffered, the info is queued behind them.
    stage.cast(new TestProducer.EmitThenInfo(List.of(1, 2, 3), "marker"));
    assertEquals(3, stage.estimateBufferedCount(Duration.ofSeconds(5)));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(stage, opts(10, 5));
    consumer.ask(sub, 2);
    assertEquals(List.of(1, 2), rec.awaitBatchEvents());
    consumer.ask(sub, 5);
    assertInstanceOf(RecordingConsumer.Batch.class, rec.awaitTimeline());
    assertInstanceOf(RecordingConsumer.Batch.class, rec.awaitTimeline());
    Object info = rec.awaitTimeline();
    ProducerInfo pi = assertInstanceOf(ProducerInfo.class, info);
    assertEquals("marker", pi.message());
    assertEquals(sub, pi.from());
    assertEquals("marker", producer.awaitInfo());
  }

  @Test
  void syncInfo_emptyBuffer_deliveredAtOnce() {
    TestProducer producer = TestProducer.silent();
    Stage<Integer> stage = system.startProducer(producer);
    stage.syncInfo("now", Duration.ofSeconds(5));
    assertEquals("now", producer.awaitInfo());
  }

  @Test
  void syncInfo_onConsumer_deliveredToHandleInfo() {
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.syncInfo("hello", Duration.ofSeconds(5));
    assertEquals("hello", rec.awaitInfo());
  }

  @Test
  void info_afterEventsSentToConsumer_arrivesAfterThoseEventsInOrder() {
    TestProducer producer = TestProducer.silent();
    Stage<Integer> stage = system.startProducer(producer);
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(stage, opts(100, 50));
    for (int i = 0; i < 20; i++) {
      stage.cast(new TestProducer.Emit(List.of(i)));
      stage.asyncInfo("after-" + i);
    }
    for (int i = 0; i < 20; i++) {
      RecordingConsumer.Batch<?> b =
          assertInstanceOf(RecordingConsumer.Batch.class, rec.awaitTimeline());
      assertEquals(List.of(i), b.events());
      ProducerInfo pi = assertInstanceOf(ProducerInfo.class, rec.awaitTimeline());
      assertEquals("after-" + i, pi.message());
    }
  }

  @Test
  void producerInfo_throughProducerConsumer_staysBehindTheEventsBeforeIt() {
    TestProducer producer = TestProducer.silent();
    Stage<Integer> source = system.startProducer(producer);
    ProducerConsumer<Integer, Integer> forwarder =
        new ProducerConsumer<>() {
          @Override
          public void handleEvents(
              List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
            ctx.emit(List.copyOf(events));
          }

          @Override
          public void handleInfo(Object message, ProducerContext<Integer> ctx) {
            if (message instanceof ProducerInfo pi) {
              ctx.asyncInfo(pi.message()); // pass it on, behind what was emitted so far
            }
          }
        };
    Stage<Integer> pc = system.startProducerConsumer(forwarder);
    pc.subscribeTo(source, opts(10, 5));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    system.startConsumer(rec).subscribeTo(pc, opts(100, 50));
    source.cast(new TestProducer.EmitThenInfo(List.of(1, 2, 3), "end-of-batch"));
    RecordingConsumer.Batch<?> b =
        assertInstanceOf(RecordingConsumer.Batch.class, rec.awaitTimeline());
    assertEquals(List.of(1, 2, 3), b.events());
    ProducerInfo pi = assertInstanceOf(ProducerInfo.class, rec.awaitTimeline());
    assertEquals("end-of-batch", pi.message());
  }
}
