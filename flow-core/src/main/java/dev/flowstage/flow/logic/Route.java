package dev.flowstage.flow.logic;

import dev.flowstage.flow.Options;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.SerializableToIntFunction;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.io.Serial;

/**
 * The partition of an event, as every engine routes a {@code partition}/{@code merge}: the user
 * hash (checked to be in range, or {@link Options#DROP}), else {@link Dispatchers#partitionOf} of
 * the key (or of the whole event without a key). Serializable, so a distributed engine ships it.
 */
public final class Route implements SerializableToIntFunction<Object> {
  @Serial private static final long serialVersionUID = 1L;

  private final int partitions;
  private final SerializableFunction<Object, ?> key;
  private final SerializableToIntFunction<Object> hash;

  /**
   * Creates the routing of a partition into {@code partitions} stages.
   *
   * @param partitions how many stages, at least 1
   * @param key the key of an event, or {@code null} for the whole event
   * @param hash the user hash, or {@code null} to hash the key
   */
  public Route(
      int partitions, SerializableFunction<Object, ?> key, SerializableToIntFunction<Object> hash) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got: " + partitions);
    }
    this.partitions = partitions;
    this.key = key;
    this.hash = hash;
  }

  /**
   * Returns how many stages this routes to.
   *
   * @return the partition count
   */
  public int partitions() {
    return partitions;
  }

  /**
   * Returns whether some events may be dropped (a user hash may return {@link Options#DROP}).
   *
   * @return true with a user hash
   */
  public boolean mayDrop() {
    return hash != null;
  }

  /**
   * Returns the partition of an event.
   *
   * @param event the event
   * @return a partition in {@code [0, partitions)}, or {@link Dispatchers#DROP}
   * @throws IllegalArgumentException if the user hash returns anything else
   */
  @Override
  public int applyAsInt(Object event) {
    if (hash != null) {
      int p = hash.applyAsInt(event);
      if (p == Options.DROP) {
        return Dispatchers.DROP;
      }
      if (p < 0 || p >= partitions) {
        throw new IllegalArgumentException(
            "hash(...) returned partition "
                + p
                + " for "
                + event
                + "; return a value in [0, "
                + partitions
                + ") or Options.DROP");
      }
      return p;
    }
    return Dispatchers.partitionOf(key == null ? event : key.apply(event), partitions);
  }
}
