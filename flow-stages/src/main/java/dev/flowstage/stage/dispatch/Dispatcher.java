package dev.flowstage.stage.dispatch;

import dev.flowstage.stage.Subscription;
import java.util.List;

/**
 * Decides which consumers of a producer receive which events, within the demand each consumer asked
 * for. GenStage: the {@code GenStage.Dispatcher} behaviour.
 *
 * <p>A dispatcher is a single-threaded state machine: the runtime calls it only from the producer's
 * own thread, and it reaches the outside only through the {@link Outbox} it is given, so it can be
 * tested without threads. The {@code long} each method returns is demand to pass upstream, that is
 * to the producer's {@code handleDemand}; the runtime adds it up and never passes 0. Demand that
 * arises inside {@link #dispatch} goes through {@link Outbox#askUpstream}. {@link #ask} and {@link
 * #cancel} for a subscription the dispatcher does not know (an ask that raced a cancel) are ignored
 * and return 0. The built-in dispatchers come from {@link Dispatchers}.
 *
 * @param <E> the event type
 */
public interface Dispatcher<E> {
  /**
   * Adds a consumer. It has no demand until it asks.
   *
   * @param subscription the new subscription; its options carry dispatcher-specific settings such
   *     as the partition or the selector
   * @param out where to send
   * @return demand to pass upstream
   * @throws IllegalArgumentException if the subscription's options do not fit this dispatcher (the
   *     runtime rejects the subscription with this message)
   */
  long subscribe(Subscription subscription, Outbox<E> out);

  /**
   * Removes a consumer; what it had asked for and not received is accounted for here.
   *
   * @param subscription the subscription that ended
   * @param out where to send
   * @return demand to pass upstream
   */
  long cancel(Subscription subscription, Outbox<E> out);

  /**
   * Records that a consumer asked for more events.
   *
   * @param subscription who asked
   * @param demand how many more events, at least 1
   * @param out where to send (a dispatcher holding events for this consumer may send them now)
   * @return demand to pass upstream
   */
  long ask(Subscription subscription, long demand, Outbox<E> out);

  /**
   * Sends as many of the events as current demand allows, in order.
   *
   * @param events the events to dispatch, not empty; the dispatcher may keep sub-lists of it
   * @param out where to send
   * @return the events that could not be sent (to be buffered by the producer), in order; empty if
   *     all were sent
   */
  List<E> dispatch(List<E> events, Outbox<E> out);

  /**
   * Delivers a message after every event this dispatcher still holds has been sent: at once through
   * {@link Outbox#info} if it holds none.
   *
   * @param message the message
   * @param out where to send
   */
  void info(Object message, Outbox<E> out);

  /**
   * Returns how many events the dispatcher holds that have not been sent (for example events queued
   * for a partition with no demand). Counted in the producer's buffered count.
   *
   * @return the number of held events
   */
  default long heldCount() {
    return 0;
  }

  /**
   * Returns how many events the dispatcher dropped because the user asked it to: a partition hash
   * that returned {@link Dispatchers#DROP}. They are counted in {@link
   * dev.flowstage.stage.StageStats#dropped()}, not reported as discards (nothing went wrong).
   * Called on the producer's thread after each dispatch.
   *
   * @return the events dropped so far, at least 0
   */
  default long dropped() {
    return 0;
  }
}
