package dev.flowstage.stage.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The built-in dispatchers. Each factory returns a new dispatcher, so a method reference such as
 * {@code Dispatchers::demand} is a {@code Supplier<Dispatcher<E>>} a producer can use.
 *
 * <ul>
 *   <li>{@link #demand()}: each batch goes to the consumer with the most pending demand (the
 *       default).
 *   <li>{@link #broadcast()}: every event goes to every consumer, at the pace of the slowest.
 *   <li>{@link #partition(int)} and its variants: each event goes to the one consumer of the
 *       partition its hash picks.
 *   <li>{@link #fair()} and {@link #fair(int)}: each batch is dealt out to the consumers in turn,
 *       so consumers with different maximum demands share the events evenly.
 * </ul>
 *
 * <p>See {@code docs/guides/dispatchers.md} for each one's behaviour with numbers.
 */
public final class Dispatchers {
  /**
   * What a partition hash returns to discard an event instead of sending it to a partition.
   * GenStage: a hash returning {@code :none}.
   */
  public static final int DROP = -1;

  private Dispatchers() {}

  /**
   * Returns a new demand dispatcher: each batch goes to the consumer with the most pending demand,
   * consumers with equal demand take turns. GenStage: {@code GenStage.DemandDispatcher}. Consumers
   * should all use the same {@code maxDemand}, otherwise the greedy ones are favoured.
   *
   * @param <E> the event type
   * @return a new dispatcher
   */
  public static <E> Dispatcher<E> demand() {
    return new DemandDispatcher<>(0, null);
  }

  /**
   * Starts a builder for a demand dispatcher with options.
   *
   * @return a new builder with the defaults of {@link #demand()}
   */
  public static DemandBuilder demandBuilder() {
    return new DemandBuilder();
  }

  /**
   * Returns a new fair dispatcher that deals one event a turn: {@link #fair(int) fair(1)}. The
   * events of a batch go round the consumers with demand one by one, so each consumer receives
   * every n-th event of a batch it shares with n - 1 others.
   *
   * @param <E> the event type
   * @return a new dispatcher
   */
  public static <E> Dispatcher<E> fair() {
    return new FairDispatcher<>(1);
  }

  /**
   * Returns a new fair dispatcher: each batch is dealt out to the consumers in turn, in the order
   * they subscribed, at most {@code eventsPerTurn} events a turn and never beyond a consumer's
   * demand; consumers without demand are skipped, and the turns carry on from one batch to the
   * next. Consumers thus share the events by turns, not by how much they ask: unlike {@link
   * #demand()}, consumers may use different {@code maxDemand}s without the greedy ones being
   * favoured. Each consumer receives its events of a batch as one message, in order. A new consumer
   * takes its first turn after every consumer already subscribed. No GenStage equivalent (gen_stage
   * PR #111 proposed one and was never merged).
   *
   * <p>Larger turns keep more neighbouring events together (with {@code eventsPerTurn} at least the
   * producer's batch size, a batch is split only when a consumer's demand runs out); a turn of 1
   * spreads the events most evenly.
   *
   * @param <E> the event type
   * @param eventsPerTurn the most events one consumer gets in a turn, at least 1
   * @return a new dispatcher
   * @throws IllegalArgumentException if {@code eventsPerTurn < 1}
   */
  public static <E> Dispatcher<E> fair(int eventsPerTurn) {
    return new FairDispatcher<>(eventsPerTurn);
  }

  /**
   * Returns a new broadcast dispatcher: every event goes to every consumer, never beyond any
   * consumer's demand, so the slowest consumer sets the pace. A subscription's {@link
   * dev.flowstage.stage.SubscriptionOptions#selector() selector} limits the events it receives;
   * events it rejects do not use up its demand. A consumer holds every other back from when it
   * subscribes until it first asks, and one consumer may subscribe only once. GenStage: {@code
   * GenStage.BroadcastDispatcher}.
   *
   * @param <E> the event type
   * @return a new dispatcher
   */
  public static <E> Dispatcher<E> broadcast() {
    return new BroadcastDispatcher<>();
  }

  /**
   * Returns a new partition dispatcher with partitions {@code 0} to {@code partitions - 1} and the
   * default hash, {@link #partitionOf(Object, int)} of each event. Consumers choose their partition
   * with {@link dev.flowstage.stage.SubscriptionOptions.Builder#partition}.
   *
   * @param <E> the event type
   * @param partitions the number of partitions, at least 1
   * @return a new dispatcher
   * @throws IllegalArgumentException if {@code partitions < 1}
   */
  public static <E> Dispatcher<E> partition(int partitions) {
    checkPartitions(partitions);
    return new PartitionDispatcher<E>(
        numbered(partitions), event -> partitionOf(event, partitions));
  }

  /**
   * Returns the default partition of a key among {@code partitions}: the high bits of its
   * Fibonacci-mixed {@code hashCode()}, scaled to {@code [0, partitions)} without a division.
   *
   * <p>Not {@code floorMod(hashCode)}: a partition's reducer usually keeps its keys in a {@code
   * HashMap}, which picks buckets by the low bits of {@code h ^ (h >>> 16)}. Routing by those same
   * low bits would leave each partition's map using only {@code 1/partitions} of its buckets (mean
   * chain 3.9 instead of 1.4 with 8 partitions; {@code flow-bench}'s {@code PartitionBucketSkew}).
   * Multiplying by the golden ratio and taking the high bits decorrelates the two.
   *
   * @param key the key (may be {@code null}, which has hash 0)
   * @param partitions the number of partitions, at least 1
   * @return the key's partition, {@code 0 <= p < partitions}
   */
  public static int partitionOf(Object key, int partitions) {
    int mixed = Objects.hashCode(key) * 0x9E3779B9;
    return (int) (((mixed & 0xFFFF_FFFFL) * partitions) >>> 32);
  }

  /**
   * Returns a new partition dispatcher with partitions {@code 0} to {@code partitions - 1}, routing
   * each event to the partition {@code hash} returns. GenStage: {@code
   * GenStage.PartitionDispatcher} with {@code partitions: n, hash: fun}.
   *
   * <p>Each partition has one consumer. Events beyond a partition's demand wait in the dispatcher
   * for that partition (see {@link Dispatcher#heldCount()}); an uneven hash therefore lets a busy
   * partition hold the others back. Events held for a partition whose consumer cancels wait for its
   * next consumer.
   *
   * @param <E> the event type
   * @param partitions the number of partitions, at least 1
   * @param hash returns an event's partition, {@code 0 <= p < partitions}, or {@link #DROP} to
   *     discard it; any other value makes {@code dispatch} throw {@link IllegalStateException}
   * @return a new dispatcher
   * @throws IllegalArgumentException if {@code partitions < 1}
   */
  public static <E> Dispatcher<E> partition(int partitions, ToIntFunction<? super E> hash) {
    checkPartitions(partitions);
    return new PartitionDispatcher<>(numbered(partitions), Objects.requireNonNull(hash, "hash"));
  }

  /**
   * Returns a new partition dispatcher with named partitions, routing each event to the partition
   * whose name {@code hash} returns. Consumers subscribe with the name as their {@link
   * dev.flowstage.stage.SubscriptionOptions.Builder#partition partition}. Otherwise as {@link
   * #partition(int, ToIntFunction)}.
   *
   * @param <E> the event type
   * @param names the partitions' names, distinct and not empty (compared with {@code equals})
   * @param hash returns the name of an event's partition, or {@code null} to discard it; a name not
   *     in {@code names} makes {@code dispatch} throw {@link IllegalStateException}
   * @return a new dispatcher
   * @throws IllegalArgumentException if {@code names} is empty or has duplicates
   */
  public static <E> Dispatcher<E> partition(List<?> names, Function<? super E, ?> hash) {
    Objects.requireNonNull(hash, "hash");
    NameHash<E> byName = new NameHash<>(hash);
    PartitionDispatcher<E> dispatcher = new PartitionDispatcher<>(names, byName);
    byName.dispatcher = dispatcher;
    return dispatcher;
  }

  /** Maps a name-returning hash to partition indices with one map lookup per event. */
  private static final class NameHash<E> implements ToIntFunction<E> {
    private final Function<? super E, ?> hash;
    private PartitionDispatcher<E> dispatcher;

    NameHash(Function<? super E, ?> hash) {
      this.hash = hash;
    }

    @Override
    public int applyAsInt(E event) {
      Object name = hash.apply(event);
      if (name == null) {
        return DROP;
      }
      int index = dispatcher.indexOf(name);
      if (index < 0) {
        throw new IllegalStateException(
            "the partition hash returned "
                + name
                + " for event "
                + event
                + "; it must return one of "
                + dispatcher.names()
                + ", or null to discard the event");
      }
      return index;
    }
  }

  private static void checkPartitions(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "a partition dispatcher needs at least 1 partition, got: " + partitions);
    }
  }

  private static List<Integer> numbered(int partitions) {
    List<Integer> names = new ArrayList<>(partitions);
    for (int i = 0; i < partitions; i++) {
      names.add(i);
    }
    return names;
  }

  /**
   * Builds a demand dispatcher with options. Defaults: no shuffle, maximum demand taken from the
   * first ask.
   */
  public static final class DemandBuilder {
    private boolean shuffle;
    private int maxDemand;

    private DemandBuilder() {}

    /**
     * Shuffles the consumers once before the first dispatch, so that the first batch does not
     * always go to the first subscriber when all asked the same demand (default {@code false}).
     * GenStage: {@code shuffle_demands_on_first_dispatch}.
     *
     * @param shuffle whether to shuffle
     * @return this builder
     */
    public DemandBuilder shuffleDemandsOnFirstDispatch(boolean shuffle) {
      this.shuffle = shuffle;
      return this;
    }

    /**
     * Sets the demand each consumer is expected to ask for at most; a larger ask logs a warning,
     * since a greedy consumer would be favoured (default: the first ask's demand). GenStage: {@code
     * max_demand}.
     *
     * @param maxDemand at least 1
     * @return this builder
     * @throws IllegalArgumentException if {@code maxDemand < 1}
     */
    public DemandBuilder maxDemand(int maxDemand) {
      if (maxDemand < 1) {
        throw new IllegalArgumentException(
            "maxDemand must be at least 1, got: "
                + maxDemand
                + "; leave it unset to use the first ask's demand");
      }
      this.maxDemand = maxDemand;
      return this;
    }

    /**
     * Returns a new demand dispatcher with these options; a builder may build many.
     *
     * @param <E> the event type
     * @return a new dispatcher
     */
    public <E> Dispatcher<E> build() {
      return new DemandDispatcher<>(maxDemand, shuffle ? new SplittableRandom() : null);
    }
  }
}
