package dev.flowstage.examples.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.examples.windows.FixedWindowCountsExample.Request;
import dev.flowstage.examples.windows.FixedWindowCountsExample.Row;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

final class FixedWindowCountsExampleTest {

  /** The same counts, computed sequentially. */
  private static List<Row> oracle(List<String> log) {
    Map<Long, Map<Integer, Long>> byMinute = new TreeMap<>();
    for (String line : log) {
      Request r = Request.parse(line);
      long minute = Math.floorDiv(r.epochMillis(), 60_000L) * 60_000L;
      byMinute.computeIfAbsent(minute, m -> new TreeMap<>()).merge(r.status(), 1L, Long::sum);
    }
    List<Row> rows = new ArrayList<>();
    byMinute.forEach(
        (minute, counts) ->
            counts.forEach(
                (status, n) -> rows.add(new Row(Instant.ofEpochMilli(minute), status, n))));
    return rows;
  }

  @Test
  void countsPerMinute_matchesSequentialGrouping() {
    List<String> log = FixedWindowCountsExample.accessLog(1_000);
    assertEquals(oracle(log), FixedWindowCountsExample.countsPerMinute(log));
  }

  @Test
  void run_countsEveryRequestOnce() {
    List<Row> rows = FixedWindowCountsExample.run(new PrintWriter(new StringWriter(), true));
    assertEquals(200, rows.stream().mapToLong(Row::requests).sum());
    assertEquals(oracle(FixedWindowCountsExample.accessLog(200)), rows);
  }
}
