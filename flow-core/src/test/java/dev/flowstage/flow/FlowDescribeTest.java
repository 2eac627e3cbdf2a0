package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

final class FlowDescribeTest {
  private static final Flow<Integer> WORD_COUNT_SHAPE =
      Flow.fromEnumerable(List.of("a b", "b c"), o -> o.stages(2))
          .flatMap(l -> List.of(l.split(" ")))
          .partition(o -> o.stages(3))
          .reduce(() -> 0, (n, w) -> n + 1)
          .departition(() -> 0, Integer::sum, n -> n);

  @Test
  void graph_wordCountShape_hasOneNodePerStageGroupAndRoutingEdges() {
    FlowGraph g = WORD_COUNT_SHAPE.graph();
    assertEquals(
        List.of(
            new FlowGraph.Node("g0", "enumerable", 1, ""),
            new FlowGraph.Node("g1", "map-reduce", 2, "flatMap"),
            new FlowGraph.Node("g2", "map-reduce", 3, "reduce"),
            new FlowGraph.Node("g3", "departition", 1, "reduce, onTrigger")),
        g.nodes());
    assertEquals(
        List.of(
            new FlowGraph.Edge("g0", "g1", "demand"),
            new FlowGraph.Edge("g1", "g2", "partition"),
            new FlowGraph.Edge("g2", "g3", "demand")),
        g.edges());
  }

  @Test
  void renderings_mermaidDotAndText_nameEveryGroup() {
    FlowGraph g = WORD_COUNT_SHAPE.graph();
    assertTrue(g.toMermaid().startsWith("flowchart LR\n"));
    assertTrue(g.toMermaid().contains("g1 -->|partition| g2"), g.toMermaid());
    assertTrue(g.toDot().contains("g1 -> g2 [label=\"partition\"]"), g.toDot());
    assertTrue(g.toText().contains("g2: map-reduce x3: reduce"), g.toText());
  }

  @Test
  void describe_plan_listsLayersAndOperationsUpstreamIndented() {
    String d = WORD_COUNT_SHAPE.describe();
    assertTrue(d.startsWith("departition stages=1"), d);
    assertTrue(d.contains("\n  partition stages=3 demand=500..1000\n    .reduce"), d);
    assertTrue(d.contains("\n    fromEnumerables(1) stages=2"), d);
    assertTrue(d.contains(".flatMap"), d);
  }

  @Test
  void plan_isASerializableRecordTree() throws Exception {
    var bytes = new java.io.ByteArrayOutputStream();
    Flow<Integer> f =
        Flow.fromFiles(java.nio.file.Path.of("x.txt"))
            .map(String::length)
            .partition()
            .reduce(() -> 0, Integer::sum);
    try (var out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(f.plan());
    }
    try (var in =
        new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(
          f.describe(),
          dev.flowstage.flow.internal.Describe.plan(
              (dev.flowstage.flow.plan.Plan) in.readObject()));
    }
  }
}
