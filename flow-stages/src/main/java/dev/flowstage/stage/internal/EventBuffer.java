package dev.flowstage.stage.internal;

import dev.flowstage.stage.BufferKeep;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;

/**
 * A producer's buffer: events that could not be dispatched, plus ordered info messages queued
 * between them. GenStage: {@code GenStage.Buffer}. Single-threaded (the producer's thread only);
 * testable without threads.
 *
 * @param <E> the event type
 */
public final class EventBuffer<E> {
  /*
   * Events sit in one ring of slots (a power-of-two Object[]: `first` is the slot of the oldest
   * event, `count` the number of events); infos are kept apart with the absolute position of the
   * event stream at which they were queued (`head` is the absolute index of the first buffered
   * event). An info is due once `head` reaches its position, whether its events were taken or
   * dropped by an overflow (GenStage delivers infos "behind" dropped events at once). This keeps the
   * per-event path free of wrapper objects. Invariant: every queued info has position > head,
   * because an info is only queued while events are buffered.
   *
   * Why a ring and not an ArrayDeque: take() copies a run of slots into an exactly sized array with
   * at most two System.arraycopy calls instead of one pollFirst and one ArrayList.add per event, and
   * an overflow drops events by moving `first` instead of polling them one by one. Taken and dropped
   * slots are cleared so the buffer never keeps events alive.
   *
   * A batch stored into an empty buffer is kept as it is (`held`, from `heldFrom`), not copied:
   * the runtime owns emitted lists (ProducerContext.emit), and take() then hands out sub-list views
   * of it, so events a producer-consumer emits beyond the demand (a flatMap's chunk is often
   * several times a partition's demand) are not copied into the ring and out again. Anything else
   * that changes the buffer while a batch is held first copies its rest into the ring. A held
   * batch keeps its taken events reachable until its last event is taken: at most one batch.
   */
  private record PendingInfo(long position, Object message) {}

  private static final Object[] NO_SLOTS = new Object[0];

  private final long capacity;
  private final BufferKeep keep;
  private final ArrayDeque<PendingInfo> infos = new ArrayDeque<>();
  private Object[] slots = NO_SLOTS;
  private List<? extends E> held;
  private int heldFrom;
  private int first;
  private int count;
  private long head;

  /**
   * Creates an empty buffer.
   *
   * @param capacity the most events kept, at least 0 ({@code Long.MAX_VALUE} for unbounded)
   * @param keep which events to keep on overflow
   */
  public EventBuffer(long capacity, BufferKeep keep) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got: " + capacity);
    }
    this.capacity = capacity;
    this.keep = keep;
  }

  /**
   * Returns the number of buffered events (infos not counted).
   *
   * @return the event count
   */
  public long size() {
    return count;
  }

  /**
   * Returns whether no event is buffered (then no info is either).
   *
   * @return true if empty
   */
  public boolean isEmpty() {
    return count == 0;
  }

  /**
   * Stores events at the tail, dropping per the keep policy on overflow.
   *
   * @param batch the events to store, in order; not modified afterwards (into an empty buffer it is
   *     kept as it is, and taken events are views of it)
   * @param dueInfos receives, in order, infos that became due because the events before them were
   *     dropped
   * @return the number of events discarded
   */
  public long store(List<? extends E> batch, List<Object> dueInfos) {
    int n = batch.size();
    if (count == 0 && n > 0 && n <= capacity && batch instanceof RandomAccess) {
      held = batch; // kept, not copied: see the design note
      heldFrom = 0;
      count = n;
      return 0;
    }
    unhold();
    if (keep == BufferKeep.FIRST) {
      int accepted = (int) Math.min(capacity - count, n);
      append(batch, 0, accepted);
      return n - accepted;
    }
    // LAST: of the buffered events followed by the batch, keep the newest `capacity`.
    long excess = Math.max(0, (long) count + n - capacity);
    if (excess == 0) {
      append(batch, 0, n);
      return 0;
    }
    long fromBuffer = Math.min(excess, count);
    dropOldest((int) fromBuffer);
    int skip = (int) (excess - fromBuffer); // the batch's own oldest events, never stored
    append(batch, skip, n);
    head += excess;
    releaseDue(dueInfos);
    return excess;
  }

  /**
   * Queues an info behind every buffered event.
   *
   * @param message the info
   * @return false if the buffer holds no events: the caller delivers the info now instead
   */
  public boolean storeInfo(Object message) {
    if (count == 0) {
      return false;
    }
    infos.addLast(new PendingInfo(head + count, message));
    return true;
  }

  /**
   * Takes up to {@code n} events from the head, stopping at the next queued info.
   *
   * @param n the most events to take, at least 0
   * @param dueInfos receives, in order, the infos that became due after the taken events
   * @return the taken events, in order (possibly empty)
   */
  @SuppressWarnings("unchecked")
  public List<E> take(long n, List<Object> dueInfos) {
    long limit = count;
    PendingInfo next = infos.peekFirst();
    if (next != null) {
      limit = Math.min(limit, next.position() - head);
    }
    int k = (int) Math.min(limit, n);
    if (k <= 0) {
      releaseDue(dueInfos);
      return List.of();
    }
    if (held != null) {
      List<E> view = (List<E>) held.subList(heldFrom, heldFrom + k);
      heldFrom += k;
      count -= k;
      if (count == 0) {
        held = null;
      }
      head += k;
      releaseDue(dueInfos);
      return view;
    }
    Object[] out = new Object[k];
    int firstRun = Math.min(k, slots.length - first);
    System.arraycopy(slots, first, out, 0, firstRun);
    System.arraycopy(slots, 0, out, firstRun, k - firstRun);
    dropOldest(k);
    head += k;
    releaseDue(dueInfos);
    // A fixed-size view of the exactly sized copy: the runtime hands it on without copying again.
    return (List<E>) Arrays.asList(out);
  }

  /**
   * Puts back the unsent end of the events the last {@link #take} returned, with the infos that
   * take released, as if only the sent part had been taken: the events go back to the head in
   * order, and the infos (a take never crosses one, so each was due right after its last event)
   * wait behind them again. Without this, a dispatcher's leftovers stored at the tail would fall
   * behind the infos the take released, and an info such as the end of the stream could overtake
   * them.
   *
   * @param unsent the end of the last taken batch that the dispatcher did not send, in order
   * @param dueInfos the infos the take released and that were not delivered; emptied
   */
  public void putBack(List<? extends E> unsent, List<Object> dueInfos) {
    int k = unsent.size();
    long end = head; // where the last take ended: the released infos were due here
    for (int i = dueInfos.size() - 1; i >= 0; i--) {
      infos.addFirst(new PendingInfo(end, dueInfos.get(i)));
    }
    dueInfos.clear();
    if (k == 0) {
      return;
    }
    unhold();
    ensureRoom(k);
    Object[] s = slots;
    int mask = s.length - 1;
    first = (first - k) & mask;
    for (int i = 0; i < k; i++) {
      s[(first + i) & mask] = unsent.get(i);
    }
    count += k;
    head -= k;
  }

  /** Copies the rest of a held batch into the (then empty) ring. */
  private void unhold() {
    List<? extends E> h = held;
    if (h == null) {
      return;
    }
    held = null;
    int n = count;
    count = 0;
    first = 0;
    append(h, heldFrom, heldFrom + n);
  }

  /** Appends {@code batch[from, to)} at the tail, growing the ring as needed. */
  private void append(List<? extends E> batch, int from, int to) {
    int n = to - from;
    if (n <= 0) {
      return;
    }
    ensureRoom(n);
    Object[] s = slots;
    int mask = s.length - 1;
    int tail = (first + count) & mask;
    if (batch instanceof RandomAccess) {
      for (int i = from; i < to; i++) {
        s[tail] = batch.get(i);
        tail = (tail + 1) & mask;
      }
    } else {
      Iterator<? extends E> it = batch.listIterator(from);
      for (int i = from; i < to; i++) {
        s[tail] = it.next();
        tail = (tail + 1) & mask;
      }
    }
    count += n;
  }

  /** Removes the {@code k <= count} oldest events, clearing their slots. */
  private void dropOldest(int k) {
    if (k == 0) {
      return;
    }
    int firstRun = Math.min(k, slots.length - first);
    Arrays.fill(slots, first, first + firstRun, null);
    Arrays.fill(slots, 0, k - firstRun, null);
    first = (first + k) & (slots.length - 1);
    count -= k;
  }

  private void ensureRoom(int n) {
    int needed = count + n;
    if (needed < 0) {
      throw new IllegalStateException("a producer buffer cannot hold more than 2^30 events");
    }
    if (needed <= slots.length) {
      return;
    }
    int size = Math.max(16, Integer.highestOneBit(needed - 1) << 1);
    if (size <= 0 || size > (1 << 30)) {
      throw new IllegalStateException("a producer buffer cannot hold more than 2^30 events");
    }
    Object[] grown = new Object[size];
    int firstRun = Math.min(count, slots.length - first);
    System.arraycopy(slots, first, grown, 0, firstRun);
    System.arraycopy(slots, 0, grown, firstRun, count - firstRun);
    slots = grown;
    first = 0;
  }

  private void releaseDue(List<Object> dueInfos) {
    while (!infos.isEmpty() && infos.peekFirst().position() <= head) {
      dueInfos.add(infos.pollFirst().message());
    }
  }
}
