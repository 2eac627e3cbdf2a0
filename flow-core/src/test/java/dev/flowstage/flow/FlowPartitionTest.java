package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code partition} routes by key and hash whatever its number of stages, one included. */
class FlowPartitionTest {
  private static final List<Integer> IN = IntStream.range(0, 100).boxed().toList();
  private static final AtomicInteger KEYS = new AtomicInteger();

  @Test
  void oneStage_hashDrop_dropsThoseEvents() {
    List<Integer> out =
        new ArrayList<>(
            Flow.fromEnumerable(IN)
                .partition(o -> o.stages(1).<Integer>hash(x -> x % 2 == 0 ? 0 : Options.DROP))
                .toList());
    out.sort(null);
    assertEquals(IN.stream().filter(x -> x % 2 == 0).toList(), out);
  }

  @Test
  void oneStage_combiningReduce_hashDrop_dropsThoseEvents() {
    List<Long> sums =
        Flow.fromEnumerable(IN, o -> o.stages(2))
            .partition(o -> o.stages(1).<Integer>hash(x -> x % 2 == 0 ? 0 : Options.DROP))
            .reduce(() -> 0L, (Long a, Integer x) -> a + x, Long::sum)
            .toList();
    assertEquals(List.of(IN.stream().filter(x -> x % 2 == 0).mapToLong(x -> x).sum()), sums);
  }

  @Test
  @Timeout(120) // a hang guard: this flow hung before the fix
  void afterALayer_hashDroppingMost_stillEnds() {
    // A partition fed by partitioned stages: its dropped events filled no demand of the stages
    // downstream, which waited for their replacements while the stages upstream, their demand used
    // up by the dropped events, handled no more input.
    List<Integer> in = IntStream.range(0, 20_000).boxed().toList();
    for (int round = 0; round < 5; round++) {
      List<Integer> out =
          new ArrayList<>(
              Flow.fromEnumerable(in)
                  .partition(o -> o.stages(2).maxDemand(8).minDemand(2))
                  .map(x -> x)
                  .partition(
                      o ->
                          o.stages(2)
                              .maxDemand(8)
                              .minDemand(2)
                              .<Integer>hash(x -> x % 10 == 0 ? x % 20 / 10 : Options.DROP))
                  .toList());
      out.sort(null);
      assertEquals(in.stream().filter(x -> x % 10 == 0).toList(), out);
    }
  }

  /**
   * Events a hash drops on purpose are counted in the statistics of the stages that dropped them.
   */
  @Test
  void hashDrop_countedInTheStageStatistics() {
    List<Integer> in = IntStream.range(0, 5_000).boxed().toList();
    try (RunningFlow<java.util.List<Integer>> run =
        Flow.fromEnumerable(in, o -> o.stages(2))
            .partition(o -> o.stages(3).<Integer>hash(x -> x % 4 == 0 ? Options.DROP : x % 3))
            .start(java.util.stream.Collectors.toList())) {
      assertEquals(in.size() - in.size() / 4, run.await().size());
      long dropped = run.statistics().stages().stream().mapToLong(s -> s.dropped()).sum();
      long discarded = run.statistics().stages().stream().mapToLong(s -> s.discarded()).sum();
      assertEquals(in.size() / 4, dropped, run.statistics().toString());
      assertEquals(0, discarded, "a drop the hash asked for is not a discard");
    }
  }

  @Test
  void oneStage_hashOutOfRange_failsNamingIt() {
    FlowException e =
        assertThrows(
            FlowException.class,
            () ->
                Flow.fromEnumerable(IN).partition(o -> o.stages(1).<Integer>hash(x -> 1)).toList());
    assertTrue(e.getCause().getMessage().contains("returned partition 1"), e.getMessage());
  }

  @Test
  void oneStage_key_isAppliedToEveryEvent() {
    KEYS.set(0);
    List<Integer> out =
        new ArrayList<>(
            Flow.fromEnumerable(IN)
                .partition(
                    o ->
                        o.stages(1)
                            .<Integer>key(
                                x -> {
                                  KEYS.incrementAndGet();
                                  return x % 3;
                                }))
                .toList());
    out.sort(null);
    assertEquals(IN, out);
    assertEquals(IN.size(), KEYS.get());
  }
}
