package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.logic.CountTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The keyed aggregations: countBy, reduceByKey, aggregateByKey, and their table. */
final class FlowKeyedTest {
  private static final List<String> WORDS =
      List.of("to", "be", "or", "not", "to", "be", "be", "quick");

  private static Map<String, Long> asMap(List<? extends Map.Entry<String, Long>> entries) {
    Map<String, Long> m = new HashMap<>();
    for (Map.Entry<String, Long> e : entries) {
      assertEquals(null, m.put(e.getKey(), e.getValue()), "one entry per key: " + e);
    }
    return m;
  }

  @Test
  void countBy_emitsOneKeyCountPerKey() {
    List<KeyCount<String>> counts =
        Flow.fromEnumerable(WORDS, o -> o.stages(2)).countBy(w -> w, o -> o.stages(3)).toList();
    assertEquals(Map.of("to", 2L, "be", 3L, "or", 1L, "not", 1L, "quick", 1L), asMap(counts));
  }

  @Test
  void countBy_preCountsUpstreamOfThePartition() {
    Flow<KeyCount<String>> f = Flow.fromEnumerable(WORDS).map(w -> w).countBy(w -> w);
    FlowGraph graph = f.graph();
    assertEquals("map, pre-reduce", graph.nodes().get(1).operations(), graph.toMermaid());
  }

  @Test
  void countBy_thenTakeSort_isTheTopN() {
    List<KeyCount<String>> top =
        Flow.fromEnumerable(WORDS, o -> o.stages(2))
            .countBy(w -> w)
            .takeSort(3, KeyCount.byCountDescending())
            .toList()
            .get(0);
    // Ties are broken by key: "not", "or", "quick" all have 1.
    assertEquals(
        List.of(new KeyCount<>("be", 3), new KeyCount<>("to", 2), new KeyCount<>("not", 1)), top);
  }

  @Test
  void countBy_thenTakeSort_ranksInTheCountingStages_soTheMergeSeesStagesTimesN() {
    List<Integer> in =
        IntStream.range(0, 20_000).map(i -> (i * 7919) % 1009 % (1 + i % 50)).boxed().toList();
    List<KeyCount<Integer>> expected =
        in.stream()
            .collect(Collectors.groupingBy(x -> x, Collectors.counting()))
            .entrySet()
            .stream()
            .map(e -> new KeyCount<>(e.getKey(), e.getValue()))
            .sorted(KeyCount.byCountDescending())
            .limit(5)
            .toList();
    try (RunningFlow<List<List<KeyCount<Integer>>>> run =
        Flow.fromEnumerable(in, o -> o.stages(2))
            .countBy(x -> x, o -> o.stages(3))
            .takeSort(5, KeyCount.byCountDescending())
            .start(Collectors.toList())) {
      assertEquals(List.of(expected), run.await());
      FlowGraph graph = run.graph();
      assertEquals("terminal", graph.nodes().get(graph.nodes().size() - 1).kind());
      String merge = graph.nodes().get(graph.nodes().size() - 2).id();
      long intoMerge =
          run.statistics().byNode(graph).get(merge).stream().mapToLong(s -> s.eventsIn()).sum();
      assertTrue(
          intoMerge <= 3, "one ranked list per counting stage: " + run.statistics().toText());
    }
  }

  @Test
  void countBy_withEveryTrigger_emitsCumulativeCountsPerPane() {
    List<KeyCount<String>> out =
        Flow.fromEnumerable(WORDS, o -> o.stages(1))
            .countBy(w -> w, o -> o.stages(1).window(Window.global().triggerEvery(3)))
            .toList();
    // Panes after 3 and 6 events and at done; the last pane has the totals.
    Map<String, Long> max = new HashMap<>();
    out.forEach(kc -> max.merge(kc.key(), kc.count(), Math::max));
    assertEquals(Map.of("to", 2L, "be", 3L, "or", 1L, "not", 1L, "quick", 1L), max);
    assertEquals(3 + 4 + 5, out.size()); // keys seen by each pane
  }

  @Test
  void countBy_perFixedWindow_thenTakeSort_isATopPerWindow() {
    record Click(long timeMillis, String page) {}
    List<Click> clicks = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      clicks.add(new Click(i, (i / 100) + "-" + (i % 3 == 0 ? "hot" : "p" + (i % 7))));
    }
    List<List<KeyCount<String>>> tops =
        Flow.fromEnumerable(clicks, o -> o.stages(1))
            .countBy(
                Click::page,
                o -> o.stages(3).window(Window.fixed(Duration.ofMillis(100), Click::timeMillis)))
            .takeSort(1, KeyCount.byCountDescending())
            .toList();
    assertEquals(
        List.of(
            List.of(new KeyCount<>("0-hot", 34)),
            List.of(new KeyCount<>("1-hot", 33)),
            List.of(new KeyCount<>("2-hot", 33))),
        tops);
  }

  @Test
  void reduceByKey_andAggregateByKey_matchCollectors() {
    List<Integer> in = IntStream.range(0, 1000).boxed().toList();
    Map<Integer, Integer> sums =
        Flow.fromEnumerable(in, o -> o.stages(3))
            .reduceByKey(x -> x % 7, x -> x, Integer::sum, o -> o.stages(2))
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertEquals(
        in.stream().collect(Collectors.groupingBy(x -> x % 7, Collectors.summingInt(x -> x))),
        sums);
    Map<Integer, Long> counts =
        Flow.fromEnumerable(in, o -> o.stages(3))
            .aggregateByKey(x -> x % 5, () -> new long[1], (a, x) -> a, (a, b) -> a)
            .collect(Collectors.toMap(Map.Entry::getKey, e -> 1L));
    assertEquals(5, counts.size());
  }

  @Test
  void aggregateByKey_withEveryTrigger_emitsSnapshotsThatNeverChange() {
    List<Map.Entry<String, ArrayList<Integer>>> out =
        Flow.fromEnumerable(List.of(1, 2, 3, 4), o -> o.stages(1))
            .aggregateByKey(
                x -> "k",
                ArrayList<Integer>::new,
                (l, x) -> {
                  l.add(x);
                  return l;
                },
                (a, b) -> {
                  a.addAll(b);
                  return a;
                },
                o -> o.stages(1).window(Window.global().triggerEvery(2)))
            .toList();
    assertEquals(
        List.of(List.of(1, 2), List.of(1, 2, 3, 4), List.of(1, 2, 3, 4)),
        out.stream().map(Map.Entry::getValue).toList());
  }

  @Test
  void options_thatRoute_areRejected() {
    Flow<String> f = Flow.fromEnumerable(WORDS);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> f.countBy(w -> w, o -> o.key(w -> w)));
    assertTrue(e.getMessage().contains("countBy(key, ...) routes each event by its key"));
    assertThrows(
        IllegalArgumentException.class,
        () -> f.reduceByKey(w -> w, w -> 1, Integer::sum, o -> o.hash(w -> 0)));
    assertThrows(IllegalArgumentException.class, () -> f.countBy(null));
    assertThrows(IllegalArgumentException.class, () -> f.reduceByKey(w -> w, null, Integer::sum));
    assertThrows(
        IllegalArgumentException.class,
        () -> f.aggregateByKey(w -> w, () -> 0, null, Integer::sum));
  }

  @Test
  void nullKey_failsTheFlowSayingSo() {
    Flow<KeyCount<Object>> f =
        Flow.fromEnumerable(List.of("a", "b"), o -> o.stages(1))
            .map(w -> w)
            .countBy(w -> w.equals("b") ? null : w);
    FlowException e = assertThrows(FlowException.class, f::toList);
    assertInstanceOf(NullPointerException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("countBy key returned null for b"));
  }

  @Test
  void frequencies_ofANullEvent_failsTheFlowNamingFrequencies() {
    // Found by BuildOrRunProperties (seed 3101): the message named countBy, which the plan never
    // called, and a key function, which frequencies has none of.
    Flow<KeyCount<String>> f =
        Flow.fromEnumerable(Arrays.asList("a", null, "a"), o -> o.stages(1)).frequencies();
    FlowException e = assertThrows(FlowException.class, f::toList);
    assertInstanceOf(NullPointerException.class, e.getCause());
    assertEquals(
        "frequencies cannot count a null event: map null events to a value first",
        e.getCause().getMessage());
  }

  @Test
  void keyCount_isAMapEntry() {
    KeyCount<String> kc = new KeyCount<>("a", 2);
    assertEquals(Map.entry("a", 2L), kc);
    assertEquals(kc, Map.entry("a", 2L));
    assertEquals(Map.entry("a", 2L).hashCode(), kc.hashCode());
    assertNotEquals(Map.entry("a", 2), kc); // an Integer value is another entry
    assertEquals("a=2", kc.toString());
    assertThrows(UnsupportedOperationException.class, () -> kc.setValue(3L));
  }

  @Test
  void countTable_growsFromSmall_andMergesTheSmallerIntoTheLarger() {
    CountTable a = new CountTable();
    for (int i = 0; i < 10_000; i++) {
      a.add(i % 3000, 1);
    }
    assertEquals(3000, a.size());
    assertEquals(4, a.get(0));
    assertEquals(3, a.get(2999));
    assertEquals(0, a.get(-1));
    CountTable b = new CountTable().add(0, 5).add(-1, 1);
    CountTable c = b.clone();
    CountTable m = CountTable.merge(b, a);
    assertTrue(m == a, "merged into the larger table");
    assertEquals(9, m.get(0));
    assertEquals(1, m.get(-1));
    assertEquals(3001, m.size());
    assertEquals(5, c.get(0)); // a clone is independent
    assertThrows(NullPointerException.class, () -> a.add(null, 1));
  }
}
