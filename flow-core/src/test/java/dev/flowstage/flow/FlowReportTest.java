package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.StageStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML run report's content; flow-examples' {@code RunReportBrowserTest} renders it in a
 * browser.
 */
final class FlowReportTest {
  private static int count(String html, String regex) {
    return (int) Pattern.compile(regex).matcher(html).results().count();
  }

  @Test
  void report_ofAFinishedFlow_hasOneSvgNodePerStageAndOneBarRowPerStage(@TempDir Path dir)
      throws Exception {
    RunningFlow<List<Integer>> run =
        Flow.fromEnumerable(IntStream.range(0, 5_000).boxed().toList(), o -> o.stages(2))
            .map(x -> x * 2)
            .partition(o -> o.stages(3))
            .reduce(() -> 0, Integer::sum)
            .start(Collectors.toList());
    run.await();
    Path file = dir.resolve("run.html");
    FlowReport.write(run, file);
    String html = Files.readString(file);
    int stages = run.statistics().stages().size();
    assertEquals(stages, count(html, "<g class=\"stage( bottleneck)?\" data-stage="));
    assertEquals(stages, count(html, "<tr class=\"stage-row( bottleneck)?\" data-stage="));
    assertEquals(run.graph().nodes().size(), count(html, "<g class=\"node\""));
    assertEquals(run.graph().edges().size(), count(html, "<g class=\"edge\""));
    assertEquals(1, count(html, "class=\"stage bottleneck\""), "one busiest stage marked");
    assertTrue(html.contains("COMPLETED"));
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    assertFalse(
        Pattern.compile("(src|href)=\"(https?:)?//").matcher(html).find(), "nothing fetched");
    assertFalse(html.contains("<script"), "no script");
    assertEquals(html, FlowReport.html(run), "final statistics: write and html agree");
  }

  @Test
  void report_escapesEveryName() {
    String nasty = "<script>alert('x')</script>&\"";
    FlowGraph graph =
        new FlowGraph(
            List.of(
                new FlowGraph.Node("g0", "stage", 1, nasty),
                new FlowGraph.Node("g1", "map-reduce", 2, "map, " + nasty)),
            List.of(new FlowGraph.Edge("g0", "g1", "partition")));
    List<StageStats> stages =
        List.of(
            new StageStats(nasty, 0, 10, 0, 1, 10, 3, 0, 0, 1_000_000, 2),
            new StageStats("g1.0", 5, 0, 1, 0, 0, 0, 0, 0, 5_000_000, 2),
            new StageStats("g1.1", 5, 0, 1, 0, 0, 0, 0, 0, 2_000_000, 2));
    FlowStatistics st =
        new FlowStatistics(
            "flow-1", FlowState.FAILED, Duration.ofMillis(10), stages, 0, Map.of("g1.0", 4L));
    String html = FlowReport.html(graph, st, "title " + nasty);
    assertFalse(html.contains("<script"), html);
    assertFalse(html.contains("alert('x')"));
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"));
    assertEquals(3, count(html, "<g class=\"stage( bottleneck)?\" data-stage="));
    assertTrue(html.contains("data-stage=\"g1.0\""));
    assertTrue(html.contains("class=\"stage bottleneck\" data-stage=\"g1.0\""), "busiest is g1.0");
    assertTrue(html.contains("late events dropped"));
    assertTrue(html.contains("FAILED"));
  }

  @Test
  void report_ofStatisticsFromAnotherGraph_failsNamingTheMismatch() {
    FlowGraph graph = new FlowGraph(List.of(new FlowGraph.Node("g0", "stage", 2, "")), List.of());
    FlowStatistics st =
        new FlowStatistics(List.of(new StageStats("g0.0", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), 0);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FlowReport.html(graph, st, "t"));
    assertTrue(e.getMessage().contains("the graph has 2 stages but these statistics 1"));
  }
}
