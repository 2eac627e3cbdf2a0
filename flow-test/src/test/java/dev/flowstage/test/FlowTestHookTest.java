package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.testing.FlowTestHook;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** flow-core's test hook, as the kit uses it: layer options and partition keys, nothing else. */
final class FlowTestHookTest {
  private static final List<Integer> INPUT = IntStream.range(0, 200).boxed().toList();

  /** The keys each partition saw: shows both the grouping and which partition got which group. */
  private static Flow<Set<Integer>> keysPerPartition() {
    return Flow.fromEnumerable(INPUT, o -> o.stages(1))
        .partition(o -> o.stages(4).key(x -> (Integer) x % 10))
        .reduce(
            TreeSet<Integer>::new,
            (s, x) -> {
              s.add(x % 10);
              return s;
            });
  }

  private record Salt(int salt) implements FlowTestHook.Perturbation {
    @Override
    public Options layer(int index, Options declared) {
      return declared;
    }

    @Override
    public Object routeKey(Object key) {
      return List.of(key, salt); // equal keys stay equal; the hash changes with the salt
    }
  }

  @Test
  void routeKey_movesGroupsBetweenPartitions_butKeepsEachKeyInOne() {
    Set<Set<Integer>> plain = new HashSet<>(keysPerPartition().toList());
    Set<Set<Set<Integer>>> mappings = new HashSet<>();
    for (int salt = 1; salt <= 8; salt++) {
      List<Set<Integer>> parts = FlowTestHook.with(new Salt(salt), keysPerPartition()::toList);
      Set<Integer> seen = new HashSet<>();
      for (Set<Integer> p : parts) {
        for (int k : p) {
          assertTrue(seen.add(k), "key " + k + " in two partitions with salt " + salt);
        }
      }
      assertEquals(10, seen.size());
      mappings.add(new HashSet<>(parts));
    }
    assertTrue(mappings.size() > 1, "salts should change the mapping: " + mappings);
    assertNotEquals(Set.of(plain), mappings);
  }

  @Test
  void layer_overridesStagesAndDemand_andLayersAreNumberedSourceFirst() {
    Flow<Set<Integer>> flow = keysPerPartition();
    assertEquals(2, FlowTestHook.layers(flow));
    FlowTestHook.Perturbation threeStages =
        new FlowTestHook.Perturbation() {
          @Override
          public Options layer(int index, Options declared) {
            return index == 1 ? declared.stages(3).maxDemand(2).minDemand(1) : declared;
          }

          @Override
          public Object routeKey(Object key) {
            return key;
          }
        };
    assertEquals(3, FlowTestHook.with(threeStages, flow::toList).size());
    assertEquals(4, flow.toList().size(), "outside the hook the flow runs as planned");
  }
}
