package dev.flowstage.stage;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * How a consumer subscribes to a producer. GenStage: the options of {@code sync_subscribe}.
 *
 * @param maxDemand the most events outstanding on this subscription (default 1000, at least 1)
 * @param minDemand when outstanding demand falls to this, the consumer asks again (default {@code
 *     maxDemand / 2}; {@code 0 <= minDemand < maxDemand})
 * @param cancel what the consumer does when this subscription ends (default {@link
 *     CancelMode#PERMANENT})
 * @param partition the partition to consume from a producer with a partition dispatcher, else
 *     {@code null}
 * @param selector for a broadcast dispatcher: only events it accepts are sent on this subscription;
 *     {@code null} accepts every event
 */
public record SubscriptionOptions(
    int maxDemand, int minDemand, CancelMode cancel, Object partition, Predicate<Object> selector) {

  /** The default {@code maxDemand}, as in GenStage. */
  public static final int DEFAULT_MAX_DEMAND = 1000;

  /** Validates the options; see the record's parameters for the rules. */
  public SubscriptionOptions {
    if (maxDemand < 1) {
      throw new IllegalArgumentException("maxDemand must be at least 1, got: " + maxDemand);
    }
    if (minDemand < 0 || minDemand >= maxDemand) {
      throw new IllegalArgumentException(
          "minDemand must be >= 0 and < maxDemand ("
              + maxDemand
              + "), got: "
              + minDemand
              + "; for example minDemand(maxDemand / 2)");
    }
    Objects.requireNonNull(cancel, "cancel");
  }

  /**
   * Returns the default options: maxDemand 1000, minDemand 500, permanent, no partition, no
   * selector.
   *
   * @return the default options
   */
  public static SubscriptionOptions defaults() {
    return builder().build();
  }

  /**
   * Starts a builder with the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a builder holding these options, to change some of them.
   *
   * @return a builder with these options
   */
  public Builder toBuilder() {
    Builder b = new Builder().maxDemand(maxDemand).minDemand(minDemand).cancel(cancel);
    b.partition = partition;
    b.selector = selector;
    return b;
  }

  /** Builds {@link SubscriptionOptions}; unset values take the defaults. */
  public static final class Builder {
    private int maxDemand = DEFAULT_MAX_DEMAND;
    private int minDemand;
    private boolean minDemandSet; // not a sentinel value: minDemand(-1) must be rejected
    private CancelMode cancel = CancelMode.PERMANENT;
    private Object partition;
    private Predicate<Object> selector;

    private Builder() {}

    /**
     * Sets the most events outstanding on the subscription.
     *
     * @param maxDemand at least 1
     * @return this builder
     */
    public Builder maxDemand(int maxDemand) {
      this.maxDemand = maxDemand;
      return this;
    }

    /**
     * Sets the re-ask threshold; unset means {@code maxDemand / 2}.
     *
     * @param minDemand {@code 0 <= minDemand < maxDemand}
     * @return this builder
     */
    public Builder minDemand(int minDemand) {
      this.minDemand = minDemand;
      this.minDemandSet = true;
      return this;
    }

    /**
     * Sets what the consumer does when the subscription ends.
     *
     * @param cancel the cancel mode
     * @return this builder
     */
    public Builder cancel(CancelMode cancel) {
      this.cancel = Objects.requireNonNull(cancel, "cancel");
      return this;
    }

    /**
     * Sets the partition to consume from a partition dispatcher.
     *
     * @param partition the partition's name (an {@code Integer} for numbered partitions)
     * @return this builder
     */
    public Builder partition(Object partition) {
      this.partition = Objects.requireNonNull(partition, "partition");
      return this;
    }

    /**
     * Sets the broadcast dispatcher's selector for this subscription.
     *
     * @param selector accepts the events this subscription wants
     * @return this builder
     */
    @SuppressWarnings("unchecked")
    public Builder selector(Predicate<?> selector) {
      this.selector = (Predicate<Object>) Objects.requireNonNull(selector, "selector");
      return this;
    }

    /**
     * Builds and validates the options.
     *
     * @return the options
     * @throws IllegalArgumentException if the demand bounds are invalid (a negative {@code
     *     minDemand} included)
     */
    public SubscriptionOptions build() {
      int min = minDemandSet ? minDemand : maxDemand / 2;
      return new SubscriptionOptions(maxDemand, min, cancel, partition, selector);
    }
  }
}
