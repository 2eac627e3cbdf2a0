package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The three-argument reduce: same results as the two-argument one, reduced upstream. */
final class FlowCombineTest {
  private static final List<String> WORDS =
      IntStream.range(0, 5000).mapToObj(i -> "w" + (i * 7919 % 311)).toList();

  private static Map<String, Long> oracle(List<String> words) {
    return words.stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  private static Object2LongOpenHashMap<String> add(Object2LongOpenHashMap<String> m, String w) {
    m.addTo(w, 1);
    return m;
  }

  private static Object2LongOpenHashMap<String> merge(
      Object2LongOpenHashMap<String> a, Object2LongOpenHashMap<String> b) {
    b.object2LongEntrySet().fastForEach(e -> a.addTo(e.getKey(), e.getLongValue()));
    return a;
  }

  /** Merges per-partition maps, failing if a word was counted by two partitions. */
  private static Map<String, Long> disjointUnion(List<Object2LongOpenHashMap<String>> parts) {
    Map<String, Long> all = new HashMap<>();
    for (Object2LongOpenHashMap<String> m : parts) {
      m.object2LongEntrySet()
          .fastForEach(
              e -> assertEquals(null, all.put(e.getKey(), e.getLongValue()), "two partitions"));
    }
    return all;
  }

  private static Flow<Object2LongOpenHashMap<String>> wordCount(int sources, int partitions) {
    return Flow.fromEnumerable(WORDS, o -> o.stages(sources).maxDemand(50))
        .map(w -> w) // a mapper layer that pre-reduces
        .partition(o -> o.stages(partitions))
        .reduce(Object2LongOpenHashMap<String>::new, FlowCombineTest::add, FlowCombineTest::merge);
  }

  private static long eventsInto(FlowStatistics stats, String group) {
    return stats.stages().stream()
        .filter(s -> s.name().startsWith(group + "."))
        .mapToLong(s -> s.eventsIn())
        .sum();
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "1, 3", "2, 1", "2, 4", "4, 2"})
  void combiningReduce_afterPartition_countsLikeTheTwoArgumentReduce(int sources, int partitions) {
    assertEquals(oracle(WORDS), disjointUnion(wordCount(sources, partitions).toList()));
  }

  @Test
  void combiningReduce_downstreamReceivesOnePartialPerStagePair_notEveryEvent() {
    try (RunningFlow<List<Object2LongOpenHashMap<String>>> run =
        wordCount(2, 3).start(Collectors.toList())) {
      assertEquals(oracle(WORDS), disjointUnion(run.await()));
      // g0 = the enumerable, g1 = the mapper layer, g2 = the reduce layer
      assertEquals(WORDS.size(), eventsInto(run.statistics(), "g1"));
      assertTrue(eventsInto(run.statistics(), "g2") <= 2 * 3, run.statistics().toText());
      assertTrue(run.graph().nodes().get(1).operations().contains("pre-reduce"));
    }
  }

  @Test
  void combiningReduce_onBareSource_addsAPreReducingLayer() {
    Flow<Object2LongOpenHashMap<String>> f =
        Flow.fromEnumerable(WORDS, o -> o.stages(2))
            .partition(o -> o.stages(2))
            .reduce(
                Object2LongOpenHashMap<String>::new, FlowCombineTest::add, FlowCombineTest::merge);
    FlowGraph graph = f.graph();
    assertEquals(3, graph.nodes().size(), graph.toMermaid());
    assertEquals("pre-reduce", graph.nodes().get(1).operations());
    assertEquals(oracle(WORDS), disjointUnion(f.toList()));
  }

  @Test
  void combiningReduce_withTriggers_foldsEveryEventDownstream() {
    try (RunningFlow<List<Object2LongOpenHashMap<String>>> run =
        Flow.fromEnumerable(WORDS, o -> o.stages(2))
            .map(w -> w)
            .partition(o -> o.stages(2).window(Window.global().triggerEvery(1000)))
            .reduce(
                Object2LongOpenHashMap<String>::new, FlowCombineTest::add, FlowCombineTest::merge)
            .start(Collectors.toList())) {
      run.await();
      assertEquals(WORDS.size(), eventsInto(run.statistics(), "g2"));
      assertFalse(run.graph().nodes().get(1).operations().contains("pre-reduce"));
    }
  }

  @Test
  void combiningReduce_dropHash_dropsThoseEventsOnly() {
    List<Integer> in = IntStream.range(0, 2000).boxed().toList();
    List<Long> sums =
        Flow.fromEnumerable(in, o -> o.stages(2))
            .map(x -> x)
            .partition(o -> o.stages(2).hash((Integer x) -> x % 2 == 1 ? Options.DROP : x % 4 / 2))
            .reduce(() -> 0L, (Long a, Integer x) -> a + x, Long::sum)
            .toList();
    long expected = in.stream().filter(x -> x % 2 == 0).mapToLong(x -> x).sum();
    assertEquals(expected, sums.stream().mapToLong(x -> x).sum());
  }

  @Test
  void combiningReduce_thenDepartition_mergesPartitions() {
    Map<String, Long> all =
        wordCount(2, 3)
            .departition(
                HashMap<String, Long>::new,
                (HashMap<String, Long> acc, Object2LongOpenHashMap<String> m) -> {
                  acc.putAll(m);
                  return acc;
                },
                acc -> acc)
            .toList()
            .get(0);
    assertEquals(oracle(WORDS), all);
  }

  @Test
  void combiningReduce_mergedWithAZip_foldsTheZipsEventsAndMergesTheOthersPartials() {
    List<Integer> in = IntStream.range(0, 500).boxed().toList();
    Flow<Integer> zipped = Flow.zip(Flow.fromEnumerable(in), Flow.fromEnumerable(in), Integer::sum);
    Flow<Integer> mapped = Flow.fromEnumerable(in, o -> o.stages(2)).map(x -> x);
    Flow<Long> sums =
        Flow.<Integer>merge(List.of(zipped, mapped), o -> o.stages(3))
            .reduce(() -> 0L, (Long a, Integer x) -> a + x, Long::sum);
    String graph = sums.graph().toMermaid();
    assertFalse(graph.contains("zip x1: pre-reduce"), graph); // a zip cannot pre-reduce
    assertTrue(graph.contains("pre-reduce"), graph); // the mapper layer does
    long expected = 3L * in.stream().mapToLong(x -> x).sum();
    assertEquals(expected, sums.toList().stream().mapToLong(x -> x).sum());
  }

  @Test
  void combiningReduce_withoutUpstreamLayer_behavesAsReduce() {
    List<Integer> sums =
        Flow.fromEnumerable(List.of(1, 2, 3, 4), o -> o.stages(1))
            .reduce(() -> 0, Integer::sum, Integer::sum)
            .toList();
    assertEquals(List.of(10), sums);
  }

  /** Two upstream groups, one reduce stage: that stage gets exactly two partials. */
  private static Flow<Integer> twoPartialsIntoOneStage(SerializableBinaryOperator<Integer> c) {
    Flow<String> left = Flow.fromEnumerable(WORDS, o -> o.stages(1)).map(w -> w);
    Flow<String> right = Flow.fromEnumerable(WORDS, o -> o.stages(1)).map(w -> w);
    return Flow.<String>merge(List.of(left, right), o -> o.stages(1))
        .reduce(() -> 0, (Integer n, String w) -> n + 1, c);
  }

  @Test
  void combiningReduce_firstPartialIsTaken_laterOnesAreMerged() {
    AtomicInteger merges = new AtomicInteger();
    List<Integer> counts =
        twoPartialsIntoOneStage(
                (a, b) -> {
                  merges.incrementAndGet();
                  return a + b;
                })
            .toList();
    assertEquals(List.of(2 * WORDS.size()), counts);
    assertEquals(1, merges.get()); // not 2: the first partial is not merged into init()
  }

  @Test
  void failingCombiner_failsTheFlowNamingTheReduceStage() {
    ArithmeticException boom = new ArithmeticException("boom");
    Flow<Integer> f =
        twoPartialsIntoOneStage(
            (a, b) -> {
              throw boom;
            });
    FlowException e = assertThrows(FlowException.class, f::toList);
    assertSame(boom, e.getCause());
    assertTrue(e.stage().startsWith("g4."), e.stage()); // g0..g3: two sources, two mappers
  }

  @Test
  void failingReducer_isReportedByThePreReducingStage() {
    Flow<Integer> f =
        Flow.fromEnumerable(List.of(1, 2, 3), o -> o.stages(1))
            .map(x -> x)
            .partition(o -> o.stages(2))
            .reduce(
                () -> 0,
                (a, x) -> {
                  throw new IllegalStateException("bad " + x);
                },
                Integer::sum);
    FlowException e = assertThrows(FlowException.class, f::toList);
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertTrue(e.stage().startsWith("g1."), e.stage()); // the reducer ran upstream
  }

  @Test
  void combiningReduce_foldsEachPartitionsEventsInArrivalOrder_acrossBufferedFolds() {
    // One upstream stage, so each partition's accumulator is that stage's partial as it is: the
    // order of its list is the order the pre-reduce folded in (buffers of 1024, then the rest of
    // each delivered batch).
    int n = 10_000;
    List<ArrayList<Integer>> lists =
        Flow.fromEnumerable(IntStream.range(0, n).boxed().toList(), o -> o.stages(1).maxDemand(700))
            .map(x -> x)
            .partition(o -> o.stages(3))
            .reduce(
                ArrayList<Integer>::new,
                (l, x) -> {
                  l.add(x);
                  return l;
                },
                (a, b) -> {
                  a.addAll(b);
                  return a;
                })
            .toList();
    assertEquals(3, lists.size());
    int total = 0;
    for (List<Integer> l : lists) {
      assertEquals(l.stream().sorted().toList(), l, "folded out of arrival order");
      total += l.size();
    }
    assertEquals(n, total);
  }

  @Test
  void combiningReduce_manyPartitions_countsLikeTheStream() {
    List<HashMap<String, Long>> parts =
        Flow.fromEnumerable(WORDS, o -> o.stages(2).maxDemand(300))
            .map(w -> w)
            .partition(o -> o.stages(200))
            .reduce(
                HashMap<String, Long>::new,
                (m, w) -> {
                  m.merge(w, 1L, Long::sum);
                  return m;
                },
                (a, b) -> {
                  b.forEach((w, c) -> a.merge(w, c, Long::sum));
                  return a;
                })
            .toList();
    Map<String, Long> all = new HashMap<>();
    parts.forEach(m -> m.forEach((w, c) -> assertEquals(null, all.put(w, c), "two partitions")));
    assertEquals(oracle(WORDS), all);
  }

  @Test
  @Timeout(60)
  void failingReducer_failsTheCallThatDeliveredItsEvent_notTheEndOfInput() {
    // The source never ends: the failure must not wait for a full buffer or the end of input.
    Flow<Integer> f =
        Flow.fromEnumerable(IntStream.iterate(0, i -> i + 1).boxed().iterator(), o -> o.stages(1))
            .map(x -> x)
            .partition(o -> o.stages(2))
            .reduce(
                () -> 0,
                (a, x) -> {
                  if (x == 3) {
                    throw new IllegalStateException("bad " + x);
                  }
                  return a + 1;
                },
                Integer::sum);
    FlowException e = assertThrows(FlowException.class, f::toList);
    assertEquals("bad 3", e.getCause().getMessage());
  }

  @Test
  void combiningReduce_nullCombiner_isRejectedWithItsName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Flow.fromEnumerable(List.of(1)).reduce(() -> 0, Integer::sum, null));
    assertTrue(e.getMessage().contains("combiner"), e.getMessage());
  }
}
