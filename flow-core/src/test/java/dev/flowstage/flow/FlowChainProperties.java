package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random chains of 2 to 5 operations (windows included) against java.util.stream models: any chain
 * the plan rules accept runs to the model's result. Seeded; run more with {@code
 * -Dproperties.tries=500}. The operations and their models are the composition table's ({@link
 * CompositionTable}).
 */
final class FlowChainProperties {
  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 40));
  }

  private static List<Integer> input(SplittableRandom r) {
    return IntStream.range(0, r.nextInt(0, 200)).map(i -> r.nextInt(-50, 500)).boxed().toList();
  }

  /**
   * One stage per layer, so order is defined and every operation has an exact model: the table's
   * operations (the join aside, whose output order is arrival order), count windows included.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void orderedChain_matchesTheStreamModel(long seed) {
    CompositionTable.Chain chain = CompositionTable.randomChain(seed, Set.of("boundedJoin"));
    assertEquals(sorted(chain.model()), sorted(chain.flow().toList()), chain.toString());
  }

  /** An operation whose result does not depend on how events spread over stages. */
  private record Step(
      UnaryOperator<Flow<Integer>> flow, Function<List<Integer>, List<Integer>> model) {}

  /**
   * Several stages per layer and random demand: only operations whose result is a multiset function
   * of their input (per-event ones, routing, takeSort, departition, a reduce merged by a
   * departition).
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void parallelChain_matchesTheStreamModel(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Integer> in = input(r);
    int stages = r.nextInt(1, 5);
    int demand = r.nextInt(1, 60);
    Map<String, Step> steps =
        Map.of(
            "map", step("map"),
            "flatMap", step("flatMap"),
            "filter", step("filter"),
            "takeSort", step("takeSort"),
            "departition", step("departition"),
            "partition",
                new Step(f -> f.partition(o -> o.stages(stages).maxDemand(demand)), l -> l),
            "shuffle", new Step(f -> f.shuffle(o -> o.stages(stages).maxDemand(demand)), l -> l),
            "sum",
                new Step(
                    f ->
                        f.partition(o -> o.stages(stages))
                            .reduce(() -> 0, Integer::sum, Integer::sum)
                            .departition(() -> 0, Integer::sum, a -> a),
                    l -> List.of(CompositionTable.sum(l))));
    List<String> names = new ArrayList<>(steps.keySet());
    names.sort(null);
    Flow<Integer> flow = Flow.fromEnumerable(in, o -> o.stages(stages).maxDemand(demand));
    List<Integer> model = in;
    List<String> chain = new ArrayList<>();
    int length = r.nextInt(2, 6);
    while (chain.size() < length) {
      String name = names.get(r.nextInt(names.size()));
      Step s = steps.get(name);
      chain.add(name);
      flow = s.flow().apply(flow);
      model = s.model().apply(model);
    }
    assertEquals(sorted(model), sorted(flow.toList()), "seed " + seed + ": " + chain);
  }

  private static Step step(String name) {
    CompositionTable.Op op = CompositionTable.OPS.get(name);
    return new Step(op.flow(), op.model());
  }

  private static List<Integer> sorted(List<Integer> l) {
    List<Integer> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }
}
