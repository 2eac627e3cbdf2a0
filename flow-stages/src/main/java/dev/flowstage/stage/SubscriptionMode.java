package dev.flowstage.stage;

/**
 * How a consumer asks for events on a subscription, chosen by its {@code handleSubscribe}.
 * GenStage: the {@code {:automatic, state}} / {@code {:manual, state}} return. Default: {@link
 * #AUTOMATIC}.
 */
public enum SubscriptionMode {
  /**
   * The runtime asks {@code maxDemand} on subscribing and re-asks as events are consumed (see the
   * demand section of {@code docs/guides/stages.md}).
   */
  AUTOMATIC,
  /**
   * The runtime never asks; the stage calls {@link StageContext#ask} itself, and receives each
   * incoming batch whole.
   */
  MANUAL
}
