package dev.flowstage.stage.supervisor;

import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageNotAliveException;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A consumer stage that starts one child task per event, each on its own virtual thread, and asks
 * its producers for more events as children finish. GenStage: {@code ConsumerSupervisor}.
 *
 * <p>Per producer subscription at most {@code maxDemand} children run at once: the supervisor asks
 * for {@code maxDemand} events when it subscribes, and asks again for the freed slots once {@code
 * maxDemand - minDemand} of them are free (children ended and not restarted), that is when the
 * children running plus the events on their way fall to {@code minDemand}. With maxDemand 10 and
 * minDemand 5: 10 children start, and when the 5th of them ends the supervisor asks for 5 more.
 *
 * <p>A child that ends is restarted according to {@link Restart}: {@link Restart#TEMPORARY}
 * children never, {@link Restart#TRANSIENT} children when they failed, with the same event and in
 * the same slot. More than {@code maxRestarts} restarts within {@code maxRestartPeriod} stop the
 * supervisor (reason {@link dev.flowstage.stage.ExitReason.Shutdown}), which interrupts every
 * child. Children started with {@link #startChild} are outside any producer's demand.
 *
 * <p>Methods of this handle are thread-safe: each is one call to the supervisor stage, answered on
 * its thread, waiting at most 5 seconds.
 *
 * {@snippet class=dev.flowstage.stage.snippets.StageSnippets region=consumerSupervisor}
 *
 * @param <E> the event type
 */
public final class ConsumerSupervisor<E> {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  private final Stage<Void> stage;

  private ConsumerSupervisor(Stage<Void> stage) {
    this.stage = stage;
  }

  /**
   * Starts a builder for a supervisor whose children run {@code task}.
   *
   * @param task what each child does with its event
   * @param <E> the event type
   * @return a new builder with the defaults
   */
  public static <E> Builder<E> builder(ChildTask<? super E> task) {
    return new Builder<>(Objects.requireNonNull(task, "task"));
  }

  /**
   * Returns the supervisor's stage: subscribe it to producers ({@link Stage#subscribeTo}), watch
   * it, stop it.
   *
   * @return the consumer stage
   */
  public Stage<Void> stage() {
    return stage;
  }

  /**
   * Starts a child for {@code event} outside any producer's demand (a "dynamic" child: it never
   * counts against {@code maxDemand} and its end asks nobody for events). GenStage: {@code
   * start_child/2}.
   *
   * @param event the child's event
   * @return the child's id
   * @throws StageNotAliveException if the supervisor has exited
   * @throws IllegalStateException if the child's thread could not be started
   */
  public long startChild(E event) {
    Object reply = stage.call(new SupervisorStage.StartChild<>(event), CALL_TIMEOUT);
    if (reply instanceof IllegalStateException e) {
      throw e;
    }
    return (Long) reply;
  }

  /**
   * Interrupts a child, waits for it to end (at most the shutdown timeout) and forgets it; a child
   * started for a producer's event frees its slot. GenStage: {@code terminate_child/2}.
   *
   * @param id the child's id, from {@link #whichChildren()} or {@link #startChild}
   * @return true if the child was found, false if no child has that id
   * @throws StageNotAliveException if the supervisor has exited
   */
  public boolean terminateChild(long id) {
    return (Boolean) stage.call(new SupervisorStage.TerminateChild(id), CALL_TIMEOUT);
  }

  /**
   * Returns the supervisor's children, oldest first. GenStage: {@code which_children/1}.
   *
   * @return a snapshot of the children
   * @throws StageNotAliveException if the supervisor has exited
   */
  @SuppressWarnings("unchecked")
  public List<ChildInfo<E>> whichChildren() {
    return (List<ChildInfo<E>>) stage.call(SupervisorStage.Query.WHICH_CHILDREN, CALL_TIMEOUT);
  }

  /**
   * Counts the supervisor's children. GenStage: {@code count_children/1}.
   *
   * @return the counts
   * @throws StageNotAliveException if the supervisor has exited
   */
  public ChildCounts countChildren() {
    return (ChildCounts) stage.call(SupervisorStage.Query.COUNT_CHILDREN, CALL_TIMEOUT);
  }

  /**
   * Builds and starts a {@link ConsumerSupervisor}. Defaults: {@link Restart#TEMPORARY}, at most 3
   * restarts within 5 seconds, 5 seconds for a child to stop once interrupted, a generated name, no
   * subscriptions.
   *
   * @param <E> the event type
   */
  public static final class Builder<E> {
    private final ChildTask<? super E> task;
    private final List<Map.Entry<Stage<?>, SubscriptionOptions>> subscribeTo = new ArrayList<>();
    private Restart restart = Restart.TEMPORARY;
    private int maxRestarts = 3;
    private Duration maxRestartPeriod = Duration.ofSeconds(5);
    private Duration shutdown = Duration.ofSeconds(5);
    private String name;
    private LongSupplier nanoTime = System::nanoTime;

    private Builder(ChildTask<? super E> task) {
      this.task = task;
    }

    /**
     * Sets when a child that ended is restarted (default {@link Restart#TEMPORARY}).
     *
     * @param restart {@link Restart#TEMPORARY} or {@link Restart#TRANSIENT}
     * @return this builder
     * @throws IllegalArgumentException for {@link Restart#PERMANENT}
     */
    public Builder<E> restart(Restart restart) {
      if (Objects.requireNonNull(restart, "restart") == Restart.PERMANENT) {
        throw new IllegalArgumentException(
            "Restart.PERMANENT is not supported by ConsumerSupervisor: a child started for an event"
                + " must be allowed to finish. Use Restart.TEMPORARY (never restarted) or"
                + " Restart.TRANSIENT (restarted only when it fails)");
      }
      this.restart = restart;
      return this;
    }

    /**
     * Sets the restart intensity: more than {@code maxRestarts} restarts within {@code period} stop
     * the supervisor (default 3 within 5 seconds). GenStage: {@code :max_restarts} and {@code
     * :max_seconds}.
     *
     * @param maxRestarts at least 0
     * @param period positive
     * @return this builder
     * @throws IllegalArgumentException if {@code maxRestarts < 0} or {@code period} is not positive
     */
    public Builder<E> maxRestarts(int maxRestarts, Duration period) {
      if (maxRestarts < 0) {
        throw new IllegalArgumentException(
            "maxRestarts must be at least 0 (0: the first restart stops the supervisor), got: "
                + maxRestarts);
      }
      if (Objects.requireNonNull(period, "period").isNegative() || period.isZero()) {
        throw new IllegalArgumentException(
            "the restart period must be positive, e.g. Duration.ofSeconds(5), got: " + period);
      }
      this.maxRestarts = maxRestarts;
      this.maxRestartPeriod = period;
      return this;
    }

    /**
     * Sets how long the supervisor waits for interrupted children to end, in {@link
     * ConsumerSupervisor#terminateChild} and when it exits (default 5 seconds). A child still
     * running after that is logged and left running. GenStage: the child spec's {@code shutdown}.
     *
     * @param shutdown not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder<E> shutdown(Duration shutdown) {
      if (Objects.requireNonNull(shutdown, "shutdown").isNegative()) {
        throw new IllegalArgumentException("shutdown must not be negative, got: " + shutdown);
      }
      this.shutdown = shutdown;
      return this;
    }

    /**
     * Names the supervisor stage (default: generated).
     *
     * @param name unique in the system
     * @return this builder
     */
    public Builder<E> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Subscribes the supervisor to {@code producer} when it starts (asynchronously, from its {@code
     * init}). GenStage: {@code :subscribe_to}. Its {@code maxDemand} bounds the children running
     * for that producer. A {@link dev.flowstage.stage.CancelMode#TEMPORARY} subscription keeps the
     * supervisor (and its children) running when the producer ends.
     *
     * @param producer the producer
     * @param options the subscription options
     * @return this builder
     */
    public Builder<E> subscribeTo(Stage<?> producer, SubscriptionOptions options) {
      subscribeTo.add(
          Map.entry(
              Objects.requireNonNull(producer, "producer"),
              Objects.requireNonNull(options, "options")));
      return this;
    }

    /** Replaces the clock that times restarts; for tests. */
    Builder<E> nanoTime(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /**
     * Starts the supervisor stage in {@code system}; returns once it started.
     *
     * @param system the system that owns the stage
     * @return the supervisor
     */
    public ConsumerSupervisor<E> start(StageSystem system) {
      SupervisorStage<E> behaviour =
          new SupervisorStage<>(
              task, restart, maxRestarts, maxRestartPeriod, shutdown, subscribeTo, nanoTime);
      Stage<Void> stage =
          name == null ? system.startConsumer(behaviour) : system.startConsumer(name, behaviour);
      return new ConsumerSupervisor<>(stage);
    }
  }
}
