package dev.flowstage.flow.internal;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.dispatch.Outbox;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * A partition dispatcher that never holds an event: it passes upstream only as much demand as every
 * partition can take, so any event it is given can be sent at once, whatever its partition.
 *
 * <p>Design: {@code granted} is the demand passed upstream and not yet used; the invariant is
 * {@code granted <= min(demand[p])} over live partitions, so each granted event fits its partition.
 * Asks raise {@code granted} to the new minimum; each sent event lowers its partition's demand and
 * {@code granted} by one, which keeps the invariant. Consumers ask with automatic demand, in steps
 * of at least {@code maxDemand - minDemand} (so batches stay large); after a dispatch that leaves
 * every live partition above its {@code minDemand}, none of them will ask, so the dispatcher raises
 * {@code granted} itself ({@link Outbox#askUpstream}). Compared with GenStage's PartitionDispatcher
 * (gen_stage lib/gen_stage/dispatchers/partition_dispatcher.ex), which queues events beyond a
 * partition's demand without bound, memory stays bounded by {@code maxDemand} per partition even
 * with skewed keys, and demand accounting is exactly the runtime's (demand in, events sent), so a
 * producer-consumer's buffer always drains. The cost: a partition whose stage is slow slows its
 * producer, as a broadcast would.
 *
 * <p>What to ask for: {@code owed} is the demand passed on and not yet met by an event handed to
 * {@link #dispatch} (the runtime's own count for a producer-consumer), and the producer's buffer
 * ({@link Outbox#buffered}) holds events older than any still to come. Each grant is served from
 * the buffer first and asks upstream only for what neither the buffer nor {@code owed} covers
 * ({@link #topUp}). Events hashed to {@link Dispatchers#DROP} (or to a partition whose consumer
 * left) fill no demand, so after such a dispatch the shortfall is asked for again, on a source and
 * on a producer-consumer alike (without it a producer-consumer stopped handling input while its
 * consumers waited for the dropped events' replacements); a producer that emitted more than asked
 * already replaced them and is not asked again.
 *
 * <p>Order: the buffer holds events only while {@code granted} is 0, so a new event never overtakes
 * a buffered one on its way to a partition. Two moments would break the invariant above, and both
 * set {@code granted} to 0 instead: a partition subscribed again after its consumer left (it starts
 * with no demand), and the last consumer leaving. Events already requested then arrive as leftovers
 * behind the buffer, and count against the next grants ({@code owed}), so upstream is not asked for
 * them twice.
 *
 * <p>Runs on the producer's thread only; nothing here is synchronized.
 */
final class BoundedPartitionDispatcher implements Dispatcher<Object> {
  private static final long CANCELLED = Long.MAX_VALUE / 4;

  private final String stage;
  private final ToIntFunction<Object> hash;
  private final Subscription[] subs;
  private final long[] demand;

  private final Object[][] batches;
  private final int[] batchSizes;
  private int[] parts = new int[0];
  private long granted;
  private long owed;
  // Of `owed`, the events asked of the buffer that the runtime has not handed over yet: it hands
  // them over before anything newer (Outbox#buffered), so they are the next ones dispatched.
  private long promised;
  private long dropped;
  private long givenUp;

  BoundedPartitionDispatcher(String stage, int partitions, ToIntFunction<Object> hash) {
    this.stage = stage;
    this.hash = hash;
    this.subs = new Subscription[partitions];
    this.demand = new long[partitions];
    this.batches = new Object[partitions][];
    this.batchSizes = new int[partitions];
  }

  /** A scratch array for the partitions of {@code n} events, reused across calls. */
  private int[] partsFor(int n) {
    if (parts.length < n) {
      parts = new int[Math.max(n, parts.length * 2)];
    }
    return parts;
  }

  /**
   * Events the hash dropped ({@link Dispatchers#DROP}): what the user asked for, counted in the
   * stage's statistics ({@code StageStats.dropped}). Events for a partition whose consumer left
   * (the run is ending) are not among them.
   */
  @Override
  public long dropped() {
    return dropped;
  }

  /** Events given up because their partition's consumer had left (for the tests' accounting). */
  long givenUp() {
    return givenUp;
  }

  @Override
  public long subscribe(Subscription subscription, Outbox<Object> out) {
    Object name = subscription.options().partition();
    if (!(name instanceof Integer p) || p < 0 || p >= subs.length) {
      throw new IllegalArgumentException(
          "subscribe with partition(i), i in [0, " + subs.length + "), got: " + name);
    }
    if (subs[p] != null) {
      throw new IllegalArgumentException("partition " + p + " already has a consumer");
    }
    subs[p] = subscription;
    demand[p] = 0; // a partition whose consumer left (CANCELLED) starts again with no demand
    // The invariant (granted <= its demand): what is still on its way waits as leftovers, behind
    // the buffer, and counts against the next grants (owed).
    granted = 0;
    return 0;
  }

  @Override
  public long cancel(Subscription subscription, Outbox<Object> out) {
    for (int p = 0; p < subs.length; p++) {
      if (subs[p] == subscription) {
        subs[p] = null;
        demand[p] = CANCELLED; // no longer limits the others; its events are dropped
      }
    }
    if (!anyLive()) {
      granted = 0; // nobody waits any more: what upstream still sends waits as leftovers
      return 0;
    }
    return topUp(minDemand(), out.buffered());
  }

  private boolean anyLive() {
    for (Subscription s : subs) {
      if (s != null) {
        return true;
      }
    }
    return false;
  }

  @Override
  public long ask(Subscription subscription, long n, Outbox<Object> out) {
    for (int p = 0; p < subs.length; p++) {
      if (subs[p] == subscription) {
        demand[p] += n;
        return topUp(minDemand(), out.buffered());
      }
    }
    return 0;
  }

  /** The demand every partition can take: 0 while one has no consumer yet or none is live. */
  private long minDemand() {
    long min = Long.MAX_VALUE;
    boolean live = false;
    for (int p = 0; p < subs.length; p++) {
      if (subs[p] != null) {
        live = true;
      }
      min = Math.min(min, demand[p]);
    }
    return live ? min : 0;
  }

  /**
   * Raises {@code granted} to {@code target} (if higher) and returns the demand for the runtime to
   * serve so that {@code granted} events come: the buffer's events first (they are older than any
   * still to come from upstream, so they must go out first), then only what {@code owed} does not
   * cover. Events already requested beyond the grant come back as leftovers, behind the buffer.
   *
   * @param buffered the events the producer's buffer holds (or will hold, with a dispatch's
   *     leftovers)
   */
  private long topUp(long target, long buffered) {
    if (target > granted) {
      granted = target;
    }
    if (granted == 0) {
      return 0;
    }
    long unasked = Math.max(0, buffered - promised);
    long fromBuffer = Math.min(Math.max(0, granted - promised), unasked);
    long more = fromBuffer + Math.max(0, granted - fromBuffer - owed);
    promised += fromBuffer;
    owed += more;
    return more;
  }

  @Override
  public List<Object> dispatch(List<Object> events, Outbox<Object> out) {
    int n = events.size();
    // First pass: each event's partition (or DROP) and the demand it takes; second pass: one
    // exactly sized batch per partition. Sizing a batch for all the call's events instead would
    // allocate about as many slots per partition as the whole call, most of them never used.
    int[] parts = partsFor(n);
    int[] sizes = batchSizes;
    int i = 0;
    long drops = 0;
    long asked = 0; // of drops, those the hash asked for
    // granted <= demand[p] of every live partition: each granted event fits its partition.
    for (; i < n && granted > 0; i++) {
      Object e = events.get(i);
      int p;
      try {
        p = hash.applyAsInt(e);
      } catch (RuntimeException | Error err) {
        Arrays.fill(sizes, 0);
        throw new StageFailure(stage, err);
      }
      if (p == Dispatchers.DROP || subs[p] == null) {
        drops++;
        if (p == Dispatchers.DROP) {
          asked++;
        }
        parts[i] = Dispatchers.DROP;
        continue;
      }
      parts[i] = p;
      sizes[p]++;
      demand[p]--;
      granted--;
    }
    Object[][] b = batches;
    for (int p = 0; p < subs.length; p++) {
      if (sizes[p] > 0) {
        b[p] = new Object[sizes[p]];
        sizes[p] = 0;
      }
    }
    // Plain array stores (sizes[] counts the fill): no capacity check or modCount per event.
    for (int j = 0; j < i; j++) {
      int p = parts[j];
      if (p != Dispatchers.DROP) {
        b[p][sizes[p]++] = events.get(j);
      }
    }
    for (int p = 0; p < subs.length; p++) {
      Object[] batch = b[p];
      if (batch != null) {
        b[p] = null;
        sizes[p] = 0;
        out.send(subs[p], Arrays.asList(batch)); // fixed-size, as the producer buffer's batches
      }
    }
    dropped += asked;
    givenUp += drops - asked;
    // Every event handed over met demand passed on, leftovers too (they were emitted for it, as
    // the runtime counts a producer-consumer's demand); a producer may emit more than asked.
    owed = Math.max(0, owed - n);
    promised = Math.max(0, promised - n);
    long target = granted;
    if (noneWillAsk()) {
      // Every partition still has more than its re-ask threshold pending, so no ask will come to
      // raise the grant: grant what every partition can still take now, or the layer would stall.
      target = minDemand();
    }
    if (drops > 0 || target > granted) {
      // Dropped events filled no demand (granted stays): ask for their replacements too. The
      // runtime serves this after buffering the leftovers, which are older than anything to come.
      long more = topUp(target, out.buffered() + (n - i));
      if (more > 0) {
        out.askUpstream(more);
      }
    }
    // A view, not a copy: the runtime owns the events it dispatches (Dispatcher#dispatch) and
    // buffers the leftovers at once.
    return i < n ? events.subList(i, n) : List.of();
  }

  /**
   * Whether no live consumer will ask again by itself: each re-asks (automatic demand) once what it
   * asked and has not received is at most its {@code minDemand}, and everything sent will arrive.
   */
  private boolean noneWillAsk() {
    for (int p = 0; p < subs.length; p++) {
      if (subs[p] != null && demand[p] <= subs[p].options().minDemand()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void info(Object message, Outbox<Object> out) {
    out.info(message);
  }
}
