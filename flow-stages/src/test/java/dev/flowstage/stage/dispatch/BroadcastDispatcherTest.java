package dev.flowstage.stage.dispatch;

import static dev.flowstage.stage.dispatch.Events.copy;
import static dev.flowstage.stage.dispatch.Events.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.testing.RecordingOutbox;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

final class BroadcastDispatcherTest {
  private final BroadcastDispatcher<Integer> dispatcher = new BroadcastDispatcher<>();
  private final RecordingOutbox<Integer> out = new RecordingOutbox<>();
  private final TestSubscription a = TestSubscription.of("a");
  private final TestSubscription b = TestSubscription.of("b");

  private static TestSubscription selecting(String name, Predicate<Integer> selector) {
    return TestSubscription.of(name, SubscriptionOptions.builder().selector(selector).build());
  }

  @Test
  void dispatch_twoConsumers_sendsEveryEventToBoth() {
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    assertEquals(0, dispatcher.ask(a, 5, out));
    assertEquals(5, dispatcher.ask(b, 5, out));
    assertEquals(List.of(), dispatcher.dispatch(range(0, 5), out));
    assertEquals(range(0, 5), out.sent(a));
    assertEquals(range(0, 5), out.sent(b));
  }

  @Test
  void ask_slowConsumer_holdsTheOthersBack() {
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 10, out);
    assertEquals(2, dispatcher.ask(b, 2, out));
    assertEquals(range(2, 10), copy(dispatcher.dispatch(range(0, 10), out)));
    assertEquals(range(0, 2), out.sent(a));
    assertEquals(range(0, 2), out.sent(b));
    // a still has 8 pending; b asking 3 more releases 3 for everyone
    assertEquals(3, dispatcher.ask(b, 3, out));
  }

  @Test
  void subscribe_newConsumer_holdsDemandUntilItAsks() {
    dispatcher.subscribe(a, out);
    assertEquals(10, dispatcher.ask(a, 10, out));
    dispatcher.subscribe(b, out);
    // b asked nothing yet: no event may go out, though a asked for 10
    assertEquals(range(0, 3), copy(dispatcher.dispatch(range(0, 3), out)));
    assertTrue(out.calls().isEmpty());
    assertEquals(range(0, 10), copy(dispatcher.dispatch(range(0, 10), out)));
    assertTrue(out.calls().isEmpty());
  }

  @Test
  void ask_afterNewSubscriberAsks_doesNotRequestTheSameDemandTwice() {
    dispatcher.subscribe(a, out);
    assertEquals(10, dispatcher.ask(a, 10, out));
    dispatcher.subscribe(b, out);
    // the 10 already requested for a are enough for both (GenStage #318)
    assertEquals(0, dispatcher.ask(b, 10, out));
    assertEquals(List.of(), dispatcher.dispatch(range(0, 10), out));
    assertEquals(range(0, 10), out.sent(a));
    assertEquals(range(0, 10), out.sent(b));
    assertEquals(4, dispatcher.ask(a, 4, out) + dispatcher.ask(b, 4, out));
  }

  @Test
  void dispatch_leftoversWhileHeld_areRequestedAgainFromTheBuffer() {
    dispatcher.subscribe(a, out);
    dispatcher.ask(a, 10, out);
    dispatcher.subscribe(b, out);
    // the requested events arrive while b holds everyone back: they go to the buffer
    dispatcher.dispatch(range(0, 10), out);
    // b's ask is passed upstream so the producer serves it from that buffer
    assertEquals(10, dispatcher.ask(b, 10, out));
  }

  @Test
  void ask_withBufferedEventsAndDemandRequested_servesTheBufferFirst() {
    dispatcher.subscribe(a, out);
    assertEquals(5, dispatcher.ask(a, 5, out));
    dispatcher.subscribe(b, out); // holds a back until it asks
    // 2 of the 5 arrive while held: buffered, 3 still requested
    assertEquals(range(0, 2), copy(dispatcher.dispatch(range(0, 2), out)));
    out.setBuffered(2);
    // both can take 3: the 2 buffered first (the runtime serves them), the 3 requested cover 1
    assertEquals(2, dispatcher.ask(b, 3, out));
    assertEquals(List.of(), dispatcher.dispatch(range(0, 2), out));
    assertEquals(range(0, 2), out.sent(a));
    assertEquals(range(0, 2), out.sent(b));
  }

  @Test
  void cancel_slowestConsumer_releasesDemand() {
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 10, out);
    dispatcher.ask(b, 2, out);
    assertEquals(8, dispatcher.cancel(b, out));
    // a's 10 are now all that limits the group
    assertEquals(range(10, 12), copy(dispatcher.dispatch(range(0, 12), out)));
    assertEquals(range(0, 10), out.sent(a));
  }

  @Test
  void cancel_lastConsumer_keepsRequestedForTheNextSubscriber() {
    dispatcher.subscribe(a, out);
    dispatcher.ask(a, 10, out);
    assertEquals(0, dispatcher.cancel(a, out));
    dispatcher.subscribe(b, out);
    assertEquals(0, dispatcher.ask(b, 6, out));
    assertEquals(1, dispatcher.ask(b, 5, out));
  }

  @Test
  void dispatch_noDemand_returnsEverything() {
    dispatcher.subscribe(a, out);
    assertEquals(range(0, 3), copy(dispatcher.dispatch(range(0, 3), out)));
    assertTrue(out.calls().isEmpty());
  }

  @Test
  void dispatch_selector_sendsOnlySelectedAndCreditsTheRest() {
    TestSubscription even = selecting("even", e -> e % 2 == 0);
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(even, out);
    dispatcher.ask(a, 10, out);
    assertEquals(4, dispatcher.ask(even, 4, out));
    assertEquals(List.of(), dispatcher.dispatch(range(0, 4), out));
    assertEquals(range(0, 4), out.sent(a));
    assertEquals(List.of(0, 2), out.sent(even));
    // even got 2 of its 4: the 2 discarded are credited, and a has room, so 2 go upstream
    assertEquals(2, out.askedUpstream());
    // exactly those 2 can go out now; a third waits as a leftover
    assertEquals(List.of(6), copy(dispatcher.dispatch(range(4, 7), out)));
    assertEquals(range(0, 6), out.sent(a));
    assertEquals(List.of(0, 2, 4), out.sent(even));
  }

  @Test
  void dispatch_selectorRejectsEverything_neverSendsAnEmptyBatch() {
    TestSubscription none = selecting("none", e -> false);
    dispatcher.subscribe(none, out);
    dispatcher.ask(none, 3, out);
    dispatcher.dispatch(range(0, 3), out);
    assertEquals(List.of(), out.sent(none));
    assertEquals(3, out.askedUpstream());
  }

  @Test
  void subscribe_sameConsumerTwice_throwsAndKeepsTheFirst() {
    Object consumer = new Object();
    TestSubscription first = TestSubscription.ofConsumer("first", consumer);
    TestSubscription second = TestSubscription.ofConsumer("second", consumer);
    dispatcher.subscribe(first, out);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> dispatcher.subscribe(second, out));
    assertTrue(e.getMessage().contains("already subscribed"), e.getMessage());
    assertEquals(4, dispatcher.ask(first, 4, out));
    // after cancelling, the consumer may subscribe again
    dispatcher.cancel(first, out);
    assertEquals(0, dispatcher.subscribe(second, out));
  }

  @Test
  void ask_cancelledSubscription_isIgnored() {
    dispatcher.subscribe(a, out);
    dispatcher.cancel(a, out);
    assertEquals(0, dispatcher.ask(a, 5, out));
  }
}
