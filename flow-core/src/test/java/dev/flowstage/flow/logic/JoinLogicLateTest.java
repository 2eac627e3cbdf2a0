package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Events a window join drops as late reach the flow's statistics through lateEvents(). */
class JoinLogicLateTest {
  /** Passes events on unchanged. */
  private static final class Pass implements StageLogic {
    @Override
    public void events(List<?> batch, int input, List<Object> out) {
      out.addAll(batch);
    }

    @Override
    public void finish(List<Object> out) {}
  }

  @Test
  void eventOfAClosedJoinWindow_isCountedAsLate() {
    JoinLogic join =
        new JoinLogic(
            JoinMode.INNER,
            new int[] {0, 1},
            e -> "k",
            e -> "k",
            (l, r) -> l + "-" + r,
            100,
            Window.<Long>fixed(Duration.ofMillis(10), e -> e),
            new Pass());
    List<Object> out = new ArrayList<>();
    join.events(List.of(5L), 0, out);
    join.events(List.of(8L), 1, out);
    join.events(List.of(25L), 0, out);
    join.events(List.of(28L), 1, out); // both sides are past window 0: it closes
    assertEquals(0, join.lateEvents());
    join.events(List.of(7L), 0, out);
    assertEquals(1, join.lateEvents());
    assertEquals(join.dropped(), join.lateEvents());
  }
}
