package dev.flowstage.stage.dispatch;

import dev.flowstage.stage.testing.DispatcherContract;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.function.Supplier;
import org.junit.jupiter.api.Nested;

/** The dispatcher contract ({@link DispatcherContract}) over each built-in dispatcher. */
final class DispatcherContractTest {
  @Nested
  final class Demand extends DispatcherContract {
    @Override
    protected Supplier<Dispatcher<Object>> factory() {
      return Dispatchers::demand;
    }

    @Override
    protected TestSubscription subscription(String name) {
      return TestSubscription.of(name);
    }
  }

  @Nested
  final class Broadcast extends DispatcherContract {
    @Override
    protected Supplier<Dispatcher<Object>> factory() {
      return Dispatchers::broadcast;
    }

    @Override
    protected TestSubscription subscription(String name) {
      return TestSubscription.of(name);
    }
  }

  /** Four partitions; the contract's events all hash to partition 0. */
  @Nested
  final class Partition extends DispatcherContract {
    @Override
    protected Supplier<Dispatcher<Object>> factory() {
      return () -> Dispatchers.partition(4, e -> 0);
    }

    @Override
    protected TestSubscription subscription(String name) {
      return TestSubscription.toPartition(name, 0);
    }
  }

  @Nested
  final class Fair extends DispatcherContract {
    @Override
    protected Supplier<Dispatcher<Object>> factory() {
      return () -> Dispatchers.fair(2);
    }

    @Override
    protected TestSubscription subscription(String name) {
      return TestSubscription.of(name);
    }
  }
}
