package dev.flowstage.stage.dispatch;

import dev.flowstage.stage.Subscription;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Deals each batch out to the consumers in turn, at most {@code eventsPerTurn} events a turn, so
 * that consumers share the events by turns rather than by how much they asked: a consumer with
 * {@code maxDemand} 1000 does not take every batch from one with 10. No GenStage equivalent (a fair
 * dispatcher was proposed in gen_stage PR #111 and never merged); see {@link
 * Dispatchers#fair(int)}.
 *
 * <p>Runs on the producer's thread only; nothing here is synchronized.
 *
 * @param <E> the event type
 */
final class FairDispatcher<E> implements Dispatcher<E> {
  /*
   * The consumers stand in a ring in subscription order; `next` is the one whose turn comes next,
   * and it carries over from one dispatch to the next, so turns go round across batches as well as
   * inside one. A turn gives a consumer with demand min(eventsPerTurn, its demand, events left);
   * consumers without demand are skipped. Each consumer's events of one dispatch go out as one
   * message, in order: a hand that is one run of the batch is sent as a view of it, a hand of
   * several runs is copied once into a list of its own.
   *
   * Demand left by a cancelled consumer was already passed upstream; as in DemandDispatcher it is
   * kept (OrphanedDemand), subtracted from the next asks, and reduced by events that come back as
   * leftovers, so upstream is never asked twice for the same events; an ask is met from the
   * producer's buffer before that credit, so each consumer's events stay in the producer's order.
   */

  /** One consumer, its pending demand, and its hand while a dispatch deals. */
  private static final class Entry<E> {
    final Subscription subscription;
    long demand;

    /** The first run of the hand in the batch being dealt: [handStart, handEnd); -1 when empty. */
    int handStart = -1;

    int handEnd;

    /** The hand once it has more than one run; null while it is one run. */
    List<E> hand;

    Entry(Subscription subscription) {
      this.subscription = subscription;
    }
  }

  private final int eventsPerTurn;
  private final List<Entry<E>> ring = new ArrayList<>();
  private final Map<Subscription, Entry<E>> bySubscription = new IdentityHashMap<>();
  private final List<Entry<E>> dealt = new ArrayList<>();
  private int next;
  private int withDemand;
  private final OrphanedDemand orphaned = new OrphanedDemand();

  /**
   * Creates a fair dispatcher.
   *
   * @param eventsPerTurn the most events a consumer gets in one turn, at least 1
   */
  FairDispatcher(int eventsPerTurn) {
    if (eventsPerTurn < 1) {
      throw new IllegalArgumentException(
          "a fair dispatcher deals at least 1 event a turn, got: " + eventsPerTurn);
    }
    this.eventsPerTurn = eventsPerTurn;
  }

  @Override
  public long subscribe(Subscription subscription, Outbox<E> out) {
    Entry<E> entry = new Entry<>(Objects.requireNonNull(subscription, "subscription"));
    if (bySubscription.putIfAbsent(subscription, entry) != null) {
      throw new IllegalArgumentException(
          "this subscription is already subscribed to the producer; subscribe with a new one");
    }
    // Joins the ring just before the consumer whose turn is next: it waits a whole round.
    ring.add(next, entry);
    next = (next + 1) % ring.size();
    return 0;
  }

  @Override
  public long cancel(Subscription subscription, Outbox<E> out) {
    Entry<E> entry = bySubscription.remove(subscription);
    if (entry == null) {
      return 0;
    }
    int at = ring.indexOf(entry);
    ring.remove(at);
    if (at < next) {
      next--;
    }
    if (next >= ring.size()) {
      next = 0;
    }
    if (entry.demand > 0) {
      withDemand--;
      orphaned.left(entry.demand);
    }
    return 0;
  }

  @Override
  public long ask(Subscription subscription, long demand, Outbox<E> out) {
    Entry<E> entry = bySubscription.get(subscription);
    if (entry == null || demand <= 0) {
      return 0; // a subscription cancelled while its ask was in flight
    }
    if (entry.demand == 0) {
      withDemand++;
    }
    entry.demand += demand;
    return orphaned.ask(demand, out.buffered());
  }

  @Override
  public List<E> dispatch(List<E> events, Outbox<E> out) {
    int size = events.size();
    int from = 0;
    int n = ring.size();
    while (from < size && withDemand > 0) {
      Entry<E> entry = ring.get(next);
      next = next + 1 == n ? 0 : next + 1;
      if (entry.demand == 0) {
        continue; // some consumer has demand, so a round ends at one
      }
      int take = (int) Math.min(Math.min(entry.demand, eventsPerTurn), size - from);
      deal(entry, events, from, from + take);
      from += take;
      entry.demand -= take;
      if (entry.demand == 0) {
        withDemand--;
      }
    }
    for (Entry<E> entry : dealt) {
      List<E> hand =
          entry.hand != null
              ? entry.hand
              : DemandDispatcher.slice(events, entry.handStart, entry.handEnd, size);
      entry.hand = null;
      entry.handStart = -1;
      out.send(entry.subscription, hand);
    }
    dealt.clear();
    if (from == size) {
      return List.of();
    }
    orphaned.returned(size - from);
    return from == 0 ? events : events.subList(from, size);
  }

  /** Adds {@code events[from, to)} to the entry's hand. */
  private void deal(Entry<E> entry, List<E> events, int from, int to) {
    if (entry.handStart < 0) {
      entry.handStart = from;
      entry.handEnd = to;
      dealt.add(entry);
    } else if (entry.hand == null && entry.handEnd == from) {
      entry.handEnd = to; // nobody else had demand in between: still one run
    } else {
      if (entry.hand == null) {
        entry.hand = new ArrayList<>(events.subList(entry.handStart, entry.handEnd));
      }
      entry.hand.addAll(events.subList(from, to));
    }
  }

  @Override
  public void info(Object message, Outbox<E> out) {
    out.info(message);
  }
}
