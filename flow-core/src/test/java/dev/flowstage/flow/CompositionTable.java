package dev.flowstage.flow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * The composition table of docs/guides/flow.md as named cases, one definition for every engine:
 * each cell is a plan (a row's operation on a small ordered source, then a column's operation), its
 * verdict from the guide (✓ runs, ✗ is rejected when the column's operation is added), a
 * java.util.stream model of its result and how results are compared. flow-core's {@code
 * FlowCompositionTest} runs every cell on the local runtime against the model; flow-flink's
 * conformance suite runs every ✓ cell on a Flink mini cluster against the local runtime (shipped in
 * flow-core's test jar).
 */
public final class CompositionTable {
  /** The guide, relative to a module's directory (where Maven runs a module's tests). */
  public static final Path GUIDE = Path.of("..", "docs", "guides", "flow.md");

  /** Every cell's source events, in order. */
  public static final List<Integer> INPUT = IntStream.rangeClosed(1, 23).boxed().toList();

  /** The count of the windowed reduce's windows. */
  static final int WINDOW = 5;

  private CompositionTable() {}

  /** An operation of the table: how to add it to a flow, and what it does to a list. */
  record Op(UnaryOperator<Flow<Integer>> flow, Function<List<Integer>, List<Integer>> model) {}

  /** How a cell's results are compared. */
  public enum Comparison {
    /** As lists: every layer of the cell has one stage and keeps its input's order. */
    LIST,
    /** As multisets: a layer of several stages interleaves what they emit. */
    MULTISET,
    /**
     * What does not depend on the order of a join's output (its arrival order is not defined): see
     * {@link Cell#normalize}.
     */
    ORDER_FREE
  }

  /**
   * One cell of the table.
   *
   * @param row the operation before (a row header of the guide's table, without backquotes)
   * @param column the operation added after it
   * @param verdict the guide's verdict: {@code ✓}, or {@code ✗} and the footnote's letter
   */
  public record Cell(String row, String column, String verdict) {
    /**
     * Whether the guide says the column's operation is rejected after the row's.
     *
     * @return true for a ✗ cell
     */
    public boolean rejected() {
      return verdict.startsWith("✗");
    }

    /**
     * The row's plan: its operation on a one-stage source of {@link #INPUT} ({@code onTrigger}'s
     * row follows a {@code reduce}).
     *
     * @return the flow before the column's operation
     */
    public Flow<Integer> before() {
      Flow<Integer> source = Flow.fromEnumerable(INPUT, o -> o.stages(1));
      if (row.equals("onTrigger")) {
        return OPS.get("onTrigger").flow().apply(OPS.get("reduce").flow().apply(source));
      }
      return OPS.get(row).flow().apply(source);
    }

    /**
     * Adds the column's operation to {@code before}.
     *
     * @param before the row's plan
     * @return the cell's plan
     * @throws IllegalArgumentException if the plan rules reject it (a ✗ cell)
     */
    public Flow<Integer> then(Flow<Integer> before) {
      return OPS.get(column).flow().apply(before);
    }

    /**
     * The cell's plan.
     *
     * @return the row's plan followed by the column's operation
     * @throws IllegalArgumentException for a ✗ cell
     */
    public Flow<Integer> flow() {
      return then(before());
    }

    /**
     * Whether the cell holds a {@code zip}, which pairs events by arrival order and so is not
     * defined on a distributed engine.
     *
     * @return true if the row or the column is {@code zip}
     */
    public boolean zips() {
      return row.equals("zip") || column.equals("zip");
    }

    /**
     * How this cell's results are compared.
     *
     * @return ORDER_FREE after a join, MULTISET where a layer has several stages (countBy's), else
     *     LIST
     */
    public Comparison comparison() {
      if (row.equals("boundedJoin")) {
        return Comparison.ORDER_FREE;
      }
      if (row.equals("countBy") || column.equals("countBy") || column.equals("boundedJoin")) {
        return Comparison.MULTISET;
      }
      return Comparison.LIST;
    }

    /**
     * A result in the form {@link #comparison()} compares: as is for LIST, sorted for MULTISET, and
     * for ORDER_FREE what the column's operation shows whatever the order of its input.
     *
     * @param out a result of the cell's plan (or its model)
     * @return what two engines' (or the model's and an engine's) results must agree on
     */
    public List<Integer> normalize(List<Integer> out) {
      return switch (comparison()) {
        case LIST -> out;
        case MULTISET -> sorted(out);
        case ORDER_FREE ->
            switch (column) {
              case "uniq" -> sorted(out.stream().map(x -> Math.floorMod(x, 7)).toList());
              case "emitAndReduce" ->
                  List.of(out.size(), out.stream().mapToInt(x -> x).max().orElse(0));
              case "windowed reduce" -> List.of(out.size(), sum(out));
              default -> sorted(out);
            };
      };
    }

    /**
     * The java.util.stream model of the cell's result over {@link #INPUT}.
     *
     * @return what the cell's plan emits (in order where {@link #comparison()} is LIST)
     */
    public List<Integer> model() {
      List<Integer> rowOut =
          row.equals("onTrigger")
              ? List.of(sum(INPUT), -sum(INPUT))
              : OPS.get(row).model().apply(INPUT);
      if (row.equals("windowed reduce")
          && (column.equals("takeSort") || column.equals("departition") || column.equals("uniq"))) {
        // Per window: each window's one sum is merged (or deduplicated) on its own.
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

    @Override
    public String toString() {
      return row + " then " + column + ": " + verdict;
    }
  }

  /**
   * A random chain of the table's operations on a random source, one stage per layer.
   *
   * @param seed the seed it is made from
   * @param names the operations in the order they were added
   * @param flow the chain's plan
   * @param model its java.util.stream model (the same multiset as the flow's result)
   */
  public record Chain(long seed, List<String> names, Flow<Integer> flow, List<Integer> model) {
    @Override
    public String toString() {
      return "seed " + seed + ": " + names;
    }
  }

  /**
   * A chain of 2 to 5 of the table's operations that the plan rules accept, picked at random, on up
   * to 200 random events: every layer has one stage, so every operation has an exact model.
   *
   * @param seed the seed
   * @param excluded operations not to pick ({@code zip} for an engine that rejects it, say)
   * @return the chain and its model
   */
  public static Chain randomChain(long seed, Set<String> excluded) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Integer> in =
        IntStream.range(0, r.nextInt(0, 200)).map(i -> r.nextInt(-50, 500)).boxed().toList();
    List<String> names = new ArrayList<>(OPS.keySet());
    names.remove("source");
    names.removeAll(excluded);
    Flow<Integer> flow = Flow.fromEnumerable(in, o -> o.stages(1).maxDemand(r.nextInt(1, 50)));
    List<Integer> model = in;
    // The input of the last reduce and its kind, for an onTrigger right after it.
    List<Integer> reduced = null;
    String reduceKind = null;
    List<String> chain = new ArrayList<>();
    boolean windowedLayer = false;
    // After a windowed reduce, in its layer: what each window emits (uniq is per window there).
    List<List<Integer>> panes = null;
    int length = r.nextInt(2, 6);
    while (chain.size() < length) {
      String name = names.get(r.nextInt(names.size()));
      if (windowedLayer && (name.equals("takeSort") || name.equals("departition"))) {
        continue; // per window: the table and FlowWindowedDepartitionTest cover it
      }
      Flow<Integer> next;
      try {
        next = OPS.get(name).flow().apply(flow);
      } catch (IllegalArgumentException rejected) {
        continue; // the plan rules said no: pick another operation
      }
      chain.add(name);
      flow = next;
      if (List.of("partition", "shuffle", "takeSort", "departition", "zip", "windowed reduce")
          .contains(name)) {
        windowedLayer = name.equals("windowed reduce");
      }
      if (name.equals("windowed reduce")) {
        panes = windows(model).stream().map(w -> List.of(sum(w))).toList();
      } else if (name.equals("onTrigger") && panes != null) {
        panes = windows(reduced).stream().map(w -> List.of(sum(w), -sum(w))).toList();
      } else if (panes != null && PER_EVENT.contains(name)) {
        panes = panes.stream().map(p -> OPS.get(name).model().apply(p)).toList();
      } else {
        panes = null;
      }
      if (panes != null) {
        if (!name.equals("onTrigger")) {
          reduced = model;
          reduceKind = name;
        }
        model = panes.stream().flatMap(List::stream).toList();
      } else if (name.equals("onTrigger")) {
        model = onTrigger(reduceKind, reduced);
      } else {
        reduced = model;
        reduceKind = name;
        model = OPS.get(name).model().apply(model);
      }
    }
    return new Chain(seed, chain, flow, model);
  }

  /** The operations that stay in the layer of a windowed reduce before them, event by event. */
  private static final Set<String> PER_EVENT = Set.of("map", "flatMap", "filter", "uniq");

  /** What onTrigger's [acc, -acc] makes of the reduce before it, over that reduce's input. */
  private static List<Integer> onTrigger(String reduce, List<Integer> in) {
    int s = sum(in);
    return switch (reduce) {
      case "reduce" -> List.of(s, -s);
      case "emitAndReduce" -> Stream.concat(prefixSums(in).stream(), Stream.of(s, -s)).toList();
      case "windowed reduce" ->
          windows(in).stream().flatMap(w -> Stream.of(sum(w), -sum(w))).toList();
      default -> throw new IllegalStateException("onTrigger accepted after " + reduce);
    };
  }

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

  private static List<Integer> sorted(List<Integer> l) {
    List<Integer> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }

  /** The table's operations by name (the rows and the columns), in the guide's order. */
  static final Map<String, Op> OPS;

  static {
    Map<String, Op> ops = new LinkedHashMap<>();
    ops.put("source", new Op(f -> f, l -> l));
    ops.put(
        "map", new Op(f -> f.map(x -> x * 2 + 1), l -> l.stream().map(x -> x * 2 + 1).toList()));
    ops.put(
        "flatMap",
        new Op(
            f -> f.flatMap(x -> List.of(x, x + 1000)),
            l -> l.stream().flatMap(x -> Stream.of(x, x + 1000)).toList()));
    ops.put(
        "filter",
        new Op(f -> f.filter(x -> x % 2 == 1), l -> l.stream().filter(x -> x % 2 == 1).toList()));
    ops.put(
        "uniq",
        new Op(
            f -> f.uniqBy(x -> Math.floorMod(x, 7)),
            l -> {
              Set<Integer> seen = new HashSet<>();
              return l.stream().filter(x -> seen.add(Math.floorMod(x, 7))).toList();
            }));
    ops.put("mapBatch", new Op(f -> f.mapBatch(b -> new ArrayList<>(b)), l -> l));
    ops.put("partition", new Op(f -> f.partition(o -> o.stages(1)), l -> l));
    ops.put("shuffle", new Op(f -> f.shuffle(o -> o.stages(1)), l -> l));
    ops.put("reduce", new Op(f -> f.reduce(() -> 0, Integer::sum), l -> List.of(sum(l))));
    ops.put(
        "groupBy",
        new Op(
            f -> f.groupBy(x -> Math.floorMod(x, 3)).map(Map::size),
            l -> List.of((int) l.stream().map(x -> Math.floorMod(x, 3)).distinct().count())));
    ops.put(
        "emitAndReduce",
        new Op(
            f ->
                f.emitAndReduce(
                    () -> 0,
                    (Integer e, Integer acc) -> TriggerResult.of(List.of(acc + e), acc + e)),
            CompositionTable::prefixSums));
    // As a column: its model depends on the reduce before it (see Cell.model()).
    ops.put(
        "onTrigger",
        new Op(f -> f.onTrigger((acc, t) -> TriggerResult.of(List.of(acc, -acc), acc)), l -> l));
    ops.put(
        "takeSort",
        new Op(
            f -> f.takeSort(3, (a, b) -> b - a).flatMap(l -> l),
            l -> l.stream().sorted((a, b) -> b - a).limit(3).toList()));
    ops.put(
        "departition",
        new Op(f -> f.departition(() -> 0, Integer::sum, a -> a), l -> List.of(sum(l))));
    ops.put(
        "zip",
        new Op(
            f ->
                Flow.zip(
                    f,
                    Flow.fromEnumerable(IntStream.range(0, 10_000).boxed().toList()),
                    (a, b) -> a * 100_000 + b),
            l -> IntStream.range(0, l.size()).mapToObj(i -> l.get(i) * 100_000 + i).toList()));
    ops.put(
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
    ops.put(
        "windowed reduce",
        new Op(
            f ->
                f.partition(o -> o.stages(1).window(Window.count(WINDOW)))
                    .reduce(() -> 0, Integer::sum),
            l -> windows(l).stream().map(CompositionTable::sum).toList()));
    // A keyed aggregation is its own layer (a partition by key, a combining reduce, the entries):
    // each key's count, encoded as one Integer so the table's other operations apply to it.
    ops.put(
        "countBy",
        new Op(
            f ->
                f.countBy(x -> Math.floorMod(x, 3), o -> o.stages(2))
                    .map(kc -> kc.key() * 10_000 + (int) kc.count()),
            l ->
                l.stream()
                    .collect(Collectors.groupingBy(x -> Math.floorMod(x, 3), Collectors.counting()))
                    .entrySet()
                    .stream()
                    .map(e -> e.getKey() * 10_000 + e.getValue().intValue())
                    .toList()));
    OPS = Collections.unmodifiableMap(ops);
  }

  /**
   * Every cell of the guide's table, row by row.
   *
   * @return the cells, one per row and column
   * @throws UncheckedIOException if the guide cannot be read
   * @throws IllegalStateException if the guide has no table, or names an operation this class does
   *     not define
   */
  public static List<Cell> cells() {
    List<String> lines;
    try {
      lines = Files.readAllLines(GUIDE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + GUIDE.toAbsolutePath(), e);
    }
    int header = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("| after ↓ / then →")) {
        header = i;
      }
    }
    if (header < 0) {
      throw new IllegalStateException("no composition table in " + GUIDE);
    }
    String[] cols = lines.get(header).split("\\|");
    List<Cell> cells = new ArrayList<>();
    for (int i = header + 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
      String[] row = lines.get(i).split("\\|");
      String before = name(row[1]);
      known(before.equals("onTrigger") ? "reduce" : before);
      for (int c = 2; c < cols.length; c++) {
        String column = name(cols[c]);
        known(column);
        cells.add(new Cell(before, column, row[c].trim()));
      }
    }
    int ops = OPS.size() - 1; // "source" is a row only
    if (cells.size() != ops * ops) {
      throw new IllegalStateException(
          "the guide's table has " + cells.size() + " cells, expected one per row and column");
    }
    return cells;
  }

  private static void known(String op) {
    if (!OPS.containsKey(op)) {
      throw new IllegalStateException("the guide's table names " + op + ", not defined here");
    }
  }

  private static String name(String cell) {
    return cell.replace("`", "").trim();
  }
}
