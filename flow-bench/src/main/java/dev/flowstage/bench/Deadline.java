package dev.flowstage.bench;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a benchmark body with a deadline, so that a flow that hangs fails its benchmark (JMH then
 * moves on to the next one) instead of stalling the whole run for JMH's 10-minute iteration
 * timeout.
 */
final class Deadline {
  private Deadline() {}

  static <T> T within(Duration timeout, Supplier<T> body) {
    FutureTask<T> task = new FutureTask<>(body::get);
    Thread thread = Thread.ofPlatform().daemon().name("bench-deadline").start(task);
    try {
      return task.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      thread.interrupt();
      throw new IllegalStateException("benchmark body did not finish within " + timeout, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("benchmark body failed: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
