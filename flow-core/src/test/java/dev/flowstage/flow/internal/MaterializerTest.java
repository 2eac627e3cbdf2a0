package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowClock;
import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The materializer without a coordinator: it starts one stage per group member, holds the sources
 * until released, and its terminal consumer then receives every event, read here directly.
 */
final class MaterializerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void startsEveryGroup_holdsTheSourcesUntilReleased_thenFeedsTheTerminal() throws Exception {
    List<Integer> input = IntStream.range(0, 1_000).boxed().toList();
    Topology topology =
        Topology.of(
            Flow.fromEnumerables(List.of(input, input))
                .map(x -> x * 2)
                .partition(o -> o.stages(3))
                .filter(x -> x % 3 == 0)
                .plan());
    try (StageSystem system = new StageSystem("materializer-test")) {
      Materializer m = new Materializer(topology, system, FlowClock.system());
      m.start(null, CancelMode.TRANSIENT, (stage, reason) -> {});
      Topology.Group sources = topology.groups.get(0);
      assertEquals(2, m.stages(sources).size(), "one producer per source");
      for (Stage<?> s : m.stages(sources)) {
        assertEquals(DemandMode.ACCUMULATE, s.demandMode(WAIT), "held: " + s.name());
      }
      assertEquals(3, m.last().size());
      for (Topology.Group g : topology.groups) {
        for (int i = 0; i < g.stages; i++) {
          assertEquals(g.name() + "." + i, m.stages(g).get(i).name());
          assertEquals(g.id, m.groupOf(m.stages(g).get(i)));
        }
      }

      m.release(); // (a released source may finish at once: its mode is not asked again)
      List<Integer> read = new ArrayList<>();
      Object item;
      while (!((item = m.terminal().take()) instanceof TerminalConsumer.End)) {
        TerminalConsumer.Batch b = (TerminalConsumer.Batch) item;
        for (Object e : b.events()) {
          read.add((Integer) e);
        }
        m.terminalStage().ask(b.from(), b.events().size());
      }
      List<Integer> expected = new ArrayList<>();
      for (int k = 0; k < 2; k++) {
        input.stream().map(x -> x * 2).filter(x -> x % 3 == 0).forEach(expected::add);
      }
      assertEquals(expected.stream().sorted().toList(), read.stream().sorted().toList());
      assertEquals(
          (long) expected.size(),
          m.counters().stages().stream()
              .filter(s -> m.last().stream().anyMatch(l -> l.name().equals(s.name())))
              .mapToLong(s -> s.eventsOut())
              .sum(),
          "the counters see what the last layer emitted");
    }
  }
}
