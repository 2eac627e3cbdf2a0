package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The shapes issue 10 found broken or wrongly rejected: each runs to the end with the result. */
final class FlowComposeTest {
  private static final List<Integer> ONE_TO_100 = IntStream.rangeClosed(1, 100).boxed().toList();
  private static final int SUM = 5050;

  private static Flow<Integer> partitionedSums() {
    return Flow.fromEnumerable(ONE_TO_100)
        .partition(o -> o.stages(4))
        .reduce(() -> 0, Integer::sum);
  }

  private static Flow<Integer> departedSum() {
    return partitionedSums().departition(() -> 0, Integer::sum, a -> a);
  }

  private static <T extends Comparable<T>> List<T> sorted(List<T> l) {
    List<T> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }

  @Test
  void departition_thenReduce_reducesTheDepartitionedValue() {
    // Was a ClassCastException: the reduce was fed the partitions' raw events.
    assertEquals(
        List.of(List.of(SUM)),
        departedSum()
            .reduce(
                ArrayList<Integer>::new,
                (l, x) -> {
                  l.add(x);
                  return l;
                })
            .toList());
  }

  @Test
  void departition_thenTakeSort_sortsTheMergedValue() {
    // Was silently wrong: the takeSort ran on one partition's output.
    List<List<Integer>> out =
        partitionedSums()
            .departition(
                ArrayList<Integer>::new,
                (l, x) -> {
                  l.add(x);
                  return l;
                },
                l -> l.stream().mapToInt(Integer::intValue).sum())
            .takeSort(3, Integer::compare)
            .toList();
    assertEquals(List.of(List.of(SUM)), out);
  }

  @Test
  void takeSort_flatMap_takeSort_runsBothInOrder() {
    List<List<Integer>> out =
        Flow.fromEnumerable(ONE_TO_100, o -> o.stages(3))
            .takeSort(10, (a, b) -> b - a)
            .flatMap(l -> l)
            .takeSort(3, Integer::compare)
            .toList();
    assertEquals(List.of(List.of(91, 92, 93)), out);
  }

  @Test
  void takeSort_afterReduce_keepsTheSmallestEmittedEvents() {
    // Elixir's top-n idiom: count per partition, then the top entries of every partition.
    List<String> words = List.of("a", "b", "b", "c", "c", "c", "d", "d", "d", "d");
    List<List<Map.Entry<String, Integer>>> out =
        Flow.fromEnumerable(words)
            .partition(o -> o.stages(3))
            .reduce(
                HashMap<String, Integer>::new,
                (m, w) -> {
                  m.merge(w, 1, Integer::sum);
                  return m;
                })
            .flatMap(Map::entrySet)
            .takeSort(2, (a, b) -> b.getValue() - a.getValue())
            .toList();
    assertEquals(List.of(Map.entry("d", 4), Map.entry("c", 3)), out.get(0));
    assertEquals(1, out.size());
  }

  @Test
  void takeSort_directlyAfterReduce_sortsTheAccumulators() {
    List<List<Integer>> out = partitionedSums().takeSort(10, Integer::compare).toList();
    assertEquals(1, out.size());
    assertEquals(SUM, out.get(0).stream().mapToInt(Integer::intValue).sum());
    assertTrue(out.get(0).size() <= 4);
  }

  @Test
  void departition_afterReduceWithoutPartition_mergesTheSourceStages() {
    List<Integer> out =
        Flow.fromEnumerable(ONE_TO_100, o -> o.stages(4))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, a -> a)
            .toList();
    assertEquals(List.of(SUM), out);
  }

  @Test
  void departition_ofABareSource_mergesEveryEvent() {
    assertEquals(
        List.of(SUM),
        Flow.fromEnumerable(ONE_TO_100).departition(() -> 0, Integer::sum, a -> a).toList());
  }

  @Test
  void departition_twice_afterANewPartition() {
    List<Integer> out =
        departedSum()
            .partition(o -> o.stages(2))
            .map(x -> x * 2)
            .departition(() -> 0, Integer::sum, a -> a)
            .toList();
    assertEquals(List.of(2 * SUM), out);
  }

  @Test
  void departition_thenDepartition_directly() {
    assertEquals(List.of(SUM), departedSum().departition(() -> 0, Integer::sum, a -> a).toList());
  }

  private static Flow<Integer> zipped() {
    return Flow.zip(Flow.fromEnumerable(ONE_TO_100), Flow.fromEnumerable(ONE_TO_100), Integer::sum);
  }

  @Test
  void reduce_directlyAfterZip() {
    assertEquals(List.of(2 * SUM), zipped().reduce(() -> 0, Integer::sum).toList());
  }

  @Test
  void takeSort_directlyAfterZip() {
    assertEquals(List.of(List.of(2, 4, 6)), zipped().takeSort(3, Integer::compare).toList());
  }

  @Test
  void mapBatch_afterZip_seesThePairedBatches() {
    List<Integer> out = zipped().mapBatch(b -> List.of(b.size())).toList();
    assertEquals(100, out.stream().mapToInt(Integer::intValue).sum());
  }

  private static Flow<String> joined() {
    Flow<Integer> left = Flow.fromEnumerable(List.of(1, 2, 2, 3));
    Flow<Integer> right = Flow.fromEnumerable(List.of(20, 30, 40, 20));
    return Flow.boundedJoin(
        JoinMode.INNER,
        left,
        right,
        l -> l,
        r -> r / 10,
        (l, r) -> l + ":" + r,
        1000,
        o -> o.stages(3));
  }

  @Test
  void reduce_afterBoundedJoin_foldsPerJoinStage() {
    // Was "reduce is not a chain step" at run time.
    List<Integer> counts = joined().reduce(() -> 0, (n, s) -> n + 1).toList();
    assertEquals(5, counts.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void groupBy_afterBoundedJoin_groupsPerJoinStage() {
    // One key meets one join stage, so each key's group is whole in one map.
    Map<String, List<String>> all = new HashMap<>();
    for (Map<String, List<String>> m : joined().groupBy(s -> s.split(":")[0]).toList()) {
      all.putAll(m);
    }
    assertEquals(4, all.get("2").size());
    assertEquals(List.of("3:30"), all.get("3"));
  }

  @Test
  void takeSort_afterBoundedJoin() {
    assertEquals(
        List.of(List.of("2:20", "2:20", "2:20")), joined().takeSort(3, String::compareTo).toList());
  }

  @Test
  void mapBatch_afterBoundedJoin() {
    List<Integer> sizes = joined().mapBatch(b -> List.of(b.size())).toList();
    assertEquals(5, sizes.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void departition_afterBoundedJoin() {
    assertEquals(List.of(5), joined().departition(() -> 0, (n, s) -> n + 1, n -> n).toList());
  }

  @Test
  void onTrigger_afterTwoArgumentEmitAndReduce_seesTheAccumulator() {
    List<Object> out =
        Flow.fromEnumerable(List.of(1, 2, 3), o -> o.stages(1))
            .emitAndReduce(
                () -> 0, (Integer e, Integer acc) -> TriggerResult.of(List.of(e), acc + e))
            .onTrigger((acc, t) -> TriggerResult.of(List.of(-acc), acc))
            .<Object>map(x -> x)
            .toList();
    assertEquals(List.of(1, 2, 3, -6), out);
  }

  @Test
  void boundedJoin_withAWindowInItsOptions_isRejectedWhenBuilt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Flow.boundedJoin(
                    JoinMode.INNER,
                    Flow.fromEnumerable(List.of(1)),
                    Flow.fromEnumerable(List.of(1)),
                    l -> l,
                    r -> r,
                    (l, r) -> l + r,
                    10,
                    o -> o.window(Window.count(2))));
    assertTrue(
        e.getMessage().contains("partition(o -> o.window(...)) after boundedJoin"), e::getMessage);
  }

  @Test
  void partitionedJoinOutput_sortedMatchesInner() {
    assertEquals(
        List.of("2:20", "2:20", "2:20", "2:20", "3:30"),
        sorted(joined().partition(o -> o.stages(2)).toList()));
  }
}
