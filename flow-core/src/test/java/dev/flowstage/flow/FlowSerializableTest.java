package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Flow#checkSerializable()}: a captured non-serializable object is named with its operation.
 */
class FlowSerializableTest {
  /** Not serializable on purpose. */
  static final class Dictionary {
    String lookup(String w) {
      return w.toUpperCase(java.util.Locale.ROOT);
    }
  }

  @Test
  void serializableFlowPassesAndRunsUnchanged() {
    String prefix = "x";
    Flow<Map<String, Long>> flow =
        Flow.fromEnumerable(List.of("a", "b", "a"))
            .map(w -> prefix + w)
            .partition(o -> o.stages(2).key(w -> w))
            .reduce(
                HashMap<String, Long>::new,
                (m, w) -> {
                  m.merge(w, 1L, Long::sum);
                  return m;
                });
    assertSame(flow, flow.checkSerializable());
  }

  @Test
  void capturedObjectIsNamedWithTheOperation() {
    Dictionary dictionary = new Dictionary();
    Flow<String> flow =
        Flow.fromEnumerable(List.of("a", "b")).filter(w -> !w.isEmpty()).map(dictionary::lookup);
    IllegalStateException e = assertThrows(IllegalStateException.class, flow::checkSerializable);
    assertTrue(e.getMessage().contains("map (operation 2 of its layer)"), e.getMessage());
    assertTrue(e.getMessage().contains(Dictionary.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains(FlowSerializableTest.class.getName()), e.getMessage());
  }

  @Test
  void partitionKeyAndReduceAndUpstreamLayersAreChecked() {
    Dictionary dictionary = new Dictionary();
    Flow<String> keyed =
        Flow.fromEnumerable(List.of("a")).partition(o -> o.key(w -> dictionary.lookup((String) w)));
    String k = assertThrows(IllegalStateException.class, keyed::checkSerializable).getMessage();
    assertTrue(k.contains("the key of partition"), k);
    Flow<Integer> reduced =
        Flow.fromEnumerable(List.of("a"))
            .map(w -> w)
            .partition(o -> o.stages(1))
            .reduce(() -> 0, (n, w) -> n + dictionary.lookup(w).length());
    String m = assertThrows(IllegalStateException.class, reduced::checkSerializable).getMessage();
    assertTrue(m.contains("the reducer of reduce"), m);
  }

  @Test
  void windowEventTimeFunctionIsChecked() {
    Dictionary dictionary = new Dictionary();
    Flow<Integer> windowed =
        Flow.fromEnumerable(List.of("a"))
            .partition(
                o ->
                    o.stages(1)
                        .window(
                            Window.fixed(
                                java.time.Duration.ofSeconds(1),
                                w -> dictionary.lookup((String) w).length())))
            .reduce(() -> 0, (n, w) -> n + 1);
    String m = assertThrows(IllegalStateException.class, windowed::checkSerializable).getMessage();
    assertTrue(m.contains("eventTimeMillis"), m);
  }
}
