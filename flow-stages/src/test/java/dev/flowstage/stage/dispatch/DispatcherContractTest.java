package dev.flowstage.stage.dispatch;

import static dev.flowstage.stage.dispatch.Events.copy;
import static dev.flowstage.stage.dispatch.Events.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingOutbox;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every built-in dispatcher does alike (the SPI's contract), one suite over all of them. */
final class DispatcherContractTest {
  private final RecordingOutbox<Integer> out = new RecordingOutbox<>();

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void factory_eachCall_returnsAFreshDispatcher(DispatcherKind kind) {
    Supplier<Dispatcher<Integer>> factory = kind.factory();
    Dispatcher<Integer> first = factory.get();
    Dispatcher<Integer> second = factory.get();
    assertNotSame(first, second);
    TestSubscription s = kind.subscription("s", 0);
    first.subscribe(s, out);
    first.ask(s, 5, out);
    // state is not shared: the second one has no subscriber with demand
    assertEquals(List.of(1), copy(second.dispatch(List.of(1), out)));
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void dispatch_noSubscribers_returnsEveryEventAsLeftoverInOrder(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    assertEquals(range(0, 5), copy(dispatcher.dispatch(range(0, 5), out)));
    assertTrue(out.calls().isEmpty());
    assertEquals(0, dispatcher.heldCount());
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void dispatch_subscribedWithoutDemand_returnsEveryEventAsLeftover(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    assertEquals(0, dispatcher.subscribe(kind.subscription("s", 0), out));
    assertEquals(range(0, 5), copy(dispatcher.dispatch(range(0, 5), out)));
    assertTrue(out.calls().isEmpty());
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void ask_soleConsumer_forwardsTheWholeAsk(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    TestSubscription s = kind.subscription("s", 0);
    dispatcher.subscribe(s, out);
    assertEquals(7, dispatcher.ask(s, 7, out));
    assertEquals(3, dispatcher.ask(s, 3, out));
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void dispatch_withinDemand_sendsEverythingInOrderAsOneBatch(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    TestSubscription s = kind.subscription("s", 0);
    dispatcher.subscribe(s, out);
    dispatcher.ask(s, 10, out);
    assertEquals(List.of(), dispatcher.dispatch(range(0, 6), out));
    assertEquals(List.of(range(0, 6)), out.batches(s));
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void dispatch_beyondDemand_sendsExactlyTheDemandAndReturnsTheRest(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    TestSubscription s = kind.subscription("s", 0);
    dispatcher.subscribe(s, out);
    dispatcher.ask(s, 3, out);
    assertEquals(range(3, 10), copy(dispatcher.dispatch(range(0, 10), out)));
    assertEquals(range(0, 3), out.sent(s));
    assertEquals(0, dispatcher.heldCount());
    // the leftovers come back later, after a new ask
    dispatcher.ask(s, 7, out);
    assertEquals(List.of(), dispatcher.dispatch(range(3, 10), out));
    assertEquals(range(0, 10), out.sent(s));
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void subscribe_sameSubscriptionTwice_throwsIllegalArgument(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    TestSubscription s = kind.subscription("s", 0);
    dispatcher.subscribe(s, out);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> dispatcher.subscribe(s, out));
    assertTrue(e.getMessage().contains("already"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void cancel_unknownSubscription_returnsNoDemand(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    assertEquals(0, dispatcher.cancel(kind.subscription("never", 0), out));
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void ask_afterCancel_isIgnoredAndNothingIsSent(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    TestSubscription s = kind.subscription("s", 0);
    dispatcher.subscribe(s, out);
    dispatcher.cancel(s, out);
    assertEquals(0, dispatcher.ask(s, 4, out));
    assertEquals(range(0, 2), copy(dispatcher.dispatch(range(0, 2), out)));
    assertTrue(out.calls().isEmpty());
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void ask_resubscribedAfterCancel_newSubscriptionReceivesTheEvents(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    TestSubscription first = kind.subscription("first", 0);
    dispatcher.subscribe(first, out);
    long upstream = dispatcher.ask(first, 5, out);
    dispatcher.cancel(first, out);
    TestSubscription second = kind.subscription("second", 0);
    dispatcher.subscribe(second, out);
    upstream += dispatcher.ask(second, 5, out);
    assertTrue(upstream >= 5, "upstream demand " + upstream);
    assertEquals(List.of(), dispatcher.dispatch(range(0, 5), out));
    assertEquals(range(0, 5), out.sent(second));
    assertEquals(List.of(), out.sent(first));
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void info_nothingHeld_isDeliveredAtOnce(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    TestSubscription s = kind.subscription("s", 0);
    dispatcher.subscribe(s, out);
    dispatcher.ask(s, 2, out);
    dispatcher.dispatch(range(0, 2), out);
    dispatcher.info("tick", out);
    assertEquals(List.of("tick"), out.infos());
    assertTrue(out.calls().get(out.calls().size() - 1) instanceof RecordingOutbox.Info);
  }

  @ParameterizedTest
  @EnumSource(DispatcherKind.class)
  void dispatch_manySmallAsks_neverSendsMoreThanAsked(DispatcherKind kind) {
    Dispatcher<Integer> dispatcher = kind.create();
    TestSubscription s = kind.subscription("s", 0);
    dispatcher.subscribe(s, out);
    int next = 0;
    for (int ask = 1; ask <= 5; ask++) {
      dispatcher.ask(s, ask, out);
      List<Integer> leftover = dispatcher.dispatch(range(next, next + 10), out);
      next += 10 - leftover.size();
      assertEquals(range(0, next), out.sent(s));
    }
    assertEquals(15, next);
  }
}
