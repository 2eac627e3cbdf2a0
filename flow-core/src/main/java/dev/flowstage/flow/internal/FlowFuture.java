package dev.flowstage.flow.internal;

import dev.flowstage.flow.RunningFlow;
import java.util.concurrent.CompletableFuture;

/**
 * The future of a running flow's result: completed by a virtual thread that awaits the flow, so it
 * completes only once the flow has finished and its stage threads have exited. Cancelling it
 * cancels the flow. Futures derived from it ({@code thenApply}, ...) are plain futures, as usual:
 * cancelling one of those does not reach back to the flow.
 *
 * @param <R> the result type
 */
public final class FlowFuture<R> extends CompletableFuture<R> {
  private final RunningFlow<R> flow;

  private FlowFuture(RunningFlow<R> flow) {
    this.flow = flow;
  }

  /**
   * Returns a future of {@code flow}'s result.
   *
   * @param flow the running flow
   * @param <R> the result type
   * @return the future: the result, the flow's {@code FlowException}, or cancelled
   */
  public static <R> CompletableFuture<R> of(RunningFlow<R> flow) {
    FlowFuture<R> f = new FlowFuture<>(flow);
    Thread.ofVirtual()
        .name("flow-future")
        .start(
            () -> {
              try {
                f.complete(flow.await());
              } catch (RuntimeException | Error e) {
                // The failure goes to the future only: its owner receives it there, once.
                f.completeExceptionally(e);
              }
            });
    return f;
  }

  /** Cancels this future and, if that took effect, the flow (returning once its threads exited). */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) {
      flow.cancel();
    }
    return cancelled;
  }

  /** Dependent futures are plain ones: only this future is tied to the flow. */
  @Override
  public <U> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }
}
