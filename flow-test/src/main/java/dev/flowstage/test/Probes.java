package dev.flowstage.test;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** Waiting helpers shared by the probes: tests wait for what they expect, never sleep. */
final class Probes {
  /** How long a probe's {@code await*} waits by default: {@code -Dflowtest.timeout.seconds}. */
  static final Duration TIMEOUT = Duration.ofSeconds(Long.getLong("flowtest.timeout.seconds", 20));

  private Probes() {}

  static <T> T take(BlockingQueue<T> q, Duration timeout, String what) {
    try {
      T t = q.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (t == null) {
        throw new AssertionError(
            "timed out after " + timeout.toMillis() + " ms waiting for " + what);
      }
      return t;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  static <T> void expectNone(BlockingQueue<T> q, Duration within, String what) {
    try {
      T t = q.poll(within.toNanos(), TimeUnit.NANOSECONDS);
      if (t != null) {
        throw new AssertionError(
            "expected no " + what + " within " + within.toMillis() + " ms, got " + t);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for no " + what, e);
    }
  }
}
