package dev.flowstage.stage;

/**
 * What a stage is, fixed when it is started: which of {@link StageSystem}'s {@code start*} methods
 * started it, and so whether it emits events, subscribes to other stages, or both. GenStage: the
 * {@code :producer}, {@code :producer_consumer} and {@code :consumer} types that {@code init}
 * returns. Lets code that is handed a {@link Stage} (a library wiring stages together) reject one
 * of the wrong kind before using it, rather than have a subscription refused later.
 */
public enum StageKind {
  /**
   * Emits events and subscribes to nothing ({@link StageSystem#startProducer}): others subscribe to
   * it.
   */
  PRODUCER,
  /**
   * Subscribes to producers and emits what it makes of their events ({@link
   * StageSystem#startProducerConsumer}): both sides.
   */
  PRODUCER_CONSUMER,
  /**
   * Subscribes to producers and emits nothing ({@link StageSystem#startConsumer}, and the stage of
   * a {@link dev.flowstage.stage.supervisor.ConsumerSupervisor}): nothing can subscribe to it.
   */
  CONSUMER;

  /**
   * Returns whether a stage of this kind emits events, that is whether other stages can subscribe
   * to it: {@link #PRODUCER} and {@link #PRODUCER_CONSUMER}.
   *
   * @return true if it can be subscribed to
   */
  public boolean emits() {
    return this != CONSUMER;
  }

  /**
   * Returns whether a stage of this kind can subscribe to producers ({@link Stage#subscribeTo}):
   * {@link #CONSUMER} and {@link #PRODUCER_CONSUMER}.
   *
   * @return true if it can subscribe
   */
  public boolean subscribes() {
    return this != PRODUCER;
  }
}
