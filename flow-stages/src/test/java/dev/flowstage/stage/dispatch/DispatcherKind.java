package dev.flowstage.stage.dispatch;

import dev.flowstage.stage.testing.TestSubscription;
import java.util.function.Supplier;

/** Every built-in dispatcher, for suites that run against all of them. */
enum DispatcherKind {
  DEMAND(Dispatchers::demand),
  BROADCAST(Dispatchers::broadcast),
  /** Four partitions; the contract's events all hash to partition 0. */
  PARTITION(() -> Dispatchers.partition(4, e -> 0)),
  /** Two events a turn: turns split batches and run out of demand mid-turn. */
  FAIR(() -> Dispatchers.fair(2));

  private final Supplier<Dispatcher<Integer>> factory;

  DispatcherKind(Supplier<Dispatcher<Integer>> factory) {
    this.factory = factory;
  }

  /** Returns a new dispatcher of this kind. */
  Dispatcher<Integer> create() {
    return factory.get();
  }

  /** Returns the factory, as a producer would receive it. */
  Supplier<Dispatcher<Integer>> factory() {
    return factory;
  }

  /** Returns a new subscription fit for this kind: the {@code i}th consumer (partition i). */
  TestSubscription subscription(String name, int i) {
    return this == PARTITION ? TestSubscription.toPartition(name, i) : TestSubscription.of(name);
  }
}
