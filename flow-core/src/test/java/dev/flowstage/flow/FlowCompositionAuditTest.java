package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Compositions as a demanding user writes them, each checked against the documented semantics
 * (reference Part B and the guides) with the expected result computed by {@code java.util.stream}.
 */
final class FlowCompositionAuditTest {
  private static final int MANY = Runtime.getRuntime().availableProcessors() * 3 + 1;

  private static List<Integer> range(int from, int toInclusive) {
    return IntStream.rangeClosed(from, toInclusive).boxed().toList();
  }

  private static <T extends Comparable<T>> List<T> sorted(List<T> l) {
    List<T> c = new ArrayList<>(l);
    Collections.sort(c);
    return c;
  }

  @Test
  void countWindow_overOneStage_emitsFullWindowsThenTheFinalEmptyOne() {
    List<Long> out =
        Flow.fromEnumerable(range(1, 100), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(10)))
            .reduce(() -> 0L, (s, e) -> s + e)
            .toList();
    List<Long> expected = new ArrayList<>();
    for (int w = 0; w < 10; w++) {
      expected.add(IntStream.rangeClosed(w * 10 + 1, w * 10 + 10).asLongStream().sum());
    }
    expected.add(0L);
    assertEquals(expected, out);
  }

  @Test
  void countWindow_triggerEvery_onTriggerReset_emitsDeltasPerWindow() {
    List<String> out =
        Flow.fromEnumerable(range(1, 25), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(10).triggerEvery(4)))
            .reduce(() -> 0, Integer::sum)
            .onTrigger(
                (acc, t) -> TriggerResult.of(List.of(t.windowId() + ":" + t.name() + ":" + acc), 0))
            .toList();
    // window 0: 1..10 -> every after 4 (1..4=10), 8 (5..8=26), done (9,10=19)
    // window 1: 11..20 -> every 11..14=50, 15..18=66, done 19+20=39
    // window 2: 21..25 -> every 21..24=90, done 25
    assertEquals(
        List.of(
            "0:every:10",
            "0:every:26",
            "0:done:19",
            "1:every:50",
            "1:every:66",
            "1:done:39",
            "2:every:90",
            "2:done:25"),
        out);
  }

  @Test
  void globalWindow_emptyPartitions_emitTheirInitialAccumulator() {
    List<Integer> out =
        Flow.fromEnumerable(List.<Integer>of(), o -> o.stages(1))
            .partition(o -> o.stages(3))
            .reduce(() -> 0, Integer::sum)
            .toList();
    assertEquals(List.of(0, 0, 0), out);
  }

  @Test
  void departition_onEmptyInput_emitsDoneOfInitOnce() {
    List<Integer> out =
        Flow.fromEnumerable(List.<Integer>of())
            .partition(o -> o.stages(3))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, x -> x)
            .toList();
    assertEquals(List.of(0), out);
  }

  @Test
  void takeSort_onEmptyInput_emitsOneEmptyList() {
    List<List<Integer>> out =
        Flow.fromEnumerable(List.<Integer>of())
            .partition(o -> o.stages(2))
            .takeSort(3, Integer::compare)
            .toList();
    assertEquals(List.of(List.of()), out);
  }

  @Test
  void takeSort_afterCountBy_ranksTheCounts() {
    List<String> words = IntStream.range(0, 2000).mapToObj(i -> "w" + (i * i % 37)).toList();
    Map<String, Long> freq =
        words.stream().collect(Collectors.groupingBy(w -> w, Collectors.counting()));
    Comparator<KeyCount<String>> byCount =
        Comparator.<KeyCount<String>>comparingLong(KeyCount::count)
            .reversed()
            .thenComparing(KeyCount::key);
    List<List<KeyCount<String>>> out =
        Flow.fromEnumerable(words, o -> o.stages(MANY))
            .countBy(w -> w, o -> o.stages(MANY))
            .takeSort(5, byCount::compare)
            .toList();
    List<String> expected =
        freq.entrySet().stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(5)
            .map(e -> e.getKey() + "=" + e.getValue())
            .toList();
    assertEquals(1, out.size());
    assertEquals(expected, out.get(0).stream().map(k -> k.key() + "=" + k.count()).toList());
  }

  @Test
  void twoPartitionsInARow_thenReduce_sumsEverything() {
    List<Integer> in = range(1, 3000);
    List<Long> out =
        Flow.fromEnumerable(in, o -> o.maxDemand(1))
            .partition(o -> o.stages(3).maxDemand(1))
            .partition(o -> o.stages(MANY).<Integer>key(x -> x % 7))
            .reduce(() -> 0L, (s, e) -> s + e, Long::sum)
            .departition(() -> 0L, Long::sum, x -> x)
            .toList();
    assertEquals(List.of(in.stream().mapToLong(x -> x).sum()), out);
  }

  @Test
  void groupBy_withTriggerEvery_withoutOnTrigger_reEmitsCumulativeSnapshots() {
    List<Map<Integer, List<Integer>>> out =
        Flow.fromEnumerable(range(1, 6), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.global().triggerEvery(2)))
            .groupBy(x -> x % 2)
            .toList();
    assertEquals(
        List.of(
            Map.of(1, List.of(1), 0, List.of(2)),
            Map.of(1, List.of(1, 3), 0, List.of(2, 4)),
            Map.of(1, List.of(1, 3, 5), 0, List.of(2, 4, 6)),
            Map.of(1, List.of(1, 3, 5), 0, List.of(2, 4, 6))),
        out.stream().map(m -> (Map<Integer, List<Integer>>) new HashMap<>(m)).toList());
  }

  @Test
  void emitAndReduce_withTriggerEvery_emitsNothingAtTriggers() {
    List<Integer> out =
        Flow.fromEnumerable(range(1, 10), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.global().triggerEvery(3)))
            .<Integer, Integer>emitAndReduce(
                () -> 0, (e, acc) -> TriggerResult.of(List.of(acc + e), acc + e))
            .toList();
    List<Integer> expected = new ArrayList<>();
    int s = 0;
    for (int i = 1; i <= 10; i++) {
      s += i;
      expected.add(s);
    }
    assertEquals(expected, out);
  }

  @Test
  void emitAndReduce_withOnTrigger_inCountWindows_resetsPerWindow() {
    List<String> out =
        Flow.fromEnumerable(range(1, 7), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(3)))
            .<Integer, String>emitAndReduce(
                () -> 0,
                (e, acc) -> TriggerResult.of(List.of("e" + (acc + e)), acc + e),
                (acc, t) -> TriggerResult.of(List.of("t" + t.windowId() + "=" + acc), acc))
            .toList();
    assertEquals(List.of("e1", "e3", "e6", "t0=6", "e4", "e9", "e15", "t1=15", "e7", "t2=7"), out);
  }

  @Test
  void uniq_inCountWindows_forgetsKeysPerWindow_withoutReduce() {
    List<Integer> in = List.of(1, 1, 2, 1, 2, 3, 3, 1);
    List<Integer> out =
        Flow.fromEnumerable(in, o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(3)))
            .uniq()
            .toList();
    // windows [1,1,2] [1,2,3] [3,1]
    assertEquals(List.of(1, 2, 1, 2, 3, 3, 1), out);
  }

  @Test
  void uniqBy_thenReduce_inOneLayer_countsDistinctKeysPerPartition() {
    List<Integer> in = range(1, 1000);
    List<Long> out =
        Flow.fromEnumerable(in)
            .partition(o -> o.stages(4).<Integer>key(x -> x % 50))
            .uniqBy(x -> x % 50)
            .reduce(() -> 0L, (s, e) -> s + 1)
            .departition(() -> 0L, Long::sum, x -> x)
            .toList();
    assertEquals(List.of(50L), out);
  }

  @Test
  void mapperChain_appliesInDeclarationOrder() {
    List<Integer> out =
        Flow.fromEnumerable(range(1, 6), o -> o.stages(MANY))
            .filter(x -> x % 2 == 1)
            .map(x -> x + 1)
            .map(x -> x * 2)
            .toList();
    assertEquals(List.of(4, 8, 12), sorted(out));
  }

  @Test
  void triggerEvery_countsRawEventsBeforeFilters() {
    List<List<Integer>> out =
        Flow.fromEnumerable(range(1, 20), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.global().triggerEvery(5)))
            .filter(x -> x % 2 == 0)
            .reduce(
                ArrayList<Integer>::new,
                (l, e) -> {
                  l.add(e);
                  return l;
                })
            .onTrigger(
                (acc, t) ->
                    TriggerResult.of(List.<List<Integer>>of(List.copyOf(acc)), new ArrayList<>()))
            .toList();
    assertEquals(
        List.of(List.of(2, 4), List.of(6, 8, 10), List.of(12, 14), List.of(16, 18, 20), List.of()),
        out);
  }

  @Test
  void punctuationTrigger_onCountWindow_firesAndWindowsStillClose() {
    List<String> out = AuditFlows.punctuationOnCountWindow().toList();
    // Window assignment counts raw events: window 0 = a b END c d, window 1 = e END f.
    assertEquals(List.of("0pab", "0donecd", "1pe", "1donef"), out);
  }

  @Test
  void merge_ofThreeFlows_withKey_thenReduceByKey() {
    List<Integer> a = range(1, 500);
    List<Integer> b = range(200, 900);
    List<Integer> c = List.of();
    List<Map.Entry<Integer, Long>> out =
        Flow.<Integer>merge(
                List.of(
                    Flow.fromEnumerable(a).map(x -> x),
                    Flow.fromEnumerable(b, o -> o.stages(1)),
                    Flow.fromEnumerable(c)),
                o -> o.stages(MANY).<Integer>key(x -> x % 10))
            .reduceByKey(x -> x % 10, x -> (long) x, Long::sum)
            .toList();
    Map<Integer, Long> expected =
        java.util.stream.Stream.concat(a.stream(), b.stream())
            .collect(
                Collectors.groupingBy(x -> x % 10, TreeMap::new, Collectors.summingLong(x -> x)));
    Map<Integer, Long> actual = new TreeMap<>();
    out.forEach(e -> assertEquals(null, actual.put(e.getKey(), e.getValue())));
    assertEquals(expected, actual);
  }

  @Test
  void aggregateByKey_thenDepartition_mergesAllEntries() {
    List<Integer> in = range(1, 2000);
    Map<Integer, Integer> out =
        Flow.fromEnumerable(in)
            .aggregateByKey(
                x -> x % 13, () -> 0, (acc, x) -> Math.max(acc, x), Math::max, o -> o.stages(MANY))
            .departition(
                HashMap<Integer, Integer>::new,
                (m, e) -> {
                  m.put(e.getKey(), e.getValue());
                  return m;
                },
                m -> (Map<Integer, Integer>) new TreeMap<>(m))
            .toList()
            .get(0);
    Map<Integer, Integer> expected =
        in.stream().collect(Collectors.toMap(x -> x % 13, x -> x, Math::max, TreeMap::new));
    assertEquals(expected, out);
  }

  @Test
  void shuffle_thenMapBatch_withMaxDemandOne_seesOneEventBatches() {
    List<Integer> sizes =
        Flow.fromEnumerable(range(1, 50), o -> o.stages(1))
            .shuffle(o -> o.stages(MANY).maxDemand(1))
            .mapBatch(batch -> List.of(batch.size()))
            .toList();
    assertEquals(50, sizes.stream().mapToInt(x -> x).sum());
    assertEquals(List.of(1), sizes.stream().distinct().toList());
  }

  @Test
  void singleEvent_throughEveryKindOfLayer() {
    List<Integer> out =
        Flow.fromEnumerable(List.of(7), o -> o.stages(MANY))
            .map(x -> x * 2)
            .shuffle(o -> o.stages(MANY))
            .partition(o -> o.stages(MANY))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, x -> x)
            .partition(o -> o.stages(2))
            .map(x -> x + 1)
            .toList();
    assertEquals(List.of(15), out);
  }

  @Test
  void windowedReduce_thenPartitionedReduce_secondLayerGlobal() {
    List<Integer> in = range(1, 95);
    List<Integer> out =
        Flow.fromEnumerable(in, o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(10)))
            .reduce(() -> 0, Integer::sum)
            .partition(o -> o.stages(3))
            .reduce(() -> 0, Integer::sum)
            .toList();
    assertEquals(in.stream().mapToInt(x -> x).sum(), out.stream().mapToInt(x -> x).sum());
    assertEquals(3, out.size());
  }

  @Test
  void fixedWindows_triggerEvery_departition_perWindow() {
    // times 0..99, windows of 10 ms: each window sums its times, over 3 partitions.
    List<Integer> in = range(0, 99);
    List<Integer> out =
        Flow.fromEnumerable(in, o -> o.stages(1))
            .partition(
                o ->
                    o.stages(3)
                        .window(
                            Window.<Integer>fixed(java.time.Duration.ofMillis(10), x -> x)
                                .triggerEvery(3)))
            .reduce(() -> 0, Integer::sum)
            .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), 0))
            .departition(() -> 0, Integer::sum, x -> x)
            .toList();
    List<Integer> expected =
        IntStream.range(0, 10).mapToObj(w -> IntStream.range(w * 10, w * 10 + 10).sum()).toList();
    assertEquals(expected, out);
  }

  @Test
  void periodicWindow_onEmptyInput_emitsInitialAccumulatorPerStage() {
    List<Integer> out =
        Flow.fromEnumerable(List.<Integer>of(), o -> o.stages(1))
            .partition(o -> o.stages(2).window(Window.periodic(java.time.Duration.ofHours(1))))
            .reduce(() -> 0, Integer::sum)
            .toList();
    assertEquals(List.of(0, 0), out);
  }

  @Test
  void reduceWithCombiner_afterPartitionWithDropHash_dropsEvents() {
    List<Long> out =
        Flow.fromEnumerable(range(1, 100))
            .partition(o -> o.stages(1).<Integer>hash(x -> x % 2 == 0 ? 0 : Options.DROP))
            .reduce(() -> 0L, (s, e) -> s + e, Long::sum)
            .toList();
    assertEquals(
        List.of(range(1, 100).stream().filter(x -> x % 2 == 0).mapToLong(x -> x).sum()), out);
  }

  @Test
  void stream_limit_onReducedFlow_closesCleanly() {
    try (var s =
        Flow.fromEnumerable(range(1, 10_000))
            .partition(o -> o.stages(4).window(Window.count(10)))
            .reduce(() -> 0, Integer::sum)
            .stream()) {
      assertEquals(3, s.limit(3).count());
    }
  }

  @Test
  void secondReduce_inOneLayer_isRejectedWhenBuilt() {
    Flow<Integer> f = Flow.fromEnumerable(range(1, 3)).partition().reduce(() -> 0, Integer::sum);
    assertThrows(IllegalArgumentException.class, () -> f.reduce(() -> 0, Integer::sum));
  }

  @Test
  void countBy_withACountWindowInItsOptions_runsOrIsRejectedWhenBuilt() {
    Flow<Integer> in = Flow.fromEnumerable(range(1, 100), o -> o.stages(1));
    Flow<KeyCount<Integer>> f;
    try {
      f = in.countBy(x -> x % 3, o -> o.stages(2).window(Window.count(10)));
    } catch (IllegalArgumentException rejected) {
      return;
    }
    long total = f.toList().stream().mapToLong(KeyCount::count).sum();
    assertEquals(100, total);
  }

  @Test
  void windowedUniq_thenDepartition_perWindow() {
    // count windows of 4 on one stage: [1,1,2,2] [1,3,3,1] [2] -> distinct per window 2,2,1
    List<Integer> out =
        Flow.fromEnumerable(List.of(1, 1, 2, 2, 1, 3, 3, 1, 2), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(4)))
            .uniq()
            .departition(() -> 0, (n, e) -> n + 1, n -> n)
            .toList();
    assertEquals(List.of(2, 2, 1), out);
  }

  @Test
  void windowedUniq_thenTakeSort_perWindow() {
    List<List<Integer>> out =
        Flow.fromEnumerable(List.of(5, 1, 5, 2, 9, 9, 0, 7), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(4)))
            .uniq()
            .takeSort(2, Integer::compare)
            .toList();
    // windows [5,1,5,2] [9,9,0,7] and the final empty one
    assertEquals(List.of(List.of(1, 2), List.of(0, 7), List.of()), out);
  }

  @Test
  void emitAndReduce_thenDepartition_mergesEmittedEventsAndFinalState() {
    List<Integer> out =
        Flow.fromEnumerable(range(1, 10), o -> o.stages(1))
            .partition(o -> o.stages(1))
            .<Integer, Integer>emitAndReduce(
                () -> 0, (e, acc) -> TriggerResult.of(List.of(e), acc + e))
            .departition(() -> 0, (n, e) -> n + 1, n -> n)
            .toList();
    // emitAndReduce without onTrigger emits nothing at triggers (guide): ten events.
    assertEquals(List.of(10), out);
  }

  @Test
  void reduceWithCombiner_afterMergeOfWindowedAndPlainFlows() {
    Flow<Integer> windowed =
        Flow.fromEnumerable(range(1, 50), o -> o.stages(1))
            .partition(o -> o.stages(2).window(Window.count(5)))
            .reduce(() -> 0, Integer::sum);
    Flow<Integer> plain = Flow.fromEnumerable(range(100, 120), o -> o.stages(3));
    List<Long> out =
        Flow.<Integer>merge(List.of(windowed, plain), o -> o.stages(MANY))
            .reduce(() -> 0L, (s, e) -> s + e, Long::sum)
            .departition(() -> 0L, Long::sum, x -> x)
            .toList();
    long expected =
        range(1, 50).stream().mapToLong(x -> x).sum()
            + range(100, 120).stream().mapToLong(x -> x).sum();
    assertEquals(List.of(expected), out);
  }

  @Test
  void reduceWithCombiner_afterShuffle_withMaxDemandOne() {
    List<Long> out =
        Flow.fromEnumerable(range(1, 777), o -> o.stages(3))
            .filter(x -> x % 3 != 0)
            .shuffle(o -> o.stages(MANY).maxDemand(1))
            .reduce(() -> 0L, (s, e) -> s + e, Long::sum)
            .departition(() -> 0L, Long::sum, x -> x)
            .toList();
    assertEquals(
        List.of(range(1, 777).stream().filter(x -> x % 3 != 0).mapToLong(x -> x).sum()), out);
  }

  @Test
  void partitionHash_outOfRange_failsTheFlow_withOrWithoutCombiner() {
    Flow<Integer> routed =
        Flow.fromEnumerable(range(1, 10)).partition(o -> o.stages(2).<Integer>hash(x -> 5));
    assertThrows(FlowException.class, () -> routed.reduce(() -> 0, Integer::sum).toList());
    assertThrows(
        FlowException.class, () -> routed.reduce(() -> 0, Integer::sum, Integer::sum).toList());
  }

  @Test
  void fixedWindows_overTwoOrderedSources_noEventIsLate() {
    List<Integer> a = range(0, 99);
    List<Integer> b = range(0, 9);
    List<Integer> out =
        Flow.fromEnumerables(List.of(a, b), o -> o.stages(2))
            .partition(
                o ->
                    o.stages(1)
                        .window(Window.<Integer>fixed(java.time.Duration.ofMillis(10), x -> x)))
            .reduce(() -> 0, (n, e) -> n + 1)
            .toList();
    List<Integer> expected = new ArrayList<>(List.of(20));
    for (int i = 1; i < 10; i++) {
      expected.add(10);
    }
    assertEquals(expected, out);
  }

  @Test
  void takeSort_afterReduceWithTriggerEvery_ranksEverythingTheReduceEmits() {
    // The reduce emits snapshots at every trigger and at done: 3, 10 (1..4), 10 (done).
    List<List<Integer>> out =
        Flow.fromEnumerable(range(1, 4), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.global().triggerEvery(2)))
            .reduce(() -> 0, Integer::sum)
            .takeSort(5, Integer::compare)
            .toList();
    assertEquals(List.of(List.of(3, 10, 10)), out);
  }

  @Test
  void departition_thenWindowedPartition_thenDepartitionAgain() {
    List<Integer> in = range(1, 40);
    List<Integer> out =
        Flow.fromEnumerable(in)
            .partition(o -> o.stages(3))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, x -> x)
            .flatMap(total -> List.of(total, 1, 2, 3))
            .partition(o -> o.stages(2).window(Window.count(2)))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, x -> x)
            .toList();
    assertEquals(in.stream().mapToInt(x -> x).sum() + 6, out.stream().mapToInt(x -> x).sum());
  }

  @Test
  void mapBatch_thenWindowedReduce_windowSeesMapBatchOutput() {
    List<Integer> out =
        Flow.fromEnumerable(range(1, 6), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(2)))
            .mapBatch(
                batch -> batch.stream().flatMap(x -> java.util.stream.Stream.of(x, x)).toList())
            .reduce(() -> 0, Integer::sum)
            .toList();
    // doubled input 1,1,2,2,...,6,6 in count windows of 2: 2,4,6,8,10,12, then the empty 0
    assertEquals(List.of(2, 4, 6, 8, 10, 12, 0), out);
  }

  @Test
  void groupByKey_afterPartitionByKey_withManyStages() {
    List<Map.Entry<String, Integer>> in =
        IntStream.range(0, 500).mapToObj(i -> Map.entry("k" + i % 17, i)).toList();
    List<Map<String, List<Integer>>> out =
        Flow.fromEnumerable(in, o -> o.stages(1))
            .partition(o -> o.stages(MANY).<Map.Entry<String, Integer>>key(Map.Entry::getKey))
            .<String, Integer>groupByKey()
            .toList();
    Map<String, List<Integer>> merged = new TreeMap<>();
    for (Map<String, List<Integer>> m : out) {
      m.forEach((k, v) -> assertEquals(null, merged.put(k, v)));
    }
    Map<String, List<Integer>> expected =
        in.stream()
            .collect(
                Collectors.groupingBy(
                    Map.Entry::getKey,
                    TreeMap::new,
                    Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
    assertEquals(expected, merged);
  }

  @Test
  void into_consumersReceiveWindowedReduceOutput() {
    List<Object> seen = Collections.synchronizedList(new ArrayList<>());
    try (dev.flowstage.stage.StageSystem system = new dev.flowstage.stage.StageSystem("audit")) {
      dev.flowstage.stage.Stage<Void> sink =
          system.startConsumer(
              "sink",
              new dev.flowstage.stage.Consumer<Object>() {
                @Override
                public void handleEvents(
                    List<Object> events,
                    dev.flowstage.stage.Subscription from,
                    dev.flowstage.stage.StageContext ctx) {
                  seen.addAll(events);
                }
              });
      Flow.fromEnumerable(range(1, 30), o -> o.stages(1))
          .partition(o -> o.stages(2).window(Window.count(5)))
          .reduce(() -> 0, Integer::sum)
          .into(List.of(sink))
          .await();
      // await() returns once the last layer has finished: the sink may still be handling what it
      // was sent. Closing the system lets it handle its mailbox first (StageSystem.close()).
    }
    assertEquals(
        range(1, 30).stream().mapToInt(x -> x).sum(),
        seen.stream().mapToInt(x -> (Integer) x).sum());
  }

  /**
   * A flow over a Stream (or Iterator) can be read once, so a plan that reads it twice (a merge,
   * zip or join of a flow with one derived from it) cannot run: it is rejected when built, saying
   * why, instead of failing at the terminal with "an earlier terminal already ran it".
   */
  @Test
  void oneStreamSource_readTwiceInOnePlan_isRejectedWhenBuilt() {
    Flow<Integer> f = Flow.fromEnumerable(java.util.stream.Stream.of(1, 2, 3));
    Flow<Integer> g = f.map(x -> x * 10);
    List<Runnable> builds =
        List.of(
            () -> Flow.<Integer>merge(List.of(f, g), o -> o.stages(2)),
            () -> Flow.zip(f, g, Integer::sum),
            () ->
                Flow.boundedJoin(
                    JoinMode.INNER, f, g.partition(), x -> x, x -> x, Integer::sum, 10, o -> o),
            () ->
                Flow.windowJoin(
                    JoinMode.INNER,
                    f,
                    g,
                    Window.<Integer>fixed(java.time.Duration.ofMillis(10), x -> x),
                    x -> x,
                    x -> x,
                    Integer::sum,
                    10,
                    o -> o));
    for (Runnable build : builds) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
      assertTrue(e.getMessage().contains("read from a List"), e.getMessage());
    }
    // Nothing ran: the flow can still be run once.
    assertEquals(List.of(10, 20, 30), sorted(g.toList()));
  }

  @Test
  void oneIteratorSource_mergedWithItself_isRejectedWhenBuilt() {
    Flow<Integer> f = Flow.fromEnumerable(List.of(1, 2).iterator());
    assertThrows(
        IllegalArgumentException.class, () -> Flow.<Integer>merge(List.of(f, f), o -> o.stages(2)));
  }

  @Test
  void listSource_mergedWithItself_readsItTwice() {
    Flow<Integer> f = Flow.fromEnumerable(List.of(1, 2, 3));
    assertEquals(
        List.of(1, 2, 3, 10, 20, 30),
        sorted(Flow.<Integer>merge(List.of(f, f.map(x -> x * 10)), o -> o.stages(2)).toList()));
  }

  @Test
  void listSource_zippedWithItself_pairsEachEventWithItsImage() {
    Flow<Integer> f = Flow.fromEnumerable(List.of(1, 2, 3));
    List<Integer> out = Flow.zip(f, f.map(x -> x * 10), Integer::sum).toList();
    assertEquals(List.of(11, 22, 33), out);
  }

  /** B8: a partition keeps each producer's order within each partition, also at maxDemand 1. */
  @Test
  void partition_keepsTheProducersOrderWithinEachPartition() {
    List<List<Integer>> perPartition =
        Flow.fromEnumerable(range(1, 3000), o -> o.stages(1))
            .partition(o -> o.stages(MANY).maxDemand(1).<Integer>key(x -> x % 11))
            .reduce(
                ArrayList<Integer>::new,
                (l, e) -> {
                  l.add(e);
                  return l;
                })
            .map(l -> (List<Integer>) l)
            .toList();
    List<Integer> all = new ArrayList<>();
    for (List<Integer> l : perPartition) {
      assertEquals(sorted(l), l);
      all.addAll(l);
    }
    assertEquals(range(1, 3000), sorted(all));
  }

  /** B8: fixed windows fire in window order; emitAndReduce emissions keep the stage's order. */
  @Test
  void fixedWindows_fireInWindowOrder_andEmitAndReduceKeepsOrder() {
    List<String> out =
        Flow.fromEnumerable(range(0, 49), o -> o.stages(1))
            .partition(
                o ->
                    o.stages(1)
                        .maxDemand(3)
                        .window(Window.<Integer>fixed(java.time.Duration.ofMillis(10), x -> x)))
            .<Integer, String>emitAndReduce(
                () -> 0,
                (e, n) -> TriggerResult.of(e % 10 == 9 ? List.of("last" + e) : List.of(), n + 1),
                (n, t) -> TriggerResult.of(List.of("w" + t.windowId() + "=" + n), n))
            .toList();
    List<String> expected = new ArrayList<>();
    for (int w = 0; w < 5; w++) {
      expected.add("last" + (w * 10 + 9));
      expected.add("w" + (w * 10) + "=10");
    }
    assertEquals(expected, out);
  }

  /** B5.4: triggerEvery counts what mapBatch delivers (mapBatch runs before window and trigger). */
  @Test
  void mapBatch_runsBeforeTheTrigger_whichCountsItsOutput() {
    List<Integer> out =
        Flow.fromEnumerable(range(1, 4), o -> o.stages(1))
            .partition(o -> o.stages(1).maxDemand(1).window(Window.global().triggerEvery(3)))
            .mapBatch(b -> b.stream().flatMap(x -> java.util.stream.Stream.of(x, x)).toList())
            .reduce(() -> 0, Integer::sum)
            .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), 0))
            .toList();
    // 1,1,2 | 2,3,3 | 4,4 (done)
    assertEquals(List.of(4, 8, 8), out);
  }

  /**
   * Elixir's emit modes as the guide's Elixir-to-Java table writes them, in count windows with a
   * triggerEvery, keeping or resetting the accumulator: :state (the default), :events (flatMap of
   * the accumulator) and :nothing (onTrigger returning no events).
   */
  @Test
  void emitModes_stateEventsNothing_keepAndReset_inCountWindowsWithTriggerEvery() {
    List<Integer> in = range(1, 7);
    Window w = Window.count(4).triggerEvery(2);
    // windows [1,2,3,4] [5,6,7] (the open window ends with the input): triggers after 2 and 4
    // raw events of a window, then done.
    Flow<List<Integer>> lists =
        Flow.fromEnumerable(in, o -> o.stages(1))
            .partition(o -> o.stages(1).window(w))
            .reduce(
                () -> (List<Integer>) new ArrayList<Integer>(),
                (l, e) -> {
                  l.add(e);
                  return l;
                });
    // :state, keep: cumulative snapshots of the window at every trigger
    assertEquals(
        List.of(
            List.of(1, 2),
            List.of(1, 2, 3, 4),
            List.of(1, 2, 3, 4),
            List.of(5, 6),
            List.of(5, 6, 7)),
        lists.toList());
    // :state, reset: the events since the previous trigger
    assertEquals(
        List.of(List.of(1, 2), List.of(3, 4), List.of(), List.of(5, 6), List.of(7)),
        lists
            .onTrigger(
                (l, t) ->
                    TriggerResult.of(
                        List.of(List.copyOf(l)), (List<Integer>) new ArrayList<Integer>()))
            .toList());
    // :events, keep: the accumulator's elements, re-emitted at each trigger
    assertEquals(
        List.of(1, 2, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 5, 6, 7), lists.flatMap(l -> l).toList());
    // :nothing: no events at any trigger
    assertEquals(
        List.of(),
        lists.onTrigger((l, t) -> TriggerResult.<List<Integer>, List<Integer>>none(l)).toList());
  }

  /**
   * Null events pass every per-event operation, a partition and a reduce, so takeSort with a
   * comparator that orders nulls ranks them too (it failed with a bare NullPointerException: its
   * heap refused null).
   */
  @Test
  void takeSort_ranksNullEvents_withANullSafeComparator() {
    List<String> in = java.util.Arrays.asList("c", null, "a", "d", null, "b");
    SerializableComparator<String> nullsFirst =
        (x, y) -> x == null ? (y == null ? 0 : -1) : y == null ? 1 : x.compareTo(y);
    List<String> expected = java.util.Arrays.asList(null, null, "a");
    assertEquals(
        List.of(expected),
        Flow.fromEnumerable(in, o -> o.stages(3))
            .partition(o -> o.stages(2))
            .takeSort(3, nullsFirst)
            .toList());
    // after a reduce of the layer (the events are what it emits)
    assertEquals(
        List.of(java.util.Arrays.asList(null, null, "a", "b")),
        Flow.fromEnumerable(in, o -> o.stages(1))
            .partition(o -> o.stages(2))
            .reduce(
                () -> (List<String>) new ArrayList<String>(),
                (l, e) -> {
                  l.add(e);
                  return l;
                })
            .flatMap(l -> l)
            .takeSort(4, nullsFirst)
            .toList());
  }

  /**
   * The guide says a combiner gives the same result as the two-argument reduce; a reducer whose
   * accumulator may be null (a "latest non-blank" value, say) failed only with the combiner.
   */
  @Test
  void reduceWithCombiner_acceptsANullAccumulator_asWithoutIt() {
    List<String> in = java.util.Arrays.asList("", "x", "", "y", "", "");
    SerializableBiFunction<String, String, String> longest =
        (acc, e) -> e.isEmpty() ? acc : acc == null || e.compareTo(acc) > 0 ? e : acc;
    Flow<String> partitioned =
        Flow.fromEnumerable(in, o -> o.stages(2)).partition(o -> o.stages(3).<String>key(e -> e));
    List<String> without = partitioned.reduce(() -> (String) null, longest).toList();
    List<String> with =
        partitioned
            .reduce(
                () -> (String) null,
                longest,
                (a, b) -> a == null ? b : b == null ? a : a.compareTo(b) >= 0 ? a : b)
            .toList();
    java.util.function.Function<List<String>, Map<String, Long>> counts =
        l ->
            l.stream()
                .collect(
                    Collectors.groupingBy(
                        e -> String.valueOf(e), TreeMap::new, Collectors.counting()));
    // x and y each have a partition; "" lands in one of them or in the third, whose result is null
    assertEquals(counts.apply(without), counts.apply(with));
    assertEquals(3, with.size());
  }

  /**
   * Null events pass per-event operations, partitions and reduces; zip, uniq per window and a
   * departition whose done returns null failed with a bare NullPointerException (List.of and
   * ArrayDeque refuse null).
   */
  @Test
  void nullEvents_passZip_uniqPerWindow_andANullDepartitionResult() {
    List<String> in = java.util.Arrays.asList("a", null, "b", null);
    assertEquals(
        List.of("a+null", "null+y", "b+null", "null+z"),
        Flow.zip(
                Flow.fromEnumerable(in),
                Flow.fromEnumerable(java.util.Arrays.asList(null, "y", null, "z", "w")),
                (l, r) -> l + "+" + r)
            .toList());
    // count windows of 2 on one stage: [a, null] [b, null] and the final empty one
    assertEquals(
        List.of(1, 1, 0),
        Flow.fromEnumerable(in, o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(2)))
            .uniq()
            .departition(() -> 0, (n, e) -> n + (e == null ? 1 : 0), n -> n)
            .toList());
    assertEquals(
        java.util.Arrays.asList((Object) null),
        Flow.fromEnumerable(in)
            .partition(o -> o.stages(2))
            .departition(() -> 0, (n, e) -> n + 1, n -> (Object) null)
            .toList());
    // a reduce after the departition runs in its stage, after the merge
    assertEquals(
        List.of(1),
        Flow.fromEnumerable(in)
            .partition(o -> o.stages(2))
            .departition(() -> 0, (n, e) -> n + 1, n -> (String) null)
            .reduce(() -> 0, (n, e) -> n + (e == null ? 1 : 0))
            .toList());
  }

  /**
   * A source that is not a Collection (an Iterable, a Stream, an Iterator) is read by a thread of
   * its own through a queue that refuses null: a null event failed the flow with a bare
   * NullPointerException, where the same events from a List passed.
   */
  @Test
  void nullEvents_fromIterableStreamAndIteratorSources_passAsFromAList() {
    List<String> in = java.util.Arrays.asList("a", null, "b", null, null);
    Iterable<String> iterable = in::iterator; // not a Collection
    assertEquals(in, Flow.fromEnumerable(iterable, o -> o.stages(1)).toList());
    assertEquals(in, Flow.fromEnumerable(in.stream(), o -> o.stages(1)).toList());
    assertEquals(in, Flow.fromEnumerable(in.iterator(), o -> o.stages(1)).toList());
    assertEquals(
        3L,
        Flow.fromEnumerable(iterable)
            .filter(java.util.Objects::isNull)
            .reduce(() -> 0L, (n, e) -> n + 1)
            .departition(() -> 0L, Long::sum, n -> n)
            .toList()
            .get(0));
  }
}
