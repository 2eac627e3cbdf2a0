package dev.flowstage.flow;

/**
 * Which unmatched events a {@link Flow#boundedJoin} also emits, paired with {@code null}. Flow
 * (Elixir): {@code :inner}, {@code :left_outer}, {@code :right_outer}, {@code :full_outer}.
 */
public enum JoinMode {
  /** Only matched pairs. */
  INNER,
  /** Matched pairs, and every left event whose key never appeared on the right. */
  LEFT_OUTER,
  /** Matched pairs, and every right event whose key never appeared on the left. */
  RIGHT_OUTER,
  /** Matched pairs and the unmatched events of both sides. */
  FULL_OUTER
}
