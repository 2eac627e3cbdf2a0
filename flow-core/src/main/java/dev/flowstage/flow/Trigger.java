package dev.flowstage.flow;

/**
 * Why a pane of a window is being emitted: given to {@link Flow#onTrigger}. Flow (Elixir): the
 * {@code {partition, total}} and {@code {window_type, window_id, trigger_name}} arguments of {@code
 * on_trigger/3}.
 *
 * <p>Names are {@link #DONE} (the window is complete: its accumulator is discarded afterwards),
 * {@link #WATERMARK} (a fixed window passed its end but still accepts late events), {@link #EVERY},
 * {@link #PERIODICALLY}, or the name a user trigger function gave.
 *
 * @param name the trigger's name
 * @param window the kind of window the pane belongs to
 * @param windowId the window's id: 0 for the global window, the window's start in epoch
 *     milliseconds for fixed windows, 0, 1, 2... for count and periodic windows
 * @param partition the index of the stage (partition) emitting, from 0
 * @param partitions how many stages the layer has
 */
public record Trigger(
    String name, Window.Kind window, long windowId, int partition, int partitions) {
  /** The window is complete: the final trigger of every window, fired exactly once. */
  public static final String DONE = "done";

  /** A fixed window with allowed lateness passed its end; {@link #DONE} follows later. */
  public static final String WATERMARK = "watermark";

  /** Fired by {@link Window#triggerEvery(int)}. */
  public static final String EVERY = "every";

  /** Fired by {@link Window#triggerPeriodically(java.time.Duration)}. */
  public static final String PERIODICALLY = "periodically";

  /**
   * Returns whether this is the window's final trigger.
   *
   * @return {@code true} if the name is {@link #DONE}
   */
  public boolean isDone() {
    return DONE.equals(name);
  }
}
