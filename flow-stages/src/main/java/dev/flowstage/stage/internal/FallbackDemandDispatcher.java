package dev.flowstage.stage.internal;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Outbox;
import java.util.ArrayList;
import java.util.List;

/**
 * A minimal demand dispatcher (most pending demand first) used by the runtime until the dispatch
 * package provides {@code Dispatchers.demand()}. GenStage: {@code DemandDispatcher}.
 */
final class FallbackDemandDispatcher<E> implements Dispatcher<E> {
  private static final class Entry {
    final Subscription sub;
    long demand;

    Entry(Subscription sub) {
      this.sub = sub;
    }
  }

  private final List<Entry> entries = new ArrayList<>();
  private long pending;

  private Entry find(Subscription s) {
    for (Entry e : entries) {
      if (e.sub == s) {
        return e;
      }
    }
    return null;
  }

  @Override
  public long subscribe(Subscription subscription, Outbox<E> out) {
    entries.add(new Entry(subscription));
    return 0;
  }

  @Override
  public long cancel(Subscription subscription, Outbox<E> out) {
    Entry e = find(subscription);
    if (e != null) {
      entries.remove(e);
      pending += e.demand;
    }
    return 0;
  }

  @Override
  public long ask(Subscription subscription, long demand, Outbox<E> out) {
    Entry e = find(subscription);
    if (e == null) {
      return 0;
    }
    e.demand += demand;
    long already = Math.min(pending, demand);
    pending -= already;
    return demand - already;
  }

  @Override
  public List<E> dispatch(List<E> events, Outbox<E> out) {
    int n = events.size();
    int off = 0;
    while (off < n) {
      Entry best = null;
      for (Entry e : entries) {
        if (e.demand > 0 && (best == null || e.demand > best.demand)) {
          best = e;
        }
      }
      if (best == null) {
        break;
      }
      int k = (int) Math.min(best.demand, n - off);
      out.send(best.sub, off == 0 && k == n ? events : events.subList(off, off + k));
      best.demand -= k;
      off += k;
    }
    List<E> left = off == 0 ? events : events.subList(off, n);
    pending = Math.max(pending - left.size(), 0);
    return left;
  }

  @Override
  public void info(Object message, Outbox<E> out) {
    out.info(message);
  }
}
