package dev.flowstage.stage;

import dev.flowstage.stage.internal.StageRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Starts stages, each on its own virtual thread, and owns them: {@link #close()} stops every stage
 * it started and joins its thread. Stages can be named and looked up by name. Thread-safe.
 *
 * {@snippet class=dev.flowstage.stage.snippets.StageSnippets region=stageSystem}
 */
public final class StageSystem implements AutoCloseable {
  private final StageRuntime runtime;
  private final String name;

  /** Creates a system named "flowstage". */
  public StageSystem() {
    this("flowstage");
  }

  /**
   * Creates a system.
   *
   * @param name used in generated stage names and thread names
   */
  public StageSystem(String name) {
    this(name, StageRuntime.DEFAULT_SHUTDOWN_GRACE);
  }

  /**
   * Creates an empty system whose {@link #close()} takes at most {@code shutdownGrace}, however
   * many stages it has: stages get the first half to stop politely, then every stage still running
   * (blocked in a callback) is interrupted at once; one still running at the end is logged and
   * left.
   *
   * @param name used in generated stage names and thread names
   * @param shutdownGrace the bound of {@link #close()}, positive; the default is 10 seconds
   */
  public StageSystem(String name, Duration shutdownGrace) {
    this.name = Objects.requireNonNull(name, "name");
    this.runtime = new StageRuntime(name, shutdownGrace);
  }

  /**
   * Returns this system's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Starts a producer with default options; returns once its {@code init} returned.
   *
   * @param producer the callbacks
   * @param <E> the event type
   * @return the running stage
   * @throws StageException if {@code init} threw
   */
  public <E> Stage<E> startProducer(Producer<E> producer) {
    return startProducer(producer, ProducerOptions.defaults());
  }

  /**
   * Starts a producer; returns once its {@code init} returned.
   *
   * @param producer the callbacks
   * @param options name, dispatcher, buffer and demand mode
   * @param <E> the event type
   * @return the running stage
   * @throws StageException if {@code init} threw
   * @throws IllegalArgumentException if the name is taken
   */
  public <E> Stage<E> startProducer(Producer<E> producer, ProducerOptions<E> options) {
    return runtime.startProducer(producer, options);
  }

  /**
   * Starts a producer-consumer with default options (unbounded buffer, demand dispatcher).
   *
   * @param stage the callbacks
   * @param <I> the input type
   * @param <O> the output type
   * @return the running stage
   */
  public <I, O> Stage<O> startProducerConsumer(ProducerConsumer<I, O> stage) {
    return startProducerConsumer(stage, ProducerOptions.defaults());
  }

  /**
   * Starts a producer-consumer.
   *
   * @param stage the callbacks
   * @param options name, dispatcher and buffer; the demand mode must stay forward
   * @param <I> the input type
   * @param <O> the output type
   * @return the running stage
   * @throws IllegalArgumentException if the options set accumulate, or the name is taken
   */
  public <I, O> Stage<O> startProducerConsumer(
      ProducerConsumer<I, O> stage, ProducerOptions<O> options) {
    return runtime.startProducerConsumer(stage, options);
  }

  /**
   * Starts a consumer with a generated name.
   *
   * @param consumer the callbacks
   * @param <E> the event type
   * @return the running stage
   */
  public <E> Stage<Void> startConsumer(Consumer<E> consumer) {
    return runtime.startConsumer(null, consumer);
  }

  /**
   * Starts a named consumer.
   *
   * @param name unique in this system
   * @param consumer the callbacks
   * @param <E> the event type
   * @return the running stage
   */
  public <E> Stage<Void> startConsumer(String name, Consumer<E> consumer) {
    return runtime.startConsumer(Objects.requireNonNull(name, "name"), consumer);
  }

  /**
   * Finds a running stage by name.
   *
   * @param name the name
   * @return the stage, or empty if none by that name is running
   */
  public Optional<Stage<?>> lookup(String name) {
    return runtime.lookup(name);
  }

  /**
   * Returns the stages running now.
   *
   * @return a snapshot
   */
  public List<Stage<?>> stages() {
    return runtime.stages();
  }

  /**
   * Returns a lazy stream of the events of {@code producers}. GenStage: {@code GenStage.stream/2}.
   *
   * <p>When enumeration starts, a consumer stage subscribes to each producer; the stream asks for
   * events as they are consumed, exactly like an automatic consumer ({@code maxDemand} up front,
   * refills after each {@code maxDemand - minDemand} consumed). The subscriptions' cancel mode
   * decides how the stream ends when a producer ends: {@link CancelMode#PERMANENT} halts the stream
   * when any producer ends normally and throws {@link StageException} if one fails; {@link
   * CancelMode#TRANSIENT} halts once all producers ended normally and throws if one fails; {@link
   * CancelMode#TEMPORARY} halts once all producers ended, never throws. A producer that is not
   * alive counts as failed.
   *
   * <p>The consumer stage stops (cancelling the subscriptions) when the stream is read to the end,
   * fails, or is closed, promptly. Java never closes a stream that a short-circuiting operation
   * ({@code limit}, {@code findFirst}) abandoned: such a stream, left unclosed, is cancelled once
   * it is garbage collected (not promptly), or by {@link #close()}. Use try-with-resources when the
   * producers must learn at once.
   *
   * @param producers the producers to subscribe to
   * @param options the subscription options for each of them
   * @param <E> the event type
   * @return the stream; close it if not consumed to the end
   * @throws IllegalArgumentException if a producer is not a stage of a {@code StageSystem}, or is a
   *     consumer ({@link Stage#kind()})
   */
  public <E> Stream<E> stream(List<? extends Stage<?>> producers, SubscriptionOptions options) {
    Publishers.requireEmitters(
        "StageSystem.stream", Objects.requireNonNull(producers, "producers"));
    return runtime.stream(producers, Objects.requireNonNull(options, "options"));
  }

  /**
   * Returns the threads of the stages this system started that may still run (for leak checks).
   *
   * @return the threads
   */
  public List<Thread> threads() {
    return runtime.threads();
  }

  /**
   * Stops every stage with {@link ExitReason#shutdown()} and joins its thread. Each stage first
   * handles the messages already in its mailbox (so events already sent are not lost), then stops.
   * The whole close takes at most one shutdown grace period (10 s by default, see {@link
   * #StageSystem(String, Duration)}), however many stages there are: after half of it every stage
   * still running (blocked in a callback) is killed and interrupted, all at once. Idempotent; no
   * stage can be started afterwards.
   *
   * <p>If the calling thread is interrupted before or during the close, the close does what {@code
   * ExecutorService.close()} does: it stops waiting politely (every stage still running is killed
   * and interrupted, messages still in its mailbox are not handled) but still waits for the stage
   * threads, within the grace period, and returns with the caller's interrupt status set again.
   */
  @Override
  public void close() {
    runtime.close();
  }

  /**
   * Stops every stage at once, for a run being abandoned (cancelled, or failed elsewhere), and
   * joins its thread: each stage is killed with {@link ExitReason#shutdown()} whatever its mailbox
   * holds, and every stage thread but the caller's is interrupted, so a callback busy with a long
   * piece of work can stop at its next check of {@link Thread#isInterrupted()} (or any
   * interruptible wait) instead of after half the grace. What an interrupted callback throws is not
   * reported as the stage's failure. Bounded by one shutdown grace period as {@link #close()} is;
   * afterwards the system is closed (idempotent, and {@link #close()} then does nothing more).
   * Called while a {@link #close()} runs on another thread, it hurries that close's stages the same
   * way. The executor's {@code shutdownNow} to {@link #close()}'s {@code shutdown}.
   */
  public void closeNow() {
    runtime.closeNow();
  }
}
