package dev.flowstage.stage.internal;

import dev.flowstage.stage.StageStats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A stage's statistics. Written only by the stage's thread (plain read, opaque write: no fence on
 * x86), read from any thread with opaque reads, so a snapshot is cheap and never blocks the stage.
 */
final class Counters {
  static final int EVENTS_IN = 0;
  static final int EVENTS_OUT = 1;
  static final int ASKS_SENT = 2;
  static final int ASKS_RECEIVED = 3;
  static final int DEMAND_RECEIVED = 4;
  static final int BUFFER_HIGH = 5;
  static final int DISCARDED = 6;
  static final int BUSY_NANOS = 7;
  static final int MESSAGES = 8;
  static final int DROPPED = 9;
  private static final int SIZE = 10;

  private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

  private final long[] values = new long[SIZE];

  /** Adds to a counter; owner thread only. */
  void add(int index, long delta) {
    LONGS.setOpaque(values, index, values[index] + delta);
  }

  /** Sets a counter kept elsewhere (a dispatcher's); owner thread only. */
  void set(int index, long value) {
    if (value != values[index]) {
      LONGS.setOpaque(values, index, value);
    }
  }

  /** Raises a high-water mark; owner thread only. */
  void max(int index, long value) {
    if (value > values[index]) {
      LONGS.setOpaque(values, index, value);
    }
  }

  long get(int index) {
    return (long) LONGS.getOpaque(values, index);
  }

  StageStats snapshot(String name) {
    return new StageStats(
        name,
        get(EVENTS_IN),
        get(EVENTS_OUT),
        get(ASKS_SENT),
        get(ASKS_RECEIVED),
        get(DEMAND_RECEIVED),
        get(BUFFER_HIGH),
        get(DISCARDED),
        get(DROPPED),
        get(BUSY_NANOS),
        get(MESSAGES));
  }
}
