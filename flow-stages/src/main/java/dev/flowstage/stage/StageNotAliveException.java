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
}
