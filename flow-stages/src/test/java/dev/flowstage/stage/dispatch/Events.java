package dev.flowstage.stage.dispatch;

import java.util.ArrayList;
import java.util.List;

/** Event lists for dispatcher tests. */
final class Events {
  private Events() {}

  /** Returns the integers {@code from} (inclusive) to {@code to} (exclusive) as a list. */
  static List<Integer> range(int from, int to) {
    List<Integer> events = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      events.add(i);
    }
    return events;
  }

  /** Copies a list, so a test's expectation is not a view of what the dispatcher returned. */
  static List<Object> copy(List<?> events) {
    return List.copyOf(events);
  }
}
