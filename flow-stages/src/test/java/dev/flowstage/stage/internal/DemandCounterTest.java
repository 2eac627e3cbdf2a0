package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class DemandCounterTest {
  /** Feeds one message of {@code n} events; returns [chunk, askAfter] pairs. */
  private static List<List<Long>> message(DemandCounter dc, int n) {
    List<List<Long>> steps = new ArrayList<>();
    dc.beginMessage();
    for (int off = 0; off < n; off += dc.chunkSize()) {
      int k = Math.min(dc.chunkSize(), n - off);
      steps.add(List.of((long) k, dc.consume(k)));
    }
    return steps;
  }

  @Test
  void consume_defaults_chunksOfFiveHundredAndAsksFiveHundred() {
    DemandCounter dc = new DemandCounter(500, 1000);
    assertEquals(List.of(List.of(500L, 500L), List.of(500L, 500L)), message(dc, 1000));
    assertEquals(1000, dc.outstanding());
  }

  @Test
  void consume_max10min5_asksAfterTheChunkThatCrossesMin() {
    DemandCounter dc = new DemandCounter(5, 10);
    // 3 events: outstanding 7 > 5, no ask.
    assertEquals(List.of(List.of(3L, 0L)), message(dc, 3));
    // 7 more: chunk 5 leaves 2 <= 5 -> ask 8 (refill to 10); chunk 2 leaves 8 -> no ask.
    assertEquals(List.of(List.of(5L, 8L), List.of(2L, 0L)), message(dc, 7));
    assertEquals(8, dc.outstanding());
  }

  @Test
  void consume_max1min0_asksOneForEachEvent() {
    DemandCounter dc = new DemandCounter(0, 1);
    assertEquals(List.of(List.of(1L, 1L)), message(dc, 1));
    assertEquals(List.of(List.of(1L, 1L)), message(dc, 1));
  }

  @Test
  void consume_min0_asksOnlyWhenFullyDrained() {
    DemandCounter dc = new DemandCounter(0, 10);
    assertEquals(List.of(List.of(4L, 0L)), message(dc, 4));
    assertEquals(List.of(List.of(6L, 10L)), message(dc, 6));
  }

  @Test
  void consume_max1000min750_asksAfterCrossing750() {
    DemandCounter dc = new DemandCounter(750, 1000);
    assertEquals(List.of(List.of(100L, 0L)), message(dc, 100));
    assertEquals(List.of(List.of(100L, 0L)), message(dc, 100));
    // 700 outstanding <= 750: refill by 300.
    assertEquals(List.of(List.of(100L, 300L)), message(dc, 100));
  }

  @Test
  void consume_moreThanAsked_countsExcessAndStillChunks() {
    DemandCounter dc = new DemandCounter(1, 2);
    List<List<Long>> steps = message(dc, 3);
    assertEquals(3, steps.size());
    assertEquals(1, dc.excess());
  }
}
