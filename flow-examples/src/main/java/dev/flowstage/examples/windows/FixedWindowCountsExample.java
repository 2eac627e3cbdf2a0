package dev.flowstage.examples.windows;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Fixed windows over timestamped events: requests per minute and status code, from an access log.
 * Each log line carries its own time (event time), so the counts are the same however fast or in
 * how many stages the log is read. Lines are partitioned by status code over two stages; each stage
 * cuts its events into one-minute windows and emits one row per window and status when the window
 * closes.
 *
 * <p>Run: {@code scripts/flowstage example windows}
 */
public final class FixedWindowCountsExample {
  private FixedWindowCountsExample() {}

  /**
   * One parsed log line.
   *
   * @param epochMillis when the request was served
   * @param status the HTTP status code
   */
  public record Request(long epochMillis, int status) {
    /** Parses {@code 2026-11-27T10:00:03Z GET /path 200}. */
    static Request parse(String line) {
      String[] f = line.split(" ");
      return new Request(Instant.parse(f[0]).toEpochMilli(), Integer.parseInt(f[3]));
    }
  }

  /**
   * A count for one minute and status code.
   *
   * @param minute the window's start
   * @param status the status code
   * @param requests how many requests
   */
  public record Row(Instant minute, int status, long requests) {}

  /**
   * A deterministic access log: {@code lines} requests in time order, a few seconds apart.
   *
   * @param lines how many lines
   * @return the log lines
   */
  public static List<String> accessLog(int lines) {
    SplittableRandom random = new SplittableRandom(27);
    String[] paths = {"/", "/orders", "/orders/42", "/login", "/health"};
    long t = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
    List<String> log = new ArrayList<>(lines);
    for (int i = 0; i < lines; i++) {
      t += random.nextInt(1, 4000);
      int roll = random.nextInt(100);
      int status = roll < 80 ? 200 : roll < 92 ? 404 : 500;
      log.add(
          Instant.ofEpochMilli(t) + " GET " + paths[random.nextInt(paths.length)] + " " + status);
    }
    return log;
  }

  /**
   * Counts requests per minute and status.
   *
   * @param log the access log, in time order
   * @return one row per minute and status, by minute then status
   */
  public static List<Row> countsPerMinute(List<String> log) {
    // snippet-start: fixed-windows
    List<Row> rows =
        Flow.fromEnumerable(log)
            .map(Request::parse)
            .partition(
                o ->
                    o.stages(2)
                        .key((Request r) -> r.status()) // all of one status in one stage
                        .window(Window.<Request>fixed(Duration.ofMinutes(1), Request::epochMillis)))
            .reduce(
                () -> new TreeMap<Integer, Long>(),
                (counts, r) -> {
                  counts.merge(r.status(), 1L, Long::sum);
                  return counts;
                })
            .onTrigger(
                (counts, trigger) -> {
                  List<Row> out = new ArrayList<>();
                  for (Map.Entry<Integer, Long> e : counts.entrySet()) {
                    out.add(
                        new Row(
                            Instant.ofEpochMilli(trigger.windowId()), e.getKey(), e.getValue()));
                  }
                  return TriggerResult.of(out, counts);
                })
            .toList();
    // snippet-end: fixed-windows
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(Row::minute).thenComparingInt(Row::status));
    return sorted;
  }

  /**
   * Counts a 200-line log and prints a table.
   *
   * @param out where the narrative goes
   * @return the rows
   */
  public static List<Row> run(PrintWriter out) {
    List<String> log = accessLog(200);
    out.println("An access log of " + log.size() + " requests, for example:");
    out.println("  " + log.get(0));
    out.println("Requests per minute and status (one-minute fixed windows, by event time):");
    List<Row> rows = countsPerMinute(log);
    Instant minute = null;
    for (Row row : rows) {
      if (!row.minute().equals(minute)) {
        minute = row.minute();
        out.print("\n  " + minute);
      }
      out.print("  " + row.status() + ": " + row.requests());
    }
    out.println();
    out.println(
        "Each window closed once a later minute was seen, and the last at the end of input.");
    out.flush();
    return rows;
  }

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(new PrintWriter(System.out, true));
  }
}
