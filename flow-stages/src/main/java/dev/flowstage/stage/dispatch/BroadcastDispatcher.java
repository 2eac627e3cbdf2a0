package dev.flowstage.stage.dispatch;

import dev.flowstage.stage.Subscription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Sends every event to every consumer, never beyond any consumer's demand, so the producer runs at
 * the pace of its slowest consumer. A subscription's {@link
 * dev.flowstage.stage.SubscriptionOptions#selector() selector} limits the events it receives.
 * GenStage: {@code GenStage.BroadcastDispatcher}.
 *
 * <p>Runs on the producer's thread only; nothing here is synchronized.
 *
 * @param <E> the event type
 */
final class BroadcastDispatcher<E> implements Dispatcher<E> {
  /*
   * gen_stage BroadcastDispatcher 1.3.2 [1]. Demand every consumer shares is moved into `waiting`
   * (the smallest counter is subtracted from all and added to `waiting`); a consumer's pending
   * demand is therefore its counter + `waiting`. dispatch sends the first `waiting` events to
   * everyone.
   *
   * - A new subscriber joins with 0 and holds everyone back until it asks: the others' counters
   *   are re-inflated by `waiting`, which drops to 0 (GenStage 1.3.0).
   * - `requested` is demand passed upstream that no event has answered yet. Upstream is asked only
   *   for `waiting - requested`, so demand re-formed after a subscribe is not requested twice
   *   (GenStage 1.3.2, issues #318/#319). Unlike GenStage, leftovers also reduce `requested`: they
   *   sit in the producer's buffer, and the runtime serves the next demand from there first, so
   *   counting them as still outstanding would strand them there. Also unlike GenStage, `waiting`
   *   is met from the producer's buffer (Outbox.buffered) before `requested` covers the rest:
   *   otherwise newer events, answering `requested`, would reach every consumer ahead of the
   *   buffered ones.
   * - Events a selector discards are credited back to that consumer's counter at once, and any
   *   resulting upstream demand goes out through Outbox.askUpstream (GenStage sends itself an ask).
   * [1] gen_stage lib/gen_stage/dispatchers/broadcast_dispatcher.ex
   */

  /** One subscriber: its demand beyond {@code waiting} and its selector. */
  private static final class Entry {
    final Subscription subscription;
    final Predicate<Object> selector;
    long counter;

    Entry(Subscription subscription, Predicate<Object> selector) {
      this.subscription = subscription;
      this.selector = selector;
    }
  }

  private final List<Entry> entries = new ArrayList<>();
  private final Map<Subscription, Entry> bySubscription = new IdentityHashMap<>();
  private final Set<Object> consumers = new HashSet<>();
  private long waiting;
  private long requested;

  @Override
  public long subscribe(Subscription subscription, Outbox<E> out) {
    Objects.requireNonNull(subscription, "subscription");
    if (bySubscription.containsKey(subscription)) {
      throw new IllegalArgumentException(
          "this subscription is already subscribed to the producer; subscribe with a new one");
    }
    Object consumer = subscription.consumer();
    if (!consumers.add(consumer)) {
      throw new IllegalArgumentException(
          consumer
              + " is already subscribed to this broadcast producer; it would receive every event"
              + " twice. This subscription has been discarded: cancel the first one to resubscribe");
    }
    for (Entry e : entries) {
      e.counter += waiting;
    }
    waiting = 0;
    Entry entry = new Entry(subscription, subscription.options().selector());
    entries.add(entry);
    bySubscription.put(subscription, entry);
    return 0;
  }

  @Override
  public long cancel(Subscription subscription, Outbox<E> out) {
    Entry entry = bySubscription.remove(subscription);
    if (entry == null) {
      return 0;
    }
    entries.remove(entry);
    consumers.remove(subscription.consumer());
    if (entries.isEmpty()) {
      waiting = 0; // requested is kept: a later subscriber re-uses events already asked for
      return 0;
    }
    // The cancelled consumer may have been the slowest one, so demand can be released.
    return sync(out.buffered());
  }

  @Override
  public long ask(Subscription subscription, long demand, Outbox<E> out) {
    Entry entry = bySubscription.get(subscription);
    if (entry == null || demand <= 0) {
      return 0; // a subscription cancelled while its ask was in flight
    }
    entry.counter += demand;
    return sync(out.buffered());
  }

  @Override
  public List<E> dispatch(List<E> events, Outbox<E> out) {
    int size = events.size();
    requested = Math.max(requested - size, 0); // delivered now or buffered as leftovers
    if (waiting == 0 || entries.isEmpty()) {
      return events;
    }
    int now = (int) Math.min(waiting, size);
    waiting -= now;
    List<E> deliver = DemandDispatcher.slice(events, 0, now, size);
    // One read-only view shared by every consumer without a selector.
    List<E> shared = entries.size() == 1 ? deliver : Collections.unmodifiableList(deliver);
    boolean credited = false;
    for (int i = 0, n = entries.size(); i < n; i++) {
      Entry e = entries.get(i);
      if (e.selector == null) {
        out.send(e.subscription, shared);
        continue;
      }
      List<E> selected = new ArrayList<>(now);
      for (int j = 0; j < now; j++) {
        E event = deliver.get(j);
        if (e.selector.test(event)) {
          selected.add(event);
        }
      }
      if (!selected.isEmpty()) {
        out.send(e.subscription, selected);
      }
      int discarded = now - selected.size();
      if (discarded > 0) {
        e.counter += discarded;
        credited = true;
      }
    }
    if (credited) {
      // the leftovers of this batch join the buffer ahead of anything emitted later
      long more = sync(out.buffered() + size - now);
      if (more > 0) {
        out.askUpstream(more);
      }
    }
    return now == size ? List.of() : events.subList(now, size);
  }

  @Override
  public void info(Object message, Outbox<E> out) {
    out.info(message);
  }

  /**
   * Moves demand shared by every consumer into {@code waiting}; returns what the runtime is to
   * serve, from its {@code buffered} events first and then upstream.
   */
  private long sync(long buffered) {
    long min = Long.MAX_VALUE;
    for (int i = 0, n = entries.size(); i < n; i++) {
      min = Math.min(min, entries.get(i).counter);
    }
    if (min > 0 && min != Long.MAX_VALUE) {
      for (int i = 0, n = entries.size(); i < n; i++) {
        entries.get(i).counter -= min;
      }
      waiting += min;
    }
    // The buffer first: its events are older than those `requested` still brings, which answer
    // only the rest. Served buffer events leave `requested` again in dispatch, as they did when
    // they came back as leftovers.
    long fromBuffer = Math.min(waiting, buffered);
    long request = fromBuffer + Math.max(0, waiting - fromBuffer - requested);
    requested += request;
    return request;
  }
}
