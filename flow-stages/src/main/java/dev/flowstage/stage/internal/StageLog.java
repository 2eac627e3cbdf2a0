package dev.flowstage.stage.internal;

/**
 * The stage runtime's logger ({@code dev.flowstage.stage}), made on first use. {@link
 * System#getLogger} starts the JDK's logging backend (about 25 ms of a new JVM's start), which a
 * program whose stages log nothing should not pay when it starts its first stage.
 */
public final class StageLog {
  private StageLog() {}

  /** {@return the stage runtime's logger} */
  public static System.Logger get() {
    return Holder.LOG;
  }

  /** Initialized by the JVM on the first {@link #get}, once. */
  private static final class Holder {
    static final System.Logger LOG = System.getLogger("dev.flowstage.stage");
  }
}
