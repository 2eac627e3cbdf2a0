package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Values never change after they are emitted: a trigger that keeps the window emits a snapshot of a
 * mutable accumulator, never the live object.
 */
class FlowSnapshotTest {
  private static final List<Integer> ONE_TO_FOUR = List.of(1, 2, 3, 4);

  private static Flow<Integer> everyTwo(List<Integer> in) {
    return Flow.fromEnumerable(in, o -> o.stages(1))
        .partition(o -> o.stages(1).window(Window.global().triggerEvery(2)));
  }

  private static ArrayList<Integer> add(ArrayList<Integer> l, Integer x) {
    l.add(x);
    return l;
  }

  @Test
  void listAccumulator_eachPaneIsWhatItWasWhenEmitted() {
    List<ArrayList<Integer>> panes =
        everyTwo(ONE_TO_FOUR).reduce(ArrayList<Integer>::new, FlowSnapshotTest::add).toList();
    assertEquals(List.of(List.of(1, 2), List.of(1, 2, 3, 4), List.of(1, 2, 3, 4)), panes);
    assertNotSame(panes.get(0), panes.get(1));
    assertNotSame(panes.get(1), panes.get(2));
    assertEquals(ArrayList.class, panes.get(0).getClass()); // the declared type still holds
  }

  @Test
  void groupBy_nestedListsAreCopiedToo() {
    List<Map<String, List<Integer>>> panes =
        everyTwo(ONE_TO_FOUR).groupBy(x -> x % 2 == 0 ? "even" : "odd").toList();
    assertEquals(
        List.of(
            Map.of("odd", List.of(1), "even", List.of(2)),
            Map.of("odd", List.of(1, 3), "even", List.of(2, 4)),
            Map.of("odd", List.of(1, 3), "even", List.of(2, 4))),
        panes);
  }

  @Test
  void onTriggerEmittingTheAccumulatorItKeeps_emitsASnapshot() {
    List<TreeMap<Integer, Integer>> panes =
        everyTwo(ONE_TO_FOUR)
            .reduce(
                TreeMap<Integer, Integer>::new,
                (m, x) -> {
                  m.merge(x % 2, x, Integer::sum);
                  return m;
                })
            .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), acc))
            .toList();
    assertEquals(
        List.of(Map.of(1, 1, 0, 2), Map.of(1, 4, 0, 6), Map.of(1, 4, 0, 6)), List.copyOf(panes));
  }

  @Test
  void arrayAccumulator_isCopied() {
    List<long[]> panes =
        everyTwo(ONE_TO_FOUR)
            .reduce(
                () -> new long[1],
                (a, x) -> {
                  a[0] += x;
                  return a;
                })
            .toList();
    assertEquals(3, panes.size());
    assertArrayEquals(new long[] {3}, panes.get(0));
    assertArrayEquals(new long[] {10}, panes.get(1));
  }

  @Test
  void accumulatorFlowCannotCopy_failsSayingToCopyInOnTrigger() {
    FlowException e =
        assertThrows(
            FlowException.class,
            () ->
                everyTwo(ONE_TO_FOUR).reduce(StringBuilder::new, (sb, x) -> sb.append(x)).toList());
    String m = e.getCause().getMessage();
    assertTrue(m.contains("java.lang.StringBuilder") && m.contains("onTrigger"), m);
    // the fix the message gives
    List<String> panes =
        everyTwo(ONE_TO_FOUR)
            .reduce(StringBuilder::new, (sb, x) -> sb.append(x))
            .onTrigger((sb, t) -> TriggerResult.of(List.of(sb.toString()), sb))
            .toList();
    assertEquals(List.of("12", "1234", "1234"), panes);
  }

  /** A user accumulator that copies itself. */
  public static final class Counter implements Cloneable {
    long[] counts = new long[2];

    @Override
    public Counter clone() {
      Counter c = new Counter();
      c.counts = counts.clone();
      return c;
    }
  }

  @Test
  void cloneableAccumulator_isCopiedByItsClone() {
    List<Counter> panes =
        everyTwo(ONE_TO_FOUR)
            .reduce(
                Counter::new,
                (c, x) -> {
                  c.counts[x % 2]++;
                  return c;
                })
            .toList();
    assertArrayEquals(new long[] {1, 1}, panes.get(0).counts);
    assertArrayEquals(new long[] {2, 2}, panes.get(1).counts);
  }

  @Test
  void seeded_runningLists_matchTheirPrefixes() {
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 20; round++) {
      int n = 1 + random.nextInt(50);
      int every = 1 + random.nextInt(7);
      List<Integer> in = IntStream.range(0, n).map(i -> random.nextInt(100)).boxed().toList();
      List<ArrayList<Integer>> panes =
          Flow.fromEnumerable(in, o -> o.stages(1).maxDemand(1 + random.nextInt(10)))
              .partition(o -> o.stages(1).window(Window.global().triggerEvery(every)))
              .reduce(ArrayList<Integer>::new, FlowSnapshotTest::add)
              .toList();
      List<List<Integer>> expected = new ArrayList<>();
      for (int k = every; k <= n; k += every) {
        expected.add(in.subList(0, k));
      }
      expected.add(in); // done
      assertEquals(expected, List.copyOf(panes), "n=" + n + " every=" + every);
    }
  }
}
