package dev.flowstage.stage.testing;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.util.Objects;

/**
 * A {@link Subscription} for tests that drive a dispatcher without a running stage: a name for
 * readable failures, options, and an optional consumer identity.
 */
public final class TestSubscription implements Subscription {
  private final String name;
  private final SubscriptionOptions options;
  private final Object consumer;

  private TestSubscription(String name, SubscriptionOptions options, Object consumer) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
    this.consumer = consumer == null ? this : consumer;
  }

  /**
   * Returns a subscription with default options.
   *
   * @param name shown in failure messages
   * @return a new subscription, its own consumer
   */
  public static TestSubscription of(String name) {
    return new TestSubscription(name, SubscriptionOptions.defaults(), null);
  }

  /**
   * Returns a subscription with the given options.
   *
   * @param name shown in failure messages
   * @param options the subscription's options
   * @return a new subscription, its own consumer
   */
  public static TestSubscription of(String name, SubscriptionOptions options) {
    return new TestSubscription(name, options, null);
  }

  /**
   * Returns a subscription to a partition, with otherwise default options.
   *
   * @param name shown in failure messages
   * @param partition the partition's name
   * @return a new subscription, its own consumer
   */
  public static TestSubscription toPartition(String name, Object partition) {
    return new TestSubscription(
        name, SubscriptionOptions.builder().partition(partition).build(), null);
  }

  /**
   * Returns a subscription made by a given consumer (two subscriptions of one consumer share it).
   *
   * @param name shown in failure messages
   * @param consumer the consumer's identity
   * @return a new subscription
   */
  public static TestSubscription ofConsumer(String name, Object consumer) {
    return new TestSubscription(
        name, SubscriptionOptions.defaults(), Objects.requireNonNull(consumer, "consumer"));
  }

  @Override
  public SubscriptionOptions options() {
    return options;
  }

  @Override
  public Object consumer() {
    return consumer;
  }

  @Override
  public String toString() {
    return name;
  }
}
