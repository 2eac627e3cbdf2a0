package dev.flowstage.stage;

import dev.flowstage.stage.dispatch.Dispatcher;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a producer or producer-consumer runs. GenStage: the producer options of {@code init}.
 *
 * @param name the stage's name, unique in its system; {@code null} generates one
 * @param dispatcher makes the stage's dispatcher (called once per stage); {@code null} means the
 *     demand dispatcher (most pending demand first)
 * @param bufferSize the most events the buffer keeps: {@link #DEFAULT_BUFFER} (default) means 10
 *     000 for a producer and {@link #UNBOUNDED} for a producer-consumer; {@code 0} keeps none
 * @param bufferKeep which events an overflowing buffer keeps (default {@link BufferKeep#LAST})
 * @param demandMode the initial demand mode (default {@link DemandMode#FORWARD}; producers only)
 * @param discardWhenNoConsumers drop (and count as discarded) events emitted while no consumer is
 *     subscribed, instead of buffering them (default false)
 * @param onDiscard hears about discarded events; {@code null} means {@link DiscardListener#LOG}
 *     (log each discard at WARNING)
 * @param <E> the type of emitted events
 */
public record ProducerOptions<E>(
    String name,
    Supplier<? extends Dispatcher<E>> dispatcher,
    long bufferSize,
    BufferKeep bufferKeep,
    DemandMode demandMode,
    boolean discardWhenNoConsumers,
    DiscardListener onDiscard) {

  /**
   * A {@code bufferSize} that means the default of the stage kind; what an unset builder leaves.
   * The builder's {@link Builder#bufferSize} does not accept it: leave the size unset instead.
   */
  public static final long DEFAULT_BUFFER = -1;

  /** A {@code bufferSize} without limit. */
  public static final long UNBOUNDED = Long.MAX_VALUE;

  /** The default buffer size of a producer, as in GenStage. */
  public static final long DEFAULT_PRODUCER_BUFFER = 10_000;

  /** Validates the options; see the record's parameters. */
  public ProducerOptions {
    if (bufferSize < 0 && bufferSize != DEFAULT_BUFFER) {
      throw new IllegalArgumentException(
          "bufferSize must be >= 0 (or ProducerOptions.UNBOUNDED), got: " + bufferSize);
    }
    Objects.requireNonNull(bufferKeep, "bufferKeep");
    Objects.requireNonNull(demandMode, "demandMode");
  }

  /**
   * Returns the defaults.
   *
   * @param <E> the event type
   * @return default options
   */
  public static <E> ProducerOptions<E> defaults() {
    return ProducerOptions.<E>builder().build();
  }

  /**
   * Starts a builder with the defaults.
   *
   * @param <E> the event type
   * @return a builder
   */
  public static <E> Builder<E> builder() {
    return new Builder<>();
  }

  /**
   * Builds {@link ProducerOptions}; unset values take the defaults.
   *
   * @param <E> the event type
   */
  public static final class Builder<E> {
    private String name;
    private Supplier<? extends Dispatcher<E>> dispatcher;
    private long bufferSize = DEFAULT_BUFFER;
    private BufferKeep bufferKeep = BufferKeep.LAST;
    private DemandMode demandMode = DemandMode.FORWARD;
    private boolean discardWhenNoConsumers;
    private DiscardListener onDiscard;

    private Builder() {}

    /**
     * Sets the stage's name.
     *
     * @param name unique in the system
     * @return this builder
     */
    public Builder<E> name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Sets how to make the dispatcher; called once for the stage, so each stage gets its own.
     *
     * @param dispatcher e.g. {@code Dispatchers::demand}
     * @return this builder
     */
    public Builder<E> dispatcher(Supplier<? extends Dispatcher<E>> dispatcher) {
      this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
      return this;
    }

    /**
     * Sets the buffer size.
     *
     * @param bufferSize at least 0, or {@link #UNBOUNDED}
     * @return this builder
     * @throws IllegalArgumentException if {@code bufferSize} is negative
     */
    public Builder<E> bufferSize(long bufferSize) {
      if (bufferSize < 0) {
        throw new IllegalArgumentException(
            "bufferSize must be >= 0 (0 keeps no events, ProducerOptions.UNBOUNDED keeps all),"
                + " got: "
                + bufferSize
                + "; leave it unset for the stage kind's default");
      }
      this.bufferSize = bufferSize;
      return this;
    }

    /**
     * Sets which events an overflowing buffer keeps.
     *
     * @param bufferKeep first or last
     * @return this builder
     */
    public Builder<E> bufferKeep(BufferKeep bufferKeep) {
      this.bufferKeep = Objects.requireNonNull(bufferKeep, "bufferKeep");
      return this;
    }

    /**
     * Sets the initial demand mode (producers only).
     *
     * @param demandMode forward or accumulate
     * @return this builder
     */
    public Builder<E> demandMode(DemandMode demandMode) {
      this.demandMode = Objects.requireNonNull(demandMode, "demandMode");
      return this;
    }

    /**
     * Sets whether events emitted while no consumer is subscribed are dropped.
     *
     * @param discard true to drop them
     * @return this builder
     */
    public Builder<E> discardWhenNoConsumers(boolean discard) {
      this.discardWhenNoConsumers = discard;
      return this;
    }

    /**
     * Sets who hears about discarded events (GenStage's {@code format_discarded}); by default each
     * discard is logged at WARNING.
     *
     * @param onDiscard the listener; return false from it to silence the runtime's own report
     * @return this builder
     */
    public Builder<E> onDiscard(DiscardListener onDiscard) {
      this.onDiscard = Objects.requireNonNull(onDiscard, "onDiscard");
      return this;
    }

    /**
     * Builds and validates the options.
     *
     * @return the options
     */
    public ProducerOptions<E> build() {
      return new ProducerOptions<>(
          name, dispatcher, bufferSize, bufferKeep, demandMode, discardWhenNoConsumers, onDiscard);
    }
  }
}
