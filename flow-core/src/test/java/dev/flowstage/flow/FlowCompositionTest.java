package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every cell of the composition table in docs/guides/flow.md: the table is read from the guide,
 * each ✓ cell runs to the end and is compared with a java.util.stream model of the two operations,
 * each ✗ cell must be rejected by the call that adds the operation (so the guide, the plan rules
 * and the runtime cannot disagree).
 */
final class FlowCompositionTest {
  private static final Path GUIDE = Path.of("..", "docs", "guides", "flow.md");
  private static final List<Integer> INPUT = IntStream.rangeClosed(1, 23).boxed().toList();
  private static final int WINDOW = 5;

  /** An operation of the table: how to add it to a flow, and what it does to a list. */
  record Op(UnaryOperator<Flow<Integer>> flow, Function<List<Integer>, List<Integer>> model) {}

  static int sum(List<Integer> l) {
    return l.stream().mapToInt(Integer::intValue).sum();
  }

  static List<Integer> prefixSums(List<Integer> l) {
    List<Integer> out = new ArrayList<>();
    int acc = 0;
    for (int x : l) {
      acc += x;
      out.add(acc);
    }
    return out;
  }

  /** Count windows: every full window, then the open one at the end (empty if the last filled). */
  static List<List<Integer>> windows(List<Integer> l) {
    List<List<Integer>> out = new ArrayList<>();
    for (int i = 0; i < l.size(); i += WINDOW) {
      out.add(l.subList(i, Math.min(l.size(), i + WINDOW)));
    }
    if (out.isEmpty() || out.get(out.size() - 1).size() == WINDOW) {
      out.add(List.of());
    }
    return out;
  }

  static final Map<String, Op> OPS = new LinkedHashMap<>();

  static {
    OPS.put("source", new Op(f -> f, l -> l));
    OPS.put(
        "map", new Op(f -> f.map(x -> x * 2 + 1), l -> l.stream().map(x -> x * 2 + 1).toList()));
    OPS.put(
        "flatMap",
        new Op(
            f -> f.flatMap(x -> List.of(x, x + 1000)),
            l -> l.stream().flatMap(x -> Stream.of(x, x + 1000)).toList()));
    OPS.put(
        "filter",
        new Op(f -> f.filter(x -> x % 2 == 1), l -> l.stream().filter(x -> x % 2 == 1).toList()));
    OPS.put(
        "uniq",
        new Op(
            f -> f.uniqBy(x -> Math.floorMod(x, 7)),
            l -> {
              java.util.Set<Integer> seen = new java.util.HashSet<>();
              return l.stream().filter(x -> seen.add(Math.floorMod(x, 7))).toList();
            }));
    OPS.put("mapBatch", new Op(f -> f.mapBatch(b -> new ArrayList<>(b)), l -> l));
    OPS.put("partition", new Op(f -> f.partition(o -> o.stages(1)), l -> l));
    OPS.put("shuffle", new Op(f -> f.shuffle(o -> o.stages(1)), l -> l));
    OPS.put("reduce", new Op(f -> f.reduce(() -> 0, Integer::sum), l -> List.of(sum(l))));
    OPS.put(
        "groupBy",
        new Op(
            f -> f.groupBy(x -> Math.floorMod(x, 3)).map(Map::size),
            l -> List.of((int) l.stream().map(x -> Math.floorMod(x, 3)).distinct().count())));
    OPS.put(
        "emitAndReduce",
        new Op(
            f ->
                f.emitAndReduce(
                    () -> 0,
                    (Integer e, Integer acc) -> TriggerResult.of(List.of(acc + e), acc + e)),
            FlowCompositionTest::prefixSums));
    // As a column: its model depends on the reduce before it (see model()).
    OPS.put(
        "onTrigger",
        new Op(f -> f.onTrigger((acc, t) -> TriggerResult.of(List.of(acc, -acc), acc)), l -> l));
    OPS.put(
        "takeSort",
        new Op(
            f -> f.takeSort(3, (a, b) -> b - a).flatMap(l -> l),
            l -> l.stream().sorted((a, b) -> b - a).limit(3).toList()));
    OPS.put(
        "departition",
        new Op(f -> f.departition(() -> 0, Integer::sum, a -> a), l -> List.of(sum(l))));
    OPS.put(
        "zip",
        new Op(
            f ->
                Flow.zip(
                    f,
                    Flow.fromEnumerable(IntStream.range(0, 10_000).boxed().toList()),
                    (a, b) -> a * 100_000 + b),
            l -> IntStream.range(0, l.size()).mapToObj(i -> l.get(i) * 100_000 + i).toList()));
    OPS.put(
        "boundedJoin",
        new Op(
            f ->
                Flow.boundedJoin(
                    JoinMode.INNER,
                    f,
                    Flow.fromEnumerable(IntStream.range(0, 10).boxed().toList()),
                    x -> Math.floorMod(x, 10),
                    y -> y,
                    (x, y) -> x,
                    100_000,
                    o -> o.stages(1)),
            l -> l));
    OPS.put(
        "windowed reduce",
        new Op(
            f ->
                f.partition(o -> o.stages(1).window(Window.count(WINDOW)))
                    .reduce(() -> 0, Integer::sum),
            l -> windows(l).stream().map(FlowCompositionTest::sum).toList()));
  }

  static {
    // A keyed aggregation is its own layer (a partition by key, a combining reduce, the entries):
    // each key's count, encoded as one Integer so the table's other operations apply to it.
    OPS.put(
        "countBy",
        new Op(
            f ->
                f.countBy(x -> Math.floorMod(x, 3), o -> o.stages(2))
                    .map(kc -> kc.key() * 10_000 + (int) kc.count()),
            l ->
                l.stream()
                    .collect(
                        java.util.stream.Collectors.groupingBy(
                            x -> Math.floorMod(x, 3), java.util.stream.Collectors.counting()))
                    .entrySet()
                    .stream()
                    .map(e -> e.getKey() * 10_000 + e.getValue().intValue())
                    .toList()));
  }

  private static Flow<Integer> row(String row) {
    Flow<Integer> source = Flow.fromEnumerable(INPUT, o -> o.stages(1));
    if (row.equals("onTrigger")) {
      return OPS.get("onTrigger").flow().apply(OPS.get("reduce").flow().apply(source));
    }
    return OPS.get(row).flow().apply(source);
  }

  /** The model of {@code column} after {@code row}, over INPUT. */
  private static List<Integer> model(String row, String column) {
    List<Integer> rowOut =
        row.equals("onTrigger")
            ? List.of(sum(INPUT), -sum(INPUT))
            : OPS.get(row).model().apply(INPUT);
    if (row.equals("windowed reduce")
        && (column.equals("takeSort") || column.equals("departition"))) {
      // Per window: each window's one sum is merged on its own.
      return rowOut.stream()
          .flatMap(x -> OPS.get(column).model().apply(List.of(x)).stream())
          .toList();
    }
    if (!column.equals("onTrigger")) {
      return OPS.get(column).model().apply(rowOut);
    }
    // onTrigger replaces what the reduce before it emits at each trigger by [acc, -acc].
    return switch (row) {
      case "reduce" -> List.of(sum(INPUT), -sum(INPUT));
      case "emitAndReduce" -> {
        List<Integer> out = new ArrayList<>(prefixSums(INPUT));
        out.add(sum(INPUT));
        out.add(-sum(INPUT));
        yield out;
      }
      case "windowed reduce" ->
          windows(INPUT).stream().flatMap(w -> Stream.of(sum(w), -sum(w))).toList();
      default -> throw new IllegalStateException("onTrigger after " + row + " has no model");
    };
  }

  private static String name(String cell) {
    return cell.replace("`", "").trim();
  }

  @TestFactory
  Stream<DynamicTest> everyCellOfTheGuidesTable_runsOrIsRejectedWhenBuilt() throws IOException {
    List<String> lines = Files.readAllLines(GUIDE);
    int header = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("| after ↓ / then →")) {
        header = i;
      }
    }
    if (header < 0) {
      fail("no composition table in " + GUIDE);
    }
    String[] cols = lines.get(header).split("\\|");
    List<DynamicTest> tests = new ArrayList<>();
    for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String[] cells = lines.get(i).split("\\|");
      String row = name(cells[1]);
      assertTrue(OPS.containsKey(row) || row.equals("onTrigger"), row);
      for (int c = 2; c < cols.length; c++) {
        String column = name(cols[c]);
        String verdict = cells[c].trim();
        assertTrue(OPS.containsKey(column), column);
        tests.add(
            DynamicTest.dynamicTest(
                row + " then " + column + ": " + verdict, () -> check(row, column, verdict)));
      }
    }
    assertEquals((OPS.size() - 1) * (OPS.size() - 1), tests.size(), "one cell per row and column");
    return tests.stream();
  }

  private static void check(String row, String column, String verdict) {
    Flow<Integer> before = row(row);
    UnaryOperator<Flow<Integer>> next = OPS.get(column).flow();
    if (verdict.startsWith("✗")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> next.apply(before));
      assertTrue(e.getMessage().length() > 20, e::getMessage);
    } else {
      assertEquals("✓", verdict);
      List<Integer> expected = model(row, column);
      List<Integer> actual = next.apply(before).toList();
      if (row.equals("boundedJoin")) {
        // A join emits in arrival order, which is not defined: compare what does not depend on it.
        assertEquals(orderFree(column, expected), orderFree(column, actual));
      } else {
        assertEquals(sorted(expected), sorted(actual));
      }
    }
  }

  /** What an operation's output shows whatever the order of its input. */
  private static List<Integer> orderFree(String column, List<Integer> out) {
    return switch (column) {
      case "uniq" -> sorted(out.stream().map(x -> Math.floorMod(x, 7)).toList());
      case "emitAndReduce" -> List.of(out.size(), out.stream().mapToInt(x -> x).max().orElse(0));
      case "windowed reduce" -> List.of(out.size(), sum(out));
      default -> sorted(out);
    };
  }

  private static List<Integer> sorted(List<Integer> l) {
    List<Integer> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }
}
