package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every cell of the composition table in docs/guides/flow.md ({@link CompositionTable}, the cases
 * flow-flink runs too): each ✓ cell runs to the end and is compared with a java.util.stream model
 * of the two operations (as a list where the cell's order is defined), each ✗ cell must be rejected
 * by the call that adds the operation (so the guide, the plan rules and the runtime cannot
 * disagree).
 */
final class FlowCompositionTest {
  @TestFactory
  Stream<DynamicTest> everyCellOfTheGuidesTable_runsOrIsRejectedWhenBuilt() {
    return CompositionTable.cells().stream()
        .map(cell -> DynamicTest.dynamicTest(cell.toString(), () -> check(cell)));
  }

  private static void check(CompositionTable.Cell cell) {
    Flow<Integer> before = cell.before();
    if (cell.rejected()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> cell.then(before));
      assertTrue(e.getMessage().length() > 20, e::getMessage);
    } else {
      assertEquals("✓", cell.verdict());
      assertEquals(
          cell.normalize(cell.model()),
          cell.normalize(cell.then(before).toList()),
          cell.comparison().toString());
    }
  }
}
