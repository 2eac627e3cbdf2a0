package dev.flowstage.stage.testing;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Outbox;
import java.util.List;

/**
 * Sends every batch to its one consumer whatever that consumer asked for: the misbehaving
 * dispatcher the reference's "events in excess" rules (A7.1, A13) are about.
 *
 * @param <E> the event type
 */
public final class GreedyDispatcher<E> implements Dispatcher<E> {
  private Subscription only;

  @Override
  public long subscribe(Subscription subscription, Outbox<E> out) {
    only = subscription;
    return 0;
  }

  @Override
  public long cancel(Subscription subscription, Outbox<E> out) {
    only = null;
    return 0;
  }

  @Override
  public long ask(Subscription subscription, long demand, Outbox<E> out) {
    return demand;
  }

  @Override
  public List<E> dispatch(List<E> events, Outbox<E> out) {
    if (only == null) {
      return events;
    }
    out.send(only, events);
    return List.of();
  }

  @Override
  public void info(Object message, Outbox<E> out) {
    out.info(message);
  }
}
