package dev.flowstage.stage;

import java.io.Serial;

/**
 * Thrown when an operation needs a live stage and the stage has already exited (or the target is
 * not a stage). GenStage: {@code :noproc}.
 */
public final class StageNotAliveException extends StageException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message which stage and why
   */
  public StageNotAliveException(String message) {
    super(message);
  }

  /**
   * Creates the exception for a stage that exited with a failure.
   *
   * @param message which stage and why
   * @param cause the failure the stage exited with, so the original error is not lost
   */
  public StageNotAliveException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * The exception for an operation on a stage that exited with {@code reason}: its message names
   * the stage and the reason, and a failure's cause is its cause.
   *
   * @param message what could not be done, e.g. "stage s is not alive"
   * @param reason how the stage exited
   * @return the exception
   */
  public static StageNotAliveException of(String message, ExitReason reason) {
    String m = message + " (it exited: " + reason + ")";
    return reason instanceof ExitReason.Failure f
        ? new StageNotAliveException(m, f.cause())
        : new StageNotAliveException(m);
  }
}
