package dev.flowstage.stage.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.dispatch.Dispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * What every dispatcher does alike (the SPI's contract), as a suite any dispatcher can run: extend
 * it, say how to make the dispatcher and a subscription, and JUnit runs every test. The runtime's
 * dispatchers run it in {@code DispatcherContractTest}, Flow's bounded partition dispatcher in
 * flow-core. Dispatchers are driven directly with a {@link RecordingOutbox}: no stages, no threads.
 */
public abstract class DispatcherContract {
  /** The outbox every test records into. */
  protected final RecordingOutbox<Object> out = new RecordingOutbox<>();

  /** For subclasses. */
  protected DispatcherContract() {}

  /**
   * Returns how a producer makes the dispatcher; each call must return a fresh one.
   *
   * @return the factory
   */
  protected abstract Supplier<Dispatcher<Object>> factory();

  /**
   * Returns a new subscription this dispatcher accepts; for a partition dispatcher, to partition 0,
   * the one every event of these tests goes to.
   *
   * @param name the subscription's name
   * @return the subscription
   */
  protected abstract TestSubscription subscription(String name);

  private Dispatcher<Object> create() {
    return factory().get();
  }

  private static List<Object> range(int from, int to) {
    List<Object> events = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      events.add(i);
    }
    return events;
  }

  private static List<Object> copy(List<?> events) {
    return List.copyOf(events);
  }

  @Test
  void factory_eachCall_returnsAFreshDispatcher() {
    Supplier<Dispatcher<Object>> factory = factory();
    Dispatcher<Object> first = factory.get();
    Dispatcher<Object> second = factory.get();
    assertNotSame(first, second);
    TestSubscription s = subscription("s");
    first.subscribe(s, out);
    first.ask(s, 5, out);
    // state is not shared: the second one has no subscriber with demand
    assertEquals(List.of(1), copy(second.dispatch(List.of(1), out)));
  }

  @Test
  void dispatch_noSubscribers_returnsEveryEventAsLeftoverInOrder() {
    Dispatcher<Object> dispatcher = create();
    assertEquals(range(0, 5), copy(dispatcher.dispatch(range(0, 5), out)));
    assertTrue(out.calls().isEmpty());
    assertEquals(0, dispatcher.heldCount());
  }

  @Test
  void dispatch_subscribedWithoutDemand_returnsEveryEventAsLeftover() {
    Dispatcher<Object> dispatcher = create();
    assertEquals(0, dispatcher.subscribe(subscription("s"), out));
    assertEquals(range(0, 5), copy(dispatcher.dispatch(range(0, 5), out)));
    assertTrue(out.calls().isEmpty());
  }

  @Test
  void ask_soleConsumer_forwardsTheWholeAsk() {
    Dispatcher<Object> dispatcher = create();
    TestSubscription s = subscription("s");
    dispatcher.subscribe(s, out);
    assertEquals(7, dispatcher.ask(s, 7, out));
    assertEquals(3, dispatcher.ask(s, 3, out));
  }

  @Test
  void dispatch_withinDemand_sendsEverythingInOrderAsOneBatch() {
    Dispatcher<Object> dispatcher = create();
    TestSubscription s = subscription("s");
    dispatcher.subscribe(s, out);
    dispatcher.ask(s, 10, out);
    assertEquals(List.of(), dispatcher.dispatch(range(0, 6), out));
    assertEquals(List.of(range(0, 6)), out.batches(s));
  }

  @Test
  void dispatch_beyondDemand_sendsExactlyTheDemandAndReturnsTheRest() {
    Dispatcher<Object> dispatcher = create();
    TestSubscription s = subscription("s");
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

  @Test
  void subscribe_sameSubscriptionTwice_throwsIllegalArgument() {
    Dispatcher<Object> dispatcher = create();
    TestSubscription s = subscription("s");
    dispatcher.subscribe(s, out);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> dispatcher.subscribe(s, out));
    assertTrue(e.getMessage().contains("already"), e.getMessage());
  }

  @Test
  void cancel_unknownSubscription_returnsNoDemand() {
    Dispatcher<Object> dispatcher = create();
    assertEquals(0, dispatcher.cancel(subscription("never"), out));
  }

  @Test
  void ask_afterCancel_isIgnoredAndNothingIsSent() {
    Dispatcher<Object> dispatcher = create();
    TestSubscription s = subscription("s");
    dispatcher.subscribe(s, out);
    dispatcher.cancel(s, out);
    assertEquals(0, dispatcher.ask(s, 4, out));
    assertEquals(range(0, 2), copy(dispatcher.dispatch(range(0, 2), out)));
    assertTrue(out.calls().isEmpty());
  }

  @Test
  void ask_resubscribedAfterCancel_newSubscriptionReceivesTheEvents() {
    Dispatcher<Object> dispatcher = create();
    TestSubscription first = subscription("first");
    dispatcher.subscribe(first, out);
    long upstream = dispatcher.ask(first, 5, out);
    dispatcher.cancel(first, out);
    TestSubscription second = subscription("second");
    dispatcher.subscribe(second, out);
    upstream += dispatcher.ask(second, 5, out);
    assertTrue(upstream >= 5, "upstream demand " + upstream);
    assertEquals(List.of(), dispatcher.dispatch(range(0, 5), out));
    assertEquals(range(0, 5), out.sent(second));
    assertEquals(List.of(), out.sent(first));
  }

  @Test
  void info_nothingHeld_isDeliveredAtOnce() {
    Dispatcher<Object> dispatcher = create();
    TestSubscription s = subscription("s");
    dispatcher.subscribe(s, out);
    dispatcher.ask(s, 2, out);
    dispatcher.dispatch(range(0, 2), out);
    dispatcher.info("tick", out);
    assertEquals(List.of("tick"), out.infos());
    assertTrue(out.calls().get(out.calls().size() - 1) instanceof RecordingOutbox.Info);
  }

  @Test
  void dispatch_manySmallAsks_neverSendsMoreThanAsked() {
    Dispatcher<Object> dispatcher = create();
    TestSubscription s = subscription("s");
    dispatcher.subscribe(s, out);
    int next = 0;
    for (int ask = 1; ask <= 5; ask++) {
      dispatcher.ask(s, ask, out);
      List<Object> leftover = dispatcher.dispatch(range(next, next + 10), out);
      next += 10 - leftover.size();
      assertEquals(range(0, next), out.sent(s));
    }
    assertEquals(15, next);
  }
}
