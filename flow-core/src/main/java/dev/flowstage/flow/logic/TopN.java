package dev.flowstage.flow.logic;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The {@code n} smallest values seen, by a comparator: the state of {@code takeSort}. A max-heap of
 * at most {@code n} values, so adding costs {@code O(log n)} and memory stays {@code n}.
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
    this.heap = new PriorityQueue<>(Math.min(n, 1024) + 1, comparator.reversed());
  }

  /**
   * Offers a value.
   *
   * @param value the value
   */
  public void add(Object value) {
    if (heap.size() < n) {
      heap.add(value);
    } else if (comparator.compare(value, heap.peek()) < 0) {
      heap.poll();
      heap.add(value);
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
    List<Object> out = new ArrayList<>(heap);
    out.sort(comparator);
    return out;
  }
}
