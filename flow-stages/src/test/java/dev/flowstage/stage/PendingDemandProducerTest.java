package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingConsumer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The classic trap, as documented in docs/guides/stages.md: a producer that has no events when
 * asked must remember the pending demand and emit later, here from handleCast and handleCall.
 */
final class PendingDemandProducerTest {
  private final StageSystem system = new StageSystem("pending");

  @AfterEach
  void close() {
    system.close();
  }

  // @start region=pendingDemand
  /** Events arrive from outside by cast; consumers' demand is remembered until they do. */
  // snippet-start: pending-demand-queue
  static final class QueueProducer implements Producer<String> {
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private long pendingDemand;

    @Override
    public void handleDemand(long demand, ProducerContext<String> ctx) {
      pendingDemand += demand; // nothing to emit yet? remember it, handleDemand won't be re-called
      emitWhatWeCan(ctx);
    }

    @Override
    public void handleCast(Object message, ProducerContext<String> ctx) {
      queue.add((String) message);
      emitWhatWeCan(ctx);
    }

    @Override
    public Object handleCall(Object request, ProducerContext<String> ctx) {
      queue.add((String) request);
      emitWhatWeCan(ctx); // dispatched before the reply is sent
      return queue.size();
    }

    private void emitWhatWeCan(ProducerContext<String> ctx) {
      List<String> batch = new ArrayList<>();
      while (pendingDemand > 0 && !queue.isEmpty()) {
        batch.add(queue.poll());
        pendingDemand--;
      }
      ctx.emit(batch);
    }
  }

  // snippet-end: pending-demand-queue

  // @end region=pendingDemand

  @Test
  void producerWithoutEvents_remembersDemand_andEmitsFromCastAndCall() {
    Stage<String> producer = system.startProducer(new QueueProducer());
    RecordingConsumer<String> rec = new RecordingConsumer<>();
    system
        .startConsumer(rec)
        .subscribeTo(producer, SubscriptionOptions.builder().maxDemand(2).minDemand(0).build());
    producer.cast("a");
    assertEquals(List.of("a"), rec.awaitEvents(1));
    producer.cast("b");
    assertEquals(List.of("b"), rec.awaitEvents(1));
    // The consumer re-asks 2 after "b" (min 0); whether "c" waits in the queue for that ask or not,
    // "c" and "d" both flow, in order.
    Object queued = producer.call("c", Duration.ofSeconds(10));
    assertTrue(queued.equals(0) || queued.equals(1), "queued " + queued);
    producer.cast("d");
    assertEquals(List.of("c", "d"), rec.awaitEvents(2));
  }
}
