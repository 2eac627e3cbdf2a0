package dev.flowstage.stage;

import dev.flowstage.stage.internal.IteratorProducer;
import dev.flowstage.stage.internal.PollingProducer;
import dev.flowstage.stage.internal.PublisherProducer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;
import java.util.stream.Stream;

/** Ready-made producers: over iterables, iterators and streams, and a polling producer. */
public final class Producers {
  private Producers() {}

  /**
   * What a source producer does when its last consumer cancels. GenStage: {@code :on_cancel}.
   * Default: {@link #CONTINUE}.
   */
  public enum OnCancel {
    /** Keep running (a later consumer gets the rest). */
    CONTINUE,
    /**
     * Stop normally. Best with {@link DemandMode#ACCUMULATE} until every consumer subscribed, so
     * the first consumer's cancel does not race the others' subscriptions.
     */
    STOP
  }

  /**
   * A producer over an iterator. GenStage: {@code from_enumerable}. Each {@code handleDemand(n)}
   * pulls exactly {@code n} items (fewer at the end); once the iterator is exhausted the producer
   * finishes ({@link ProducerContext#done()}): after its last events are delivered it exits
   * normally, ending its subscriptions with {@link ExitReason#normal()}.
   *
   * @param iterator the source; a blocking iterator blocks the stage until a batch is filled
   * @param onCancel what to do when the last consumer cancels
   * @param <E> the event type
   * @return the producer, to start with {@link StageSystem#startProducer}
   */
  public static <E> Producer<E> fromIterator(Iterator<? extends E> iterator, OnCancel onCancel) {
    return new IteratorProducer<>(
        Objects.requireNonNull(iterator, "iterator"), onCancel == OnCancel.STOP, null);
  }

  /**
   * A producer over an iterator that keeps running when consumers leave.
   *
   * @param iterator the source
   * @param <E> the event type
   * @return the producer
   * @see #fromIterator(Iterator, OnCancel)
   */
  public static <E> Producer<E> fromIterator(Iterator<? extends E> iterator) {
    return fromIterator(iterator, OnCancel.CONTINUE);
  }

  /**
   * A producer over an iterable; see {@link #fromIterator(Iterator, OnCancel)}.
   *
   * @param iterable the source
   * @param <E> the event type
   * @return the producer
   */
  public static <E> Producer<E> fromIterable(Iterable<? extends E> iterable) {
    return fromIterator(iterable.iterator(), OnCancel.CONTINUE);
  }

  /**
   * A producer over a stream, closed when the stage exits; see {@link #fromIterator(Iterator,
   * OnCancel)}.
   *
   * @param stream the source
   * @param onCancel what to do when the last consumer cancels
   * @param <E> the event type
   * @return the producer
   */
  public static <E> Producer<E> fromStream(Stream<? extends E> stream, OnCancel onCancel) {
    return new IteratorProducer<>(stream.iterator(), onCancel == OnCancel.STOP, stream);
  }

  /**
   * A producer over a stream that keeps running when consumers leave.
   *
   * @param stream the source
   * @param <E> the event type
   * @return the producer
   */
  public static <E> Producer<E> fromStream(Stream<? extends E> stream) {
    return fromStream(stream, OnCancel.CONTINUE);
  }

  /**
   * A producer that polls an external source (a queue, a table) while consumers' demand is pending:
   * once when demand arrives, then every {@code interval} until the pending demand is met; it does
   * not poll while no demand is pending.
   *
   * @param source given the pending demand, returns up to that many events (extra ones are
   *     buffered), an empty list when it has nothing now, or {@code null} when it is exhausted (the
   *     producer then finishes like {@link #fromIterator})
   * @param interval the pause between polls while demand is pending, positive
   * @param <E> the event type
   * @return the producer
   */
  public static <E> Producer<E> polling(
      LongFunction<? extends List<? extends E>> source, Duration interval) {
    Objects.requireNonNull(source, "source");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got: " + interval);
    }
    return new PollingProducer<>(source, interval);
  }

  /**
   * A producer fed by a {@link java.util.concurrent.Flow.Publisher} (a Reactive Streams publisher
   * of the JDK; wrap an {@code org.reactivestreams.Publisher} with {@code FlowAdapters}). It
   * subscribes in {@code init}; each {@code handleDemand(n)} becomes one {@code request(n)}
   * upstream, so the publisher is asked in the stage's batches, never item by item. When the
   * publisher completes the producer finishes like {@link #fromIterator} (its events are delivered
   * first); {@code onError} stops it with {@link ExitReason.Failure} of that error; when the stage
   * exits for any other reason it cancels the upstream subscription. A publisher that signals more
   * items than were requested (breaking Reactive Streams rule 1.1) has its subscription cancelled
   * and fails the stage with an {@link IllegalStateException} saying so. Its subscriber follows the
   * Reactive Streams rules (checked by the TCK).
   *
   * @param publisher the source
   * @param onCancel what to do when the last consumer cancels
   * @param <E> the event type
   * @return the producer, to start with {@link StageSystem#startProducer}
   */
  public static <E> Producer<E> fromPublisher(
      java.util.concurrent.Flow.Publisher<? extends E> publisher, OnCancel onCancel) {
    return new PublisherProducer<>(
        Objects.requireNonNull(publisher, "publisher"), onCancel == OnCancel.STOP);
  }

  /**
   * A producer fed by a publisher that keeps running when consumers leave; see {@link
   * #fromPublisher(java.util.concurrent.Flow.Publisher, OnCancel)}.
   *
   * @param publisher the source
   * @param <E> the event type
   * @return the producer
   */
  public static <E> Producer<E> fromPublisher(
      java.util.concurrent.Flow.Publisher<? extends E> publisher) {
    return fromPublisher(publisher, OnCancel.CONTINUE);
  }
}
