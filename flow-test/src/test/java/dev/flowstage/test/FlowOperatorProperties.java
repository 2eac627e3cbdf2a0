package dev.flowstage.test;

import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Flow's own operators against java.util.stream, run through the kit (flow-core cannot depend on
 * flow-test, so these live here): the kit varies stage counts, demand, source splits, partition
 * mapping and pacing, which flow-core's FlowProperties vary by hand. Seeded, so a failure is
 * reproducible from its printed line; more tries with {@code -Dflowcheck.tries=500}.
 */
final class FlowOperatorProperties {
  private static final int TRIES = Integer.getInteger("flowcheck.tries", 40);
  private static final Gen<Integer> INTS = Gen.ints(-50, 500);

  private static <T, R> FlowCheck<T, R> seeded(FlowCheck<T, R> check, long seed) {
    return check.seed(seed).tries(TRIES).maxSize(400);
  }

  @Test
  void mapFlatMapFilter_isTheStreamAsMultiset() {
    seeded(
            FlowCheck.forAll(INTS)
                .pipeline(
                    f ->
                        f.map(x -> x * 3)
                            .flatMap(x -> x % 2 == 0 ? List.of(x, x + 1) : List.<Integer>of())
                            .filter(x -> x % 5 != 0))
                .sameAsStream(
                    s ->
                        s.map(x -> x * 3)
                            .flatMap(x -> x % 2 == 0 ? Stream.of(x, x + 1) : Stream.empty())
                            .filter(x -> x % 5 != 0)),
            11)
        .check();
  }

  @Test
  void mapFilter_inOneStage_keepsTheStreamOrder() {
    seeded(
            FlowCheck.forAll(INTS)
                .pipeline(f -> f.map(x -> x - 7).reject(x -> x % 4 == 0))
                .sameAsStream(s -> s.map(x -> x - 7).filter(x -> x % 4 != 0))
                .ordered(),
            12)
        .check();
  }

  @Test
  void partitionReduce_isGroupingByCounting() {
    seeded(
            FlowCheck.forAll(INTS)
                .pipeline(
                    f ->
                        f.map(x -> Math.floorMod(x, 37))
                            .partition()
                            .reduce(
                                Object2LongOpenHashMap<Integer>::new,
                                (m, k) -> {
                                  m.addTo(k, 1);
                                  return m;
                                })
                            .flatMap(FlowOperatorProperties::entries))
                .sameAsStream(
                    s ->
                        s
                            .map(x -> Math.floorMod(x, 37))
                            .collect(
                                Collectors.groupingBy(Function.identity(), Collectors.counting()))
                            .entrySet()
                            .stream()),
            13)
        .check();
  }

  @Test
  void combiningReduce_isGroupingBySumming() {
    seeded(
            FlowCheck.forAll(INTS)
                .pipeline(
                    f ->
                        f.partition(o -> o.key(x -> Math.floorMod((Integer) x, 11)))
                            .reduce(
                                HashMap<Integer, Long>::new,
                                (m, x) -> {
                                  m.merge(Math.floorMod(x, 11), (long) x, Long::sum);
                                  return m;
                                },
                                (a, b) -> {
                                  b.forEach((k, v) -> a.merge(k, v, Long::sum));
                                  return a;
                                })
                            .flatMap(Map::entrySet))
                .sameAsStream(
                    s ->
                        s
                            .collect(
                                Collectors.groupingBy(
                                    x -> Math.floorMod(x, 11), Collectors.summingLong(x -> x)))
                            .entrySet()
                            .stream()),
            14)
        .check();
  }

  @Test
  void groupByDepartition_isGroupingBy() {
    seeded(
            FlowCheck.forAll(INTS)
                .pipeline(
                    f ->
                        f.partition(o -> o.key(x -> Math.floorMod((Integer) x, 7)))
                            .groupBy(x -> Math.floorMod(x, 7))
                            .departition(
                                HashMap<Integer, List<Integer>>::new,
                                (all, m) -> {
                                  m.forEach(
                                      (k, v) ->
                                          all.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
                                  return all;
                                },
                                FlowOperatorProperties::sortedValues))
                .sameAs(
                    in ->
                        List.of(
                            sortedValues(
                                in.stream()
                                    .collect(Collectors.groupingBy(x -> Math.floorMod(x, 7))))))
                .ordered(),
            15)
        .check();
  }

  @Test
  void uniqAfterPartition_isDistinct() {
    seeded(
            FlowCheck.forAll(Gen.ints(0, 60))
                .pipeline(f -> f.partition().uniq())
                .sameAsStream(Stream::distinct),
            16)
        .check();
  }

  @Test
  void takeSort_isSortedLimit() {
    seeded(
            FlowCheck.forAll(INTS)
                .pipeline(f -> f.partition().takeSort(10, Integer::compare))
                .sameAs(in -> List.of(in.stream().sorted().limit(10).toList())),
            17)
        .check();
  }

  @Test
  void countWindows_perPartition_neverLoseOrDuplicateEvents() {
    seeded(
            FlowCheck.forAll(INTS)
                .pipeline(
                    f ->
                        f.partition(o -> o.window(Window.count(5)))
                            .reduce(
                                ArrayList<Integer>::new,
                                (l, x) -> {
                                  l.add(x);
                                  return l;
                                })
                            .onTrigger(
                                (l, t) ->
                                    TriggerResult.<Integer, ArrayList<Integer>>of(
                                        List.copyOf(l), new ArrayList<>())))
                .sameAs(in -> in),
            18)
        .check();
  }

  @Test
  void wordCountOverFiles_isTheSequentialCount() {
    seeded(
            FlowCheck.forAllLines(Gen.lines(Gen.strings("abcé", 3), 7))
                .pipeline(TestingGuideTest::wordCount)
                .sameAsStream(
                    s ->
                        s
                            .flatMap(l -> Stream.of(l.split(" ")))
                            .filter(w -> !w.isEmpty())
                            .collect(
                                Collectors.groupingBy(Function.identity(), Collectors.counting()))
                            .entrySet()
                            .stream()),
            19)
        .check();
  }

  private static List<Map.Entry<Integer, Long>> entries(Object2LongOpenHashMap<Integer> m) {
    List<Map.Entry<Integer, Long>> out = new ArrayList<>();
    m.object2LongEntrySet().fastForEach(e -> out.add(Map.entry(e.getKey(), e.getLongValue())));
    return out;
  }

  private static Map<Integer, List<Integer>> sortedValues(Map<Integer, List<Integer>> m) {
    Map<Integer, List<Integer>> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k, v.stream().sorted().toList()));
    return out;
  }
}
