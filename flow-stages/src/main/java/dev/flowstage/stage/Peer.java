package dev.flowstage.stage;

/**
 * Which side of a subscription a producer-consumer's callback is about. GenStage: the first
 * argument of {@code handle_subscribe} ({@code :producer} / {@code :consumer}).
 */
public enum Peer {
  /** The other side is a producer: this stage subscribed to it (upstream). */
  PRODUCER,
  /** The other side is a consumer: it subscribed to this stage (downstream). */
  CONSUMER
}
