package dev.flowstage.flow.plan;

import dev.flowstage.stage.ProducerConsumer;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A producer-consumer a run starts and owns, made afresh for each run: an element of {@link
 * Plan.Source.Through#stages()} ({@code Flow.throughProducerConsumers}, Elixir's {@code
 * through_specs}). Not serializable: a distributed backend rejects it.
 *
 * @param factory makes the run's producer-consumer
 */
public record ProducerConsumerFactory(Supplier<? extends ProducerConsumer<?, ?>> factory) {
  /** Checks the factory. */
  public ProducerConsumerFactory {
    Objects.requireNonNull(factory, "factory");
  }
}
