package dev.flowstage.stage.dispatch;

import dev.flowstage.stage.Subscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Sends each event to the one consumer of the partition its hash picks. GenStage: {@code
 * GenStage.PartitionDispatcher}.
 *
 * <p>Each partition has at most one consumer. Events hashed to a partition beyond its consumer's
 * demand, or to a partition that never had a consumer yet, are held here (see {@link #heldCount()})
 * until that partition's consumer asks. When a partition's consumer cancels, the events held for it
 * are given up, and so are events hashed to it until a consumer subscribes to it again: they are
 * reported through {@link Outbox#discard} (GenStage drops them silently). The hash returns a
 * partition index or {@link Dispatchers#DROP}.
 *
 * <p>Runs on the producer's thread only; nothing here is synchronized.
 *
 * @param <E> the event type
 */
final class PartitionDispatcher<E> implements Dispatcher<E> {
  /*
   * gen_stage PartitionDispatcher [1]. `waiting` is demand passed upstream and not yet filled,
   * summed over partitions: the producer cannot know which partition asked, so dispatch hashes
   * events one by one until `waiting` of them have been assigned; the rest are leftovers (the
   * producer's buffer). Each partition receives up to its demand as one batch; events beyond it
   * are queued for that partition (unbounded, like GenStage; counted by heldCount()).
   *
   * As in GenStage (A14.7), when a partition's consumer cancels, its queued events are given up
   * and the partition is "abandoned": events hashed to it are given up too until a consumer
   * subscribes to it again. Keeping them instead would hold back every later info (done() among
   * them) behind events for a consumer that may never come, so a finite producer would never end.
   * Unlike GenStage, given-up events are reported (Outbox.discard) and counted as discarded.
   * Events held for a partition that never had a consumer are kept: at start-up consumers
   * subscribe one by one.
   *
   * Re-asking: `owed` is the demand passed upstream that the producer has not yet filled (events
   * not yet dispatched). Events the hash drops, given-up events, and the queue of a cancelled
   * partition did not fill the consumers' demand they were produced for; after each dispatch the
   * dispatcher asks upstream for the shortfall only, `min(waiting - pending, live demand) - owed`
   * (`pending` is demand of cancelled consumers, which no live consumer waits for; with no live
   * consumer nothing is asked, or events given up for cancelled ones were replaced forever), so a
   * producer that emits exactly its demand never leaves a consumer waiting, and a producer that
   * already emitted enough (drops replaced by later events of the same batch) is not asked again.
   *
   * `pending` stands for events on their way (GenStage), so it is used up as they come: a
   * dispatch's events that no consumer had demand for (queued beyond their partition's demand, or
   * given up) are taken to be those (usePending), as GenStage 1.3's DemandDispatcher takes its
   * leftovers, and it never exceeds `waiting`, of which it is a part. GenStage's partition
   * dispatcher keeps `pending` until the next asks: a cancelled consumer's events that came and
   * were queued for other partitions were counted again by a later ask, whose consumer then waited
   * for events nobody would emit. An ask also makes sure that what is coming covers what the live
   * consumers wait for (the same shortfall), should the credit still count on events that came.
   *
   * Order: while `waiting` is above 0, the producer's buffer (Outbox.buffered) is served before
   * any new event, so a partition's events reach its consumer in the producer's order. The
   * demand each method returns or asks for includes those buffered events (at most `waiting`),
   * counted in `owed` until dispatched like fresh ones; without it, demand covered by `pending`
   * or `owed` (a cancel giving up a queue raises `waiting`) left the buffer behind while newer
   * events were assigned first.
   *
   * Differences from GenStage, on purpose:
   * - Markers for info messages are consumed as soon as the events before them are sent, not on
   *   the next ask.
   *
   * The per-event loop is two passes over the batch: the first computes each event's partition
   * into a reused int[] and counts per partition (so the hash may throw before any state changes),
   * the second stores each event in an exactly pre-sized array (sent as a fixed-size list view, no
   * ArrayList bookkeeping per event) or in its partition's queue.
   * [1] gen_stage lib/gen_stage/dispatchers/partition_dispatcher.ex
   */

  /**
   * A queued info message: delivered when every partition it waits on has sent what preceded it.
   */
  private static final class InfoMarker {
    final Object message;
    int remaining;

    InfoMarker(Object message) {
      this.message = message;
    }
  }

  private final List<Object> names;
  private final Map<Object, Integer> indexOfName;
  private final ToIntFunction<? super E> hash;
  private final int partitions;
  private final Subscription[] subscriptions;
  private final long[] demand;
  private final ArrayDeque<Object>[] queues; // events and InfoMarkers, in order
  private final Map<Subscription, Integer> partitionOf = new IdentityHashMap<>();
  // dispatch scratch, reused
  private final int[] count;
  private final int[] capacity;
  private final Object[][] batches;
  private final int[] filled;
  private int[] partitionOfEvent = new int[64];
  private final boolean[] abandoned;
  private long waiting;
  private long owed;
  private long pending;
  private long held;
  private long dropped;

  /**
   * Creates a partition dispatcher.
   *
   * @param names the partitions' names, distinct; index {@code i} is the partition the hash calls
   *     {@code i}
   * @param hash returns the index of an event's partition, or {@link Dispatchers#DROP}
   */
  @SuppressWarnings("unchecked")
  PartitionDispatcher(List<?> names, ToIntFunction<? super E> hash) {
    this.names = List.copyOf(names);
    this.hash = Objects.requireNonNull(hash, "hash");
    this.partitions = this.names.size();
    if (partitions == 0) {
      throw new IllegalArgumentException(
          "a partition dispatcher needs at least one partition, got none");
    }
    this.indexOfName = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      if (indexOfName.putIfAbsent(this.names.get(i), i) != null) {
        throw new IllegalArgumentException(
            "partition names must be distinct, got " + this.names.get(i) + " twice in " + names);
      }
    }
    this.subscriptions = new Subscription[partitions];
    this.demand = new long[partitions];
    this.abandoned = new boolean[partitions];
    this.queues = (ArrayDeque<Object>[]) new ArrayDeque<?>[partitions];
    this.count = new int[partitions];
    this.capacity = new int[partitions];
    this.batches = new Object[partitions][];
    this.filled = new int[partitions];
  }

  /** Returns the partition index of {@code name}, or -1 if it is not a partition; for hashes. */
  int indexOf(Object name) {
    Integer index = indexOfName.get(name);
    return index == null ? -1 : index;
  }

  /** Returns the partitions' names. */
  List<Object> names() {
    return names;
  }

  @Override
  public long subscribe(Subscription subscription, Outbox<E> out) {
    Objects.requireNonNull(subscription, "subscription");
    if (partitionOf.containsKey(subscription)) {
      throw new IllegalArgumentException(
          "this subscription is already subscribed to the producer; subscribe with a new one");
    }
    Object name = subscription.options().partition();
    if (name == null) {
      throw new IllegalArgumentException(
          "a producer with a partition dispatcher needs the partition to consume: subscribe with"
              + " SubscriptionOptions.builder().partition(p) where p is one of "
              + names);
    }
    Integer index = indexOfName.get(name);
    if (index == null) {
      throw new IllegalArgumentException(
          "partition must be one of " + names + ", got: " + describe(name));
    }
    if (subscriptions[index] != null) {
      throw new IllegalArgumentException(
          "the partition "
              + describe(name)
              + " is already taken by another subscription; each partition has exactly one"
              + " consumer, cancel that subscription first");
    }
    subscriptions[index] = subscription;
    abandoned[index] = false;
    partitionOf.put(subscription, index);
    return 0;
  }

  @Override
  public long cancel(Subscription subscription, Outbox<E> out) {
    Integer index = partitionOf.remove(subscription);
    if (index == null) {
      return 0;
    }
    int p = index;
    subscriptions[p] = null;
    abandoned[p] = true;
    // Its demand is on its way (GenStage), as far as anything is: `pending` is part of `waiting`,
    // which events queued for other partitions may have used up already.
    pending = Math.min(pending + demand[p], waiting);
    demand[p] = 0;
    ArrayDeque<Object> queue = queues[p];
    if (isEmpty(queue)) {
      return 0;
    }
    // Give up its queue (see the design note); infos waiting on it may now be due.
    List<E> given = new ArrayList<>();
    while (!queue.isEmpty()) {
      Object head = queue.pollFirst();
      if (head instanceof InfoMarker marker) {
        if (--marker.remaining == 0) {
          reportGivenUp(given, p, out);
          given = new ArrayList<>();
          out.info(marker.message);
        }
      } else {
        @SuppressWarnings("unchecked")
        E event = (E) head;
        given.add(event);
      }
    }
    reportGivenUp(given, p, out);
    return askShortfall(out.buffered(), null);
  }

  private void reportGivenUp(List<E> given, int p, Outbox<E> out) {
    if (!given.isEmpty()) {
      held -= given.size();
      waiting += given.size(); // they did not fill the demand they were assigned to
      out.discard(given, "partition " + describe(names.get(p)) + " has no consumer");
    }
  }

  /**
   * Returns the demand for the runtime to serve so that {@code waiting} can be filled (see the
   * design note): the producer's {@code buffered} events first, then what upstream still has to be
   * asked for; counts it as owed and passes it to {@code out} if given.
   */
  private long askShortfall(long buffered, Outbox<E> out) {
    long fromBuffer = Math.min(waiting, buffered);
    // `pending` is demand of cancelled consumers, kept for the next ask: nobody waits for it now;
    // nor for more than the live consumers' demand (with none live, events given up for cancelled
    // ones were asked for again and again)
    long wanted = Math.min(waiting - pending, liveDemand());
    long shortfall = Math.max(0, wanted - fromBuffer - owed);
    long serve = fromBuffer + shortfall;
    if (serve <= 0) {
      return 0;
    }
    owed += serve; // buffered events leave it again when dispatched, as fresh ones do
    if (out != null) {
      out.askUpstream(serve);
    }
    return serve;
  }

  /** The demand live consumers asked for and have not received. */
  private long liveDemand() {
    long sum = 0;
    for (int p = 0; p < partitions; p++) {
      if (subscriptions[p] != null) {
        sum += demand[p];
      }
    }
    return sum;
  }

  @Override
  public long ask(Subscription subscription, long n, Outbox<E> out) {
    Integer index = partitionOf.get(subscription);
    if (index == null || n <= 0) {
      return 0; // a subscription cancelled while its ask was in flight
    }
    int p = index;
    ArrayDeque<Object> queue = queues[p];
    if (queue != null && !queue.isEmpty()) {
      long sent = sendFromQueue(p, n, out);
      if (queue.isEmpty()) {
        demand[p] += n - sent;
      }
    } else {
      demand[p] += n;
    }
    long alreadySent = Math.min(pending, n);
    pending -= alreadySent;
    long upstream = n - alreadySent;
    waiting += upstream;
    // The buffer meets `waiting` before the credit does (see the design note).
    long serve = Math.max(upstream, Math.min(waiting, out.buffered()));
    // The credit counts on events still to come: if less is coming than the live consumers wait
    // for, part of it came already (queued for other partitions, given up), so ask for the rest.
    long wanted = Math.min(waiting - pending, liveDemand());
    serve = Math.max(serve, wanted - owed);
    owed += serve;
    return serve;
  }

  @Override
  @SuppressWarnings("unchecked")
  public List<E> dispatch(List<E> events, Outbox<E> out) {
    int size = events.size();
    if (waiting == 0) {
      return events;
    }
    if (partitionOfEvent.length < size) {
      partitionOfEvent = new int[Math.max(size, partitionOfEvent.length * 2)];
    }
    int[] target = partitionOfEvent;
    Arrays.fill(count, 0);
    // Pass 1: hash until `waiting` events have a partition; no state changes yet.
    long limit = waiting;
    int assigned = 0;
    int dropNow = 0;
    int giveUpNow = 0;
    int scanned = 0;
    while (scanned < size && assigned < limit) {
      E event = events.get(scanned);
      int p = hash.applyAsInt(event);
      if (p == Dispatchers.DROP) {
        dropNow++;
      } else if (p >= 0 && p < partitions && abandoned[p]) {
        giveUpNow++;
      } else if (p >= 0 && p < partitions) {
        count[p]++;
        assigned++;
      } else {
        throw new IllegalStateException(
            "the partition hash returned "
                + p
                + " for event "
                + event
                + "; it must return an index from 0 to "
                + (partitions - 1)
                + " (partitions "
                + names
                + ") or Dispatchers.DROP to discard the event");
      }
      target[scanned++] = p;
    }
    // Pass 2: exactly sized batches for partitions with demand and no queue; the rest is queued.
    for (int p = 0; p < partitions; p++) {
      int cap = 0;
      if (count[p] > 0 && isEmpty(queues[p])) {
        cap = (int) Math.min(count[p], demand[p]);
      }
      capacity[p] = cap;
      filled[p] = 0;
      batches[p] = cap > 0 ? new Object[cap] : null;
    }
    List<E> givenUp = giveUpNow > 0 ? new ArrayList<>(giveUpNow) : null;
    int queuedNow = 0;
    for (int i = 0; i < scanned; i++) {
      int p = target[i];
      if (p < 0) {
        continue;
      }
      if (abandoned[p]) {
        givenUp.add(events.get(i));
        continue;
      }
      E event = events.get(i);
      if (filled[p] < capacity[p]) {
        batches[p][filled[p]++] = event;
      } else {
        queue(p).addLast(event);
        held++;
        queuedNow++;
      }
    }
    for (int p = 0; p < partitions; p++) {
      Object[] batch = batches[p];
      if (batch != null) {
        batches[p] = null;
        demand[p] -= batch.length;
        out.send(subscriptions[p], (List<E>) Arrays.asList(batch));
      }
    }
    waiting -= assigned;
    usePending(queuedNow, giveUpNow);
    owed = Math.max(0, owed - scanned); // a producer may emit more than it was asked for
    dropped += dropNow;
    if (givenUp != null) {
      out.discard(givenUp, "its partition has no consumer (it cancelled)");
    }
    // Leftovers remain only once `waiting` is used up, so the buffer behind this batch is all.
    askShortfall(out.buffered(), out);
    return scanned == size ? List.of() : events.subList(scanned, size);
  }

  /**
   * Takes the events of a dispatch that no consumer had demand for ({@code queued} beyond their
   * partition's demand, {@code givenUp} for a cancelled consumer) to be those the cancelled
   * consumers' demand asked for ({@code pending}), as GenStage 1.3's DemandDispatcher takes its
   * leftovers: they have come, so no later ask may count on them again. Given-up events covered so
   * fill no live consumer's share of {@code waiting} and are not asked for again; and {@code
   * pending}, a part of {@code waiting}, never exceeds it.
   */
  private void usePending(int queued, int givenUp) {
    long forQueued = Math.min(pending, queued);
    pending -= forQueued;
    long forGivenUp = Math.min(pending, givenUp);
    pending -= forGivenUp;
    waiting -= forGivenUp;
    pending = Math.min(pending, waiting);
  }

  @Override
  public void info(Object message, Outbox<E> out) {
    InfoMarker marker = new InfoMarker(message);
    for (int p = 0; p < partitions; p++) {
      if (!isEmpty(queues[p])) {
        queues[p].addLast(marker);
        marker.remaining++;
      }
    }
    if (marker.remaining == 0) {
      out.info(message);
    }
  }

  /** Returns the events queued for partitions, waiting for their consumers to ask. */
  @Override
  public long heldCount() {
    return held;
  }

  @Override
  public long dropped() {
    return dropped;
  }

  /**
   * Sends up to {@code n} queued events of partition {@code p} as one batch per run between info
   * markers, delivering markers as they are reached; returns the number of events sent.
   */
  @SuppressWarnings("unchecked")
  private long sendFromQueue(int p, long n, Outbox<E> out) {
    ArrayDeque<Object> queue = queues[p];
    long left = n;
    List<E> batch = null;
    while (!queue.isEmpty()) {
      Object head = queue.peekFirst();
      if (head instanceof InfoMarker marker) {
        queue.pollFirst();
        if (batch != null) {
          out.send(subscriptions[p], batch);
          batch = null;
        }
        if (--marker.remaining == 0) {
          out.info(marker.message);
        }
        continue;
      }
      if (left == 0) {
        break;
      }
      queue.pollFirst();
      if (batch == null) {
        batch = new ArrayList<>((int) Math.min(left, queue.size() + 1));
      }
      batch.add((E) head);
      left--;
      held--;
    }
    if (batch != null) {
      out.send(subscriptions[p], batch);
    }
    return n - left;
  }

  private ArrayDeque<Object> queue(int p) {
    ArrayDeque<Object> queue = queues[p];
    if (queue == null) {
      queue = new ArrayDeque<>();
      queues[p] = queue;
    }
    return queue;
  }

  private static boolean isEmpty(ArrayDeque<Object> queue) {
    return queue == null || queue.isEmpty();
  }

  private static String describe(Object name) {
    return name instanceof String s ? '"' + s + '"' : String.valueOf(name);
  }
}
