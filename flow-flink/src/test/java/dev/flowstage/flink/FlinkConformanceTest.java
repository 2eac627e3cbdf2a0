package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.CompositionTable;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Window;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One suite, two engines: flow-core's composition table (every operation then every operation,
 * {@link CompositionTable}, shared through flow-core's test jar) and seeded random plans run on the
 * local runtime and on one mini cluster, compared as lists where the cell's order is defined and as
 * multisets elsewhere.
 *
 * <p>The table's ✓ cells run one job per row (each cell's stream tagged with its column, so a row
 * costs one job, not seventeen); a failing job is rerun cell by cell to name the cell. Cells with
 * {@code zip} (pairing by arrival order, undefined on a distributed engine) must be rejected when
 * the Flink job is built; ✗ cells are rejected by the plan rules before any engine sees them, as
 * flow-core's {@code FlowCompositionTest} checks.
 *
 * <p>Random chains of the table's operations (flow-core's {@code FlowChainProperties}) run on both
 * and against their model. The random plans: per-event chains, a partition with a random window and
 * trigger, a reduce, then a second partition or a departition. The first partition reads one
 * ordered source, so its order-sensitive windows (count, triggerEvery, fixed event time) see the
 * same order on both; what comes after it only sums, which any interleaving gives alike.
 */
final class FlinkConformanceTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  static LongStream seeds() {
    return LongStream.range(1, 25);
  }

  /** A random plan and its description, for the failure message. */
  private record Plan(Flow<?> flow, String description) {}

  private static Plan randomPlan(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Integer> input = new ArrayList<>();
    for (int i = 0, n = r.nextInt(0, 300); i < n; i++) {
      input.add(r.nextInt(0, 1000));
    }
    StringBuilder d = new StringBuilder("fromEnumerable(" + input.size() + " ints)");
    Flow<Integer> f = Flow.fromEnumerable(input, o -> o.stages(1));
    for (int i = 0, n = r.nextInt(0, 3); i < n; i++) {
      switch (r.nextInt(4)) {
        case 0 -> {
          f = f.map(x -> (x * 7 + 3) % 1000);
          d.append(".map");
        }
        case 1 -> {
          f = f.filter(x -> x % 3 != 0);
          d.append(".filter");
        }
        case 2 -> {
          f = f.flatMap(x -> List.of(x, x / 2));
          d.append(".flatMap");
        }
        default -> {
          f = f.reject(x -> x % 5 == 0);
          d.append(".reject");
        }
      }
    }
    int stages = r.nextInt(1, 4);
    boolean keyed = r.nextBoolean();
    Window window =
        switch (r.nextInt(5)) {
          case 0 -> Window.global();
          case 1 -> Window.global().triggerEvery(r.nextInt(1, 20));
          case 2 -> Window.count(r.nextInt(1, 30));
          case 3 -> Window.count(r.nextInt(5, 30)).triggerEvery(r.nextInt(1, 5));
          default -> Window.fixed(Duration.ofMillis(r.nextInt(50, 500)), x -> (Integer) x * 10L);
        };
    d.append(".partition(stages ").append(stages).append(keyed ? ", key x%7" : "");
    d.append(", ").append(window).append(")");
    Flow<Integer> partitioned =
        f.partition(
            o -> {
              var p = o.stages(stages).window(window);
              return keyed ? p.key(x -> (Integer) x % 7) : p;
            });
    Flow<Long> reduced;
    if (r.nextBoolean()) {
      reduced = partitioned.reduce(() -> 0L, (s, x) -> s + x);
      d.append(".reduce(sum)");
    } else {
      reduced = partitioned.reduce(() -> 0L, (s, x) -> s + 1);
      d.append(".reduce(count)");
    }
    Flow<?> last =
        switch (r.nextInt(3)) {
          case 0 -> {
            d.append(".partition(stages 2).reduce(sum)");
            yield reduced.partition(o -> o.stages(2)).reduce(() -> 0L, Long::sum);
          }
          case 1 -> {
            d.append(".departition(sum)");
            yield reduced.departition(() -> 0L, Long::sum, s -> s);
          }
          default -> {
            d.append(".map(x+1)");
            yield reduced.map(x -> x + 1);
          }
        };
    return new Plan(last, d.toString());
  }

  /**
   * Cells that differ on Flink for a reason being fixed elsewhere, each with the reason; the suite
   * skips them (and fails if one is not a cell of the table, so a stale entry is noticed). Empty:
   * every ✓ cell of the table agrees on both engines.
   */
  static final Map<String, String> EXCLUDED = Map.of();

  /** The table's rows, each a test running the row's ✓ cells in one Flink job. */
  @TestFactory
  Stream<DynamicTest> compositionTable_everyCell_sameOnFlinkAsLocal() {
    List<CompositionTable.Cell> cells = CompositionTable.cells();
    Set<String> names = new HashSet<>();
    cells.forEach(c -> names.add(c.row() + " then " + c.column()));
    assertTrue(names.containsAll(EXCLUDED.keySet()), "stale exclusions: " + EXCLUDED.keySet());
    Map<String, List<CompositionTable.Cell>> rows = new LinkedHashMap<>();
    for (CompositionTable.Cell cell : cells) {
      if (!cell.rejected() && !EXCLUDED.containsKey(cell.row() + " then " + cell.column())) {
        rows.computeIfAbsent(cell.row(), r -> new ArrayList<>()).add(cell);
      }
    }
    return rows.entrySet().stream()
        .map(
            row ->
                DynamicTest.dynamicTest(
                    row.getKey() + " then every operation", () -> checkRow(row.getValue())));
  }

  private static void checkRow(List<CompositionTable.Cell> row) throws Exception {
    StreamExecutionEnvironment env = environment();
    List<CompositionTable.Cell> run = new ArrayList<>();
    DataStream<Tuple2<Integer, Object>> all = null;
    for (CompositionTable.Cell cell : row) {
      Flow<Integer> flow = cell.flow();
      if (cell.zips()) {
        // Pairs by arrival order, which a distributed engine does not define: rejected when built.
        var e =
            assertThrows(
                UnsupportedOperationException.class,
                () -> FlinkFlows.toDataStream(env, flow),
                cell::toString);
        assertTrue(e.getMessage().startsWith("zip cannot be translated to Flink"), e::getMessage);
        assertTrue(e.getMessage().contains("instead of zip"), e::getMessage);
        continue;
      }
      DataStream<Integer> s = FlinkFlows.toDataStream(env, flow);
      int tag = run.size();
      run.add(cell);
      // Tagged in the cell's own subtasks (a forward edge), so a cell's order reaches the sink.
      DataStream<Tuple2<Integer, Object>> tagged =
          s.map(x -> Tuple2.of(tag, (Object) x))
              .returns(Types.TUPLE(Types.INT, Translator.ANY))
              .setParallelism(s.getParallelism());
      all = all == null ? tagged : all.union(tagged);
    }
    if (all == null) {
      return;
    }
    List<List<Integer>> flink = new ArrayList<>();
    run.forEach(c -> flink.add(new ArrayList<>()));
    try {
      CloseableIterator<Tuple2<Integer, Object>> it = all.executeAndCollect("table row");
      try {
        it.forEachRemaining(t -> flink.get(t.f0).add((Integer) t.f1));
      } finally {
        it.close();
      }
    } catch (Exception rowFailed) {
      // Name the cell: rerun each alone, the first that fails throws.
      for (CompositionTable.Cell cell : run) {
        FlinkFlows.collect(environment(), cell.flow());
      }
      throw rowFailed;
    }
    List<String> differ = new ArrayList<>();
    for (int i = 0; i < run.size(); i++) {
      CompositionTable.Cell cell = run.get(i);
      List<Integer> local = cell.normalize(cell.flow().toList());
      List<Integer> onFlink = cell.normalize(flink.get(i));
      if (!local.equals(onFlink)) {
        differ.add(cell + " (" + cell.comparison() + "): local " + local + ", Flink " + onFlink);
      }
    }
    assertTrue(differ.isEmpty(), () -> String.join("\n", differ));
  }

  @Test
  void fromStages_rejectedWhenTheJobIsBuilt() {
    try (StageSystem system = new StageSystem("flink-conformance")) {
      Stage<Integer> producer = system.startProducer(Producers.fromIterable(List.of(1, 2, 3)));
      Flow<Integer> flow = Flow.<Integer>fromStage(producer).map(x -> x + 1);
      var e =
          assertThrows(
              UnsupportedOperationException.class,
              () -> FlinkFlows.toDataStream(environment(), flow));
      assertTrue(
          e.getMessage().startsWith("Flow.fromStages (running stages) cannot be translated"),
          e::getMessage);
      assertTrue(e.getMessage().contains("local runtime"), e::getMessage);
      // The stages are consumed locally as ever.
      assertEquals(List.of(2, 3, 4), flow.toList());
    }
  }

  /**
   * A zip whose side reads a folder (ordered locally: one producer reads its files in path order)
   * is rejected when the Flink job is built, as every zip is: Flink reads the files in parallel
   * subtasks, so no side has an order to pair by. The message says what to write instead.
   */
  @Test
  void zip_aFolderSide_rejectedWhenTheJobIsBuilt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.txt"), "1\n2\n");
    Files.writeString(dir.resolve("b.txt"), "3\n");
    Flow<Integer> zipped =
        Flow.zip(
            Flow.fromFiles(dir).map(Integer::parseInt),
            Flow.fromEnumerable(List.of(10, 20, 30)),
            Integer::sum);
    var e =
        assertThrows(
            UnsupportedOperationException.class,
            () -> FlinkFlows.toDataStream(environment(), zipped));
    assertTrue(e.getMessage().startsWith("zip cannot be translated to Flink"), e::getMessage);
    assertTrue(e.getMessage().contains("instead of zip"), e::getMessage);
    assertEquals(List.of(11, 22, 33), zipped.toList()); // the local engine pairs in path order
  }

  @Test
  void through_rejectedWhenTheJobIsBuilt() {
    try (StageSystem system = new StageSystem("flink-conformance-through")) {
      Stage<Integer> pass =
          system.startProducerConsumer(
              (List<Integer> events,
                  dev.flowstage.stage.Subscription from,
                  dev.flowstage.stage.ProducerContext<Integer> ctx) -> ctx.emit(events));
      Flow<Integer> flow = Flow.fromEnumerable(List.of(1, 2, 3)).<Integer>through(pass);
      var e =
          assertThrows(
              UnsupportedOperationException.class,
              () -> FlinkFlows.toDataStream(environment(), flow));
      assertTrue(
          e.getMessage().startsWith("Flow.through (stages of this JVM) cannot be translated"),
          e::getMessage);
      pass.stop(dev.flowstage.stage.ExitReason.shutdown());
    }
    Flow<Integer> owned =
        Flow.<Integer>fromProducer(
            () -> (long demand, dev.flowstage.stage.ProducerContext<Integer> ctx) -> ctx.done());
    var e =
        assertThrows(
            UnsupportedOperationException.class,
            () -> FlinkFlows.toDataStream(environment(), owned));
    assertTrue(
        e.getMessage()
            .startsWith("Flow.fromProducers (producers of this JVM) cannot be translated"),
        e::getMessage);
  }

  private static StreamExecutionEnvironment environment() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  /**
   * flow-core's random chains of the table's operations ({@code FlowChainProperties}), one stage a
   * layer, on both engines and against their model. Without zip (rejected on Flink) and the join
   * (its arrival order feeds the order-sensitive operations after it).
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void randomChainOfTheTablesOperations_localFlinkAndModel_sameMultiset(long seed)
      throws Exception {
    CompositionTable.Chain chain = CompositionTable.randomChain(seed, Set.of("zip", "boundedJoin"));
    List<Integer> model = sorted(chain.model());
    assertEquals(model, sorted(chain.flow().toList()), "local, " + chain);
    assertEquals(model, sorted(FlinkFlows.collect(environment(), chain.flow())), "Flink, " + chain);
  }

  private static List<Integer> sorted(List<Integer> l) {
    List<Integer> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomPlan_localAndFlink_sameMultiset(long seed) throws Exception {
    Plan plan = randomPlan(seed);
    List<String> local = new ArrayList<>();
    plan.flow().toList().forEach(e -> local.add(String.valueOf(e)));
    List<String> flink = new ArrayList<>();
    FlinkFlows.collect(environment(), plan.flow()).forEach(e -> flink.add(String.valueOf(e)));
    local.sort(null);
    flink.sort(null);
    assertEquals(local, flink, "seed " + seed + ": " + plan.description());
  }
}
