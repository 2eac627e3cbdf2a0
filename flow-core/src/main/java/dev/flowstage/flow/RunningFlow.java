package dev.flowstage.flow;

import java.time.Duration;

/**
 * A flow that is running: await its result, cancel it, read its statistics. Returned by {@link
 * Flow#start()}, {@link Flow#start(java.util.stream.Collector)}, {@link Flow#into} (a {@link
 * RunningInto}, which also takes more consumers) and {@link Flow#startWritingLines}. Closing it
 * cancels the flow if it is still running.
 *
 * @param <R> the result type ({@code Void} when events are discarded or go to other stages)
 */
public interface RunningFlow<R> extends AutoCloseable {
  /**
   * Waits until the flow has finished and every one of its threads has exited.
   *
   * @return the result
   * @throws FlowException if a stage failed (naming it, with the cause)
   * @throws java.util.concurrent.CancellationException if the flow was cancelled
   */
  R await();

  /**
   * Waits at most {@code timeout} for the flow to finish.
   *
   * @param timeout how long to wait
   * @return {@code true} if it finished (successfully or not)
   */
  boolean awaitTermination(Duration timeout);

  /**
   * Cancels the flow: stops every stage and waits for their threads to exit. Idempotent. A flow
   * that already failed, or finished, stays so: {@link #await()} then throws that failure (or
   * returns the result), not a {@code CancellationException}; whichever of a failure and the cancel
   * came first is how the flow ended, for {@link #await()}, {@link #statistics()} and listeners.
   */
  void cancel();

  /**
   * Fires a trigger named {@code name} on every window open in every stage of the flow, as a
   * window's own triggers do (Elixir: sending {@code {:trigger, name}} to the flow): each pane's
   * {@code onTrigger} is called with {@code Trigger(name, ...)}, or a reduce without one emits its
   * accumulator, and the windows go on. The trigger reaches each stage in order with the events it
   * is handling; a stage that has finished ignores it.
   *
   * @param name the trigger's name, not {@code "done"} (only a window's end fires that)
   * @throws IllegalArgumentException for a null, empty or {@code "done"} name
   */
  void trigger(String name);

  /**
   * Returns a snapshot of the counters of every stage while the flow runs; once it has ended
   * (completed, failed or cancelled), its final counters, the same on every call.
   *
   * @return the statistics
   */
  FlowStatistics statistics();

  /**
   * Returns the stage graph being run: the plan's ({@link Flow#graph()}), then the run's own
   * consumer of the last layer as one more node, {@code g<n>} (its terminal, or the consumers
   * {@code intoConsumers} started; none for a caller's consumers), as {@link #statistics()} list
   * its stages.
   *
   * @return the graph
   */
  FlowGraph graph();

  /**
   * Returns whether the flow finished and every thread it started has exited.
   *
   * @return {@code true} once nothing of the flow is running
   */
  boolean isTerminated();

  /**
   * Returns a future of the result, so the flow composes with asynchronous code ({@code thenApply},
   * {@code thenCompose}, {@code orTimeout}, ...). It completes once the flow has finished and its
   * stage threads have exited: with the result; exceptionally with the {@link FlowException} that
   * {@link #await()} would throw (reported there only, not logged); or cancelled if the flow was
   * cancelled. Cancelling the returned future cancels the flow (and returns once its threads have
   * exited); futures derived from it are plain futures. Each call returns a new future.
   *
   * @return the future of the result
   */
  default java.util.concurrent.CompletableFuture<R> toCompletableFuture() {
    return dev.flowstage.flow.internal.FlowFuture.of(this);
  }

  /** Cancels the flow if it is still running. */
  @Override
  default void close() {
    cancel();
  }
}
