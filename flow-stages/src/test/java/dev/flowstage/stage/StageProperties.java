package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded properties over running stages: random demand, batch sizes and subscribe/cancel sequences.
 * Each failure message names the seed and the operations; more tries with {@code
 * -Dproperties.tries=N}.
 */
final class StageProperties {
  private static final Duration WAIT = Duration.ofSeconds(30);

  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 25));
  }

  /** A manual consumer that checks every batch against what was asked on its subscription. */
  private static final class Checker implements Consumer<Integer> {
    final Map<Subscription, AtomicLong> asked = new ConcurrentHashMap<>();
    final Map<Subscription, AtomicLong> received = new ConcurrentHashMap<>();
    final ConcurrentLinkedQueue<Integer> all;
    final ConcurrentLinkedQueue<String> violations;
    final AtomicInteger count;

    Checker(
        ConcurrentLinkedQueue<Integer> all,
        ConcurrentLinkedQueue<String> violations,
        AtomicInteger count) {
      this.all = all;
      this.violations = violations;
      this.count = count;
    }

    @Override
    public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
      return SubscriptionMode.MANUAL;
    }

    @Override
    public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {
      long got = received.computeIfAbsent(from, s -> new AtomicLong()).addAndGet(events.size());
      long ask = asked.computeIfAbsent(from, s -> new AtomicLong()).get();
      if (got > ask) {
        violations.add(from + " received " + got + " but asked " + ask);
      }
      all.addAll(events);
      count.addAndGet(events.size());
    }
  }

  private static void awaitCount(AtomicInteger count, int n, String context)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (count.get() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "only " + count.get() + " of " + n + " events arrived; " + context);
      }
      TimeUnit.MILLISECONDS.sleep(2); // polling a counter, not ordering events
    }
  }

  private static void assertExactlyOnce(ConcurrentLinkedQueue<Integer> all, int n, String context) {
    List<Integer> sorted = new ArrayList<>(all);
    Collections.sort(sorted);
    assertEquals(IntStream.range(0, n).boxed().toList(), sorted, context);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void neverDeliversMoreThanAsked_andDeliversEveryEventExactlyOnce(long seed) throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    List<String> ops = new ArrayList<>();
    ConcurrentLinkedQueue<Integer> all = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicInteger count = new AtomicInteger();
    List<Thread> threads;
    int n = 0;
    try (StageSystem system = new StageSystem("prop-" + seed)) {
      Stage<Integer> producer =
          system.startProducer(
              TestProducer.silent(),
              ProducerOptions.<Integer>builder().bufferSize(ProducerOptions.UNBOUNDED).build());
      int consumers = r.nextInt(1, 4);
      List<Stage<Void>> stages = new ArrayList<>();
      List<Checker> checkers = new ArrayList<>();
      List<Subscription> subs = new ArrayList<>();
      SubscriptionOptions temporary =
          SubscriptionOptions.builder().maxDemand(50).cancel(CancelMode.TEMPORARY).build();
      for (int i = 0; i < consumers; i++) {
        Checker c = new Checker(all, violations, count);
        Stage<Void> s = system.startConsumer(c);
        stages.add(s);
        checkers.add(c);
        subs.add(s.subscribeTo(producer, temporary));
      }
      int steps = r.nextInt(10, 60);
      for (int step = 0; step < steps; step++) {
        int op = r.nextInt(10);
        int i = r.nextInt(consumers);
        if (op < 4) {
          int size = r.nextInt(1, 30);
          List<Integer> batch = IntStream.range(n, n + size).boxed().toList();
          n += size;
          ops.add("emit " + size);
          producer.cast(new TestProducer.Emit(batch));
        } else if (op < 8) {
          long k = r.nextInt(1, 25);
          ops.add("ask c" + i + " " + k);
          checkers.get(i).asked.computeIfAbsent(subs.get(i), s -> new AtomicLong()).addAndGet(k);
          stages.get(i).ask(subs.get(i), k);
        } else {
          ops.add("resubscribe c" + i);
          stages.get(i).cancel(subs.get(i), ExitReason.shutdown("resubscribe"));
          subs.set(i, stages.get(i).subscribeTo(producer, temporary));
        }
      }
      // A final consumer asks for everything that may remain.
      Checker drain = new Checker(all, violations, count);
      Stage<Void> drainStage = system.startConsumer(drain);
      Subscription ds = drainStage.subscribeTo(producer, temporary);
      drain.asked.computeIfAbsent(ds, s -> new AtomicLong()).addAndGet(n + 1);
      drainStage.ask(ds, n + 1);
      String context = "seed " + seed + " ops " + ops;
      awaitCount(count, n, context);
      assertTrue(violations.isEmpty(), () -> violations + " " + context);
      assertExactlyOnce(all, n, context);
      threads = system.threads();
    }
    for (Thread t : threads) {
      assertFalse(t.isAlive(), "thread alive after close: " + t.getName());
    }
  }

  /** An automatic consumer recording events and checking the chunk bound. */
  private static final class ChunkChecker implements Consumer<Integer> {
    final ConcurrentLinkedQueue<Integer> all;
    final ConcurrentLinkedQueue<String> violations;
    final AtomicInteger count;

    ChunkChecker(
        ConcurrentLinkedQueue<Integer> all,
        ConcurrentLinkedQueue<String> violations,
        AtomicInteger count) {
      this.all = all;
      this.violations = violations;
      this.count = count;
    }

    @Override
    public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {
      int bound = from.options().maxDemand() - from.options().minDemand();
      if (events.size() > bound) {
        violations.add("batch of " + events.size() + " > maxDemand - minDemand = " + bound);
      }
      all.addAll(events);
      count.addAndGet(events.size());
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void automaticConsumers_chunksStayWithinBound_andEveryEventArrivesOnce(long seed)
      throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    int n = r.nextInt(1, 3000);
    ConcurrentLinkedQueue<Integer> all = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    AtomicInteger count = new AtomicInteger();
    List<String> setup = new ArrayList<>();
    try (StageSystem system = new StageSystem("auto-" + seed)) {
      Stage<Integer> source =
          system.startProducer(
              Producers.fromIterable(IntStream.range(0, n).boxed().toList()),
              ProducerOptions.<Integer>builder().demandMode(DemandMode.ACCUMULATE).build());
      Stage<?> upstream = source;
      if (r.nextBoolean()) {
        ProducerConsumer<Integer, Integer> pass =
            new ProducerConsumer<>() {
              @Override
              public void handleEvents(
                  List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
                ctx.emit(List.copyOf(events));
              }

              @Override
              public void handleCancel(
                  Peer peer, Subscription s, ExitReason reason, ProducerContext<Integer> ctx) {
                if (peer == Peer.PRODUCER && ctx.producers().isEmpty()) {
                  ctx.done();
                }
              }
            };
        Stage<Integer> pc = system.startProducerConsumer(pass);
        int max = r.nextInt(1, 200);
        pc.subscribeTo(
            source,
            SubscriptionOptions.builder()
                .maxDemand(max)
                .minDemand(r.nextInt(0, max))
                .cancel(CancelMode.TRANSIENT)
                .build());
        setup.add("pc max " + max);
        upstream = pc;
      }
      int max = r.nextInt(1, 300);
      int consumers = r.nextInt(1, 4);
      for (int i = 0; i < consumers; i++) {
        SubscriptionOptions o =
            SubscriptionOptions.builder().maxDemand(max).minDemand(r.nextInt(0, max)).build();
        setup.add("consumer " + o.maxDemand() + "/" + o.minDemand());
        system.startConsumer(new ChunkChecker(all, violations, count)).subscribeTo(upstream, o);
      }
      source.demandMode(DemandMode.FORWARD);
      String context = "seed " + seed + " n " + n + " " + setup;
      awaitCount(count, n, context);
      assertTrue(violations.isEmpty(), () -> violations + " " + context);
      assertExactlyOnce(all, n, context);
      assertEquals(ExitReason.normal(), source.awaitExit(WAIT), context);
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void streamOut_matchesTheSource(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = r.nextInt(0, 2000);
    int max = r.nextInt(1, 500);
    List<Integer> source = IntStream.range(0, n).boxed().toList();
    try (StageSystem system = new StageSystem("stream-" + seed)) {
      Stage<Integer> p = system.startProducer(Producers.fromIterable(source));
      SubscriptionOptions o =
          SubscriptionOptions.builder().maxDemand(max).minDemand(r.nextInt(0, max)).build();
      try (var s = system.<Integer>stream(List.of(p), o)) {
        assertEquals(source, s.toList(), "seed " + seed + " " + o);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void close_leavesNoStageThreadAlive(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Thread> threads;
    try (StageSystem system = new StageSystem("close-" + seed)) {
      Set<Stage<?>> started = new HashSet<>();
      for (int i = 0; i < r.nextInt(1, 6); i++) {
        Stage<Integer> p = system.startProducer(TestProducer.counter());
        started.add(p);
        for (int j = 0; j < r.nextInt(0, 3); j++) {
          Stage<Void> c =
              system.startConsumer(
                  new ChunkChecker(
                      new ConcurrentLinkedQueue<>(),
                      new ConcurrentLinkedQueue<>(),
                      new AtomicInteger()));
          c.subscribeTo(p, SubscriptionOptions.builder().maxDemand(r.nextInt(1, 100)).build());
          started.add(c);
        }
      }
      threads = system.threads();
      assertEquals(started.size(), threads.size());
    }
    for (Thread t : threads) {
      assertFalse(t.isAlive(), "seed " + seed + ": " + t.getName() + " alive after close");
    }
  }
}
