package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

final class ProbesTest {
  private final StageSystem system = new StageSystem("probes-test");

  @AfterEach
  void close() {
    system.close();
  }

  // snippet-start: testing-stage
  /** The stage under test: doubles every event. */
  static final class Doubler implements ProducerConsumer<Integer, Integer> {
    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
      List<Integer> out = new ArrayList<>(events.size());
      for (int e : events) {
        out.add(e * 2);
      }
      ctx.emit(out);
    }
  }

  @Test
  void doubler_asksUpstreamInBoundedDemand_andSendsDownstreamOnlyWhatWasAsked() {
    TestProducer<Integer> upstream = TestProducer.start(system);
    Stage<Integer> doubler = system.startProducerConsumer(new Doubler());
    doubler.subscribeTo(
        upstream.stage(), SubscriptionOptions.builder().maxDemand(4).minDemand(2).build());
    TestConsumer<Integer> downstream = TestConsumer.manual(system);
    downstream.subscribeTo(doubler, 10, 5);

    upstream.expectDemand(4); // the doubler asks for its max demand, no more
    downstream.ask(3);
    upstream.emit(1, 2, 3, 4);
    // the doubler handles its input in chunks of maxDemand - minDemand (2), and the 3 asked for
    // arrive as the first chunk and half of the second: exactly what was asked, split as defined
    downstream.expectBatches(List.of(List.of(2, 4), List.of(6)));
    downstream.expectNoBatch(Duration.ofMillis(50));
    downstream.ask(1);
    downstream.expectBatch(List.of(8)); // the fourth, held by the doubler until asked
    upstream.expectDemand(2); // refilled in steps of maxDemand - minDemand
    upstream.expectDemand(2);
    upstream.complete();
    assertInstanceOf(ExitReason.Normal.class, downstream.awaitCancel());
    downstream.assertNoViolation();
  }

  // snippet-end: testing-stage

  @Test
  void failedProducer_endsTheSubscriptionWithItsCause() {
    TestProducer<Integer> upstream = TestProducer.start(system);
    TestConsumer<Integer> downstream = TestConsumer.manual(system);
    downstream.subscribeTo(upstream.stage(), 10, 5);
    IllegalStateException boom = new IllegalStateException("boom");
    upstream.fail(boom);
    ExitReason reason = downstream.awaitCancel();
    assertEquals(ExitReason.failure(boom), reason);
  }

  @Test
  void automaticConsumer_recordsEveryBatch_withinMaxDemand() {
    TestProducer<Integer> upstream = TestProducer.start(system);
    TestConsumer<Integer> downstream = TestConsumer.automatic(system);
    downstream.subscribeTo(upstream.stage(), 3, 0);
    upstream.expectDemand(3);
    upstream.emit(List.of(1, 2, 3, 4, 5, 6, 7));
    downstream.expectEvents(List.of(1, 2, 3, 4, 5, 6, 7));
    for (List<Integer> b : downstream.batches()) {
      assertTrue(b.size() <= 3, downstream.batches().toString());
    }
    assertEquals(List.of(List.of(1, 2, 3), List.of(4, 5, 6), List.of(7)), downstream.batches());
  }

  @Test
  void manualConsumer_flagsEventsBeyondWhatWasAsked() {
    TestConsumer<Integer> downstream = TestConsumer.manual(system);
    Subscription fake = () -> SubscriptionOptions.builder().maxDemand(5).minDemand(0).build();
    downstream.consumer().handleEvents(List.of(1, 2), fake, null);
    AssertionError e = assertThrows(AssertionError.class, downstream::assertNoViolation);
    assertTrue(e.getMessage().contains("received 2 events but asked for 0"), e.getMessage());
  }

  @Test
  void consumer_flagsABatchLargerThanMaxDemand() {
    TestConsumer<Integer> downstream = TestConsumer.automatic(system);
    Subscription fake = () -> SubscriptionOptions.builder().maxDemand(2).minDemand(0).build();
    downstream.consumer().handleEvents(List.of(1, 2, 3), fake, null);
    AssertionError e = assertThrows(AssertionError.class, downstream::awaitBatch);
    assertTrue(e.getMessage().contains("exceeds maxDemand 2"), e.getMessage());
  }

  @Test
  void expectBatch_failsWithBothBatches() {
    TestProducer<Integer> upstream = TestProducer.start(system);
    TestConsumer<Integer> downstream = TestConsumer.manual(system);
    downstream.subscribeTo(upstream.stage(), 10, 5);
    downstream.ask(2);
    upstream.emit(1, 2);
    AssertionError e = assertThrows(AssertionError.class, () -> downstream.expectBatch(List.of(1)));
    assertTrue(e.getMessage().contains("expected the batch [1] but got [1, 2]"), e.getMessage());
  }

  @Test
  void emitWithinDemand_refusesToEmitMoreThanAsked() {
    TestProducer<Integer> upstream = TestProducer.start(system);
    TestConsumer<Integer> downstream = TestConsumer.manual(system);
    downstream.subscribeTo(upstream.stage(), 10, 5);
    downstream.ask(2);
    upstream.expectDemand(2);
    AssertionError e =
        assertThrows(AssertionError.class, () -> upstream.emitWithinDemand(List.of(1, 2, 3)));
    assertTrue(e.getMessage().contains("only 2 demanded"), e.getMessage());
    upstream.emitWithinDemand(List.of(1, 2));
    downstream.expectBatch(List.of(1, 2));
    assertEquals(0, upstream.outstandingDemand());
  }

  @Test
  void awaitDemand_timesOutWithAMessage_andExpectNoDemandHolds() {
    TestProducer<Integer> upstream = TestProducer.start(system);
    upstream.expectNoDemand(Duration.ofMillis(20));
    TestConsumer<Integer> downstream = TestConsumer.manual(system);
    downstream.subscribeTo(upstream.stage(), 10, 5);
    upstream.expectNoDemand(Duration.ofMillis(20)); // manual: nothing asked yet
    downstream.ask(1);
    AssertionError e = assertThrows(AssertionError.class, () -> upstream.expectDemand(2));
    assertTrue(e.getMessage().contains("expected demand 2 but got 1"), e.getMessage());
  }
}
