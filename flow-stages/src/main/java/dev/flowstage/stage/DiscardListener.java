package dev.flowstage.stage;

/**
 * Hears about events a producer discarded: a full buffer (see {@link
 * ProducerOptions#bufferSize()}), events emitted while no consumer is subscribed with {@link
 * ProducerOptions#discardWhenNoConsumers()}, events a partition dispatcher gave up for a partition
 * whose consumer cancelled, or events the stage still held when it exited with {@link
 * ExitReason.Normal} (for example a producer-consumer stopped at once by a {@link
 * CancelMode#PERMANENT} subscription whose producer finished, with events its consumers had not
 * asked for; GenStage drops those without a word). Such an exit reports once for its buffer and
 * once, apart, for a producer-consumer's unhandled input (not after {@code done()}: the stage said
 * it had finished), each with a reason that says why it stopped and how to avoid the loss. A
 * shutdown or failure exit reports nothing. GenStage: the {@code format_discarded/2} callback.
 *
 * <p>Called on the producer's own thread, right after the discard; it must not block. Every discard
 * is also counted in {@link StageStats#discarded()}, whatever the listener returns.
 */
@FunctionalInterface
public interface DiscardListener {
  /**
   * The default: log every discard at {@code WARNING} on the {@code dev.flowstage.stage} logger.
   */
  DiscardListener LOG = (producer, count, reason) -> true;

  /**
   * Handles one discard.
   *
   * @param producer the producer's name
   * @param count how many events were discarded, at least 1
   * @param reason why, e.g. "buffer full (bufferSize 10000, keep LAST)" or "stopped (normal: its
   *     PERMANENT subscription to src ended normally) with events its consumers had not asked for;
   *     ..."
   * @return true to also log the runtime's own report; false if this listener reported it
   */
  boolean discarded(String producer, long count, String reason);
}
