package dev.flowstage.stage;

/**
 * Hears about events a producer discarded: a full buffer (see {@link
 * ProducerOptions#bufferSize()}), events emitted while no consumer is subscribed with {@link
 * ProducerOptions#discardWhenNoConsumers()}, or events a partition dispatcher gave up for a
 * partition whose consumer cancelled. GenStage: the {@code format_discarded/2} callback.
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
   * @param reason why, e.g. "buffer full (bufferSize 10000, keep LAST)"
   * @return true to also log the runtime's own report; false if this listener reported it
   */
  boolean discarded(String producer, long count, String reason);
}
