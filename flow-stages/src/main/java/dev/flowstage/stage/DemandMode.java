package dev.flowstage.stage;

/**
 * How a producer treats demand from its consumers. GenStage: the {@code :demand} option. Default:
 * {@link #FORWARD}.
 */
public enum DemandMode {
  /** Demand is passed to the producer's {@code handleDemand} as it arrives. */
  FORWARD,
  /**
   * Demand (and events emitted meanwhile) are held until the mode is switched back to {@link
   * #FORWARD}, for example until every consumer has subscribed.
   */
  ACCUMULATE
}
