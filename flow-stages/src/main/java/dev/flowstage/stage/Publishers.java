package dev.flowstage.stage;

import dev.flowstage.stage.internal.SubscriberConsumer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * Running producer stages as a {@link Flow.Publisher} (a Reactive Streams publisher of the JDK):
 * each subscriber is fed by a consumer stage of its own. The other direction, a producer fed by a
 * publisher, is {@link Producers#fromPublisher(Flow.Publisher)}.
 */
public final class Publishers {
  private Publishers() {}

  /**
   * Returns a publisher of the events of {@code producers}. Each {@code subscribe} starts a
   * consumer stage in {@code system} that subscribes to every producer with manual demand: while
   * the subscriber's {@code request(n)} is not covered by what the stage holds, it keeps {@code
   * options.maxDemand()} asked of each producer (a whole batch first, then refills of {@code
   * maxDemand - minDemand}, as a GenStage consumer does), and never signals beyond the request: at
   * most {@code maxDemand} events per producer wait in the stage for the subscriber. {@code cancel}
   * cancels those subscriptions and stops the stage. The subscriber completes once every producer
   * finished normally; a producer that fails or is shut down ends it with {@code onError}. Which
   * events each of several subscribers sees is the producers' dispatcher's choice (a demand
   * dispatcher shares them out, a broadcast dispatcher gives each subscriber every event). If the
   * stage cannot start (e.g. the system is closed) the subscriber gets {@code onSubscribe} then
   * {@code onError}.
   *
   * @param system where the subscribers' stages run
   * @param producers the producers, at least one
   * @param options the subscription options to each producer (its cancel mode is ignored: the stage
   *     decides per the rules above)
   * @param <E> the event type
   * @return the publisher; it follows the Reactive Streams rules (checked by the TCK)
   * @throws IllegalArgumentException if {@code producers} is empty or one is a consumer ({@link
   *     Stage#kind()})
   */
  public static <E> Flow.Publisher<E> of(
      StageSystem system,
      List<? extends Stage<? extends E>> producers,
      SubscriptionOptions options) {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(producers, "producers");
    if (producers.isEmpty()) {
      throw new IllegalArgumentException("Publishers.of needs at least one producer stage");
    }
    List<Stage<?>> ps = List.copyOf(producers);
    requireEmitters("Publishers.of", ps); // here, not as an onError to each subscriber later
    SubscriptionOptions temporary = options.toBuilder().cancel(CancelMode.TEMPORARY).build();
    return subscriber -> {
      Objects.requireNonNull(subscriber, "subscriber"); // rule 1.9
      SubscriberConsumer<E> bridge = new SubscriberConsumer<>(ps, temporary, subscriber);
      try {
        system.startConsumer(bridge);
      } catch (RuntimeException e) {
        bridge.refuse(e); // rule 1.9: onSubscribe first, then the error; subscribe does not throw
      }
    };
  }

  /**
   * Returns a publisher of one producer's events with the default subscription options; see {@link
   * #of(StageSystem, List, SubscriptionOptions)}.
   *
   * @param system where the subscribers' stages run
   * @param producer the producer
   * @param <E> the event type
   * @return the publisher
   */
  public static <E> Flow.Publisher<E> of(StageSystem system, Stage<? extends E> producer) {
    return of(
        system,
        List.of(Objects.requireNonNull(producer, "producer")),
        SubscriptionOptions.defaults());
  }

  /**
   * Refuses a consumer given where producer stages are read ({@code Publishers.of}, {@code
   * StageSystem.stream}) when the call is made: a stage's kind never changes, so its subscription
   * could only fail later.
   *
   * @param call what was called, for the message
   * @param producers the stages given
   * @throws IllegalArgumentException naming the first consumer among them
   */
  static void requireEmitters(String call, List<? extends Stage<?>> producers) {
    for (Stage<?> p : producers) {
      if (!Objects.requireNonNull(p, "producer").kind().emits()) {
        throw new IllegalArgumentException(
            call
                + " takes the events of producer stages, but stage "
                + p.name()
                + " is a consumer, which emits nothing; pass a producer or producer-consumer"
                + " (the stage it subscribes to)");
      }
    }
  }
}
