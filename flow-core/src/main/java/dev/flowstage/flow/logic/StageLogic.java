package dev.flowstage.flow.logic;

import java.util.List;

/**
 * What one flow stage computes, as a single-threaded state machine without threads or stages: the
 * stage adapter feeds it batches and end-of-input, and sends on what it appends to {@code out}.
 * Tests drive it directly.
 */
public interface StageLogic {
  /**
   * Handles a batch from one upstream stage.
   *
   * @param batch the events
   * @param input the index of the upstream stage it came from
   * @param out where emitted events are appended
   */
  void events(List<?> batch, int input, List<Object> out);

  /**
   * Notes that one upstream stage finished (its events have all arrived).
   *
   * @param input the upstream stage's index
   * @param out where emitted events are appended
   */
  default void inputDone(int input, List<Object> out) {}

  /**
   * Ends the input: fires every open window's final trigger.
   *
   * @param out where emitted events are appended
   */
  void finish(List<Object> out);

  /**
   * Fires the timers that are due.
   *
   * @param nowMillis the current processing time
   * @param out where emitted events are appended
   */
  default void timer(long nowMillis, List<Object> out) {}

  /**
   * Fires a trigger by name on every window currently open (Elixir's {@code {:trigger, name}}
   * message): each pane's {@code onTrigger} (or, for a reduce without one, its accumulator) is
   * emitted as for any other trigger, and the window goes on.
   *
   * @param name the trigger's name, as {@code Trigger.name()} reports it
   * @param out where emitted events are appended
   */
  default void trigger(String name, List<Object> out) {}

  /**
   * Returns when {@link #timer} should next be called.
   *
   * @return a processing time in ms, or {@link Long#MAX_VALUE} for never
   */
  default long nextTimer() {
    return Long.MAX_VALUE;
  }

  /**
   * Returns how many events this logic's windows have dropped so far as too late (their window had
   * already closed), for the flow's statistics.
   *
   * @return the count since the logic was built
   */
  default long lateEvents() {
    return 0;
  }
}
