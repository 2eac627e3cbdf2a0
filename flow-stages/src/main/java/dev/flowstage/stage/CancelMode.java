package dev.flowstage.stage;

/**
 * What a consumer does when one of its subscriptions ends. GenStage: the {@code :cancel}
 * subscription option. Default: {@link #PERMANENT}.
 */
public enum CancelMode {
  /**
   * The consumer stops whenever the subscription ends, whatever the reason, with that reason and at
   * once: a producer-consumer does not send what it still holds first. If the reason is {@link
   * ExitReason.Normal}, those events are counted in {@link StageStats#discarded()} and reported to
   * its {@link DiscardListener}; to deliver them, subscribe with {@link #TRANSIENT} and call {@code
   * done()} once its producers ended.
   */
  PERMANENT,
  /** The consumer stops only if the subscription ended abnormally (not normal or shutdown). */
  TRANSIENT,
  /** The consumer never stops because the subscription ended. */
  TEMPORARY
}
