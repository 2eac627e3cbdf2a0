package dev.flowstage.stage.dispatch;

import static dev.flowstage.stage.dispatch.Events.copy;
import static dev.flowstage.stage.dispatch.Events.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.LogRecorder;
import dev.flowstage.stage.testing.RecordingOutbox;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class DemandDispatcherTest {
  private final DemandDispatcher<Integer> dispatcher = new DemandDispatcher<>(0, null);
  private final RecordingOutbox<Integer> out = new RecordingOutbox<>();
  private final TestSubscription a = TestSubscription.of("a");
  private final TestSubscription b = TestSubscription.of("b");

  @Test
  void subscribe_newConsumer_returnsNoDemand() {
    assertEquals(0, dispatcher.subscribe(a, out));
    assertEquals(range(0, 3), copy(dispatcher.dispatch(range(0, 3), out))); // nothing to send
  }

  @Test
  void ask_firstAsk_forwardsWholeDemand() {
    dispatcher.subscribe(a, out);
    assertEquals(10, dispatcher.ask(a, 10, out));
    assertEquals(5, dispatcher.ask(a, 5, out));
    assertEquals(range(15, 20), copy(dispatcher.dispatch(range(0, 20), out)));
    assertEquals(range(0, 15), out.sent(a));
  }

  @Test
  void dispatch_noSubscribers_returnsEveryEventAsLeftover() {
    assertEquals(range(0, 3), copy(dispatcher.dispatch(range(0, 3), out)));
    assertTrue(out.calls().isEmpty());
  }

  @Test
  void dispatch_noDemand_returnsEveryEventAsLeftover() {
    dispatcher.subscribe(a, out);
    assertEquals(range(0, 3), copy(dispatcher.dispatch(range(0, 3), out)));
    assertTrue(out.calls().isEmpty());
  }

  @Test
  void dispatch_withinDemand_sendsOneBatch() {
    dispatcher.subscribe(a, out);
    dispatcher.ask(a, 10, out);
    assertEquals(List.of(), dispatcher.dispatch(range(0, 4), out));
    assertEquals(List.of(range(0, 4)), out.batches(a));
    // 6 of the 10 are left
    assertEquals(range(10, 12), copy(dispatcher.dispatch(range(4, 12), out)));
    assertEquals(range(0, 10), out.sent(a));
  }

  @Test
  void dispatch_beyondDemand_returnsTailAsLeftoverInOrder() {
    dispatcher.subscribe(a, out);
    dispatcher.ask(a, 3, out);
    assertEquals(range(3, 5), copy(dispatcher.dispatch(range(0, 5), out)));
    assertEquals(range(0, 3), out.sent(a));
  }

  @Test
  void dispatch_unequalDemand_servesLargestDemandFirst() {
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 2, out);
    dispatcher.ask(b, 5, out);
    dispatcher.dispatch(range(0, 3), out);
    assertEquals(range(0, 3), out.sent(b));
    assertEquals(List.of(), out.sent(a));
    // b now has 2 left and a 2: a reached 2 first, so it goes first
    dispatcher.dispatch(range(3, 7), out);
    assertEquals(range(3, 5), out.sent(a));
    assertEquals(List.of(0, 1, 2, 5, 6), out.sent(b));
  }

  @Test
  void dispatch_equalDemand_takesTurnsInSubscriptionOrder() {
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 4, out);
    dispatcher.ask(b, 4, out);
    dispatcher.dispatch(range(0, 2), out);
    dispatcher.dispatch(range(2, 4), out);
    dispatcher.dispatch(range(4, 8), out);
    assertEquals(List.of(range(0, 2), List.of(4, 5)), out.batches(a));
    assertEquals(List.of(range(2, 4), List.of(6, 7)), out.batches(b));
  }

  @Test
  void dispatch_batchLargerThanHeadDemand_splitsAcrossConsumers() {
    dispatcher.subscribe(a, out);
    dispatcher.subscribe(b, out);
    dispatcher.ask(a, 3, out);
    dispatcher.ask(b, 2, out);
    assertEquals(List.of(5), copy(dispatcher.dispatch(range(0, 6), out)));
    assertEquals(range(0, 3), out.sent(a));
    assertEquals(range(3, 5), out.sent(b));
  }

  @Test
  void ask_afterCancel_forwardsOnlyUnsentDemand() {
    dispatcher.subscribe(a, out);
    dispatcher.ask(a, 10, out);
    dispatcher.dispatch(range(0, 4), out); // a still waits for 6 already requested upstream
    assertEquals(0, dispatcher.cancel(a, out));
    dispatcher.subscribe(b, out);
    // the 6 a still waited for are on their way: b's asks use them up first
    assertEquals(0, dispatcher.ask(b, 4, out));
    assertEquals(3, dispatcher.ask(b, 5, out));
    assertEquals(2, dispatcher.ask(b, 2, out));
  }

  @Test
  void dispatch_leftoversAfterCancel_reducePendingDemand() {
    dispatcher.subscribe(a, out);
    dispatcher.ask(a, 10, out);
    dispatcher.cancel(a, out);
    // the 10 requested events arrive with nobody to take them: they are the pending ones
    assertEquals(range(0, 10), copy(dispatcher.dispatch(range(0, 10), out)));
    dispatcher.subscribe(b, out);
    // so b's ask goes upstream in full, and the producer serves it from its buffer
    assertEquals(10, dispatcher.ask(b, 10, out));
  }

  @Test
  void ask_afterCancel_withBufferedEvents_servesTheBufferBeforeTheCredit() {
    dispatcher.subscribe(a, out);
    dispatcher.ask(a, 5, out);
    dispatcher.cancel(a, out); // its 5 stay requested upstream
    dispatcher.dispatch(range(0, 2), out); // 2 of them arrive for nobody: buffered, 3 to come
    dispatcher.subscribe(b, out);
    out.setBuffered(2);
    // the 2 buffered events are b's first (the runtime serves them), the 3 to come cover 1 more
    assertEquals(2, dispatcher.ask(b, 3, out));
    out.setBuffered(0);
    // 2 of the 3 still come for nobody: b's next ask uses them, the rest goes upstream
    assertEquals(2, dispatcher.ask(b, 4, out));
  }

  @Test
  void cancel_unknownSubscription_returnsNoDemand() {
    assertEquals(0, dispatcher.cancel(a, out));
    dispatcher.subscribe(b, out);
    assertEquals(4, dispatcher.ask(b, 4, out)); // nothing pending: the whole ask goes upstream
  }

  @Test
  void ask_cancelledSubscription_isIgnored() {
    dispatcher.subscribe(a, out);
    dispatcher.cancel(a, out);
    assertEquals(0, dispatcher.ask(a, 5, out));
    assertEquals(range(0, 3), copy(dispatcher.dispatch(range(0, 3), out)));
    assertTrue(out.calls().isEmpty());
  }

  @Test
  void subscribe_sameSubscriptionTwice_throwsIllegalArgument() {
    dispatcher.subscribe(a, out);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> dispatcher.subscribe(a, out));
    assertTrue(e.getMessage().contains("already subscribed"), e.getMessage());
  }

  @Test
  void ask_aboveMaxDemand_isStillHonoured() {
    DemandDispatcher<Integer> bounded = new DemandDispatcher<>(5, null);
    bounded.subscribe(a, out);
    try (LogRecorder log = new LogRecorder(DemandDispatcher.class.getName())) {
      assertEquals(8, bounded.ask(a, 8, out)); // nothing else changes
      // Reference A11.2: a warning naming the expected maximum and the demand asked.
      assertEquals(1, log.records().size(), log.text());
      assertTrue(log.text().contains("expects a maximum demand of"), log.text());
      assertEquals(List.of(5L, 8L), List.of(log.records().get(0).getParameters()).subList(0, 2));
    }
    bounded.dispatch(range(0, 8), out);
    assertEquals(range(0, 8), out.sent(a));
  }

  @Test
  void info_always_isDeliveredAtOnce() {
    dispatcher.subscribe(a, out);
    dispatcher.info("done", out);
    assertEquals(List.of("done"), out.infos());
  }

  @Test
  void dispatch_shuffleOnFirstDispatch_spreadsFirstBatchAmongEqualDemands() {
    Set<String> firstReceivers = new HashSet<>();
    for (long seed = 0; seed < 32; seed++) {
      DemandDispatcher<Integer> shuffled = new DemandDispatcher<>(0, new SplittableRandom(seed));
      RecordingOutbox<Integer> recording = new RecordingOutbox<>();
      List<TestSubscription> subs =
          List.of(TestSubscription.of("s0"), TestSubscription.of("s1"), TestSubscription.of("s2"));
      for (TestSubscription s : subs) {
        shuffled.subscribe(s, recording);
        shuffled.ask(s, 5, recording);
      }
      shuffled.dispatch(range(0, 5), recording);
      RecordingOutbox.Send first = (RecordingOutbox.Send) recording.calls().get(0);
      firstReceivers.add(first.to().toString());
      // equal demands: the whole batch went to one of them
      assertEquals(1, recording.calls().size(), "seed " + seed);
      assertEquals(range(0, 5), first.events(), "seed " + seed);
    }
    assertTrue(firstReceivers.size() > 1, "always the same first receiver: " + firstReceivers);
  }

  @Test
  void dispatch_shuffleOnFirstDispatch_stillServesLargestDemandFirst() {
    DemandDispatcher<Integer> shuffled = new DemandDispatcher<>(0, new SplittableRandom(7));
    shuffled.subscribe(a, out);
    shuffled.subscribe(b, out);
    shuffled.ask(a, 1, out);
    shuffled.ask(b, 5, out);
    shuffled.dispatch(range(0, 5), out);
    assertEquals(range(0, 5), out.sent(b));
  }

  @Test
  void build_fromBuilder_returnsFreshDispatchers() {
    Dispatchers.DemandBuilder builder =
        Dispatchers.demandBuilder().shuffleDemandsOnFirstDispatch(true).maxDemand(10);
    Dispatcher<Integer> first = builder.build();
    Dispatcher<Integer> second = builder.build();
    assertTrue(first != second);
    assertThrows(IllegalArgumentException.class, () -> Dispatchers.demandBuilder().maxDemand(0));
  }
}
