package dev.flowstage.stage;

import java.io.Serial;

/**
 * Thrown when an operation on a stage cannot complete: the stage is not alive, a call timed out or
 * failed, a subscription was refused, or a stage's {@code init} failed.
 */
public class StageException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and, where possible, how to fix it
   */
  public StageException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what went wrong
   * @param cause the underlying exception
   */
  public StageException(String message, Throwable cause) {
    super(message, cause);
  }
}
