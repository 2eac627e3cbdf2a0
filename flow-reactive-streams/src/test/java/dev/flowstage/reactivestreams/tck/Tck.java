package dev.flowstage.reactivestreams.tck;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.TestEnvironment;

/** What the TCK classes share: the environment and sources. */
final class Tck {
  private Tck() {}

  /**
   * Signals are expected within 2 s (generous: the machine is shared, and a late signal only slows
   * a passing test), "no signal" is checked for 100 ms (a short wait only risks missing a late
   * wrong signal, never a false failure). The poll interval is 1 s because in TCK 1.0.4 it is, in
   * effect, how long {@code expectError} waits: its remaining-time arithmetic is inverted ({@code
   * =-}), so it gives up after the first poll (fixed upstream after 1.0.4, reactive-streams-jvm
   * pull request 544). An error that arrives sooner ends the wait sooner.
   */
  static TestEnvironment env() {
    return new TestEnvironment(2_000, 100, 1_000);
  }

  /** How long the publisher rules wait for a cancelled subscriber to be garbage collected. */
  static final long GC_TIMEOUT_MILLIS = 5_000;

  /** {@code 0 .. n-1}, or endless for the TCK's "unbounded" sizes; each iterator starts anew. */
  static Iterable<Long> range(long n) {
    return () ->
        new Iterator<>() {
          private long next;

          @Override
          public boolean hasNext() {
            return n >= Long.MAX_VALUE - 1 || next < n;
          }

          @Override
          public Long next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            return next++;
          }
        };
  }

  /** An iterable whose iterator fails: a source that fails as soon as it is read. */
  static Iterable<Long> failing() {
    return () -> {
      throw new IllegalStateException("a failing source (TCK createFailedPublisher)");
    };
  }

  /**
   * A publisher that only captures the subscriber it is given (no {@code onSubscribe}): the TCK
   * then subscribes that subscriber to its own publishers.
   */
  static final class Capturing<T> implements Flow.Publisher<T> {
    volatile Flow.Subscriber<? super T> subscriber;

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
      subscriber = s;
    }

    Flow.Subscriber<? super T> captured() {
      if (subscriber == null) {
        throw new IllegalStateException("the producer did not subscribe during its start");
      }
      return subscriber;
    }
  }
}
