package dev.flowstage.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.stage.StageStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Every running flow's stages get meters, tagged; they freeze and go when the flow ends. */
final class FlowMetricsTest {
  private static final int N = 3_000;

  private static Flow<Integer> counting(CompletableFuture<Void> gate) {
    return Flow.fromEnumerable(IntStream.range(0, N).boxed().toList(), o -> o.stages(1))
        .map(
            x -> {
              gate.join();
              return x;
            })
        .partition(o -> o.stages(2))
        .reduce(() -> 0, Integer::sum);
  }

  private static double sum(MeterRegistry r, String name, String flow) {
    return r.find(name).tag("flow", flow).functionCounters().stream()
        .mapToDouble(FunctionCounter::count)
        .sum();
  }

  @Test
  void runningFlow_hasOneSetOfMetersPerStage_removedWhenItEnds() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (FlowMetrics metrics = new FlowMetrics()) {
      metrics.bindTo(registry);
      CompletableFuture<Void> gate = new CompletableFuture<>();
      RunningFlow<List<Integer>> run = counting(gate).start(Collectors.toList());
      String flow = run.statistics().flow();
      int stages = run.statistics().stages().size();
      assertEquals(
          stages,
          registry.find("flowstage.stage.events.in").tag("flow", flow).functionCounters().size());
      for (StageStats s : run.statistics().stages()) {
        assertEquals(
            1,
            registry
                .find("flowstage.stage.buffer.high.water")
                .tags("flow", flow, "stage", s.name())
                .gauges()
                .size(),
            s.name());
      }
      for (String name :
          List.of(
              "events.in",
              "events.out",
              "asks.sent",
              "asks.received",
              "demand.received",
              "discarded",
              "late.dropped",
              "messages",
              "busy",
              "buffer.high.water")) {
        assertEquals(
            stages,
            registry.find("flowstage.stage." + name).tag("flow", flow).meters().size(),
            name);
      }
      assertEquals(1.0, registry.get("flowstage.flows.active").gauge().value());
      gate.complete(null);
      run.await();
      assertTrue(registry.find("flowstage.stage.events.in").tag("flow", flow).meters().isEmpty());
      assertTrue(registry.find("flowstage.stage.busy").tag("flow", flow).meters().isEmpty());
      assertEquals(0.0, registry.get("flowstage.flows.active").gauge().value());
      assertEquals(
          1, registry.get("flowstage.flow.duration").tag("outcome", "completed").timer().count());
    }
    assertTrue(registry.getMeters().isEmpty(), () -> "close removes all: " + registry.getMeters());
  }

  @Test
  void keepEnded_keepsFinalValues_thenCloseRemovesThem() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics metrics = monitor(registry);
    RunningFlow<List<Integer>> run =
        counting(CompletableFuture.completedFuture(null)).start(Collectors.toList());
    run.await();
    String flow = run.statistics().flow();
    FlowGraph graph = run.graph();
    String source = graph.nodes().get(0).id();
    String last = graph.nodes().get(graph.nodes().size() - 2).id(); // the reducing layer
    String terminal = graph.nodes().get(graph.nodes().size() - 1).id();
    assertEquals(
        2, // one sum per reducing stage, handed to the caller
        registry
            .get("flowstage.stage.events.in")
            .tags("flow", flow, "group", terminal, "kind", "terminal")
            .functionCounter()
            .count());
    assertEquals(
        N,
        registry
            .get("flowstage.stage.events.out")
            .tags("flow", flow, "group", source, "app", "orders")
            .functionCounter()
            .count());
    assertEquals(
        N,
        registry
            .find("flowstage.stage.events.in")
            .tags("flow", flow, "group", last)
            .functionCounters()
            .stream()
            .mapToDouble(FunctionCounter::count)
            .sum());
    assertTrue(sum(registry, "flowstage.stage.busy", flow) > 0);
    assertTrue(sum(registry, "flowstage.stage.asks.sent", flow) > 0);
    assertEquals("seconds", registry.find("flowstage.stage.busy").meter().getId().getBaseUnit());
    metrics.close();
    assertTrue(registry.getMeters().isEmpty(), () -> "left: " + registry.getMeters());
    metrics.close(); // idempotent
  }

  /** What a run's file sources left out is a counter per reason, tagged with the run. */
  @Test
  void skippedFiles_areCountedPerRunAndReason(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Files.writeString(dir.resolve("a.txt"), "one\n");
    Files.writeString(dir.resolve(".hidden"), "two\n");
    Files.write(dir.resolve("b.bin"), new byte[] {'x', 0});
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FlowMetrics metrics = new FlowMetrics(Tags.empty(), Duration.ofMinutes(2));
    metrics.bindTo(registry);
    RunningFlow<List<String>> run =
        Flow.fromFiles(List.of(dir), o -> o, f -> f.includeHidden(false).includeBinary(false))
            .start(Collectors.toList());
    assertEquals(List.of("one"), run.await());
    String flow = run.statistics().flow();
    for (String reason : List.of("hidden", "binary")) {
      assertEquals(
          1.0,
          registry
              .get("flowstage.files.skipped")
              .tags("flow", flow, "reason", reason)
              .functionCounter()
              .count(),
          reason);
    }
    assertEquals(2, registry.find("flowstage.files.skipped").tag("flow", flow).meters().size());
    metrics.close();
    assertTrue(registry.getMeters().isEmpty(), () -> "left: " + registry.getMeters());
  }

  // snippet-start: micrometer-bind
  static FlowMetrics monitor(MeterRegistry registry) {
    FlowMetrics metrics = new FlowMetrics(Tags.of("app", "orders"), Duration.ofMinutes(2));
    metrics.bindTo(registry); // every flow run from now on, and those already running
    return metrics; // close() stops following flows and removes the meters
  }

  // snippet-end: micrometer-bind

  @Test
  void stageFailure_isCountedAndTheRunTimedAsFailed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (FlowMetrics metrics = new FlowMetrics()) {
      metrics.bindTo(registry);
      RunningFlow<List<Integer>> run =
          Flow.fromEnumerable(IntStream.range(0, 100).boxed().toList())
              .map(
                  x -> {
                    if (x == 42) {
                      throw new IllegalStateException("no 42");
                    }
                    return x;
                  })
              .start(Collectors.toList());
      assertThrows(FlowException.class, run::await);
      assertEquals(
          1.0,
          registry
              .get("flowstage.stage.failures")
              .tag("exception", "IllegalStateException")
              .counter()
              .count());
      assertEquals(
          1, registry.get("flowstage.flow.duration").tag("outcome", "failed").timer().count());
    }
  }

  @Test
  void bindingWhileAFlowRuns_picksItUp() {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    RunningFlow<List<Integer>> run = counting(gate).start(Collectors.toList());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (FlowMetrics metrics = new FlowMetrics()) {
      metrics.bindTo(registry);
      String flow = run.statistics().flow();
      assertEquals(
          run.statistics().stages().size(),
          registry.find("flowstage.stage.messages").tag("flow", flow).meters().size());
      gate.complete(null);
      run.await();
      assertTrue(registry.find("flowstage.stage.messages").tag("flow", flow).meters().isEmpty());
    } finally {
      gate.complete(null);
    }
  }

  @Test
  void negativeKeepEnded_isRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FlowMetrics(Tags.empty(), Duration.ofSeconds(-1)));
    assertTrue(e.getMessage().contains("keepEnded must not be negative"));
  }
}
