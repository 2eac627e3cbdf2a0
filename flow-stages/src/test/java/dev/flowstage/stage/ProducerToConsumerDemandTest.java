package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Demand scenarios, mirroring gen_stage's "producer-to-consumer demand" tests. */
final class ProducerToConsumerDemandTest {
  private final StageSystem system = new StageSystem("demand");

  @AfterEach
  void close() {
    system.close();
  }

  private static SubscriptionOptions opts(int max, int min) {
    return SubscriptionOptions.builder().maxDemand(max).minDemand(min).build();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  @Nested
  final class Automatic {
    @Test
    void subscribe_defaults_asksThousandThenFiveHundredInBatchesOfFiveHundred() {
      TestProducer counter = TestProducer.counter();
      Stage<Integer> producer = system.startProducer(counter);
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      system.startConsumer(rec).subscribeTo(producer, SubscriptionOptions.defaults());
      assertEquals(1000, counter.awaitDemand());
      assertEquals(range(0, 500), rec.awaitBatchEvents());
      assertEquals(range(500, 1000), rec.awaitBatchEvents());
      assertEquals(500, counter.awaitDemand());
      assertEquals(500, counter.awaitDemand());
    }

    @Test
    void subscribe_max10min5_handlesChunksOfFive() {
      TestProducer counter = TestProducer.counter();
      Stage<Integer> producer = system.startProducer(counter);
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      system.startConsumer(rec).subscribeTo(producer, opts(10, 5));
      assertEquals(10, counter.awaitDemand());
      assertEquals(range(0, 5), rec.awaitBatchEvents());
      assertEquals(range(5, 10), rec.awaitBatchEvents());
      assertEquals(5, counter.awaitDemand());
      assertEquals(range(10, 15), rec.awaitBatchEvents());
    }

    @Test
    void subscribe_max1min0_deliversOneEventPerCallAndAsksOne() {
      TestProducer counter = TestProducer.counter();
      Stage<Integer> producer = system.startProducer(counter);
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      system.startConsumer(rec).subscribeTo(producer, opts(1, 0));
      for (int i = 0; i < 5; i++) {
        assertEquals(1, counter.awaitDemand());
        assertEquals(List.of(i), rec.awaitBatchEvents());
      }
    }

    @Test
    void producerWithNoEventsYet_emitsLaterAgainstPendingDemand() {
      // Reference A7.3: max 10/min 5, handleDemand(10) emits nothing; a cast emits 3 (delivered),
      // another emits 9 (7 delivered as [5] then [2], 2 buffered); the re-ask of 8 takes the 2
      // buffered events and calls handleDemand(6).
      TestProducer silent = TestProducer.silent();
      Stage<Integer> producer = system.startProducer(silent);
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      system.startConsumer(rec).subscribeTo(producer, opts(10, 5));
      assertEquals(10, silent.awaitDemand());
      producer.cast(new TestProducer.Emit(range(0, 3)));
      assertEquals(range(0, 3), rec.awaitBatchEvents());
      producer.cast(new TestProducer.Emit(range(3, 12)));
      assertEquals(range(3, 8), rec.awaitBatchEvents());
      assertEquals(range(8, 10), rec.awaitBatchEvents());
      assertEquals(6, silent.awaitDemand());
      assertEquals(range(10, 12), rec.awaitBatchEvents());
      assertEquals(0, producer.estimateBufferedCount(Duration.ofSeconds(5)));
    }

    @Test
    void handleDemandEmitsMoreThanAsked_excessServesNextAskFromBuffer() {
      // Counter starting at 0 emits exactly; a call emitting 15 extra events first fills the
      // buffer.
      TestProducer silent = TestProducer.silent();
      Stage<Integer> producer = system.startProducer(silent);
      assertEquals("ok", producer.call(new TestProducer.Emit(range(0, 15)), Duration.ofSeconds(5)));
      assertEquals(15, producer.estimateBufferedCount(Duration.ofSeconds(5)));
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      system.startConsumer(rec).subscribeTo(producer, opts(10, 5));
      assertEquals(range(0, 15), rec.awaitEvents(15));
      // 10 asked + 5 (after 5 consumed) + 5 = 20 demand; 15 served from the buffer.
      assertEquals(5, silent.awaitDemand());
    }
  }

  @Nested
  final class Manual {
    @Test
    void manualSubscription_asksNothingUntilAsked_thenWholeBatches() {
      TestProducer counter = TestProducer.counter();
      Stage<Integer> producer = system.startProducer(counter);
      RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
      Stage<Void> consumer = system.startConsumer(rec);
      Subscription sub = consumer.subscribeTo(producer, opts(10, 5));
      assertSame(sub, rec.awaitSubscription());
      consumer.ask(sub, 7);
      assertEquals(7, counter.awaitDemand());
      // Not split into chunks of maxDemand - minDemand in manual mode.
      assertEquals(range(0, 7), rec.awaitBatchEvents());
      consumer.ask(sub, 0);
      consumer.ask(sub, 3);
      assertEquals(3, counter.awaitDemand());
      assertEquals(range(7, 10), rec.awaitBatchEvents());
      assertTrue(counter.noDemandPending());
    }

    @Test
    void ask_negative_throws() {
      Stage<Integer> producer = system.startProducer(TestProducer.counter());
      RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
      Stage<Void> consumer = system.startConsumer(rec);
      Subscription sub = consumer.subscribeTo(producer, opts(10, 5));
      assertThrows(IllegalArgumentException.class, () -> consumer.ask(sub, -1));
    }
  }

  @Nested
  final class Accumulate {
    @Test
    void accumulate_holdsDemandUntilForward_thenReplaysEachDemandSeparately() {
      TestProducer counter = TestProducer.counter();
      Stage<Integer> producer =
          system.startProducer(
              counter,
              ProducerOptions.<Integer>builder().demandMode(DemandMode.ACCUMULATE).build());
      RecordingConsumer<Integer> a = new RecordingConsumer<>();
      RecordingConsumer<Integer> b = new RecordingConsumer<>();
      system.startConsumer(a).subscribeTo(producer, opts(2, 1));
      system.startConsumer(b).subscribeTo(producer, opts(2, 1));
      assertEquals(DemandMode.ACCUMULATE, producer.demandMode(Duration.ofSeconds(5)));
      assertTrue(counter.noDemandPending());
      producer.demandMode(DemandMode.FORWARD);
      assertEquals(2, counter.awaitDemand());
      assertEquals(2, counter.awaitDemand());
      assertEquals(1, a.awaitBatchEvents().size());
      assertEquals(1, b.awaitBatchEvents().size());
    }

    @Test
    void accumulate_holdsEmittedEventsOutOfTheBuffer() {
      Stage<Integer> producer =
          system.startProducer(
              TestProducer.silent(),
              ProducerOptions.<Integer>builder().demandMode(DemandMode.ACCUMULATE).build());
      producer.call(new TestProducer.Emit(range(0, 4)), Duration.ofSeconds(5));
      assertEquals(0, producer.estimateBufferedCount(Duration.ofSeconds(5)));
      producer.demandMode(DemandMode.FORWARD);
      assertEquals(4, producer.estimateBufferedCount(Duration.ofSeconds(5)));
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      system.startConsumer(rec).subscribeTo(producer, opts(10, 5));
      assertEquals(range(0, 4), rec.awaitEvents(4));
    }

    @Test
    void accumulate_onProducerConsumer_isRejected() {
      ProducerConsumer<Integer, Integer> pc = (events, from, ctx) -> ctx.emit(events);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  system.startProducerConsumer(
                      pc,
                      ProducerOptions.<Integer>builder()
                          .demandMode(DemandMode.ACCUMULATE)
                          .build()));
      assertTrue(e.getMessage().contains("producer-consumer"), e.getMessage());
    }
  }

  @Nested
  final class Resubscribe {
    @Test
    void resubscribeAfterCancel_newSubscriptionAsksFreshDemandAndReceives() {
      TestProducer counter = TestProducer.counter();
      Stage<Integer> producer = system.startProducer(counter);
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      Stage<Void> consumer = system.startConsumer(rec);
      SubscriptionOptions temporary =
          SubscriptionOptions.builder()
              .maxDemand(10)
              .minDemand(5)
              .cancel(CancelMode.TEMPORARY)
              .build();
      Subscription first = consumer.subscribeTo(producer, temporary);
      rec.awaitEvents(10);
      consumer.cancel(first, ExitReason.shutdown("resubscribe"));
      RecordingConsumer.Cancel c = rec.awaitCancel();
      assertSame(first, c.subscription());
      assertEquals(ExitReason.shutdown("resubscribe"), c.reason());
      assertTrue(consumer.isAlive());
      Subscription second = consumer.subscribeTo(producer, temporary);
      assertNotSame(first, second);
      RecordingConsumer.Batch<Integer> batch;
      do {
        batch = rec.awaitBatch();
      } while (batch.from() != second);
      assertTrue(batch.events().size() <= 5);
    }
  }

  @Nested
  final class Validation {
    @Test
    void subscriptionOptions_minNotBelowMax_throwsWithTheRule() {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> SubscriptionOptions.builder().maxDemand(10).minDemand(10).build());
      assertTrue(e.getMessage().contains("minDemand"), e.getMessage());
    }

    @Test
    void producerOptions_negativeBuffer_throws() {
      assertThrows(
          IllegalArgumentException.class,
          () -> ProducerOptions.<Integer>builder().bufferSize(-5).build());
    }
  }
}
