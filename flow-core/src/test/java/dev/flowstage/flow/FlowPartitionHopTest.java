package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.StageStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The partition hop: its stages ask in GenStage's automatic-demand steps, so every event does not
 * cost a message, and a layer whose partitions all wait above their re-ask threshold still moves.
 */
final class FlowPartitionHopTest {
  private static final int N = 200_000;

  /** Word-count shaped: a flatMap into many small keys, partitioned, reduced into maps. */
  private static RunningFlow<List<Map<Integer, Integer>>> count(int stages) {
    return Flow.fromEnumerable(IntStream.range(0, N / 10).boxed().toList(), o -> o.stages(stages))
        .flatMap(x -> IntStream.range(0, 10).mapToObj(i -> (x * 10 + i) % 997).toList())
        .partition(o -> o.stages(stages))
        .reduce(
            HashMap<Integer, Integer>::new,
            (Map<Integer, Integer> m, Integer w) -> {
              m.merge(w, 1, Integer::sum);
              return m;
            })
        .start(Collectors.toList());
  }

  private static int total(List<Map<Integer, Integer>> maps) {
    return maps.stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
  }

  @Test
  void partitionStages_askInSteps_ofAtLeastMaxMinusMinDemand() {
    RunningFlow<List<Map<Integer, Integer>>> run = count(2);
    assertEquals(N, total(run.await()));
    FlowStatistics s = run.statistics();
    FlowGraph g = run.graph();
    // node 1 is the flatMap layer: the partition's producers
    List<StageStats> producers = s.byNode(g).get(g.nodes().get(1).id());
    long asks = producers.stream().mapToLong(StageStats::asksReceived).sum();
    long demand = producers.stream().mapToLong(StageStats::demandReceived).sum();
    assertTrue(asks > 0);
    // Each ask refills to maxDemand once at most minDemand is left (1000 and 500 by default).
    // Re-asking every batch at once, they used to ask a few events at a time.
    assertTrue(demand >= 500 * asks, () -> demand + " events asked in " + asks + " asks");
  }

  @Test
  void manyPartitions_allWaitingAboveTheirThreshold_stillComplete() {
    // 8 partitions: a batch spread evenly leaves each with more than minDemand pending, so none
    // asks; the dispatcher must grant what all of them can still take by itself.
    RunningFlow<List<Map<Integer, Integer>>> run = count(8);
    assertTrue(run.awaitTermination(Duration.ofSeconds(30)), "the partition layer stalled");
    assertEquals(N, total(run.await()));
  }
}
