package dev.flowstage.flow;

/** Where a flow run is: still running, or how it ended. */
public enum FlowState {
  /** Stages are still running. */
  RUNNING,
  /** Every event went through and every stage finished normally. */
  COMPLETED,
  /** A stage (or the consumer of the result) failed; the flow was stopped. */
  FAILED,
  /** The flow was cancelled before it finished. */
  CANCELLED
}
