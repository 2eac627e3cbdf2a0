package dev.flowstage.stage.testing;

import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Outbox;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The runtime's producer side around a dispatcher, as a model for property tests without threads:
 * demand a dispatcher returns, or asks for through {@link Outbox#askUpstream}, is served from the
 * buffer first (oldest event first, what the dispatcher cannot send goes back to the head) and the
 * rest is owed by the producer; events the producer emits are dispatched and what the dispatcher
 * cannot send waits behind the buffer. Demand asked for inside a dispatch is served once that
 * dispatch returned, never re-entrantly. Flowstage's dispatcher property suites drive their
 * dispatchers through it ({@code DispatcherProperties}, {@code
 * BoundedPartitionDispatcherProperties} in flow-core).
 *
 * @param <E> the event type
 */
public final class ProducerModel<E> {
  private final UnaryOperator<List<E>> dispatch;
  private final ArrayDeque<E> buffer = new ArrayDeque<>();
  private final ArrayDeque<Long> deferred = new ArrayDeque<>();
  private long owed;

  /**
   * A producer with an empty buffer that owes nothing.
   *
   * @param dispatch hands events to the dispatcher and returns its leftovers (the suite's checks
   *     around {@link Dispatcher#dispatch} go here)
   */
  public ProducerModel(UnaryOperator<List<E>> dispatch) {
    this.dispatch = dispatch;
  }

  /**
   * Serves demand from the buffer first and adds the rest to what the producer owes, then serves
   * the demand asked for meanwhile.
   *
   * @param n the demand, at least 0
   * @throws IllegalArgumentException if {@code n} is negative
   */
  public void demand(long n) {
    if (n < 0) {
      throw new IllegalArgumentException("demand must be at least 0, got " + n);
    }
    long fromBuffer = Math.min(n, buffer.size());
    if (fromBuffer > 0) {
      List<E> events = new ArrayList<>();
      for (long i = 0; i < fromBuffer; i++) {
        events.add(buffer.pollFirst());
      }
      List<E> leftover = dispatch.apply(events);
      for (int i = leftover.size() - 1; i >= 0; i--) {
        buffer.addFirst(leftover.get(i));
      }
    }
    owed += n - fromBuffer;
    serveAsked();
  }

  /**
   * Records demand the dispatcher asked for during a dispatch ({@link Outbox#askUpstream}); it is
   * served once the dispatch returned.
   *
   * @param n the demand
   */
  public void askUpstream(long n) {
    deferred.addLast(n);
  }

  /**
   * Dispatches events the producer emits (owed or not: {@link #emitted} says how many it owed),
   * buffers the leftovers behind the buffer and serves the demand asked for meanwhile.
   *
   * @param events the new events, in order
   * @return the leftovers, now at the buffer's tail
   */
  public List<E> emit(List<E> events) {
    List<E> leftover = dispatch.apply(events);
    buffer.addAll(leftover);
    serveAsked();
    return leftover;
  }

  /**
   * Records that the producer emitted {@code k} events: they meet what it owes, as far as it owes.
   *
   * @param k the number of events emitted
   */
  public void emitted(long k) {
    owed -= Math.min(k, owed);
  }

  /**
   * Returns the demand the producer owes: asked for and not emitted yet.
   *
   * @return the demand owed
   */
  public long owed() {
    return owed;
  }

  /**
   * Returns how many events the buffer holds.
   *
   * @return the buffered events
   */
  public int buffered() {
    return buffer.size();
  }

  private void serveAsked() {
    while (!deferred.isEmpty()) {
      demand(deferred.pollFirst());
    }
  }
}
