package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code through}: a flow routed through running producer-consumers of the user's, then into a new
 * layer (Elixir's {@code through_stages}).
 */
class FlowThroughTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * A user's producer-consumer that applies {@code f} to each event and, as {@code through} asks,
   * ends itself once every upstream subscription has ended (what it still holds is delivered
   * first).
   */
  private static <I, O> ProducerConsumer<I, O> stage(Function<I, List<O>> f) {
    return new ProducerConsumer<>() {
      @Override
      public void handleEvents(List<I> events, Subscription from, ProducerContext<O> ctx) {
        List<O> out = new ArrayList<>();
        for (I e : events) {
          out.addAll(f.apply(e));
        }
        ctx.emit(out);
      }

      @Override
      public void handleCancel(
          Peer peer, Subscription subscription, ExitReason reason, ProducerContext<O> ctx) {
        if (peer == Peer.PRODUCER && ctx.producers().isEmpty()) {
          ctx.done();
        }
      }
    };
  }

  /** Starts an endless flow, lets 100 events through, cancels it and checks it ended so. */
  private static void cancelWhileRunning(Flow<Integer> endless) {
    AtomicInteger seen = new AtomicInteger();
    RunningFlow<Void> run = endless.each(i -> seen.incrementAndGet()).start();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (seen.get() < 100 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    run.cancel();
    assertThrows(java.util.concurrent.CancellationException.class, run::await);
    assertTrue(run.isTerminated());
  }

  @Test
  void eventsPassThroughTheUsersStages_thenTheNewLayer_everyEventOnce() {
    try (StageSystem mine = new StageSystem("through-users")) {
      Stage<Integer> twice = mine.startProducerConsumer(stage((Integer i) -> List.of(i, i)));
      Stage<Integer> again = mine.startProducerConsumer(stage((Integer i) -> List.of(i, i)));
      List<Integer> out =
          Flow.fromEnumerable(IntStream.range(0, 1000).boxed().toList(), o -> o.stages(3))
              .map(i -> i + 1)
              .<Integer>through(List.of(twice, again), o -> o.stages(4).maxDemand(50))
              .map(i -> i * 10)
              .toList();
      List<Integer> expected = new ArrayList<>();
      for (int i = 1; i <= 1000; i++) {
        expected.add(i * 10);
        expected.add(i * 10);
      }
      List<Integer> sorted = new ArrayList<>(out);
      Collections.sort(sorted);
      assertEquals(expected, sorted, "each event through one of the two stages, doubled there");
      assertEquals(ExitReason.normal(), twice.awaitExit(WAIT), "it ended itself");
      assertEquals(ExitReason.normal(), again.awaitExit(WAIT));
    }
  }

  @Test
  void composesWithPartitionAndReduce_andDescribesItself() {
    try (StageSystem mine = new StageSystem("through-compose")) {
      Stage<String> upper =
          mine.startProducerConsumer(stage((String w) -> List.of(w.toUpperCase())));
      Flow<KeyCount<String>> flow =
          Flow.fromEnumerable(List.of("a b", "b c", "c c"))
              .flatMap(Tokenizer.SPACE)
              .partition(o -> o.stages(2))
              .<String>through(upper)
              .countBy(w -> w);
      assertTrue(flow.describe().contains("through(1)"), flow.describe());
      List<KeyCount<String>> counts = new ArrayList<>(flow.toList());
      counts.sort(java.util.Comparator.comparing(KeyCount::key));
      assertEquals(
          List.of(new KeyCount<>("A", 1), new KeyCount<>("B", 2), new KeyCount<>("C", 3)), counts);
    }
  }

  @Test
  void aRandomSplitOfWorkThroughSeveralStages_conservesEveryEvent() {
    SplittableRandom seeds = new SplittableRandom(20261203L);
    for (int round = 0; round < 20; round++) {
      SplittableRandom r = seeds.split();
      int n = r.nextInt(0, 500);
      int stages = r.nextInt(1, 4);
      try (StageSystem mine = new StageSystem("through-random")) {
        List<Stage<Integer>> users = new ArrayList<>();
        for (int s = 0; s < stages; s++) {
          users.add(mine.startProducerConsumer(stage((Integer i) -> List.of(i))));
        }
        List<Integer> out =
            Flow.fromEnumerable(
                    IntStream.range(0, n).boxed().toList(), o -> o.stages(1 + r.nextInt(3)))
                .<Integer>through(
                    users, o -> o.stages(1 + r.nextInt(3)).maxDemand(1 + r.nextInt(20)))
                .toList();
        List<Integer> sorted = new ArrayList<>(out);
        Collections.sort(sorted);
        assertEquals(IntStream.range(0, n).boxed().toList(), sorted, "round " + round);
      }
    }
  }

  @Test
  void aSecondRun_afterTheStageEnded_failsAtOnceNamingIt() {
    try (StageSystem mine = new StageSystem("through-again")) {
      Stage<Integer> once = mine.startProducerConsumer(stage((Integer i) -> List.of(i)));
      Flow<Integer> flow = Flow.fromEnumerable(List.of(1, 2, 3)).<Integer>through(once);
      assertEquals(List.of(1, 2, 3), flow.toList().stream().sorted().toList());
      once.awaitExit(WAIT);
      long start = System.nanoTime();
      RuntimeException e = assertThrows(RuntimeException.class, flow::toList);
      assertTrue(
          System.nanoTime() - start < WAIT.toNanos() / 3, "waited for a stage that had exited");
      assertTrue(e.getMessage().contains(once.name()), e.getMessage());
    }
  }

  @Test
  void aFailureUpstream_stopsTheUsersStageToo_andIsReportedOnce() {
    // The user's running stage subscribes transiently: an abnormal end of its input stops it with
    // the same reason (GenStage), and the next layer, subscribed to it from the start, sees it end
    // so: the first failure cascaded, not a second one. (Subscribing only on release, it found the
    // stage gone and reported the failure again, about one round in 400.) Repeated: timing races.
    for (int round = 0; round < 20; round++) {
      java.util.concurrent.ConcurrentLinkedQueue<String> failed =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      FlowListener.Registration reg =
          FlowListener.register(
              new FlowListener() {
                @Override
                public void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {
                  failed.add(stage + ": " + cause);
                }
              });
      try (StageSystem mine = new StageSystem("through-upstream-fails")) {
        List<Stage<Integer>> passes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          passes.add(mine.startProducerConsumer(stage((Integer x) -> List.of(x))));
        }
        // A running producer failing at its first demand, which comes as the run is released.
        Stage<Integer> broken =
            mine.startProducer(
                (long demand, ProducerContext<Integer> ctx) -> {
                  throw new IllegalStateException("source broke");
                });
        FlowException e =
            assertThrows(
                FlowException.class,
                () ->
                    Flow.<Integer>fromStages(List.of(broken), o -> o.stages(3))
                        .<Integer>through(passes, o -> o.stages(1).maxDemand(1))
                        .toList());
        Throwable cause = e;
        while (cause.getCause() != null) {
          cause = cause.getCause();
        }
        assertEquals("source broke", cause.getMessage(), e.toString());
      } finally {
        reg.close();
      }
      assertEquals(1, failed.size(), "round " + round + ": " + failed);
    }
  }

  @Test
  void aStageThatFails_failsTheFlow_withItsCause() {
    try (StageSystem mine = new StageSystem("through-fail")) {
      Stage<Integer> broken =
          mine.startProducerConsumer(
              stage(
                  (Integer i) -> {
                    if (i == 7) {
                      throw new IllegalStateException("broken at 7");
                    }
                    return List.of(i);
                  }));
      FlowException e =
          assertThrows(
              FlowException.class,
              () ->
                  Flow.fromEnumerable(IntStream.range(0, 100).boxed().toList())
                      .<Integer>through(broken)
                      .toList());
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      assertEquals("broken at 7", cause.getMessage(), e.toString());
    }
  }

  @Test
  void cancellingTheFlow_leavesTheUsersStageRunning() {
    try (StageSystem mine = new StageSystem("through-cancel")) {
      // A stage that does not end itself when its input ends: only the flow could stop it.
      Stage<Integer> pass =
          mine.startProducerConsumer(
              (List<Integer> events, Subscription from, ProducerContext<Integer> ctx) ->
                  ctx.emit(events));
      cancelWhileRunning(
          Flow.fromEnumerable(Stream.iterate(0, i -> i + 1), o -> o.stages(1))
              .<Integer>through(pass));
      assertTrue(pass.isAlive(), "the user's stage is not the flow's to stop");
      pass.stop(ExitReason.shutdown());
      pass.awaitExit(WAIT);
    }
  }

  @Test
  void misuse_failsWhereTheFlowIsBuilt_namingTheProblem() {
    Flow<Integer> flow = Flow.fromEnumerable(List.of(1, 2, 3));
    assertThrows(IllegalArgumentException.class, () -> flow.through(List.of(), o -> o));
    IllegalArgumentException keyed =
        assertThrows(
            IllegalArgumentException.class,
            () -> flow.<Integer>through(List.of(), o -> o.key(x -> x)));
    assertFalse(keyed.getMessage().isEmpty());
    try (StageSystem mine = new StageSystem("through-misuse")) {
      Stage<Integer> producer =
          mine.startProducer(
              Producers.fromIterator(List.of(9).iterator(), Producers.OnCancel.STOP));
      // A producer cannot subscribe to the flow: refused by through itself, not by the run.
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> flow.<Integer>through(producer));
      assertTrue(
          e.getMessage().contains("producer-consumer") && e.getMessage().contains(producer.name()),
          e.getMessage());
      producer.stop(ExitReason.shutdown());
    }
  }

  @Test
  void aSecondRun_readingThroughAPublisher_afterTheStageEnded_isRefusedBeforeItStarts() {
    // Found by BuildOrRunProperties: the flow behind the publisher refused to run (its stage had
    // exited), and the reading flow failed in the stage that subscribed to the publisher.
    try (StageSystem mine = new StageSystem("through-publisher-again")) {
      Stage<Integer> once = mine.startProducerConsumer(stage((Integer i) -> List.of(i)));
      Flow<Integer> inner = Flow.fromEnumerable(List.of(1, 2, 3)).<Integer>through(once);
      Flow<Integer> flow = Flow.fromPublisher(inner.toPublisher()).map(x -> x);
      assertEquals(List.of(1, 2, 3), flow.toList().stream().sorted().toList());
      once.awaitExit(WAIT);
      IllegalStateException e = assertThrows(IllegalStateException.class, flow::toList);
      assertTrue(
          e.getMessage().contains(once.name()) && e.getMessage().contains("exited"),
          e.getMessage());
      // Two branches of one flow would run it twice: rejected where the plan is built.
      IllegalArgumentException twice =
          assertThrows(
              IllegalArgumentException.class,
              () -> Flow.merge(List.of(flow, flow.map(x -> x)), o -> o));
      assertTrue(twice.getMessage().contains("merge reads the same publisher"), twice.getMessage());
    }
  }

  @Test
  void anUpstreamFailingWhileTheRunStarts_isTheRunsFailure_notBlamedOnTheUsersStage() {
    // Found by BuildOrRunProperties: a source that fails at once (a publisher's onError) could be
    // gone before the user's stage subscribed to the layer it feeds, and the terminal then said
    // "through expects running producer-consumer stages" about a stage that was fine. Whether the
    // source is gone by then is a race, so it is run a number of times.
    java.util.logging.Logger runtime = java.util.logging.Logger.getLogger("dev.flowstage.stage");
    java.util.logging.Level level = runtime.getLevel();
    runtime.setLevel(java.util.logging.Level.OFF); // the failed stages are checked here
    try (StageSystem mine = new StageSystem("through-upstream-gone")) {
      for (int i = 0; i < 30; i++) {
        Stage<Integer> fine = mine.startProducerConsumer(stage((Integer x) -> List.of(x)));
        java.util.concurrent.Flow.Publisher<Integer> failing =
            s -> {
              s.onSubscribe(
                  new java.util.concurrent.Flow.Subscription() {
                    @Override
                    public void request(long n) {}

                    @Override
                    public void cancel() {}
                  });
              s.onError(new IllegalStateException("the source is down"));
            };
        Flow<Integer> flow = Flow.fromPublisher(failing).<Integer>through(fine);
        FlowException e = assertThrows(FlowException.class, flow::toList);
        assertTrue(e.getMessage().contains("the source is down"), e.getMessage());
        fine.stop(ExitReason.shutdown());
      }
    } finally {
      runtime.setLevel(level);
    }
  }

  @Test
  void stagesOfTheWrongKind_areRefusedWhereThePlanIsBuilt_namingTheCallTheStageAndTheFix() {
    // A stage's kind never changes, so a fromStages source, through stage or into consumer of the
    // wrong kind could only fail the run: found by BuildOrRunProperties, which failed as the run
    // started (a consumer given to fromStages left the reading layer waiting, before that).
    try (StageSystem mine = new StageSystem("wrong-kinds")) {
      Stage<Integer> producer =
          mine.startProducer(
              Producers.fromIterable(List.of(1)),
              dev.flowstage.stage.ProducerOptions.<Integer>builder().name("a-producer").build());
      Stage<Void> consumer =
          mine.startConsumer(
              "a-consumer",
              (List<Object> events, Subscription from, dev.flowstage.stage.StageContext ctx) -> {});
      Stage<Void> supervised =
          dev.flowstage.stage.supervisor.ConsumerSupervisor.builder((Object event) -> {})
              .name("a-supervisor")
              .start(mine)
              .stage();
      Stage<Integer> both = mine.startProducerConsumer(stage((Integer x) -> List.of(x)));
      Flow<Integer> flow = Flow.fromEnumerable(List.of(1, 2, 3));
      wrongKind(
          () -> Flow.fromStage(consumer),
          "fromStages needs running producer stages",
          "a-consumer is a consumer",
          "StageSystem.startProducer");
      wrongKind(
          () -> Flow.fromStages(List.of(producer, supervised), o -> o),
          "fromStages",
          "a-supervisor is a consumer",
          "into(...)");
      wrongKind(
          () -> flow.<Integer>through(producer),
          "through needs running producer-consumer stages",
          "a-producer is a producer",
          "Flow.fromStages(...)");
      wrongKind(
          () -> flow.through(List.of(both, consumer), o -> o),
          "through needs running producer-consumer stages",
          "a-consumer is a consumer",
          "into(...)");
      wrongKind(
          () -> flow.into(List.of(producer)),
          "into needs running consumer stages",
          "a-producer is a producer",
          "Flow.fromStages(...)");
      // Right kinds are taken: a producer-consumer is a producer to fromStages, a consumer to into.
      org.junit.jupiter.api.Assertions.assertDoesNotThrow(
          () -> Flow.fromStages(List.of(producer, both), o -> o));
      Stage<Integer> sink = mine.startProducerConsumer(stage((Integer x) -> List.of(x)));
      flow.into(List.of(consumer, supervised, sink)).await();
    }
  }

  @Test
  void stagesThatExitedBeforeTheRun_failItAsItStarts_sayingSo() {
    // Their kind is right, so the plan is built; that they exited is known only when a run starts
    // (a stage may exit in between), and the message says so rather than blaming the kind.
    try (StageSystem mine = new StageSystem("exited-kinds")) {
      Stage<Integer> once = mine.startProducerConsumer(stage((Integer x) -> List.of(x)));
      Stage<Void> consumer =
          mine.startConsumer(
              (List<Object> events, Subscription from, dev.flowstage.stage.StageContext ctx) -> {});
      Stage<Integer> producer = mine.startProducer(Producers.fromIterable(List.of(1)));
      Flow<Integer> through = Flow.fromEnumerable(List.of(1, 2, 3)).through(once);
      Flow<Integer> from = Flow.fromStage(producer);
      for (Stage<?> s : List.of(once, consumer, producer)) {
        s.stop(ExitReason.shutdown());
        s.awaitExit(WAIT);
      }
      IllegalArgumentException t = assertThrows(IllegalArgumentException.class, through::toList);
      assertTrue(
          t.getMessage().contains("through's stage " + once.name() + " has exited")
              && t.getMessage().contains("throughProducerConsumers"),
          t.getMessage());
      dev.flowstage.stage.StageNotAliveException i =
          assertThrows(
              dev.flowstage.stage.StageNotAliveException.class,
              () -> Flow.fromEnumerable(List.of(1)).into(List.of(consumer)));
      assertTrue(
          i.getMessage().contains("into's consumer stage " + consumer.name() + " has exited")
              && i.getMessage().contains("intoConsumers"),
          i.getMessage());
      // A producer that ended abnormally fails the run, as any end of a fromStages producer but a
      // normal one does; the failure names it and how it ended.
      java.util.logging.Logger runtime = java.util.logging.Logger.getLogger("dev.flowstage.stage");
      java.util.logging.Level level = runtime.getLevel();
      runtime.setLevel(java.util.logging.Level.OFF); // the failed reading stage is checked here
      try {
        FlowException f = assertThrows(FlowException.class, from::toList);
        assertTrue(
            f.getMessage().contains(producer.name()) && f.getMessage().contains("it exited"),
            f.getMessage());
      } finally {
        runtime.setLevel(level);
      }
    }
  }

  private static void wrongKind(
      org.junit.jupiter.api.function.Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "'" + e.getMessage() + "' lacks " + f);
    }
  }

  /** A producer-consumer with no termination code of its own: the run must end it. */
  private static final class Doubler implements ProducerConsumer<Integer, Integer> {
    private final java.util.Queue<String> ended;

    Doubler(java.util.Queue<String> ended) {
      this.ended = ended;
    }

    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
      for (Integer e : events) {
        ctx.emit(List.of(e, e));
      }
    }

    @Override
    public void terminate(ExitReason reason) {
      ended.add(reason.toString());
    }
  }

  @Test
  void ownedStages_areMadeForEachRun_andEndedWithTheirInput_withoutCodeOfTheirOwn() {
    java.util.concurrent.ConcurrentLinkedQueue<String> ended =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    AtomicInteger made = new AtomicInteger();
    Flow<Integer> flow =
        Flow.fromEnumerable(IntStream.range(0, 300).boxed().toList(), o -> o.stages(2))
            .<Integer>throughProducerConsumers(
                List.of(
                    () -> {
                      made.incrementAndGet();
                      return new Doubler(ended);
                    },
                    () -> {
                      made.incrementAndGet();
                      return new Doubler(ended);
                    }),
                o -> o.stages(3).maxDemand(20))
            .map(i -> i + 1);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      expected.add(i + 1);
      expected.add(i + 1);
    }
    for (int run = 1; run <= 2; run++) {
      List<Integer> out = new ArrayList<>(flow.toList());
      Collections.sort(out);
      assertEquals(expected, out, "run " + run);
      assertEquals(2 * run, made.get());
    }
    assertEquals(List.of("Normal[]", "Normal[]", "Normal[]", "Normal[]"), List.copyOf(ended));
  }

  @Test
  void ownedStages_aFailureFailsTheFlow_aCancelStopsThem() {
    FlowException e =
        assertThrows(
            FlowException.class,
            () ->
                Flow.fromEnumerable(IntStream.range(0, 100).boxed().toList())
                    .<Integer>throughProducerConsumer(
                        () ->
                            (List<Integer> events,
                                Subscription from,
                                ProducerContext<Integer> ctx) -> {
                              throw new IllegalStateException("limiter broke");
                            })
                    .toList());
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertEquals("limiter broke", cause.getMessage(), e.toString());

    java.util.concurrent.ConcurrentLinkedQueue<String> ended =
        new java.util.concurrent.ConcurrentLinkedQueue<>();
    cancelWhileRunning(
        Flow.fromEnumerable(Stream.iterate(0, i -> i + 1), o -> o.stages(1))
            .<Integer>throughProducerConsumer(() -> new Doubler(ended)));
    assertEquals(1, ended.size(), "the run's own stage was stopped with it: " + ended);

    FlowException none =
        assertThrows(
            FlowException.class,
            () ->
                Flow.fromEnumerable(List.of(1))
                    .<Integer>throughProducerConsumer(() -> null)
                    .toList());
    assertTrue(none.getMessage().contains("returned null"), none.getMessage());
  }
}
