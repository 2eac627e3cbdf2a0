package dev.flowstage.flow.logic;

import java.io.Serializable;

/**
 * What a windowed layer sends a departition (Elixir's departition per window): each event it emits
 * tagged with its window, and a mark when a stage has closed a window. The departition stage
 * ({@link DepartitionLogic}) merges a window's events once every upstream stage has closed it.
 */
public final class Panes {
  private Panes() {}

  /**
   * An event emitted for a window.
   *
   * @param window the window's id (as {@code Trigger.windowId()} reports it)
   * @param event the event
   */
  public record Event(long window, Object event) implements Serializable {}

  /**
   * A stage has fired its final trigger for a window: it sends nothing more for it.
   *
   * @param window the window's id
   * @param stage the upstream stage's index
   * @param stages how many stages the upstream layer has
   */
  public record Done(long window, int stage, int stages) implements Serializable {}

  /**
   * A stage's fixed-window watermark passed a window: it sends nothing more for it or any older
   * window, though it may have had no pane of it (so no {@link Done} for it is coming). Lets a
   * departition complete a window that a stage never saw without waiting for the stage to end.
   *
   * @param window the latest window the stage has closed or skipped
   * @param stage the upstream stage's index
   */
  public record Watermark(long window, int stage) implements Serializable {}

  /** Where a tagging {@link Windows} reports the window being worked on and closed windows. */
  static final class Tags {
    private final Sink out;
    private final int stage;
    private final int stages;
    long window;

    Tags(Sink out, int stage, int stages) {
      this.out = out;
      this.stage = stage;
      this.stages = stages;
    }

    /** The end of the layer's chain: tags each event with the current window. */
    Sink events() {
      return e -> out.accept(new Event(window, e));
    }

    void done(long id) {
      out.accept(new Done(id, stage, stages));
    }

    void watermark(long id) {
      out.accept(new Watermark(id, stage));
    }
  }
}
