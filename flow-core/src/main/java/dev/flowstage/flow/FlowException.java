package dev.flowstage.flow;

import java.io.Serial;

/**
 * A flow failed while running: names the stage that failed and carries the cause. Thrown by every
 * terminal ({@code run()}, {@code toList()}, ...) after the whole flow has been cancelled.
 */
public final class FlowException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final String stage;

  /**
   * Creates an exception for a failure in the named stage.
   *
   * @param stage the name of the stage that failed
   * @param cause what it failed with
   */
  public FlowException(String stage, Throwable cause) {
    super("flow stage '" + stage + "' failed: " + cause, cause);
    this.stage = stage;
  }

  /**
   * Returns the name of the stage that failed.
   *
   * @return the failing stage's name
   */
  public String stage() {
    return stage;
  }
}
