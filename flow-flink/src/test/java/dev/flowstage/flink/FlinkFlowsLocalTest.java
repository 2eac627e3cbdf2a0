package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flowstage.flow.Flow;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The convenience runner starts its own local environment, so it runs outside the test cluster. */
final class FlinkFlowsLocalTest {
  @Test
  void executeAndCollect_localEnvironment_runsTheFlow() throws Exception {
    Flow<Integer> flow =
        Flow.fromEnumerable(IntStream.rangeClosed(1, 100).boxed().toList(), o -> o.stages(2))
            .partition(o -> o.stages(2))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, total -> total);
    assertEquals(List.of(5050), FlinkFlows.executeAndCollect(flow, 2));
    assertThrows(IllegalArgumentException.class, () -> FlinkFlows.executeAndCollect(flow, 0));
  }
}
