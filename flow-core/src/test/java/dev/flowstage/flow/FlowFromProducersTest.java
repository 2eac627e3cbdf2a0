package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@code fromProducers}: producers each run makes, starts and owns (Elixir's {@code from_specs}).
 */
class FlowFromProducersTest {
  /**
   * A producer of {@code [from, to)} that emits exactly what it is asked for, then ends with {@code
   * done()}; {@code terminated} hears how it ended.
   */
  private static Producer<Integer> range(int from, int to, ConcurrentLinkedQueue<String> ended) {
    return new Producer<>() {
      private int next = from;

      @Override
      public void handleDemand(long demand, ProducerContext<Integer> ctx) {
        List<Integer> out = new ArrayList<>();
        while (demand-- > 0 && next < to) {
          out.add(next++);
        }
        ctx.emit(out);
        if (next == to) {
          ctx.done();
        }
      }

      @Override
      public void terminate(dev.flowstage.stage.ExitReason reason) {
        ended.add(reason.toString());
      }
    };
  }

  @Test
  void eachRunMakesItsOwnProducers_theFlowRunsAgain_everyEventOnce() {
    ConcurrentLinkedQueue<String> ended = new ConcurrentLinkedQueue<>();
    AtomicInteger made = new AtomicInteger();
    Flow<Integer> flow =
        Flow.<Integer>fromProducers(
                List.of(
                    () -> {
                      made.incrementAndGet();
                      return range(0, 500, ended);
                    },
                    () -> {
                      made.incrementAndGet();
                      return range(500, 1000, ended);
                    }),
                o -> o.stages(3).maxDemand(40))
            .map(i -> i * 2);
    for (int run = 1; run <= 2; run++) {
      List<Integer> out = new ArrayList<>(flow.toList());
      Collections.sort(out);
      assertEquals(IntStream.range(0, 1000).map(i -> i * 2).boxed().toList(), out, "run " + run);
      assertEquals(2 * run, made.get());
    }
    assertTrue(flow.describe().contains("fromProducers(2)"), flow.describe());
  }

  @Test
  void composesWithPartitionAndReduce_acrossRandomLayouts() {
    SplittableRandom seeds = new SplittableRandom(20261203L);
    for (int round = 0; round < 20; round++) {
      SplittableRandom r = seeds.split();
      int producers = r.nextInt(1, 4);
      int each = r.nextInt(0, 300);
      List<java.util.function.Supplier<Producer<Integer>>> factories = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int from = p * each;
        factories.add(() -> range(from, from + each, new ConcurrentLinkedQueue<>()));
      }
      long sum =
          Flow.<Integer>fromProducers(factories, o -> o.stages(1 + r.nextInt(3)))
              .partition(o -> o.stages(1 + r.nextInt(3)).maxDemand(1 + r.nextInt(50)))
              .reduce(() -> 0L, (acc, i) -> acc + i)
              .departition(() -> 0L, Long::sum, s -> s)
              .toList()
              .get(0);
      long n = (long) producers * each;
      assertEquals(n * (n - 1) / 2, sum, "round " + round);
    }
  }

  @Test
  void aFailingProducer_failsTheFlowWithItsCause() {
    FlowException e =
        assertThrows(
            FlowException.class,
            () ->
                Flow.<Integer>fromProducer(
                        () ->
                            (long demand, ProducerContext<Integer> ctx) -> {
                              throw new IllegalStateException("the queue is gone");
                            })
                    .toList());
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    assertEquals("the queue is gone", cause.getMessage(), e.toString());
  }

  @Test
  void aCancelStopsTheRunsProducers() throws Exception {
    ConcurrentLinkedQueue<String> ended = new ConcurrentLinkedQueue<>();
    AtomicInteger seen = new AtomicInteger();
    RunningFlow<Void> run =
        Flow.<Integer>fromProducer(() -> range(0, Integer.MAX_VALUE, ended))
            .each(i -> seen.incrementAndGet())
            .start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (seen.get() < 100 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    run.cancel();
    assertThrows(CancellationException.class, run::await);
    assertTrue(run.isTerminated());
    assertEquals(1, ended.size(), "the producer was stopped with the run: " + ended);
  }

  @Test
  void misuse_failsWhereTheFlowIsBuilt_orWhenTheRunStarts() {
    assertThrows(IllegalArgumentException.class, () -> Flow.fromProducers(List.of(), o -> o));
    assertThrows(IllegalArgumentException.class, () -> Flow.fromProducer(null));
    FlowException e =
        assertThrows(FlowException.class, () -> Flow.<Integer>fromProducer(() -> null).toList());
    assertTrue(e.getMessage().contains("returned null"), e.getMessage());
  }
}
