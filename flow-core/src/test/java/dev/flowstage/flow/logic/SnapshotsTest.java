package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Each kind of accumulator {@link Snapshots} knows: values, JDK collections, the rest. */
class SnapshotsTest {
  private record Point(int x, int y) {}

  @Test
  void values_areEmittedThemselves() {
    for (Object v :
        List.of("s", 1, 2L, 1.5, true, 'c', TimeUnit.SECONDS, new Point(1, 2), Instant.EPOCH)) {
      assertSame(v, Snapshots.of(v, "every"));
    }
    List<Integer> immutable = List.of(1, 2);
    assertSame(immutable, Snapshots.of(immutable, "every"));
    assertSame(null, Snapshots.of(null, "every"));
  }

  @Test
  void collections_areCopiedDeep_asTheSameClass() {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    groups.put("b", new ArrayList<>(List.of(1)));
    groups.put("a", new ArrayList<>(List.of(2)));
    @SuppressWarnings("unchecked")
    Map<String, List<Integer>> copy = (Map<String, List<Integer>>) Snapshots.of(groups, "every");
    groups.get("b").add(3);
    groups.put("c", new ArrayList<>());
    assertEquals(LinkedHashMap.class, copy.getClass());
    assertEquals(List.of("b", "a"), List.copyOf(copy.keySet()));
    assertEquals(List.of(1), copy.get("b"));
  }

  @Test
  void sortedSets_keepTheirComparator_andEnumMapsTheirKeys() {
    TreeSet<String> set = new TreeSet<>(Comparator.reverseOrder());
    set.addAll(List.of("a", "b"));
    Object copy = Snapshots.of(set, "every");
    set.add("c");
    assertEquals(List.of("b", "a"), List.copyOf((TreeSet<?>) copy));
    EnumMap<TimeUnit, Integer> em = new EnumMap<>(TimeUnit.class);
    em.put(TimeUnit.SECONDS, 1);
    Object emCopy = Snapshots.of(em, "every");
    em.put(TimeUnit.DAYS, 2);
    assertEquals(Map.of(TimeUnit.SECONDS, 1), emCopy);
    ArrayDeque<Integer> deque = new ArrayDeque<>(List.of(1, 2));
    Object dequeCopy = Snapshots.of(deque, "every");
    deque.add(3);
    assertEquals(List.of(1, 2), List.copyOf((ArrayDeque<?>) dequeCopy));
  }

  @Test
  void arrays_areCopied_nestedOnesToo() {
    int[][] grid = {{1}, {2}};
    int[][] copy = (int[][]) Snapshots.of(grid, "every");
    grid[0][0] = 9;
    assertNotSame(grid[0], copy[0]);
    assertArrayEquals(new int[] {1}, copy[0]);
  }

  @Test
  void unknownMutableType_failsNamingItAndTheFix() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> Snapshots.of(new AtomicLong(), "tick"));
    assertTrue(e.getMessage().contains("java.util.concurrent.atomic.AtomicLong"), e.getMessage());
    assertTrue(e.getMessage().contains("'tick'") && e.getMessage().contains("onTrigger"));
  }

  @Test
  void subclassOfAJdkMap_isCopiedByTheCloneItInherits() {
    HashMap<String, Integer> anonymous = new HashMap<>() {};
    anonymous.put("a", 1);
    Object copy = Snapshots.of(anonymous, "every");
    anonymous.put("b", 2);
    assertEquals(anonymous.getClass(), copy.getClass());
    assertEquals(Map.of("a", 1), copy);
  }
}
