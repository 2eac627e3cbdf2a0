package dev.flowstage.stage.dispatch;

import static dev.flowstage.stage.dispatch.Events.copy;
import static dev.flowstage.stage.dispatch.Events.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingOutbox;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class FairDispatcherTest {
  private final RecordingOutbox<Integer> out = new RecordingOutbox<>();
  private final TestSubscription a = TestSubscription.of("a");
  private final TestSubscription b = TestSubscription.of("b");
  private final TestSubscription c = TestSubscription.of("c");

  @Test
  void dispatch_unequalDemand_dealsOneEachUntilTheSmallerRunsOut() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair();
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    assertEquals(100, dispatcher.ask(a, 100, out));
    assertEquals(5, dispatcher.ask(b, 5, out));
    assertEquals(List.of(), dispatcher.dispatch(range(0, 20), out));
    // a, b, a, b, ... until b's 5 are dealt, then the rest to a; one message each
    assertEquals(
        List.of(List.of(0, 2, 4, 6, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)), out.batches(a));
    assertEquals(List.of(List.of(1, 3, 5, 7, 9)), out.batches(b));
  }

  @Test
  void dispatch_greedyConsumer_doesNotTakeTheWholeBatch() {
    // The demand dispatcher sends a batch to the largest demand first: b would get nothing.
    Dispatcher<Integer> dispatcher = Dispatchers.fair(10);
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 1000, out);
    dispatcher.ask(b, 10, out);
    dispatcher.dispatch(range(0, 100), out);
    assertEquals(range(0, 10), out.sent(a).subList(0, 10));
    assertEquals(range(10, 20), out.sent(b));
    assertEquals(90, out.sent(a).size());
  }

  @Test
  void dispatch_turnsCarryOverBetweenBatches() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair(5);
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 100, out);
    dispatcher.ask(b, 100, out);
    dispatcher.dispatch(range(0, 3), out);
    dispatcher.dispatch(range(3, 6), out);
    dispatcher.dispatch(range(6, 16), out);
    assertEquals(List.of(range(0, 3), range(6, 11)), out.batches(a));
    assertEquals(List.of(range(3, 6), range(11, 16)), out.batches(b));
  }

  @Test
  void dispatch_oneConsumerWithDemand_getsTheBatchAsOneMessage() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair(2);
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(b, 50, out);
    assertEquals(List.of(), dispatcher.dispatch(range(0, 9), out));
    assertEquals(List.of(range(0, 9)), out.batches(b));
    assertEquals(List.of(), out.sent(a));
  }

  @Test
  void dispatch_beyondDemand_returnsTheRestInOrder() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair();
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 2, out);
    dispatcher.ask(b, 1, out);
    assertEquals(range(3, 8), copy(dispatcher.dispatch(range(0, 8), out)));
    assertEquals(List.of(0, 2), out.sent(a));
    assertEquals(List.of(1), out.sent(b));
  }

  @Test
  void dispatch_noConsumers_returnsEverything() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair();
    assertEquals(range(0, 3), copy(dispatcher.dispatch(range(0, 3), out)));
    assertTrue(out.calls().isEmpty());
  }

  @Test
  void subscribe_newConsumer_takesItsFirstTurnAfterTheOthers() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair();
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 10, out);
    dispatcher.ask(b, 10, out);
    dispatcher.dispatch(range(0, 1), out); // a's turn; b's is next
    dispatcher.subscribe(c, out);
    dispatcher.ask(c, 10, out);
    dispatcher.dispatch(range(1, 7), out); // b, a, then c
    assertEquals(List.of(0, 2, 5), out.sent(a));
    assertEquals(List.of(1, 4), out.sent(b));
    assertEquals(List.of(3, 6), out.sent(c));
  }

  @Test
  void cancel_demandAlreadyRequested_isNotRequestedAgain() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair();
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    assertEquals(10, dispatcher.ask(a, 10, out));
    dispatcher.dispatch(range(0, 4), out);
    dispatcher.cancel(a, out); // 6 requested for a are still on their way
    assertEquals(4, dispatcher.ask(b, 10, out));
    assertEquals(List.of(), dispatcher.dispatch(range(4, 10), out));
    assertEquals(range(4, 10), out.sent(b));
  }

  @Test
  void cancel_keepsTheTurnOrderOfTheOthers() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair();
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.subscribe(c, out);
    dispatcher.ask(a, 10, out);
    dispatcher.ask(b, 10, out);
    dispatcher.ask(c, 10, out);
    dispatcher.dispatch(range(0, 1), out); // a; b is next
    dispatcher.cancel(a, out);
    dispatcher.dispatch(range(1, 5), out);
    assertEquals(List.of(1, 3), out.sent(b));
    assertEquals(List.of(2, 4), out.sent(c));
    dispatcher.cancel(b, out); // b was next: the turn passes to c
    dispatcher.dispatch(range(5, 6), out);
    assertEquals(List.of(2, 4, 5), out.sent(c));
  }

  @Test
  void dispatch_manyConsumers_shareByTurnsWhateverTheirDemand() {
    SplittableRandom random = new SplittableRandom(7);
    Dispatcher<Integer> dispatcher = Dispatchers.fair();
    List<TestSubscription> consumers = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      TestSubscription s = TestSubscription.of("c" + i);
      consumers.add(s);
      dispatcher.subscribe(s, out);
      dispatcher.ask(s, 1000 + random.nextInt(1000), out); // different, all above the batch
    }
    dispatcher.dispatch(range(0, 500), out);
    for (TestSubscription s : consumers) {
      assertEquals(100, out.sent(s).size(), s::toString);
    }
  }

  @Test
  void fair_turnBelowOne_isRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Dispatchers.fair(0));
    assertTrue(e.getMessage().contains("at least 1 event a turn"), e.getMessage());
  }

  @Test
  void subscribe_twice_isRefused() {
    Dispatcher<Integer> dispatcher = Dispatchers.fair();
    dispatcher.subscribe(a, out);
    assertThrows(IllegalArgumentException.class, () -> dispatcher.subscribe(a, out));
  }
}
