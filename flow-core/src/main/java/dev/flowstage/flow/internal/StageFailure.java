package dev.flowstage.flow.internal;

import java.io.Serial;

/**
 * Marks where a failure started: a flow stage wraps what its user functions throw in this, so the
 * same exit reason cascading through downstream stages still names the stage that failed first.
 */
final class StageFailure extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  private final String stage;

  StageFailure(String stage, Throwable cause) {
    super("stage " + stage + " failed: " + cause, cause, false, false);
    this.stage = stage;
  }

  String stage() {
    return stage;
  }
}
