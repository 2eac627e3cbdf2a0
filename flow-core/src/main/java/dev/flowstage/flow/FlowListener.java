package dev.flowstage.flow;

import dev.flowstage.flow.internal.FlowObservation;

/**
 * Callbacks on every flow run in this JVM, for monitoring: the {@code flow-micrometer} module binds
 * meters with one. Register with {@link #register}; callbacks run on the flow's own threads, so
 * they must be quick and must not block. A callback that throws is logged (logger {@code
 * dev.flowstage.flow}) and never disturbs the flow.
 */
public interface FlowListener {
  /**
   * Called once a run's stages are all started and wired, before its sources are released.
   *
   * @param flow the run
   */
  default void flowStarted(FlowRunInfo flow) {}

  /**
   * Called once per failure of a stage of the run (a failure that cascades through later stages is
   * reported once, for the stage where it happened).
   *
   * @param flow the run
   * @param stage the failing stage's name, {@code g<group>.<index>}
   * @param cause what it threw
   */
  default void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {}

  /**
   * Called once when a run has ended and every one of its stage threads has exited; {@code
   * flow.statistics()} are then final and say how it ended.
   *
   * @param flow the run
   */
  default void flowEnded(FlowRunInfo flow) {}

  /**
   * Registers a listener for every flow run in this JVM: runs already running are announced to it
   * at once through {@link #flowStarted}, runs that start later when they start.
   *
   * @param listener the listener
   * @return a handle whose {@link Registration#close()} unregisters it
   */
  static Registration register(FlowListener listener) {
    return FlowObservation.register(listener);
  }

  /** A listener's registration; closing it unregisters the listener. Idempotent. */
  interface Registration extends AutoCloseable {
    /** Unregisters the listener. */
    @Override
    void close();
  }
}
