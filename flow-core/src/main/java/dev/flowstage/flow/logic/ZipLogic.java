package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableBiFunction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The zip stage: pairs the i-th event of the left input with the i-th of the right, then runs the
 * fused operations that follow the zip. Both inputs are ordered (one stage each, see {@code
 * Flow.zip}), so position is well defined. Unpaired events left when one side ends are dropped.
 *
 * <p>Runs on the stage's thread only.
 */
public final class ZipLogic implements StageLogic {
  private final int[] sideOfInput;
  private final SerializableBiFunction<Object, Object, Object> combiner;
  private final StageLogic after;
  private final ArrayDeque<Object> left = new ArrayDeque<>();
  private final ArrayDeque<Object> right = new ArrayDeque<>();

  /**
   * Creates the logic of a zip stage.
   *
   * @param sideOfInput the side (0 left, 1 right) of each upstream stage, by input index
   * @param combiner makes the output event of a pair
   * @param after the logic of the operations that follow the zip (one input)
   */
  public ZipLogic(
      int[] sideOfInput,
      SerializableBiFunction<Object, Object, Object> combiner,
      StageLogic after) {
    this.sideOfInput = sideOfInput.clone();
    this.combiner = combiner;
    this.after = after;
  }

  /**
   * Returns the side (0 left, 1 right) of each upstream stage, by input index.
   *
   * @return the sides (do not modify)
   */
  public int[] sides() {
    return sideOfInput;
  }

  /**
   * Returns how many events wait for a partner on one side.
   *
   * @param side 0 left, 1 right
   * @return the count
   */
  public int waiting(int side) {
    return side == 0 ? left.size() : right.size();
  }

  @Override
  public void events(List<?> batch, int input, List<Object> out) {
    ArrayDeque<Object> side = sideOfInput[input] == 0 ? left : right;
    for (Object e : batch) {
      side.add(NullEvent.wrap(e));
    }
    List<Object> pairs = new ArrayList<>();
    while (!left.isEmpty() && !right.isEmpty()) {
      pairs.add(combiner.apply(NullEvent.unwrap(left.poll()), NullEvent.unwrap(right.poll())));
    }
    if (!pairs.isEmpty()) {
      after.events(pairs, 0, out);
    }
  }

  @Override
  public void finish(List<Object> out) {
    left.clear();
    right.clear();
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
    return after.lateEvents();
  }
}
