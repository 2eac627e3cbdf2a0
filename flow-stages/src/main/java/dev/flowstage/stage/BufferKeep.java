package dev.flowstage.stage;

/**
 * Which events a producer's buffer keeps when it overflows. GenStage: the {@code :buffer_keep}
 * option. Default: {@link #LAST}.
 */
public enum BufferKeep {
  /** Keep the oldest events; newly emitted ones are discarded. */
  FIRST,
  /** Keep the newest events; the oldest buffered ones are discarded. */
  LAST
}
