package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.supervisor.ConsumerSupervisor;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Stage#kind()}: every handle says what it was started as, for its whole life, so that code
 * handed a stage (flow-core's {@code fromStages}, {@code through}, {@code into}) can refuse one of
 * the wrong kind before subscribing.
 */
final class StageKindTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("kinds");

  @AfterEach
  void close() {
    system.close();
  }

  private static Consumer<Object> discard() {
    return (List<Object> events, Subscription from, StageContext ctx) -> {};
  }

  private static ProducerConsumer<Object, Object> pass() {
    return (List<Object> events, Subscription from, ProducerContext<Object> ctx) ->
        ctx.emit(events);
  }

  @Test
  void eachStartMethod_givesItsKind_andAStageFoundByNameSaysTheSame() {
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    Stage<Object> both = system.startProducerConsumer(pass());
    Stage<Void> consumer = system.startConsumer("named-consumer", discard());
    Stage<Void> anonymous = system.startConsumer(discard());
    assertEquals(StageKind.PRODUCER, producer.kind());
    assertEquals(StageKind.PRODUCER_CONSUMER, both.kind());
    assertEquals(StageKind.CONSUMER, consumer.kind());
    assertEquals(StageKind.CONSUMER, anonymous.kind());
    assertSame(StageKind.CONSUMER, system.lookup("named-consumer").orElseThrow().kind());
  }

  @Test
  void aConsumerSupervisorsStage_isAConsumer() {
    ConsumerSupervisor<Object> supervisor =
        ConsumerSupervisor.builder((Object event) -> {}).start(system);
    assertEquals(StageKind.CONSUMER, supervisor.stage().kind());
  }

  @Test
  void theKindOutlivesTheStage() {
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    Stage<Object> both = system.startProducerConsumer(pass());
    Stage<Void> consumer = system.startConsumer(discard());
    for (Stage<?> s : List.of(producer, both, consumer)) {
      s.stop(ExitReason.shutdown());
      s.awaitExit(WAIT);
      assertFalse(s.isAlive());
    }
    assertEquals(StageKind.PRODUCER, producer.kind());
    assertEquals(StageKind.PRODUCER_CONSUMER, both.kind());
    assertEquals(StageKind.CONSUMER, consumer.kind());
  }

  @Test
  void emitsAndSubscribes_sayWhichSideAKindHas() {
    assertTrue(StageKind.PRODUCER.emits());
    assertFalse(StageKind.PRODUCER.subscribes());
    assertTrue(StageKind.PRODUCER_CONSUMER.emits());
    assertTrue(StageKind.PRODUCER_CONSUMER.subscribes());
    assertFalse(StageKind.CONSUMER.emits());
    assertTrue(StageKind.CONSUMER.subscribes());
  }

  @Test
  void aConsumerGivenAsAProducer_isRefusedByPublishersAndStream_whenCalled() {
    Stage<Void> consumer = system.startConsumer("not-a-producer", discard());
    IllegalArgumentException publisher =
        assertThrows(IllegalArgumentException.class, () -> Publishers.of(system, consumer));
    assertTrue(
        publisher.getMessage().contains("Publishers.of")
            && publisher.getMessage().contains("not-a-producer")
            && publisher.getMessage().contains("is a consumer"),
        publisher.getMessage());
    IllegalArgumentException stream =
        assertThrows(
            IllegalArgumentException.class,
            () -> system.stream(List.of(consumer), SubscriptionOptions.defaults()));
    assertTrue(
        stream.getMessage().contains("StageSystem.stream")
            && stream.getMessage().contains("not-a-producer")
            && stream.getMessage().contains("is a consumer"),
        stream.getMessage());
    assertTrue(consumer.isAlive(), "refusing it left it alone");
  }
}
