package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Window;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The topology is immutable once built: every field of it and of its groups is final, its lists are
 * unmodifiable, and what a downstream layer decides about an upstream group (pre-reduce, tag panes)
 * is already on that group, next to the edge that routes its output.
 */
final class TopologyTest {
  private static final List<List<String>> WORDS = List.of(List.of("a", "b"), List.of("b", "c"));

  /** A reduce with a combiner: its sources get a layer of stages that pre-reduce. */
  private static Topology combining() {
    return Topology.of(
        Flow.fromEnumerables(WORDS)
            .partition(o -> o.stages(2).key(w -> w))
            .reduce(() -> 0, (n, w) -> n + 1, Integer::sum)
            .plan());
  }

  /** A departition per window: the reduce before it tags its events with their window. */
  private static Topology departitionPerWindow() {
    return Topology.of(
        Flow.fromEnumerables(WORDS)
            .partition(
                o ->
                    o.stages(2)
                        .key(w -> w)
                        .window(Window.<String>fixed(Duration.ofMinutes(1), w -> 0L)))
            .reduce(() -> 0, (n, w) -> n + 1)
            .departition(() -> 0, Integer::sum, n -> n)
            .plan());
  }

  @Test
  void everyFieldIsFinal_andEveryListUnmodifiable() {
    for (Class<?> c : List.of(Topology.class, Topology.Group.class)) {
      for (Field f : c.getDeclaredFields()) {
        if (!f.isSynthetic()) {
          assertTrue(Modifier.isFinal(f.getModifiers()), c.getSimpleName() + "." + f.getName());
        }
      }
    }
    assertTrue(Topology.Input.class.isRecord());
    Topology t = departitionPerWindow();
    assertThrows(UnsupportedOperationException.class, () -> t.groups.remove(0));
    for (Topology.Group g : t.groups) {
      assertThrows(UnsupportedOperationException.class, () -> g.inputs.add(null));
      assertThrows(UnsupportedOperationException.class, () -> g.operations.add(null));
      assertThrows(UnsupportedOperationException.class, () -> g.sources.add(null));
      assertThrows(UnsupportedOperationException.class, () -> g.ranges.add(null));
    }
  }

  @Test
  void downstreamDecisions_areOnTheBuiltGroups_andRoutingOnTheEdges() {
    Topology t = combining();
    // sources, the stages that pre-reduce for them, the keyed reduce
    assertEquals(3, t.groups.size(), t.graph().toString());
    Topology.Group sources = t.groups.get(0);
    Topology.Group pre = t.groups.get(1);
    assertSame(t.last, t.groups.get(2));
    // the edge a group's output travels on is its consumer's input edge, the same object
    assertSame(pre.inputs.get(0), t.outgoing(sources));
    assertSame(t.last.inputs.get(0), t.outgoing(pre));
    assertNull(t.outgoing(t.last));
    assertTrue(t.outgoing(pre).partitioned());
    assertTrue(t.outgoing(pre).partials());
    assertNotNull(pre.combine, "the reduce's combiner makes the stages before it pre-reduce");
    assertNull(sources.combine);

    Topology d = departitionPerWindow();
    assertEquals(Topology.Kind.DEPARTITION, d.last.kind);
    Topology.Group reduce = d.last.inputs.get(0).from();
    assertTrue(reduce.tagPanes, "a departition per window has its input tag panes");
    for (Topology topology : List.of(t, d)) {
      for (Topology.Group g : topology.groups) {
        for (Topology.Input in : g.inputs) {
          assertTrue(in.from().id < g.id, "a group is built after the groups it reads from");
        }
      }
    }
  }
}
