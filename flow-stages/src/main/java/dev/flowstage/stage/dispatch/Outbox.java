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
   * Passes demand upstream that arose while dispatching, as if a consumer had asked: a broadcast
   * subscription's selector discarded events (they do not count against its demand), or a partition
   * hash dropped events (they did not fill the demand they were produced for). GenStage does this
   * by sending itself {@code {:ask, n}}; without it such demand would be lost and the pipeline
   * could stall.
   *
   * <p>Called only from inside {@link Dispatcher#dispatch}, with {@code demand >= 1}. The runtime
   * must not call the dispatcher back re-entrantly: after {@code dispatch} returns and its
   * leftovers are buffered, it treats {@code demand} exactly like demand returned by {@link
   * Dispatcher#ask} (serve it from the buffer first, pass the rest to {@code handleDemand}).
   *
   * @param demand how many more events to request, at least 1
   */
  void askUpstream(long demand);

  /**
   * Delivers an info message, called once every event dispatched before it has been sent.
   *
   * @param message the message given to {@link Dispatcher#info}
   */
  void info(Object message);

  /**
   * Reports events the dispatcher gave up without sending them: a partition dispatcher's events
   * kept for a consumer that cancelled, or hashed to a partition whose consumer cancelled. The
   * runtime counts them as discarded ({@code StageStats.discarded()}) and reports them as it
   * reports buffer discards. GenStage drops such events silently; here they are always counted.
   *
   * @param events the events given up, never empty; the callee may keep the list
   * @param reason why, for the report (e.g. "partition 2 has no consumer")
   */
  default void discard(List<E> events, String reason) {}

  /**
   * Returns how many events the producer's buffer holds for the dispatcher: the runtime serves the
   * demand a dispatcher method returns from the buffer first, oldest event first, and passes only
   * the rest upstream. A dispatcher that counts demand as already requested upstream (a cancelled
   * consumer's, or an earlier ask's) meets new demand from the buffer before that credit, so each
   * consumer receives the producer's events in the producer's order: otherwise the buffered events
   * would wait while newer ones, answering the credited request, went out first. GenStage 1.3 does
   * not; see the dispatchers guide.
   *
   * <p>The default, for outboxes without a buffer behind them, is 0.
   *
   * @return the number of buffered events, at least 0
   */
  default long buffered() {
    return 0;
  }
}
