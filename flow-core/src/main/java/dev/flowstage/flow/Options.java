package dev.flowstage.flow;

import java.io.Serializable;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Options of one layer of a flow, given where the layer is created: a source ({@code
 * Flow.fromEnumerable(list, o -> o.stages(4))}) or a {@code partition}/{@code shuffle}/{@code
 * merge}. Immutable: each method returns new options, validated at once.
 *
 * @param stages how many parallel stages run the layer (default: available processors)
 * @param maxDemand the most events a stage has outstanding per upstream stage, so also the largest
 *     batch (default 1000)
 * @param minDemand the re-ask threshold, {@code 0 <= minDemand < maxDemand}; {@code -1} means
 *     {@code maxDemand / 2} (default), so batches are about {@code maxDemand / 2} events
 * @param window how the layer's reduce cuts its events into panes (default {@link Window#global()})
 * @param key partition only: the key an event is routed by (default: the whole event)
 * @param hash partition only: the partition of an event in {@code [0, stages)}, or {@link #DROP};
 *     replaces {@code key}
 * @param charset file sources only: the files' charset name (default UTF-8)
 * @param splitBytes file sources only: files larger than this are read as ranges of about this many
 *     bytes by parallel producers (default 8 MiB)
 */
public record Options(
    int stages,
    int maxDemand,
    int minDemand,
    Window window,
    SerializableFunction<Object, ?> key,
    SerializableToIntFunction<Object> hash,
    String charset,
    long splitBytes)
    implements Serializable {

  /** Returned by a {@link #hash(SerializableToIntFunction)} function to drop the event. */
  public static final int DROP = -1;

  /** The default {@link #maxDemand()}, as in GenStage. */
  public static final int DEFAULT_MAX_DEMAND = 1000;

  /** The default {@link #splitBytes()}: 8 MiB. */
  public static final long DEFAULT_SPLIT_BYTES = 8L << 20;

  /** Validates every option; the messages say how to fix a bad one. */
  public Options {
    if (stages < 1) {
      throw new IllegalArgumentException(
          "stages must be at least 1, got: "
              + stages
              + "; use stages(1) for one sequential stage or leave the default (available"
              + " processors)");
    }
    if (maxDemand < 1) {
      throw new IllegalArgumentException(
          "maxDemand must be at least 1, got: "
              + maxDemand
              + "; use maxDemand(1) to process one event at a time (IO-bound work)");
    }
    if (minDemand < -1 || minDemand >= maxDemand) {
      throw new IllegalArgumentException(
          "minDemand must be >= 0 and < maxDemand ("
              + maxDemand
              + "), got: "
              + minDemand
              + "; set maxDemand first, then minDemand below it, or leave minDemand unset"
              + " (maxDemand / 2)");
    }
    Objects.requireNonNull(window, "window: use Window.global() for the default");
    Objects.requireNonNull(charset, "charset");
    Charset.forName(charset);
    if (splitBytes < 1) {
      throw new IllegalArgumentException(
          "splitBytes must be at least 1 byte, got: " + splitBytes + "; the default is 8 MiB");
    }
  }

  /**
   * Returns the defaults: available processors stages, maxDemand 1000, minDemand 500, the global
   * window, no key or hash, UTF-8, 8 MiB file ranges.
   *
   * @return the default options
   */
  public static Options defaults() {
    return new Options(
        Runtime.getRuntime().availableProcessors(),
        DEFAULT_MAX_DEMAND,
        -1,
        Window.global(),
        null,
        null,
        StandardCharsets.UTF_8.name(),
        DEFAULT_SPLIT_BYTES);
  }

  /**
   * Returns the effective minimum demand ({@code maxDemand / 2} when unset).
   *
   * @return the re-ask threshold
   */
  public int effectiveMinDemand() {
    return minDemand < 0 ? maxDemand / 2 : minDemand;
  }

  /**
   * Sets the number of parallel stages.
   *
   * @param stages at least 1
   * @return new options
   */
  public Options stages(int stages) {
    return new Options(stages, maxDemand, minDemand, window, key, hash, charset, splitBytes);
  }

  /**
   * Sets the most events outstanding per upstream stage; {@code 1} makes every event its own batch,
   * which suits slow, IO-bound functions.
   *
   * @param maxDemand at least 1
   * @return new options
   */
  public Options maxDemand(int maxDemand) {
    return new Options(stages, maxDemand, minDemand, window, key, hash, charset, splitBytes);
  }

  /**
   * Sets the re-ask threshold.
   *
   * @param minDemand {@code 0 <= minDemand < maxDemand}
   * @return new options
   */
  public Options minDemand(int minDemand) {
    if (minDemand < 0) {
      throw new IllegalArgumentException("minDemand must be >= 0, got: " + minDemand);
    }
    return new Options(stages, maxDemand, minDemand, window, key, hash, charset, splitBytes);
  }

  /**
   * Sets the window of the layer's reduce.
   *
   * @param window the window
   * @return new options
   */
  public Options window(Window window) {
    return new Options(stages, maxDemand, minDemand, window, key, hash, charset, splitBytes);
  }

  /**
   * Routes events by this key: equal keys always reach the same partition.
   *
   * @param key the key of an event
   * @param <T> the event type
   * @return new options
   */
  @SuppressWarnings("unchecked")
  public <T> Options key(SerializableFunction<? super T, ?> key) {
    Objects.requireNonNull(key, "key: give a function from event to key");
    if (hash != null) {
      throw new IllegalArgumentException("give key(...) or hash(...), not both");
    }
    return new Options(
        stages,
        maxDemand,
        minDemand,
        window,
        (SerializableFunction<Object, ?>) key,
        null,
        charset,
        splitBytes);
  }

  /**
   * Routes events by this function, which returns a partition in {@code [0, stages)} or {@link
   * #DROP}.
   *
   * @param hash the partition of an event
   * @param <T> the event type
   * @return new options
   */
  @SuppressWarnings("unchecked")
  public <T> Options hash(SerializableToIntFunction<? super T> hash) {
    Objects.requireNonNull(hash, "hash: give a function from event to partition index");
    if (key != null) {
      throw new IllegalArgumentException("give key(...) or hash(...), not both");
    }
    return new Options(
        stages,
        maxDemand,
        minDemand,
        window,
        null,
        (SerializableToIntFunction<Object>) hash,
        charset,
        splitBytes);
  }

  /**
   * Sets the charset of a file source; malformed input is replaced with U+FFFD and counted.
   *
   * @param charset the charset
   * @return new options
   */
  public Options charset(Charset charset) {
    Objects.requireNonNull(charset, "charset");
    return new Options(stages, maxDemand, minDemand, window, key, hash, charset.name(), splitBytes);
  }

  /**
   * Sets the size of the byte ranges a file source reads in parallel.
   *
   * @param splitBytes at least 1
   * @return new options
   */
  public Options splitBytes(long splitBytes) {
    return new Options(stages, maxDemand, minDemand, window, key, hash, charset, splitBytes);
  }
}
