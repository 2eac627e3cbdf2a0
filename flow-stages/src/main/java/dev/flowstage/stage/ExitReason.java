package dev.flowstage.stage;

import java.util.Objects;

/**
 * Why a stage ended, or why a subscription was cancelled. GenStage: the exit/cancel reason term.
 *
 * <p>A closed set: {@link Normal} (finished its work, e.g. a finite producer that is done), {@link
 * Shutdown} (asked to stop, e.g. by {@link StageSystem#close()}), and {@link Failure} (a callback
 * threw, or something went wrong). Cancel modes act on it: {@link CancelMode#TRANSIENT} consumers
 * stop only on a {@link Failure}.
 */
public sealed interface ExitReason {

  /**
   * Returns the reason for a stage that finished its work.
   *
   * @return the normal reason
   */
  static ExitReason normal() {
    return Normal.INSTANCE;
  }

  /**
   * Returns the reason for a stage asked to stop.
   *
   * @return the shutdown reason, without detail
   */
  static ExitReason shutdown() {
    return Shutdown.PLAIN;
  }

  /**
   * Returns a shutdown reason with a detail. GenStage: {@code {:shutdown, term}}.
   *
   * @param detail why the stage was stopped
   * @return the shutdown reason
   */
  static ExitReason shutdown(String detail) {
    return new Shutdown(detail);
  }

  /**
   * Returns the reason for a stage that failed.
   *
   * @param cause what failed
   * @return the failure reason
   */
  static ExitReason failure(Throwable cause) {
    return new Failure(cause);
  }

  /**
   * Returns whether this reason is abnormal, that is a {@link Failure}: transient subscriptions
   * stop their consumer only on such a reason.
   *
   * @return true for a failure
   */
  default boolean isAbnormal() {
    return this instanceof Failure;
  }

  /** The stage finished its work. GenStage: {@code :normal}. */
  record Normal() implements ExitReason {
    static final Normal INSTANCE = new Normal();
  }

  /**
   * The stage was asked to stop. GenStage: {@code :shutdown} or {@code {:shutdown, detail}}.
   *
   * @param detail why, or the empty string
   */
  record Shutdown(String detail) implements ExitReason {
    static final Shutdown PLAIN = new Shutdown("");

    /** Checks the detail is not null. */
    public Shutdown {
      Objects.requireNonNull(detail, "detail");
    }
  }

  /**
   * The stage failed; {@code cause} is the exception that ended it.
   *
   * @param cause the exception
   */
  record Failure(Throwable cause) implements ExitReason {
    /** Checks the cause is not null. */
    public Failure {
      Objects.requireNonNull(cause, "cause");
    }
  }
}
