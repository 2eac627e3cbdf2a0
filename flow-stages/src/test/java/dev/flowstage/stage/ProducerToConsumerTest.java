package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ProducerToConsumerTest {
  @Test
  void counter_defaultDemand_deliversBatchesOfFiveHundredInOrder() {
    try (StageSystem system = new StageSystem("t")) {
      Stage<Integer> producer = system.startProducer(TestProducer.counter());
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      Stage<Void> consumer = system.startConsumer(rec);
      consumer.subscribeTo(producer, SubscriptionOptions.defaults());
      List<Integer> first = rec.awaitBatchEvents();
      assertEquals(500, first.size());
      assertEquals(0, first.get(0));
      List<Integer> second = rec.awaitBatchEvents();
      assertEquals(500, second.get(0));
    }
  }
}
