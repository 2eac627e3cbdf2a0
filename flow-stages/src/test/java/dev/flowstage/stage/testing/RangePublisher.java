package dev.flowstage.stage.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;

/**
 * A synchronous publisher of the elements {@code 0..count-1} that records every request and cancel,
 * then completes (or fails with a given error). It emits on the requesting thread, so it also
 * exercises re-entrant delivery into a stage's inlet.
 *
 * @param <T> the element type
 */
public final class RangePublisher<T> implements Flow.Publisher<T> {
  private final long count;
  private final RuntimeException error;
  private final LongFunction<T> element;

  /** Every {@code request(n)}, in order. */
  public final List<Long> requests = new CopyOnWriteArrayList<>();

  /** Whether a subscriber cancelled. */
  public final AtomicBoolean cancelled = new AtomicBoolean();

  private RangePublisher(long count, RuntimeException error, LongFunction<T> element) {
    this.count = count;
    this.error = error;
    this.element = element;
  }

  /**
   * A publisher of {@code 0L..count-1}.
   *
   * @param count how many elements
   * @param error signalled after the last element instead of completing, or {@code null}
   * @return the publisher
   */
  public static RangePublisher<Long> ofLongs(long count, RuntimeException error) {
    return new RangePublisher<>(count, error, i -> i);
  }

  /**
   * A publisher of {@code 0..count-1} as {@code Integer}s.
   *
   * @param count how many elements
   * @param error signalled after the last element instead of completing, or {@code null}
   * @return the publisher
   */
  public static RangePublisher<Integer> ofInts(int count, RuntimeException error) {
    return new RangePublisher<>(count, error, i -> (int) i);
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> s) {
    s.onSubscribe(
        new Flow.Subscription() {
          long next;
          boolean done;

          @Override
          public synchronized void request(long n) {
            requests.add(n);
            for (long i = 0; i < n && next < count && !done; i++) {
              s.onNext(element.apply(next++));
            }
            if (next == count && !done) {
              done = true;
              if (error != null) {
                s.onError(error);
              } else {
                s.onComplete();
              }
            }
          }

          @Override
          public void cancel() {
            cancelled.set(true);
            done = true;
          }
        });
  }
}
