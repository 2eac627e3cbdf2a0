package dev.flowstage.flow.logic;

/**
 * Stands for a null event where a container refuses null: a {@code PriorityQueue} or {@code
 * ArrayDeque} in a stage's state, and, on flow-flink, Flink's collect iterator (which ends at a
 * null) and {@code fromData}. Events may be null, as elements of a Java stream may, and as {@code
 * nil} is an event like any other in Elixir.
 */
public enum NullEvent {
  /** The marker. */
  VALUE;

  /**
   * Returns what stands for an event in a container that refuses null.
   *
   * @param event the event, possibly null
   * @return the event, or {@link #VALUE} for null
   */
  public static Object wrap(Object event) {
    return event == null ? VALUE : event;
  }

  /**
   * Returns the event a held value stands for.
   *
   * @param held a value {@link #wrap} returned
   * @return the event: null for {@link #VALUE}
   */
  public static Object unwrap(Object held) {
    return held == VALUE ? null : held;
  }
}
