package dev.flowstage.micrometer.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.micrometer.FlowMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The examples of flow-micrometer's Javadoc, compiled and run: the Javadoc shows the regions
 * between {@code @start region=...} and {@code @end} with {@code {@snippet class=... region=...}}
 * (javadoc's {@code --snippet-path} is src/test/java, see flow-micrometer's pom), and flow-core's
 * JavadocSnippetsTest checks every such reference resolves.
 */
final class MetricsSnippets {
  @Test
  void bindTo() {
    MeterRegistry registry = new SimpleMeterRegistry();
    // @start region=bindTo
    FlowMetrics metrics = new FlowMetrics();
    metrics.bindTo(registry); // every flow run from now on has meters in the registry
    // @end
    try (metrics) {
      assertEquals(
          List.of(1, 4, 9), Flow.fromEnumerable(List.of(1, 2, 3)).map(x -> x * x).toList());
      assertTrue(
          registry.get("flowstage.flow.duration").tag("outcome", "completed").timer().count() >= 1,
          "the run was timed by the binder");
    }
  }
}
