package dev.flowstage.stage.dispatch;

import dev.flowstage.stage.Subscription;
import java.util.List;

/**
 * How a {@link Dispatcher} delivers: the stage runtime implements it, tests record it. Called only
 * on the producer's own thread.
 *
 * @param <E> the event type
 */
public interface Outbox<E> {
  /**
   * Sends a non-empty batch of events on a subscription as one message. The dispatcher never sends
   * more than the subscription has asked for and not yet received.
   *
   * @param to the subscription to send on
   * @param events the events; the runtime may keep the list, so the dispatcher must not reuse it
   */
  void send(Subscription to, List<E> events);

  /**
   * Delivers an info message, called once every event dispatched before it has been sent.
   *
   * @param message the message given to {@link Dispatcher#info}
   */
  void info(Object message);
}
