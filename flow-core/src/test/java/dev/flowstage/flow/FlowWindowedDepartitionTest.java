package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Departition and takeSort per window (Elixir's departition over a windowed layer). */
final class FlowWindowedDepartitionTest {
  private static final List<Integer> TIMES = IntStream.range(0, 1000).boxed().toList();

  /** Ten fixed windows of 100 ms of event time, over three partitions. */
  private static Flow<Integer> windowed() {
    return Flow.fromEnumerable(TIMES)
        .partition(o -> o.stages(3).window(Window.<Integer>fixed(Duration.ofMillis(100), x -> x)));
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
}
