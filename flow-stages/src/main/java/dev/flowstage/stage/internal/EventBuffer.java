package dev.flowstage.stage.internal;

import dev.flowstage.stage.BufferKeep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A producer's buffer: events that could not be dispatched, plus ordered info messages queued
 * between them. GenStage: {@code GenStage.Buffer}. Single-threaded (the producer's thread only);
 * testable without threads.
 *
 * @param <E> the event type
 */
public final class EventBuffer<E> {
  /*
   * Events sit in one ArrayDeque; infos are kept apart with the absolute position of the event
   * stream at which they were queued (`head` is the absolute index of the first buffered event).
   * An info is due once `head` reaches its position, whether its events were taken or dropped by
   * an overflow (GenStage delivers infos "behind" dropped events at once). This keeps the per-event
   * path free of wrapper objects. Invariant: every queued info has position > head, because an info
   * is only queued while events are buffered.
   */
  private record PendingInfo(long position, Object message) {}

  private final long capacity;
  private final BufferKeep keep;
  private final ArrayDeque<E> events = new ArrayDeque<>();
  private final ArrayDeque<PendingInfo> infos = new ArrayDeque<>();
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
    return events.size();
  }

  /**
   * Returns whether no event is buffered (then no info is either).
   *
   * @return true if empty
   */
  public boolean isEmpty() {
    return events.isEmpty();
  }

  /**
   * Stores events at the tail, dropping per the keep policy on overflow.
   *
   * @param batch the events to store, in order
   * @param dueInfos receives, in order, infos that became due because the events before them were
   *     dropped
   * @return the number of events discarded
   */
  public long store(List<? extends E> batch, List<Object> dueInfos) {
    long discarded = 0;
    if (keep == BufferKeep.FIRST) {
      long room = capacity - events.size();
      int n = batch.size();
      int accepted = (int) Math.min(room, n);
      for (int i = 0; i < accepted; i++) {
        events.addLast(batch.get(i));
      }
      return n - accepted;
    }
    for (E e : batch) {
      events.addLast(e);
    }
    while (events.size() > capacity) {
      events.pollFirst();
      head++;
      discarded++;
    }
    releaseDue(dueInfos);
    return discarded;
  }

  /**
   * Queues an info behind every buffered event.
   *
   * @param message the info
   * @return false if the buffer holds no events: the caller delivers the info now instead
   */
  public boolean storeInfo(Object message) {
    if (events.isEmpty()) {
      return false;
    }
    infos.addLast(new PendingInfo(head + events.size(), message));
    return true;
  }

  /**
   * Takes up to {@code n} events from the head, stopping at the next queued info.
   *
   * @param n the most events to take, at least 0
   * @param dueInfos receives, in order, the infos that became due after the taken events
   * @return the taken events, in order (possibly empty)
   */
  public List<E> take(long n, List<Object> dueInfos) {
    long limit = events.size();
    PendingInfo next = infos.peekFirst();
    if (next != null) {
      limit = Math.min(limit, next.position() - head);
    }
    int k = (int) Math.min(limit, n);
    List<E> out = new ArrayList<>(k);
    for (int i = 0; i < k; i++) {
      out.add(events.pollFirst());
    }
    head += k;
    releaseDue(dueInfos);
    return out;
  }

  private void releaseDue(List<Object> dueInfos) {
    while (!infos.isEmpty() && infos.peekFirst().position() <= head) {
      dueInfos.add(infos.pollFirst().message());
    }
  }
}
