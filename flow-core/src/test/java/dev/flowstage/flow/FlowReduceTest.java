package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class FlowReduceTest {
  private static final List<String> WORDS =
      IntStream.range(0, 5000).mapToObj(i -> "w" + (i * 7919 % 311)).toList();

  private static Map<String, Long> oracle(List<String> words) {
    return words.stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  @Test
  void wordCount_partitionReduceDepartition_matchesSequentialCounts() {
    Map<String, Long> counts =
        Flow.fromEnumerable(WORDS, o -> o.stages(2).maxDemand(100))
            .partition(o -> o.stages(4))
            .reduce(
                Object2LongOpenHashMap<String>::new,
                (m, w) -> {
                  m.addTo(w, 1);
                  return m;
                })
            .departition(
                HashMap<String, Long>::new,
                (all, m) -> {
                  all.putAll(m);
                  return all;
                },
                all -> all)
            .toList()
            .get(0);
    assertEquals(oracle(WORDS), counts);
  }

  @Test
  void partition_sameKey_landsInExactlyOnePartition() {
    List<Map<String, List<String>>> groups =
        Flow.fromEnumerable(WORDS, o -> o.stages(3))
            .partition(o -> o.stages(5).key(w -> w))
            .groupBy(w -> w)
            .toList();
    assertEquals(5, groups.size()); // one accumulator per partition at done
    Set<String> seen = new HashSet<>();
    int total = 0;
    for (Map<String, List<String>> g : groups) {
      for (var e : g.entrySet()) {
        assertTrue(seen.add(e.getKey()), "key in two partitions: " + e.getKey());
        total += e.getValue().size();
      }
    }
    assertEquals(WORDS.size(), total);
  }

  @Test
  void hash_dropAndRoute_usesUserPartition() {
    List<Integer> evens =
        Flow.fromEnumerable(IntStream.range(0, 100).boxed().toList())
            .partition(o -> o.stages(2).<Integer>hash(x -> x % 2 == 0 ? 0 : Options.DROP))
            .reduce(() -> 0, Integer::sum)
            .toList();
    List<Integer> sorted = new ArrayList<>(evens);
    sorted.sort(null);
    assertEquals(List.of(0, IntStream.range(0, 100).filter(x -> x % 2 == 0).sum()), sorted);
  }

  @Test
  void groupByKey_entries_groupsValuesInArrivalOrderPerKey() {
    List<Map.Entry<String, Integer>> in =
        List.of(Map.entry("a", 1), Map.entry("b", 2), Map.entry("a", 3));
    List<Map<String, List<Integer>>> out =
        Flow.fromEnumerable(in, o -> o.stages(1)).<String, Integer>groupByKey().toList();
    assertEquals(List.of(Map.of("a", List.of(1, 3), "b", List.of(2))), out);
  }

  @Test
  void uniq_afterPartition_isGlobalDistinct() {
    List<String> out = Flow.fromEnumerable(WORDS).partition().uniq().toList();
    assertEquals(new HashSet<>(WORDS), new HashSet<>(out));
    assertEquals(new HashSet<>(WORDS).size(), out.size());
  }

  @Test
  void takeSort_overPartitions_returnsGlobalSmallestSorted() {
    List<Integer> in = IntStream.range(0, 3000).map(i -> (i * 7919) % 3001).boxed().toList();
    List<List<Integer>> out =
        Flow.fromEnumerable(in).partition(o -> o.stages(3)).takeSort(10, Integer::compare).toList();
    assertEquals(List.of(in.stream().sorted().limit(10).toList()), out);
  }

  @Test
  void onTrigger_emitEntries_flattensAccumulator() {
    List<Map.Entry<String, Long>> out =
        Flow.fromEnumerable(WORDS)
            .partition(o -> o.stages(2))
            .reduce(
                Object2LongOpenHashMap<String>::new,
                (m, w) -> {
                  m.addTo(w, 1);
                  return m;
                })
            .onTrigger(
                (m, t) ->
                    TriggerResult.of(
                        m.object2LongEntrySet().stream()
                            .map(e -> Map.entry(e.getKey(), e.getLongValue()))
                            .toList(),
                        m))
            .toList();
    Map<String, Long> counts = new HashMap<>();
    out.forEach(e -> assertEquals(null, counts.put(e.getKey(), e.getValue())));
    assertEquals(oracle(WORDS), counts);
  }

  @Test
  void shuffleAndMerge_everyEventArrivesOnce() {
    Flow<Integer> a = Flow.fromEnumerable(List.of(1, 2, 3));
    Flow<Integer> b = Flow.fromEnumerable(List.of(4, 5)).map(x -> x * 10);
    List<Integer> merged =
        new ArrayList<>(Flow.<Integer>merge(List.of(a, b), o -> o.stages(2)).map(x -> x).toList());
    merged.sort(null);
    assertEquals(List.of(1, 2, 3, 40, 50), merged);
    List<Integer> shuffled = new ArrayList<>(a.shuffle(o -> o.stages(3)).map(x -> -x).toList());
    shuffled.sort(null);
    assertEquals(List.of(-3, -2, -1), shuffled);
  }

  @Test
  void countWindows_afterPartition_emitEveryFullWindowPerStage() {
    List<Integer> sums =
        Flow.fromEnumerable(IntStream.rangeClosed(1, 100).boxed().toList(), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(10)))
            .reduce(() -> 0, Integer::sum)
            .toList();
    List<Integer> expected = new ArrayList<>();
    for (int w = 0; w < 10; w++) {
      expected.add(IntStream.rangeClosed(w * 10 + 1, w * 10 + 10).sum());
    }
    expected.add(0);
    assertEquals(expected, sums);
  }

  @Test
  void fixedWindows_singleOrderedSource_emitPerWindowInOrder() {
    List<Long> times = List.of(1L, 5L, 12L, 13L, 25L);
    List<String> out =
        Flow.fromEnumerable(times, o -> o.stages(1))
            .partition(
                o ->
                    o.stages(1).window(Window.<Long>fixed(java.time.Duration.ofMillis(10), t -> t)))
            .reduce(() -> 0L, Long::sum)
            .onTrigger(
                (acc, t) ->
                    TriggerResult.of(List.of(t.windowId() + ":" + acc + ":" + t.name()), acc))
            .toList();
    assertEquals(List.of("0:6:done", "10:25:done", "20:25:done"), out);
  }

  @Test
  void periodicTrigger_onRunningFlow_firesBeforeDone() throws Exception {
    java.util.concurrent.BlockingQueue<Integer> gate =
        new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.Iterator<Integer> slow =
        new java.util.Iterator<>() {
          int n;

          @Override
          public boolean hasNext() {
            return n < 2;
          }

          @Override
          public Integer next() {
            if (n == 1) {
              try {
                gate.take(); // hold the second event until the periodic trigger fired
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return ++n;
          }
        };
    Flow<String> f =
        Flow.fromEnumerable(slow, o -> o.stages(1).maxDemand(1))
            .partition(
                o ->
                    o.stages(1)
                        .maxDemand(1)
                        .window(
                            Window.global().triggerPeriodically(java.time.Duration.ofMillis(5))))
            .reduce(() -> 0, Integer::sum)
            .onTrigger((acc, t) -> TriggerResult.of(List.of(t.name() + "=" + acc), acc));
    try (java.util.stream.Stream<String> s = f.stream()) {
      java.util.Iterator<String> it = s.iterator();
      // the timer may fire before the first event arrives; wait for a pane holding it
      String pane = it.next();
      while (!pane.equals("periodically=1")) {
        assertTrue(pane.equals("periodically=0"), pane);
        pane = it.next();
      }
      gate.put(0);
      String last = null;
      while (it.hasNext()) {
        last = it.next();
      }
      assertEquals("done=3", last);
      assertTrue(last != null);
    }
  }
}
