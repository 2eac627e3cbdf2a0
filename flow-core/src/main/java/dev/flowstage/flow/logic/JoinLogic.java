package dev.flowstage.flow.logic;

import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableFunction;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One stage of a bounded join: keeps every event seen per key and side, joins each arriving event
 * with the other side's events of equal key at once, and at the end emits the unmatched events of
 * the outer side(s) paired with {@code null}. Flow (Elixir): {@code bounded_join/7} over the global
 * window. Holding more than {@code maxHeld} events fails the stage, so memory stays bounded.
 *
 * <p>Runs on the stage's thread only.
 */
public final class JoinLogic implements StageLogic {
  private final JoinMode mode;
  private final int[] sideOfInput;
  private final SerializableFunction<Object, Object> leftKey;
  private final SerializableFunction<Object, Object> rightKey;
  private final SerializableBiFunction<Object, Object, Object> join;
  private final long maxHeld;
  private final StageLogic after;
  private final Map<Object, List<Object>> lefts = new Object2ObjectOpenHashMap<>();
  private final Map<Object, List<Object>> rights = new Object2ObjectOpenHashMap<>();
  private long held;

  /**
   * Creates the logic of one join stage.
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
    this.mode = mode;
    this.sideOfInput = sideOfInput.clone();
    this.leftKey = leftKey;
    this.rightKey = rightKey;
    this.join = join;
    this.maxHeld = maxHeld;
    this.after = after;
  }

  @Override
  public void events(List<?> batch, int input, List<Object> out) {
    List<Object> joined = new ArrayList<>();
    boolean isLeft = sideOfInput[input] == 0;
    for (Object e : batch) {
      Object key = (isLeft ? leftKey : rightKey).apply(e);
      List<Object> others = (isLeft ? rights : lefts).get(key);
      if (others != null) {
        for (Object o : others) {
          joined.add(isLeft ? join.apply(e, o) : join.apply(o, e));
        }
      }
      (isLeft ? lefts : rights).computeIfAbsent(key, k -> new ArrayList<>(2)).add(e);
      if (++held > maxHeld) {
        throw new IllegalStateException(
            "boundedJoin stage holds more than maxHeld = "
                + maxHeld
                + " events; raise maxHeld, add join stages, or pre-aggregate the sides");
      }
    }
    if (!joined.isEmpty()) {
      after.events(joined, 0, out);
    }
  }

  @Override
  public void finish(List<Object> out) {
    List<Object> joined = new ArrayList<>();
    if (mode == JoinMode.LEFT_OUTER || mode == JoinMode.FULL_OUTER) {
      lefts.forEach(
          (k, ls) -> {
            if (!rights.containsKey(k)) {
              ls.forEach(l -> joined.add(join.apply(l, null)));
            }
          });
    }
    if (mode == JoinMode.RIGHT_OUTER || mode == JoinMode.FULL_OUTER) {
      rights.forEach(
          (k, rs) -> {
            if (!lefts.containsKey(k)) {
              rs.forEach(r -> joined.add(join.apply(null, r)));
            }
          });
    }
    lefts.clear();
    rights.clear();
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
  public long nextTimer() {
    return after.nextTimer();
  }

  @Override
  public long lateEvents() {
    return after.lateEvents();
  }
}
