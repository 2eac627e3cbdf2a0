package dev.flowstage.reactivestreams;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Options;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Publishers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;

/**
 * The {@code java.util.concurrent.Flow} adapters of flow-core and flow-stages for {@code
 * org.reactivestreams} types (Reactor's {@code Flux}, RxJava's {@code Flowable}, Pekko Streams,
 * Mutiny), through the Reactive Streams project's own {@link FlowAdapters}. Demand, cancellation
 * and errors map exactly as in the JDK-typed adapters they wrap; see docs/guides/interop.md.
 */
public final class ReactiveStreamsFlows {
  private ReactiveStreamsFlows() {}

  /**
   * Creates a flow fed by a Reactive Streams publisher; see {@link
   * Flow#fromPublisher(java.util.concurrent.Flow.Publisher, UnaryOperator)}.
   *
   * @param publisher the source, e.g. a {@code Flux}
   * @param options changes the default {@link Options}
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromPublisher(
      Publisher<? extends T> publisher, UnaryOperator<Options> options) {
    return Flow.fromPublisher(
        FlowAdapters.toFlowPublisher(Objects.requireNonNull(publisher, "publisher")), options);
  }

  /**
   * Creates a flow fed by a Reactive Streams publisher, with the default options.
   *
   * @param publisher the source
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromPublisher(Publisher<? extends T> publisher) {
    return fromPublisher(publisher, UnaryOperator.identity());
  }

  /**
   * Returns a flow as a Reactive Streams publisher (cold: each subscriber runs it); see {@link
   * Flow#toPublisher()}. Hand it to {@code Flux.from(...)}.
   *
   * @param flow the flow
   * @param <T> the event type
   * @return the publisher
   */
  public static <T> Publisher<T> toPublisher(Flow<T> flow) {
    return FlowAdapters.toPublisher(Objects.requireNonNull(flow, "flow").toPublisher());
  }

  /**
   * A producer stage fed by a Reactive Streams publisher; see {@link
   * Producers#fromPublisher(java.util.concurrent.Flow.Publisher, Producers.OnCancel)}.
   *
   * @param publisher the source
   * @param onCancel what to do when the last consumer cancels
   * @param <E> the event type
   * @return the producer, to start with {@link StageSystem#startProducer}
   */
  public static <E> Producer<E> producer(
      Publisher<? extends E> publisher, Producers.OnCancel onCancel) {
    return Producers.fromPublisher(
        FlowAdapters.toFlowPublisher(Objects.requireNonNull(publisher, "publisher")), onCancel);
  }

  /**
   * Running producer stages as a Reactive Streams publisher; see {@link Publishers#of(StageSystem,
   * List, SubscriptionOptions)}.
   *
   * @param system where each subscriber's consumer stage runs
   * @param producers the producers, at least one
   * @param options the subscription options to each producer
   * @param <E> the event type
   * @return the publisher
   */
  public static <E> Publisher<E> publisher(
      StageSystem system,
      List<? extends Stage<? extends E>> producers,
      SubscriptionOptions options) {
    return FlowAdapters.toPublisher(Publishers.of(system, producers, options));
  }
}
