package dev.flowstage.flow.logic;

import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One stage of a join: keeps every event seen per window, key and side, joins each arriving event
 * with the other side's events of equal key in its window at once, and when a window closes emits
 * the unmatched events of the outer side(s) paired with {@code null} and forgets the window. Flow
 * (Elixir): {@code bounded_join/7} (the global window: it closes at the end of the input) and
 * {@code window_join/8} (fixed windows of event time, the window applied to each side's events).
 *
 * <p>A fixed window closes as a fixed window of a reduce does: when every input still running has
 * sent an event of a later window; an event of a window that has closed is dropped as late. Holding
 * more than {@code maxHeld} events fails the stage, so memory stays bounded.
 *
 * <p>Runs on one thread only.
 */
public final class JoinLogic implements StageLogic {
  private final JoinMode mode;
  private final int[] sideOfInput;
  private final SerializableFunction<Object, Object> leftKey;
  private final SerializableFunction<Object, Object> rightKey;
  private final SerializableBiFunction<Object, Object, Object> join;
  private final long maxHeld;
  private final Window.Fixed fixed;
  private final StageLogic after;
  private final TreeMap<Long, State> windows = new TreeMap<>();
  private final long[] latest;
  private final boolean[] finished;
  private long closedBelow = Long.MIN_VALUE;
  private long held;
  private long dropped;

  /** One window's events, per side and key. */
  private static final class State {
    // JDK maps: keys and values are objects (nothing to unbox), and each key already costs a list
    // and its held events, so HashMap's one node per key is small beside it.
    final Map<Object, List<Object>> lefts = new HashMap<>();
    final Map<Object, List<Object>> rights = new HashMap<>();
    long held;
  }

  /**
   * Creates the logic of one join stage over the global window (a bounded join).
   *
   * @param mode which unmatched events are also emitted
   * @param sideOfInput the side (0 left, 1 right) of each upstream stage, by input index
   * @param leftKey key of a left event
   * @param rightKey key of a right event
   * @param join combines a pair (one side {@code null} for outer rows)
   * @param maxHeld the most events this stage may hold
   * @param after the logic of the operations that follow the join (one input)
   */
  public JoinLogic(
      JoinMode mode,
      int[] sideOfInput,
      SerializableFunction<Object, Object> leftKey,
      SerializableFunction<Object, Object> rightKey,
      SerializableBiFunction<Object, Object, Object> join,
      long maxHeld,
      StageLogic after) {
    this(mode, sideOfInput, leftKey, rightKey, join, maxHeld, Window.global(), after);
  }

  /**
   * Creates the logic of one join stage joining per window.
   *
   * @param mode which unmatched events are also emitted
   * @param sideOfInput the side (0 left, 1 right) of each upstream stage, by input index
   * @param leftKey key of a left event
   * @param rightKey key of a right event
   * @param join combines a pair (one side {@code null} for outer rows)
   * @param maxHeld the most events this stage may hold
   * @param window the global window, or a fixed window applied to both sides' events
   * @param after the logic of the operations that follow the join (one input)
   * @throws IllegalArgumentException for another kind of window
   */
  public JoinLogic(
      JoinMode mode,
      int[] sideOfInput,
      SerializableFunction<Object, Object> leftKey,
      SerializableFunction<Object, Object> rightKey,
      SerializableBiFunction<Object, Object, Object> join,
      long maxHeld,
      Window window,
      StageLogic after) {
    this.mode = mode;
    this.sideOfInput = sideOfInput.clone();
    this.leftKey = leftKey;
    this.rightKey = rightKey;
    this.join = join;
    this.maxHeld = maxHeld;
    this.fixed =
        switch (window) {
          case Window.Global g -> null;
          case Window.Fixed f -> f;
          default -> throw new IllegalArgumentException("a join window is global or fixed");
        };
    this.after = after;
    this.latest = new long[Math.max(1, sideOfInput.length)];
    Arrays.fill(latest, Long.MIN_VALUE);
    this.finished = new boolean[latest.length];
  }

  /**
   * Returns how many events arrived for a window that had already closed, and were dropped.
   *
   * @return the count
   */
  public long dropped() {
    return dropped;
  }

  private long windowOf(Object e) {
    return fixed == null
        ? 0
        : Math.floorDiv(fixed.eventTimeMillis().applyAsLong(e), fixed.sizeMillis());
  }

  @Override
  public void events(List<?> batch, int input, List<Object> out) {
    List<Object> joined = new ArrayList<>();
    boolean isLeft = sideOfInput[input] == 0;
    for (Object e : batch) {
      long w = windowOf(e);
      State s = windows.get(w);
      if (s == null) {
        if (w < closedBelow) {
          dropped++; // late: its window has closed
          continue;
        }
        s = new State();
        windows.put(w, s);
      }
      latest[input] = Math.max(latest[input], w);
      Object key = (isLeft ? leftKey : rightKey).apply(e);
      List<Object> others = (isLeft ? s.rights : s.lefts).get(key);
      if (others != null) {
        for (Object o : others) {
          joined.add(isLeft ? join.apply(e, o) : join.apply(o, e));
        }
      }
      (isLeft ? s.lefts : s.rights).computeIfAbsent(key, k -> new ArrayList<>(2)).add(e);
      s.held++;
      if (++held > maxHeld) {
        throw new IllegalStateException(
            "join stage holds more than maxHeld = "
                + maxHeld
                + " events; raise maxHeld, add join stages, use smaller windows, or pre-aggregate"
                + " the sides");
      }
    }
    if (fixed != null) {
      advance(joined);
    }
    if (!joined.isEmpty()) {
      after.events(joined, 0, out);
    }
  }

  @Override
  public void inputDone(int input, List<Object> out) {
    if (input < finished.length) {
      finished[input] = true;
    }
    if (fixed != null) {
      List<Object> joined = new ArrayList<>();
      advance(joined);
      if (!joined.isEmpty()) {
        after.events(joined, 0, out);
      }
    }
  }

  /** Closes every window older than the oldest latest window of the inputs still running. */
  private void advance(List<Object> out) {
    long min = Long.MAX_VALUE;
    boolean running = false;
    for (int i = 0; i < latest.length; i++) {
      if (!finished[i]) {
        running = true;
        if (latest[i] == Long.MIN_VALUE) {
          return; // an input has not spoken yet: no window is complete
        }
        min = Math.min(min, latest[i]);
      }
    }
    if (!running) {
      return; // finish() closes the rest
    }
    while (!windows.isEmpty() && windows.firstKey() < min) {
      close(windows.pollFirstEntry().getValue(), out);
    }
    closedBelow = Math.max(closedBelow, min);
  }

  private void close(State s, List<Object> out) {
    if (mode == JoinMode.LEFT_OUTER || mode == JoinMode.FULL_OUTER) {
      s.lefts.forEach(
          (k, ls) -> {
            if (!s.rights.containsKey(k)) {
              ls.forEach(l -> out.add(join.apply(l, null)));
            }
          });
    }
    if (mode == JoinMode.RIGHT_OUTER || mode == JoinMode.FULL_OUTER) {
      s.rights.forEach(
          (k, rs) -> {
            if (!s.lefts.containsKey(k)) {
              rs.forEach(r -> out.add(join.apply(null, r)));
            }
          });
    }
    held -= s.held;
  }

  @Override
  public void finish(List<Object> out) {
    List<Object> joined = new ArrayList<>();
    while (!windows.isEmpty()) {
      close(windows.pollFirstEntry().getValue(), joined);
    }
    if (!joined.isEmpty()) {
      after.events(joined, 0, out);
    }
    after.finish(out);
  }

  @Override
  public void timer(long nowMillis, List<Object> out) {
    after.timer(nowMillis, out);
  }

  @Override
  public void trigger(String name, List<Object> out) {
    after.trigger(name, out);
  }

  @Override
  public long nextTimer() {
    return after.nextTimer();
  }

  @Override
  public long lateEvents() {
    return dropped + after.lateEvents(); // late to the join's windows, then to what follows
  }
}
