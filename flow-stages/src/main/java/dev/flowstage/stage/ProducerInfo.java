package dev.flowstage.stage;

/**
 * The info message a consumer receives in {@code handleInfo} when one of its producers delivers an
 * ordered info ({@link Stage#syncInfo}, {@link Stage#asyncInfo}, {@link
 * ProducerContext#asyncInfo}): it arrives after every event the producer sent on that subscription
 * before the info, never before.
 *
 * <p>GenStage delivers such infos only to the producer's own {@code handle_info}; Flowstage does
 * that too, and also tells each consumer subscribed at delivery time, so consumers can observe the
 * position of the info in the event stream (for example an end-of-batch marker).
 *
 * @param from the subscription the info arrived on
 * @param message the info message
 */
public record ProducerInfo(Subscription from, Object message) {}
