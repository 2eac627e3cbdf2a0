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

  /**
   * Returns the identity of the consuming stage: every subscription of one consumer returns the
   * same object. The broadcast dispatcher uses it to reject a consumer that subscribes twice to one
   * producer (it would receive every event twice). The default treats each subscription as its own
   * consumer; the runtime overrides it.
   *
   * @return an object identifying the consumer, compared with {@code equals}
   */
  default Object consumer() {
    return this;
  }
}
