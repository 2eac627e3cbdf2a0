package dev.flowstage.stage.supervisor;

/**
 * When a {@link ConsumerSupervisor} restarts a child that ended. GenStage: the child spec's {@code
 * :restart}. Default: {@link #TEMPORARY}.
 */
public enum Restart {
  /**
   * Always restarted. Not supported by {@link ConsumerSupervisor}: a child per event must be
   * allowed to finish, so the builder rejects it.
   */
  PERMANENT,
  /**
   * Restarted (with the same event) only if it failed, that is threw an exception other than {@link
   * InterruptedException}; restarts count against the supervisor's restart intensity.
   */
  TRANSIENT,
  /** Never restarted; a failure is logged. */
  TEMPORARY
}
