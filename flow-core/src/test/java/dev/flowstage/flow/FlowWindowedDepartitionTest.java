package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Departition and takeSort per window (Elixir's departition over a windowed layer). */
final class FlowWindowedDepartitionTest {
  private static final List<Integer> TIMES = IntStream.range(0, 1000).boxed().toList();

  /** Ten fixed windows of 100 ms of event time, over three partitions. */
  private static Flow<Integer> windowed() {
    return Flow.fromEnumerable(TIMES)
        .partition(o -> o.stages(3).window(Window.<Integer>fixed(Duration.ofMillis(100), x -> x)));
  }

  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 24));
  }

  /** An event: its time (ascending within each source) and its key. */
  record Ev(long time, int key) {}

  /**
   * Fixed windows counted per key by 2..4 stages, each window's per-stage maps merged by a
   * departition: the result is a grouping by window, then key, in window order. Few keys or sparse
   * times leave stages without events in many windows (and whole stages without any), the case
   * where a stage never closes a window it never saw.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void departition_perFixedWindow_overSeveralStages_matchesGroupingByWindowThenKey(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = r.nextInt(0, 3000);
    int keys = r.nextInt(1, 1 + (seed % 2 == 0 ? 4 : 200));
    int maxStep = r.nextInt(1, 6);
    long[] time = {r.nextLong(-500, 500)};
    List<Ev> input =
        IntStream.range(0, n)
            .mapToObj(i -> new Ev(time[0] += r.nextInt(0, maxStep), r.nextInt(0, keys)))
            .toList();
    long size = r.nextLong(1, 40);
    int sources = r.nextInt(1, 4);
    int stages = r.nextInt(2, 5);
    int maxDemand = r.nextInt(1, 60);
    List<List<Ev>> slices = new ArrayList<>();
    for (int i = 0; i < sources; i++) {
      slices.add(input.subList(n * i / sources, n * (i + 1) / sources));
    }
    String what =
        "seed "
            + seed
            + " ("
            + n
            + " events, "
            + keys
            + " keys, size "
            + size
            + ", "
            + sources
            + " sources, "
            + stages
            + " stages)";

    List<Map<Integer, Long>> out =
        Flow.fromEnumerables(slices, o -> o.maxDemand(maxDemand))
            .partition(
                o ->
                    o.key(Ev::key)
                        .stages(stages)
                        .maxDemand(maxDemand)
                        .window(Window.fixed(Duration.ofMillis(size), Ev::time)))
            .reduce(
                () -> new HashMap<Integer, Long>(),
                (m, e) -> {
                  m.merge(e.key(), 1L, Long::sum);
                  return m;
                })
            .departition(
                () -> new HashMap<Integer, Long>(),
                (all, m) -> {
                  m.forEach(
                      (k, c) -> assertEquals(null, all.put(k, c), what + ": key on two stages"));
                  return all;
                },
                m -> (Map<Integer, Long>) m)
            .toList();

    List<Map<Integer, Long>> expected =
        new ArrayList<>(
            input.stream()
                .collect(
                    Collectors.groupingBy(
                        e -> Math.floorDiv(e.time(), size),
                        TreeMap::new,
                        Collectors.groupingBy(Ev::key, Collectors.counting())))
                .values());
    assertEquals(expected, out, what);
  }

  @Test
  void departition_perFixedWindow_mergesEveryPartitionsPaneOnce() {
    List<Integer> sums =
        windowed()
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, s -> s)
            .toList();
    List<Integer> expected = new ArrayList<>();
    for (int w = 0; w < 10; w++) {
      int from = w * 100;
      expected.add(IntStream.range(from, from + 100).sum());
    }
    assertEquals(expected, sums);
  }

  @Test
  void takeSort_perFixedWindow_keepsEachWindowsTop() {
    List<List<Integer>> tops = windowed().takeSort(2, (a, b) -> b - a).toList();
    List<List<Integer>> expected = new ArrayList<>();
    for (int w = 0; w < 10; w++) {
      expected.add(List.of(w * 100 + 99, w * 100 + 98));
    }
    assertEquals(expected, tops);
  }

  @Test
  void takeSort_perCountWindow_oneStage() {
    List<List<Integer>> tops =
        Flow.fromEnumerable(List.of(5, 1, 4, 2, 9, 8, 7), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(3)))
            .takeSort(2, Integer::compare)
            .toList();
    assertEquals(List.of(List.of(1, 4), List.of(2, 8), List.of(7)), tops);
  }

  @Test
  void departition_perWindow_thenReduceOverTheWindows() {
    List<Integer> total =
        windowed()
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, s -> s)
            .reduce(() -> 0, Integer::sum)
            .toList();
    assertEquals(List.of(IntStream.range(0, 1000).sum()), total);
  }

  @Test
  void departition_perWindowWithEveryTrigger_mergesEachFiring() {
    // Elixir: each trigger of a partition contributes; done once every partition closed the window.
    List<Integer> out =
        Flow.fromEnumerable(List.of(1, 2, 3, 4), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(4).triggerEvery(2)))
            .reduce(() -> 0, Integer::sum)
            .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), 0))
            .departition(() -> 0, Integer::sum, s -> s)
            .toList();
    assertEquals(List.of(10, 0), out);
  }

  @Test
  void departition_doneWithTheWindowId_namesEachFixedWindowByItsStart() {
    // The example of Flow.departition's Javadoc (done given the window's id).
    List<String> out =
        Flow.fromEnumerable(List.of(1L, 2L, 61_000L))
            .partition(o -> o.window(Window.<Long>fixed(Duration.ofMinutes(1), t -> t)))
            .reduce(() -> 0L, (sum, t) -> sum + 1)
            .departition(() -> 0L, Long::sum, (count, minute) -> minute + ": " + count)
            .toList();
    assertEquals(List.of("0: 2", "60000: 1"), out);
  }

  @Test
  void departition_doneWithTheWindowId_countWindowsFromZero_globalWindowIsZero() {
    List<String> perCount =
        Flow.fromEnumerable(List.of(1, 2, 3, 4, 5), o -> o.stages(1))
            .partition(o -> o.stages(1).window(Window.count(2)))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, (sum, window) -> window + ":" + sum)
            .toList();
    assertEquals(List.of("0:3", "1:7", "2:5"), perCount);
    List<String> global =
        Flow.fromEnumerable(List.of(1, 2, 3, 4, 5))
            .partition(o -> o.stages(3))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, (sum, window) -> window + ":" + sum)
            .toList();
    assertEquals(List.of("0:15"), global);
  }
}
