package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code intoConsumers}: consumers each run makes, starts, owns and stops (Elixir's into_specs).
 */
class FlowIntoConsumersTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** A sink with no termination code of its own: it adds what it gets to {@code into}. */
  private static Consumer<Integer> sink(Queue<Integer> into, Queue<String> ended) {
    return new Consumer<>() {
      @Override
      public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {
        into.addAll(events);
      }

      @Override
      public void terminate(ExitReason reason) {
        ended.add(reason.toString());
      }
    };
  }

  @Test
  void everyEventReachesOneConsumer_beforeTheHandleCompletes_andTheFlowRunsAgain() {
    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> ended = new ConcurrentLinkedQueue<>();
    AtomicInteger made = new AtomicInteger();
    Flow<Integer> flow =
        Flow.fromEnumerable(IntStream.range(0, 2000).boxed().toList(), o -> o.stages(2))
            .partition(o -> o.stages(3).maxDemand(30));
    for (int run = 1; run <= 2; run++) {
      got.clear();
      flow.intoConsumers(
              List.of(
                  () -> {
                    made.incrementAndGet();
                    return sink(got, ended);
                  },
                  () -> {
                    made.incrementAndGet();
                    return sink(got, ended);
                  }))
          .await();
      List<Integer> sorted = new ArrayList<>(got);
      Collections.sort(sorted);
      assertEquals(IntStream.range(0, 2000).boxed().toList(), sorted, "run " + run);
      assertEquals(2 * run, made.get());
      assertEquals(2 * run, ended.size(), "both stopped before the handle completed: " + ended);
    }
    assertTrue(ended.stream().allMatch("Normal[]"::equals), ended.toString());
  }

  @Test
  void randomLayouts_conserveEveryEvent() {
    SplittableRandom seeds = new SplittableRandom(20261203L);
    for (int round = 0; round < 20; round++) {
      SplittableRandom r = seeds.split();
      int n = r.nextInt(0, 400);
      int consumers = r.nextInt(1, 4);
      ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
      List<java.util.function.Supplier<Consumer<Integer>>> factories = new ArrayList<>();
      for (int c = 0; c < consumers; c++) {
        factories.add(() -> sink(got, new ConcurrentLinkedQueue<>()));
      }
      Flow.fromEnumerable(IntStream.range(0, n).boxed().toList(), o -> o.stages(1 + r.nextInt(3)))
          .map(i -> i)
          .intoConsumers(factories)
          .await();
      List<Integer> sorted = new ArrayList<>(got);
      Collections.sort(sorted);
      assertEquals(IntStream.range(0, n).boxed().toList(), sorted, "round " + round);
    }
  }

  @Test
  void aFailingConsumer_failsTheFlowWithItsCause() {
    RunningFlow<Void> run =
        Flow.fromEnumerable(IntStream.range(0, 100).boxed().toList())
            .intoConsumers(
                List.of(
                    () ->
                        (List<Integer> events, Subscription from, StageContext ctx) -> {
                          throw new IllegalStateException("disk full");
                        }));
    assertTrue(run.awaitTermination(WAIT), "the flow kept running");
    FlowException e = assertThrows(FlowException.class, run::await);
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertEquals("disk full", cause.getMessage(), e.toString());
  }

  @Test
  void aCancelStopsTheConsumers() {
    ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> ended = new ConcurrentLinkedQueue<>();
    RunningFlow<Void> run =
        Flow.fromEnumerable(Stream.iterate(0, i -> i + 1), o -> o.stages(1))
            .intoConsumers(List.of(() -> sink(got, ended)));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (got.size() < 100 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    run.cancel();
    assertThrows(CancellationException.class, run::await);
    assertTrue(run.isTerminated());
    assertEquals(1, ended.size(), ended.toString());
  }

  @Test
  void misuse_failsWhereTheFlowIsBuilt_orWhenTheRunStarts() {
    Flow<Integer> flow = Flow.fromEnumerable(List.of(1));
    assertThrows(IllegalArgumentException.class, () -> flow.intoConsumers(List.of()));
    FlowException e =
        assertThrows(FlowException.class, () -> flow.intoConsumers(List.of(() -> null)));
    assertTrue(e.getMessage().contains("returned null"), e.getMessage());
  }
}
