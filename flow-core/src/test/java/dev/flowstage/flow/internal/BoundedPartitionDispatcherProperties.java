package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.dispatch.Outbox;
import dev.flowstage.stage.testing.ProducerModel;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random subscribe/ask/emit/cancel/re-subscribe sequences applied to Flow's partition dispatcher
 * driven by a model producer that serves demand from its buffer first, then emits (as the runtime
 * does), checking the invariants after every step so that the failing step is the last one printed:
 * each consumer receives its partition's events in the producer's order and never more than it
 * asked, nothing is lost or duplicated, upstream demand is never raised past what every partition
 * can take (demand already requested is not asked for twice), and once the producer emitted all it
 * owes, consumers that will not ask again are not left waiting for events nobody will emit. Seeds
 * are reproducible; raise the number of tries with {@code -Dproperties.tries=10000}.
 */
final class BoundedPartitionDispatcherProperties {
  private static final int STEPS = 150;
  private static final int PARTITIONS = 3;

  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 200));
  }

  /** Key 7 is dropped by the hash; the rest go to {@code key % PARTITIONS}. */
  static int hash(Object event) {
    int key = (int) event % 10;
    return key == 7 ? Dispatchers.DROP : key % PARTITIONS;
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void neverSendsMoreThanAsked_loosesNothing_asksOnce_andDeliversEachPartitionInOrder(long seed) {
    new Harness(seed).run();
  }

  /** One consumer's view, kept by the harness. */
  private static final class Consumer {
    final TestSubscription subscription;
    final int partition;
    final int minDemand;
    long asked;
    final List<Integer> received = new ArrayList<>();
    boolean live = true;

    Consumer(TestSubscription subscription, int partition, int minDemand) {
      this.subscription = subscription;
      this.partition = partition;
      this.minDemand = minDemand;
    }

    long pending() {
      return asked - received.size();
    }
  }

  /** A model producer around one dispatcher. */
  private static final class Harness implements Outbox<Object> {
    final long seed;
    final SplittableRandom random;
    final BoundedPartitionDispatcher dispatcher;
    final List<String> log = new ArrayList<>();
    final List<Consumer> consumers = new ArrayList<>();
    final Map<Subscription, Consumer> bySubscription = new IdentityHashMap<>();
    final boolean[] everSubscribed = new boolean[PARTITIONS];
    final ProducerModel<Object> producer = new ProducerModel<>(this::dispatch);
    final BitSet sent = new BitSet();
    int nextEvent;
    int subscriptions;

    Harness(long seed) {
      this.seed = seed;
      this.random = new SplittableRandom(seed);
      this.dispatcher =
          new BoundedPartitionDispatcher(
              "p", PARTITIONS, BoundedPartitionDispatcherProperties::hash);
    }

    void run() {
      for (int step = 0; step < STEPS; step++) {
        long before = producer.owed();
        int op = random.nextInt(100);
        if (op < 15) {
          subscribe();
        } else if (op < 22) {
          cancel();
        } else if (op < 55) {
          ask();
        } else {
          emit(false);
        }
        check(before);
      }
      // Drain: the producer emits exactly what it owes; re-asks must stop (only the shortfall).
      for (int round = 0; round < 1000 && producer.owed() > 0; round++) {
        long before = producer.owed();
        emit(true);
        check(before);
      }
      assertEquals(0, producer.owed(), () -> "the producer is asked again and again" + trace());
      checkNotStuck();
    }

    void subscribe() {
      List<Integer> free = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        free.add(p);
      }
      for (Consumer c : live()) {
        free.remove((Integer) c.partition);
      }
      if (free.isEmpty()) {
        return;
      }
      int partition = free.get(random.nextInt(free.size()));
      int minDemand = random.nextInt(4); // small: partitions sometimes all wait above theirs
      String name = "c" + subscriptions++ + "@p" + partition + "(min " + minDemand + ")";
      SubscriptionOptions options =
          SubscriptionOptions.builder()
              .maxDemand(8)
              .minDemand(minDemand)
              .partition(partition)
              .build();
      Consumer consumer = new Consumer(TestSubscription.of(name, options), partition, minDemand);
      log.add("subscribe " + name);
      consumers.add(consumer);
      bySubscription.put(consumer.subscription, consumer);
      everSubscribed[partition] = true;
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
      demand(dispatcher.ask(c.subscription, n, this));
    }

    void emit(boolean exact) {
      long k = exact ? producer.owed() : random.nextLong(producer.owed() + 1);
      if (!exact && random.nextInt(5) == 0) {
        k += 1 + random.nextInt(3); // a producer may emit more than asked
      }
      if (k > 0) {
        log.add("emit " + k);
      }
      while (k > 0) {
        int batch = (int) Math.min(k, 1 + random.nextInt(5));
        List<Object> events = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
          events.add(nextEvent++);
        }
        k -= batch;
        // Each batch meets the demand asked so far, as the runtime counts a producer-consumer's
        // demand: what a dispatch asks for again comes after the events handed over before it.
        producer.emitted(batch);
        producer.emit(events);
      }
    }

    /** Serves demand from the buffer first, the rest from the producer (as the runtime does). */
    void demand(long n) {
      assertTrue(n >= 0, this::trace);
      producer.demand(n);
    }

    List<Object> dispatch(List<Object> events) {
      List<Object> copy = List.copyOf(events);
      List<Object> leftover = List.copyOf(dispatcher.dispatch(events, this));
      assertEquals(copy.subList(copy.size() - leftover.size(), copy.size()), leftover, trace());
      return leftover;
    }

    @Override
    public void send(Subscription to, List<Object> events) {
      Consumer c = bySubscription.get(to);
      assertTrue(c != null && c.live, () -> "sent to a cancelled subscription " + to + trace());
      assertTrue(!events.isEmpty(), this::trace);
      for (Object o : events) {
        int e = (int) o;
        // the producer emits in increasing order, so a consumer receives in increasing order
        int last = c.received.isEmpty() ? -1 : c.received.get(c.received.size() - 1);
        assertTrue(
            e > last, () -> to + " received " + e + " after " + last + ", out of order" + trace());
        assertEquals(c.partition, hash(e), () -> "event " + e + " to " + to + trace());
        assertTrue(!sent.get(e), () -> "event " + e + " sent twice" + trace());
        sent.set(e);
        c.received.add(e);
      }
      assertTrue(
          c.received.size() <= c.asked,
          () -> to + " received " + c.received.size() + " but asked " + c.asked + trace());
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
    public void info(Object message) {}

    /**
     * What every partition can still take: a live consumer's pending demand, no limit for a
     * partition whose consumer left, nothing for one that never had a consumer.
     */
    long minCapacity() {
      long min = Long.MAX_VALUE;
      for (int p = 0; p < PARTITIONS; p++) {
        long cap = everSubscribed[p] ? Long.MAX_VALUE : 0;
        for (Consumer c : live()) {
          if (c.partition == p) {
            cap = c.pending();
          }
        }
        min = Math.min(min, cap);
      }
      return min;
    }

    void check(long owedBefore) {
      assertEquals(0, dispatcher.heldCount(), this::trace);
      long received = 0;
      for (Consumer c : consumers) {
        received += c.received.size();
      }
      assertEquals(
          nextEvent,
          received + dispatcher.dropped() + dispatcher.givenUp() + producer.buffered(),
          () -> "events lost or duplicated" + trace());
      if (producer.owed() > owedBefore) {
        // Raised only up to what every partition can take: demand requested before (for a consumer
        // that left, or events now buffered) is not requested again.
        long cap = live().isEmpty() ? 0 : minCapacity();
        assertTrue(
            producer.owed() <= cap,
            () ->
                "the producer owes "
                    + producer.owed()
                    + " but the partitions can take only "
                    + cap
                    + trace());
      }
    }

    /**
     * After the producer emitted all it owes, the dispatcher must not wait on demand it granted
     * while every live consumer waits above its re-ask threshold (none will ask again by itself).
     */
    void checkNotStuck() {
      List<Consumer> live = live();
      if (live.isEmpty() || minCapacity() == 0) {
        return;
      }
      for (Consumer c : live) {
        if (c.pending() <= c.minDemand) {
          return; // it asks again by itself (automatic demand), which grants more
        }
      }
      fail("every partition can take " + minCapacity() + " more, but nothing will come");
    }

    private void fail(String message) {
      throw new AssertionError(message + trace());
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
      return "\nseed " + seed + ", steps:\n  " + String.join("\n  ", log);
    }
  }
}
