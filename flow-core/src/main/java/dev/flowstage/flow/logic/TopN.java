package dev.flowstage.flow.logic;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@code n} smallest values seen, by a comparator: the state of {@code takeSort}. A max-heap of
 * at most {@code n} values, so adding costs {@code O(log n)} and memory stays {@code n}. Null
 * values are kept like any other (events may be null), ordered by the comparator.
 */
public final class TopN {
  private final int n;
  private final Comparator<Object> comparator;
  private final PriorityQueue<Object> heap;

  /**
   * Creates an empty top-n.
   *
   * @param n how many to keep
   * @param comparator smallest first
   */
  public TopN(int n, Comparator<Object> comparator) {
    this.n = n;
    this.comparator = comparator;
    this.heap = new PriorityQueue<>(Math.min(n, 1024) + 1, new Largest(comparator));
  }

  /**
   * Offers a value.
   *
   * @param value the value, possibly null
   */
  public void add(Object value) {
    if (heap.size() < n) {
      heap.add(NullEvent.wrap(value));
    } else if (comparator.compare(value, NullEvent.unwrap(heap.peek())) < 0) {
      heap.poll();
      heap.add(NullEvent.wrap(value));
    }
  }

  /**
   * Offers every value of a list.
   *
   * @param values the values
   * @return this
   */
  public TopN addAll(List<?> values) {
    for (Object v : values) {
      add(v);
    }
    return this;
  }

  /**
   * Returns the kept values, smallest first.
   *
   * @return a new sorted list
   */
  public List<Object> sorted() {
    List<Object> out = new ArrayList<>(heap.size());
    for (Object v : heap) {
      out.add(NullEvent.unwrap(v));
    }
    out.sort(comparator);
    return out;
  }

  /** The heap's order: largest first, by the user's comparator on the values (nulls included). */
  private record Largest(Comparator<Object> comparator)
      implements Comparator<Object>, Serializable {
    @Override
    public int compare(Object a, Object b) {
      return comparator.compare(NullEvent.unwrap(b), NullEvent.unwrap(a));
    }
  }
}
