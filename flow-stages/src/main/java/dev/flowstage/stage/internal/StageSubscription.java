package dev.flowstage.stage.internal;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runtime's subscription: both stages hold the same object. Fields marked "consumer thread" are
 * touched only by the consumer's stage thread, those marked "producer thread" only by the
 * producer's, so neither side needs locks.
 */
final class StageSubscription implements Subscription {
  private static final AtomicLong IDS = new AtomicLong();

  final long id = IDS.incrementAndGet();
  final StageCell<?> producer;
  final StageCell<?> consumer;
  private final SubscriptionOptions options;

  /** Completed by the producer when it accepts, exceptionally when it refuses or is gone. */
  final CompletableFuture<Subscription> accepted = new CompletableFuture<>();

  // consumer thread
  boolean consumerActive;
  SubscriptionMode mode = SubscriptionMode.AUTOMATIC;
  DemandCounter demand;

  // producer thread
  boolean producerActive;

  StageSubscription(StageCell<?> producer, StageCell<?> consumer, SubscriptionOptions options) {
    this.producer = producer;
    this.consumer = consumer;
    this.options = options;
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
    return "Subscription#" + id + "(" + producer.name() + " -> " + consumer.name() + ")";
  }
}
