package dev.flowstage.flow.plan;

import dev.flowstage.stage.Producer;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A producer a run starts and owns, made afresh for each run: an element of {@link
 * Plan.Source.Enumerables} ({@code Flow.fromProducers}, Elixir's {@code from_specs}). Not
 * serializable: a distributed backend rejects it.
 *
 * @param factory makes the run's producer
 */
public record ProducerFactory(Supplier<? extends Producer<?>> factory) {
  /** Checks the factory. */
  public ProducerFactory {
    Objects.requireNonNull(factory, "factory");
  }
}
