package dev.flowstage.stage.dispatch;

import dev.flowstage.stage.Subscription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Sends each batch to the consumer with the most pending demand. GenStage: {@code
 * GenStage.DemandDispatcher}, the default dispatcher.
 *
 * <p>Runs on the producer's thread only; nothing here is synchronized.
 *
 * @param <E> the event type
 */
final class DemandDispatcher<E> implements Dispatcher<E> {
  /*
   * Subscribers are kept sorted by pending demand, largest first; ties keep the order in which
   * they reached that demand, so equal consumers take turns (gen_stage DemandDispatcher [1]).
   * dispatch serves the head min(its demand, events left) events as one batch, re-inserts it and
   * repeats until the events run out or the head has no demand.
   *
   * Demand left by a cancelled subscriber was already passed upstream, so it is kept
   * (OrphanedDemand) and subtracted from the next asks: upstream is never asked twice for the same
   * events. Since GenStage 1.3, events that come back as leftovers (nobody had demand) are assumed
   * to be those already-requested events and reduce it, otherwise the buffer would hold them while
   * the next ask requested fresh ones. Unlike GenStage, an ask is met from the producer's buffer
   * (Outbox.buffered) before that credit, so newer events never overtake buffered ones on the way
   * to a consumer.
   *
   * The list is an ArrayList scanned linearly: consumers per producer are few, and the work is per
   * batch, never per event.
   * [1] gen_stage lib/gen_stage/dispatchers/demand_dispatcher.ex (1.3)
   */
  /** The logger, made on first use: {@link System#getLogger} starts the JDK's logging backend. */
  private static final class Log {
    static final System.Logger LOG = System.getLogger(DemandDispatcher.class.getName());
  }

  /** One subscriber and its pending demand. */
  private static final class Entry {
    final Subscription subscription;
    long demand;

    Entry(Subscription subscription) {
      this.subscription = subscription;
    }
  }

  private final List<Entry> demands = new ArrayList<>();
  private final Map<Subscription, Entry> bySubscription = new IdentityHashMap<>();
  private final RandomGenerator shuffle;
  private boolean shufflePending;
  private long maxDemand;
  private final OrphanedDemand orphaned = new OrphanedDemand();

  /**
   * Creates a demand dispatcher.
   *
   * @param maxDemand the demand every consumer is expected to ask for at most, 0 to take the first
   *     ask's; a bigger ask logs a warning (greedy consumers would be favoured)
   * @param shuffle if not null, the subscribers' order is shuffled once before the first dispatch
   */
  DemandDispatcher(long maxDemand, RandomGenerator shuffle) {
    this.maxDemand = maxDemand;
    this.shuffle = shuffle;
    this.shufflePending = shuffle != null;
  }

  @Override
  public long subscribe(Subscription subscription, Outbox<E> out) {
    Entry entry = new Entry(Objects.requireNonNull(subscription, "subscription"));
    if (bySubscription.putIfAbsent(subscription, entry) != null) {
      throw new IllegalArgumentException(
          "this subscription is already subscribed to the producer; subscribe with a new one");
    }
    demands.add(entry); // demand 0: last, after every consumer with demand
    return 0;
  }

  @Override
  public long cancel(Subscription subscription, Outbox<E> out) {
    Entry entry = bySubscription.remove(subscription);
    if (entry != null) {
      demands.remove(entry);
      orphaned.left(entry.demand);
    }
    return 0;
  }

  @Override
  public long ask(Subscription subscription, long demand, Outbox<E> out) {
    Entry entry = bySubscription.get(subscription);
    if (entry == null || demand <= 0) {
      return 0; // a subscription cancelled while its ask was in flight
    }
    if (maxDemand == 0) {
      maxDemand = demand;
    } else if (demand > maxDemand) {
      Log.LOG.log(
          System.Logger.Level.WARNING,
          "DemandDispatcher expects a maximum demand of {0}. Using different maximum demands will"
              + " overload greedy consumers. Got demand for {1} events from {2}",
          maxDemand,
          demand,
          subscription);
    }
    demands.remove(entry);
    entry.demand += demand;
    insertSorted(entry);
    return orphaned.ask(demand, out.buffered());
  }

  @Override
  public List<E> dispatch(List<E> events, Outbox<E> out) {
    if (shufflePending) {
      shufflePending = false;
      Collections.shuffle(demands, shuffle);
      // Stable sort: only consumers with equal demand change order.
      demands.sort(Comparator.comparingLong((Entry e) -> e.demand).reversed());
    }
    int size = events.size();
    int from = 0;
    while (from < size && !demands.isEmpty()) {
      Entry head = demands.get(0);
      if (head.demand == 0) {
        break;
      }
      int take = (int) Math.min(head.demand, size - from);
      out.send(head.subscription, slice(events, from, from + take, size));
      from += take;
      head.demand -= take;
      demands.remove(0);
      insertSorted(head);
    }
    if (from == size) {
      return List.of();
    }
    orphaned.returned(size - from);
    return from == 0 ? events : events.subList(from, size);
  }

  @Override
  public void info(Object message, Outbox<E> out) {
    out.info(message);
  }

  /** Inserts after every entry with at least the same demand (GenStage's add_demand). */
  private void insertSorted(Entry entry) {
    int i = 0;
    int n = demands.size();
    while (i < n && demands.get(i).demand >= entry.demand) {
      i++;
    }
    demands.add(i, entry);
  }

  static <E> List<E> slice(List<E> events, int from, int to, int size) {
    return from == 0 && to == size ? events : events.subList(from, to);
  }
}
