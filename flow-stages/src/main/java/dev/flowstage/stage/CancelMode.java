package dev.flowstage.stage;

/**
 * What a consumer does when one of its subscriptions ends. GenStage: the {@code :cancel}
 * subscription option. Default: {@link #PERMANENT}.
 */
public enum CancelMode {
  /** The consumer stops whenever the subscription ends, whatever the reason. */
  PERMANENT,
  /** The consumer stops only if the subscription ended abnormally (not normal or shutdown). */
  TRANSIENT,
  /** The consumer never stops because the subscription ended. */
  TEMPORARY
}
