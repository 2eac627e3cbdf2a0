package dev.flowstage.stage;

/**
 * One subscription of a consumer to a producer. GenStage: the {@code {pid, subscription_tag}} pair.
 *
 * <p>Identity is the subscription itself: two subscriptions are equal only if they are the same
 * object, so a consumer that subscribes twice to one producer holds two distinct subscriptions.
 * Dispatchers use it as the key of their per-consumer state.
 */
public interface Subscription {
  /**
   * Returns the options this subscription was made with.
   *
   * @return the subscription's options
   */
  SubscriptionOptions options();
}
