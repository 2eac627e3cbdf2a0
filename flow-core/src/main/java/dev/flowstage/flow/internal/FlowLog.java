package dev.flowstage.flow.internal;

/**
 * The flow layer's logger ({@code dev.flowstage.flow}), made on first use, as the stage runtime's
 * is: {@link System#getLogger} starts the JDK's logging backend, which a flow that logs nothing
 * should not pay when it starts.
 */
final class FlowLog {
  private FlowLog() {}

  /** {@return the flow layer's logger} */
  static System.Logger get() {
    return Holder.LOG;
  }

  /** Initialized by the JVM on the first {@link #get}, once. */
  private static final class Holder {
    static final System.Logger LOG = System.getLogger("dev.flowstage.flow");
  }
}
