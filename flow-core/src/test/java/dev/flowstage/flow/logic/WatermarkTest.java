package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fixed window driven by {@code watermark} (the event time an engine such as Flink tracks per
 * upstream) closes its panes exactly where the local per-input watermark closes them, through the
 * same step; an event behind the watermark is late.
 */
final class WatermarkTest {
  private static final Window WINDOW = Window.<Long>fixed(Duration.ofMillis(10), e -> e);

  /** Counts the events of each pane. */
  private static MapReducer counting(int inputs) {
    List<Operation> ops = List.of(new Operation.Reduce(() -> 0L, (n, e) -> (Long) n + 1, null));
    return new MapReducer(ops, List.of(WINDOW), 0, 1, inputs, () -> 0L, null);
  }

  @Test
  void watermarkOfTheSlowestInput_closesThePanesTheLocalInputsClose() {
    MapReducer local = counting(2);
    MapReducer watermarked = counting(MapReducer.WATERMARKED);
    List<Object> localOut = new ArrayList<>();
    List<Object> flinkOut = new ArrayList<>();
    // Input 0 runs ahead to window 2 while input 1 is still in window 0: nothing closes.
    local.events(List.of(1L, 12L, 25L), 0, localOut);
    watermarked.events(List.of(1L, 12L, 25L), 0, flinkOut);
    watermarked.watermark(Long.MIN_VALUE, flinkOut); // input 1 has not spoken
    local.events(List.of(3L), 1, localOut);
    watermarked.events(List.of(3L), 0, flinkOut);
    watermarked.watermark(3L, flinkOut); // min(25, 3): window 0 stays open
    assertEquals(List.of(), localOut);
    assertEquals(List.of(), flinkOut);
    // Input 1 reaches window 2: windows 0 and 1 close on both.
    local.events(List.of(14L, 21L), 1, localOut);
    watermarked.events(List.of(14L, 21L), 0, flinkOut);
    watermarked.watermark(21L, flinkOut);
    assertEquals(List.of(2L, 2L), localOut);
    assertEquals(localOut, flinkOut);
    local.finish(localOut);
    watermarked.finish(flinkOut);
    assertEquals(List.of(2L, 2L, 2L), flinkOut);
    assertEquals(localOut, flinkOut);
  }

  @Test
  void eventBehindTheWatermark_isLate() {
    MapReducer watermarked = counting(MapReducer.WATERMARKED);
    List<Object> out = new ArrayList<>();
    watermarked.events(List.of(1L, 15L), 0, out);
    watermarked.watermark(15L, out);
    assertEquals(List.of(1L), out);
    watermarked.events(List.of(7L, 16L), 0, out); // window 0 has closed
    assertEquals(1, watermarked.lateEvents());
    watermarked.finish(out);
    assertEquals(List.of(1L, 2L), out);
  }

  @Test
  void watermarkedJoin_closesItsWindowsOnTheWatermarkOnly() {
    JoinLogic join =
        new JoinLogic(
            JoinMode.LEFT_OUTER,
            new int[] {0, 1},
            e -> "k",
            e -> "other",
            (l, r) -> l + "-" + r,
            100,
            WINDOW,
            new MapReducer(List.of(), List.of(Window.global()), 0, 1, 1, () -> 0L, null),
            true);
    List<Object> out = new ArrayList<>();
    join.events(List.of(5L, 25L), 0, out);
    join.events(List.of(28L), 1, out); // both sides past window 0, but no watermark yet
    assertEquals(List.of(), out);
    join.watermark(25L, out);
    assertEquals(List.of("5-null"), out);
    join.events(List.of(7L), 1, out);
    assertEquals(1, join.lateEvents());
  }
}
