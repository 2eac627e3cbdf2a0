package dev.flowstage.stage.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.testing.ProducerModel;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random subscribe/ask/emit/cancel/info sequences applied to each dispatcher driven by a model
 * producer (buffer first, then handleDemand, as the runtime does), checking the invariants after
 * every step so that the failing step is the last one printed. Every dispatcher delivers each
 * consumer's events in the producer's order, also after consumers cancel with demand outstanding,
 * and once the producer emitted all it owes no consumer is left waiting for events nobody will
 * emit. Seeds are reproducible; raise the number of tries with {@code -Dproperties.tries=10000}.
 */
final class DispatcherProperties {
  private static final int STEPS = 150;
  private static final int PARTITIONS = 3;

  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 200));
  }

  /** The partition harness's key: events with equal keys must share a partition. */
  static int key(int event) {
    return event % 10;
  }

  static int partitionHash(int event) {
    int key = key(event);
    return key == 7 ? Dispatchers.DROP : key % PARTITIONS;
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void demand_neverDeliversMoreThanAsked_andDeliversEveryEventExactlyOnceInOrder(long seed) {
    new Harness(DispatcherKind.DEMAND, seed).run();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void broadcast_neverDeliversMoreThanAsked_andDeliversEverySelectedEventToEveryConsumerInOrder(
      long seed) {
    new Harness(DispatcherKind.BROADCAST, seed).run();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void fair_neverDeliversMoreThanAsked_andDeliversEveryEventExactlyOnceInOrder(long seed) {
    new Harness(DispatcherKind.FAIR, seed).run();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void partition_neverDeliversMoreThanAsked_andSendsEachEventToExactlyOnePartitionByKeyInOrder(
      long seed) {
    new Harness(DispatcherKind.PARTITION, seed).run();
  }

  /** One consumer's view, kept by the harness. */
  private static final class Consumer {
    final TestSubscription subscription;
    final Predicate<Integer> selector;
    final int partition;
    long asked;
    final List<Integer> received = new ArrayList<>();
    final List<Integer> expected = new ArrayList<>(); // broadcast model
    boolean live = true;

    Consumer(TestSubscription subscription, Predicate<Integer> selector, int partition) {
      this.subscription = subscription;
      this.selector = selector;
      this.partition = partition;
    }
  }

  /** A model producer around one dispatcher. */
  private static final class Harness implements Outbox<Integer> {
    final DispatcherKind kind;
    final long seed;
    final SplittableRandom random;
    final Dispatcher<Integer> dispatcher;
    final List<String> log = new ArrayList<>();
    final List<Consumer> consumers = new ArrayList<>();
    final Map<Subscription, Consumer> bySubscription = new IdentityHashMap<>();
    final ProducerModel<Integer> producer = new ProducerModel<>(this::dispatch);
    final BitSet sent = new BitSet(); // demand, partition: each event at most once
    final BitSet delivered = new BitSet(); // broadcast: dispatched to the group
    final BitSet discarded = new BitSet(); // partition: given up for a cancelled consumer
    final List<Integer> accepted = new ArrayList<>(); // handed over, not leftover, not dropped
    final ArrayDeque<int[]> infos = new ArrayDeque<>(); // {id, accepted prefix}
    int nextInfo;
    int nextEvent;
    long orphaned; // demand/fair model: demand of cancelled consumers already passed upstream
    int subscriptions;

    Harness(DispatcherKind kind, long seed) {
      this.kind = kind;
      this.seed = seed;
      this.random = new SplittableRandom(seed);
      this.dispatcher =
          switch (kind) {
            case PARTITION ->
                Dispatchers.partition(PARTITIONS, DispatcherProperties::partitionHash);
            // asks are 1 to 8: tell it, so it does not warn about uneven asks
            case DEMAND -> Dispatchers.demandBuilder().maxDemand(8).build();
            case BROADCAST, FAIR -> kind.create();
          };
    }

    void run() {
      for (int step = 0; step < STEPS; step++) {
        int op = random.nextInt(100);
        if (op < 15) {
          subscribe();
        } else if (op < 22) {
          cancel();
        } else if (op < 55) {
          ask();
        } else if (op < 92) {
          emit(false);
        } else {
          info();
        }
        check();
      }
      // Drain: the producer emits everything it owes, then nothing may be left stuck.
      for (int round = 0; round < 1000 && producer.owed() > 0; round++) {
        emit(true);
        check();
      }
      assertEquals(0, producer.owed(), this::trace);
      checkQuiescent();
    }

    void subscribe() {
      if (live().size() >= 3) {
        return;
      }
      String name = "c" + subscriptions++;
      SubscriptionOptions.Builder options = SubscriptionOptions.builder();
      Predicate<Integer> selector = null;
      int partition = -1;
      if (kind == DispatcherKind.BROADCAST && random.nextBoolean()) {
        int mod = 2 + random.nextInt(2);
        int reject = random.nextInt(mod);
        selector = e -> e % mod != reject;
        options.selector(selector);
        name += "(skips %" + mod + "==" + reject + ")";
      }
      if (kind == DispatcherKind.PARTITION) {
        List<Integer> free = new ArrayList<>(List.of(0, 1, 2));
        for (Consumer c : live()) {
          free.remove((Integer) c.partition);
        }
        partition = free.get(random.nextInt(free.size()));
        options.partition(partition);
        name += "@p" + partition;
      }
      Consumer consumer =
          new Consumer(TestSubscription.of(name, options.build()), selector, partition);
      log.add("subscribe " + name);
      consumers.add(consumer);
      bySubscription.put(consumer.subscription, consumer);
      demand(dispatcher.subscribe(consumer.subscription, this));
    }

    void cancel() {
      List<Consumer> live = live();
      if (live.isEmpty()) {
        return;
      }
      Consumer c = live.get(random.nextInt(live.size()));
      log.add("cancel " + c.subscription);
      c.live = false;
      orphaned += c.asked - c.received.size();
      demand(dispatcher.cancel(c.subscription, this));
    }

    void ask() {
      List<Consumer> live = live();
      if (live.isEmpty()) {
        return;
      }
      Consumer c = live.get(random.nextInt(live.size()));
      long n = 1 + random.nextInt(8);
      log.add("ask " + c.subscription + " " + n);
      c.asked += n;
      long upstream = dispatcher.ask(c.subscription, n, this);
      if (kind == DispatcherKind.DEMAND || kind == DispatcherKind.FAIR) {
        // Never asks upstream twice for the same events, and never for fewer than are wanted: the
        // buffer serves the ask first, then demand a cancelled consumer left (already passed
        // upstream), and only the rest is new.
        long fromBuffer = Math.min(n, producer.buffered());
        long alreadyAsked = Math.min(orphaned, n - fromBuffer);
        orphaned -= alreadyAsked;
        assertEquals(n - alreadyAsked, upstream, () -> "demand to serve for ask " + n + trace());
      }
      demand(upstream);
    }

    void emit(boolean exact) {
      long k = random.nextLong(producer.owed() + 1);
      if (exact) {
        k = producer.owed();
      } else if (random.nextInt(5) == 0) {
        k += 1 + random.nextInt(3); // a producer may emit more than asked
      }
      producer.emitted(k);
      if (k > 0) {
        log.add("emit " + k);
      }
      while (k > 0) {
        int batch = (int) Math.min(k, 1 + random.nextInt(5));
        List<Integer> events = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
          events.add(nextEvent++);
        }
        k -= batch;
        List<Integer> leftover = producer.emit(events);
        // events nobody had demand for are taken to be those a cancelled consumer left (GenStage)
        orphaned -= Math.min(orphaned, leftover.size());
      }
    }

    void info() {
      int id = nextInfo++;
      log.add("info " + id);
      infos.addLast(new int[] {id, accepted.size()});
      dispatcher.info(id, this);
    }

    /** Serves demand from the buffer first, the rest from the producer (GenStage). */
    void demand(long n) {
      assertTrue(n >= 0, trace());
      producer.demand(n);
    }

    List<Integer> dispatch(List<Integer> events) {
      List<Consumer> present = live();
      List<Integer> copy = List.copyOf(events);
      List<Integer> leftover = List.copyOf(dispatcher.dispatch(events, this));
      int taken = copy.size() - leftover.size();
      assertEquals(copy.subList(taken, copy.size()), leftover, this::trace);
      for (int i = 0; i < taken; i++) {
        int e = copy.get(i);
        if (kind == DispatcherKind.PARTITION && partitionHash(e) == Dispatchers.DROP) {
          continue;
        }
        accepted.add(e);
        if (kind == DispatcherKind.BROADCAST) {
          assertTrue(!delivered.get(e), () -> "dispatched twice: " + e + trace());
          delivered.set(e);
          for (Consumer c : present) {
            if (c.selector == null || c.selector.test(e)) {
              c.expected.add(e);
            }
          }
        }
      }
      return leftover;
    }

    @Override
    public void send(Subscription to, List<Integer> events) {
      Consumer c = bySubscription.get(to);
      assertTrue(c != null && c.live, () -> "sent to a cancelled subscription " + to + trace());
      assertTrue(!events.isEmpty(), this::trace);
      for (int e : events) {
        // the producer emits in increasing order, so a consumer receives in increasing order
        int last = c.received.isEmpty() ? -1 : c.received.get(c.received.size() - 1);
        assertTrue(
            e > last, () -> to + " received " + e + " after " + last + ", out of order" + trace());
        c.received.add(e);
      }
      assertTrue(
          c.received.size() <= c.asked,
          () -> to + " received " + c.received.size() + " but asked " + c.asked + trace());
      for (int e : events) {
        if (kind == DispatcherKind.PARTITION) {
          assertEquals(c.partition, partitionHash(e), () -> "event " + e + " to " + to + trace());
        }
        if (kind != DispatcherKind.BROADCAST) {
          assertTrue(!sent.get(e), () -> "event " + e + " sent twice" + trace());
          sent.set(e);
        }
      }
    }

    @Override
    public long buffered() {
      return producer.buffered();
    }

    @Override
    public void askUpstream(long demand) {
      assertTrue(demand >= 1, this::trace);
      producer.askUpstream(demand);
    }

    @Override
    public void discard(List<Integer> events, String reason) {
      assertTrue(kind == DispatcherKind.PARTITION && !events.isEmpty(), this::trace);
      for (int e : events) {
        assertTrue(!sent.get(e) && !discarded.get(e), () -> "discarded " + e + " twice" + trace());
        Consumer owner = null;
        for (Consumer c : consumers) {
          if (c.live && c.partition == partitionHash(e)) {
            owner = c;
          }
        }
        Consumer live = owner;
        assertTrue(live == null, () -> "discarded " + e + " though " + live + " is live" + trace());
        discarded.set(e);
      }
    }

    @Override
    public void info(Object message) {
      int[] next = infos.pollFirst();
      assertTrue(next != null && next[0] == (int) message, () -> "info out of order" + trace());
      for (int i = 0; i < next[1]; i++) {
        int e = accepted.get(i);
        boolean out =
            kind == DispatcherKind.BROADCAST ? delivered.get(e) : sent.get(e) || discarded.get(e);
        assertTrue(out, () -> "info " + message + " before event " + e + trace());
      }
    }

    void check() {
      long inConsumers = 0;
      for (Consumer c : consumers) {
        inConsumers += c.received.size();
        if (kind == DispatcherKind.BROADCAST) {
          assertEquals(c.expected, c.received, () -> c.subscription + trace());
        }
      }
      switch (kind) {
        case DEMAND, FAIR ->
            assertEquals(nextEvent, inConsumers + producer.buffered(), this::trace);
        case BROADCAST ->
            assertEquals(nextEvent, delivered.cardinality() + producer.buffered(), trace());
        case PARTITION -> {
          long dropped = ((PartitionDispatcher<Integer>) dispatcher).dropped();
          assertEquals(
              nextEvent,
              inConsumers
                  + dispatcher.heldCount()
                  + producer.buffered()
                  + dropped
                  + discarded.cardinality(),
              this::trace);
        }
      }
      if (kind == DispatcherKind.DEMAND || kind == DispatcherKind.FAIR) {
        // The producer's buffer is served before anything newer (what keeps each consumer's
        // events in the producer's order): no consumer waits while it holds events. Not for
        // broadcast (it waits for the slowest consumer) nor partition (like GenStage's, it takes
        // only as many events as were asked for in all, whatever their partitions).
        for (Consumer c : live()) {
          boolean waits = c.asked > c.received.size();
          assertTrue(
              !waits || producer.buffered() == 0,
              () -> c.subscription + " waits beside the buffer" + trace());
        }
      }
      if (kind == DispatcherKind.PARTITION) {
        // no partition keeps events while its consumer waits for some (checked on the model:
        // events handed over for a partition and neither sent nor discarded are queued for it)
        for (Consumer c : live()) {
          boolean queued = false;
          for (int e : accepted) {
            if (partitionHash(e) == c.partition && !sent.get(e) && !discarded.get(e)) {
              queued = true;
              break;
            }
          }
          boolean waits = c.asked > c.received.size();
          assertTrue(!queued || !waits, () -> c.subscription + " waits beside its queue" + trace());
        }
      }
    }

    /** After the producer emitted all it owes, no demand that could be met is left unmet. */
    void checkQuiescent() {
      List<Consumer> live = live();
      switch (kind) {
        case DEMAND, FAIR -> {
          for (Consumer c : live) {
            assertEquals(c.asked, c.received.size(), () -> c.subscription + " starves" + trace());
          }
        }
        case BROADCAST -> {
          long min = Long.MAX_VALUE;
          for (Consumer c : live) {
            min = Math.min(min, c.asked - c.received.size());
          }
          long stuck = min;
          assertTrue(live.isEmpty() || stuck == 0, () -> "all consumers starve" + trace());
        }
        case PARTITION -> {
          // Like GenStage's, it takes as many events as were asked for in all, whatever their
          // partitions, so a consumer may wait while another partition's queue holds the events
          // that took its share; but once the producer emitted all it owes, the consumers cannot
          // wait for more events than are queued, or some wait for events nobody will emit.
          long waitedFor = 0;
          for (Consumer c : live) {
            waitedFor += c.asked - c.received.size();
          }
          long wanted = waitedFor;
          assertTrue(
              wanted <= dispatcher.heldCount(),
              () ->
                  "consumers wait for "
                      + wanted
                      + " events, only "
                      + dispatcher.heldCount()
                      + " are queued and the producer owes none: they starve"
                      + trace());
        }
      }
    }

    List<Consumer> live() {
      List<Consumer> live = new ArrayList<>();
      for (Consumer c : consumers) {
        if (c.live) {
          live.add(c);
        }
      }
      return live;
    }

    String trace() {
      return "\nseed " + seed + " (" + kind + "), steps:\n  " + String.join("\n  ", log);
    }
  }
}
