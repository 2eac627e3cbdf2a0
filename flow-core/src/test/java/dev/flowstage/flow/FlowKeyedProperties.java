package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The keyed aggregations against java.util.stream as the oracle, over random inputs, key spaces,
 * stage counts and demand bounds, in the global window (pre-reducing) and in fixed windows of event
 * time (departitioned per window). Each case prints its seed; run more with {@code
 * -Dproperties.tries=500}.
 */
final class FlowKeyedProperties {
  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 12));
  }

  /** An event: its time (ascending in the input) and a value whose residue is its key. */
  record Event(long time, int value) {}

  private record Case(
      long seed,
      List<Event> input,
      int keys,
      int sources,
      UnaryOperator<Options> src,
      UnaryOperator<Options> part) {
    @Override
    public String toString() {
      return "seed " + seed + " (" + input.size() + " events, " + keys + " keys)";
    }

    int key(Event e) {
      return Math.floorMod(e.value(), keys);
    }

    /** The input as 1..3 sources (each a contiguous, so time-ordered, slice). */
    Flow<Event> flow() {
      List<List<Event>> slices = new ArrayList<>();
      int n = input.size();
      for (int i = 0; i < sources; i++) {
        slices.add(input.subList(n * i / sources, n * (i + 1) / sources));
      }
      return Flow.fromEnumerables(slices, src);
    }
  }

  private static UnaryOperator<Options> randomOptions(SplittableRandom r) {
    int stages = r.nextInt(1, 5);
    int max = r.nextInt(1, 60);
    int min = r.nextInt(0, max);
    return o -> o.stages(stages).maxDemand(max).minDemand(min);
  }

  private static Case randomCase(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = r.nextInt(0, 4000);
    long[] time = {0};
    List<Event> in =
        IntStream.range(0, n)
            .mapToObj(i -> new Event(time[0] += r.nextInt(0, 3), r.nextInt(-1000, 1000)))
            .toList();
    int keys = r.nextInt(1, 2 * n + 2);
    return new Case(seed, in, keys, r.nextInt(1, 4), randomOptions(r), randomOptions(r));
  }

  private static <K, V> Map<K, V> unique(List<? extends Map.Entry<K, V>> entries, Case c) {
    Map<K, V> m = new HashMap<>();
    for (Map.Entry<K, V> e : entries) {
      assertEquals(null, m.put(e.getKey(), e.getValue()), c + ": key emitted twice: " + e);
    }
    return m;
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void countBy_matchesGroupingByCounting(long seed) {
    Case c = randomCase(seed);
    List<KeyCount<Integer>> out = c.flow().map(e -> e).countBy(c::key, c.part()).toList();
    Map<Integer, Long> expected =
        c.input().stream().collect(Collectors.groupingBy(c::key, Collectors.counting()));
    assertEquals(expected, unique(out, c), c.toString());
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void countBy_onABareSource_thenTakeSort_matchesSortedLimit(long seed) {
    Case c = randomCase(seed);
    int n = 1 + (int) (seed % 7);
    List<List<KeyCount<Integer>>> out =
        c.flow().countBy(c::key, c.part()).takeSort(n, KeyCount.byCountDescending()).toList();
    List<KeyCount<Integer>> expected =
        c.input().stream()
            .collect(Collectors.groupingBy(c::key, Collectors.counting()))
            .entrySet()
            .stream()
            .map(e -> new KeyCount<>(e.getKey(), e.getValue()))
            .sorted(KeyCount.byCountDescending())
            .limit(n)
            .toList();
    assertEquals(List.of(expected), out, c.toString());
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void reduceByKey_matchesToMapMerging(long seed) {
    Case c = randomCase(seed);
    List<Map.Entry<Integer, Long>> out =
        c.flow()
            .flatMap(e -> List.of(e, e))
            .reduceByKey(c::key, e -> (long) e.value(), Long::sum, c.part())
            .toList();
    Map<Integer, Long> expected =
        c.input().stream()
            .flatMap(e -> java.util.stream.Stream.of(e, e))
            .collect(Collectors.toMap(c::key, e -> (long) e.value(), Long::sum));
    assertEquals(expected, unique(out, c), c.toString());
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void sumBy_matchesGroupingBySummingLong(long seed) {
    Case c = randomCase(seed);
    List<KeyCount<Integer>> out =
        c.flow().map(e -> e).sumBy(c::key, e -> (long) e.value() * e.time(), c.part()).toList();
    Map<Integer, Long> expected =
        c.input().stream()
            .collect(
                Collectors.groupingBy(
                    c::key, Collectors.summingLong(e -> (long) e.value() * e.time())));
    assertEquals(expected, unique(out, c), c.toString());
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void aggregateByKey_matchesGroupingByMapping(long seed) {
    Case c = randomCase(seed);
    List<Map.Entry<Integer, List<Integer>>> out =
        c.flow()
            .aggregateByKey(
                c::key,
                () -> (List<Integer>) new ArrayList<Integer>(),
                (l, e) -> {
                  l.add(e.value());
                  return l;
                },
                (a, b) -> {
                  a.addAll(b);
                  return a;
                },
                c.part())
            .toList();
    Map<Integer, List<Integer>> actual = new HashMap<>();
    unique(out, c).forEach((k, l) -> actual.put(k, l.stream().sorted().toList()));
    Map<Integer, List<Integer>> expected =
        c.input().stream()
            .collect(
                Collectors.groupingBy(
                    c::key,
                    Collectors.collectingAndThen(
                        Collectors.mapping(Event::value, Collectors.toList()),
                        l -> l.stream().sorted().toList())));
    assertEquals(expected, actual, c.toString());
  }

  /**
   * Fixed windows of event time over one time-ordered source, counted by 1..4 stages: the counts of
   * each window, departitioned per window, are the stream's counts per window, in window order (a
   * stage that saw no event of a window must not hold that window back).
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void countBy_perFixedWindow_matchesGroupingByWindowThenKey(long seed) {
    Case c = randomCase(seed);
    long size = 1 + seed % 50;
    UnaryOperator<Options> part = c.part();
    List<Map<Integer, Long>> out =
        Flow.fromEnumerable(c.input(), c.src())
            .countBy(
                c::key,
                o -> part.apply(o).window(Window.fixed(Duration.ofMillis(size), Event::time)))
            .departition(
                HashMap<Integer, Long>::new,
                (m, kc) -> {
                  assertEquals(null, m.put(kc.key(), kc.count()), c + ": twice in a window");
                  return m;
                },
                m -> (Map<Integer, Long>) m)
            .toList();
    List<Map<Integer, Long>> expected =
        new ArrayList<>(
            c.input().stream()
                .collect(
                    Collectors.groupingBy(
                        e -> Math.floorDiv(e.time(), size),
                        TreeMap::new,
                        Collectors.groupingBy(c::key, Collectors.counting())))
                .values());
    assertEquals(expected, out, c.toString());
  }

  /**
   * Fixed windows counted by several stages: each stage emits one count per key it saw in a window,
   * so there is one entry per (window, key) and each key's entries add up to its total.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void countBy_perFixedWindow_onSeveralStages_emitsOneCountPerWindowAndKey(long seed) {
    Case c = randomCase(seed);
    long size = 1 + seed % 50;
    UnaryOperator<Options> part = c.part();
    List<KeyCount<Integer>> out =
        Flow.fromEnumerable(c.input(), c.src())
            .countBy(
                c::key,
                o -> part.apply(o).window(Window.fixed(Duration.ofMillis(size), Event::time)))
            .toList();
    long windowsAndKeys =
        c.input().stream()
            .map(e -> List.of(Math.floorDiv(e.time(), size), (long) c.key(e)))
            .distinct()
            .count();
    assertEquals(windowsAndKeys, out.size(), c.toString());
    Map<Integer, Long> sums = new HashMap<>();
    out.forEach(kc -> sums.merge(kc.key(), kc.count(), Long::sum));
    assertEquals(
        c.input().stream().collect(Collectors.groupingBy(c::key, Collectors.counting())),
        sums,
        c.toString());
  }

  /** With an every-n trigger, panes are cumulative: each key's largest count is its total. */
  @ParameterizedTest
  @MethodSource("seeds")
  void countBy_withEveryTrigger_lastPaneHasTheTotals(long seed) {
    Case c = randomCase(seed);
    int every = 1 + (int) (seed % 200);
    UnaryOperator<Options> part = c.part();
    List<KeyCount<Integer>> out =
        c.flow()
            .countBy(c::key, o -> part.apply(o).window(Window.global().triggerEvery(every)))
            .toList();
    Map<Integer, Long> max = new HashMap<>();
    out.forEach(kc -> max.merge(kc.key(), kc.count(), Math::max));
    Map<Integer, Long> expected =
        c.input().stream().collect(Collectors.groupingBy(c::key, Collectors.counting()));
    assertEquals(expected, max, c.toString());
  }
}
