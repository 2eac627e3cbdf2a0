package dev.flowstage.flow;

import dev.flowstage.stage.StageStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A run report: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched) with
 * the stage graph, one box per stage coloured by how busy it was, and per-stage bars for events,
 * busy time, waiting time and buffer high-water, so the bottleneck stands out. Written for a
 * finished flow (its statistics are then final), or for a running one as a snapshot.
 *
 * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=runReport}
 */
public final class FlowReport {
  private static final int BOX_W = 230;
  private static final int GAP_X = 100;
  private static final int GAP_Y = 24;
  private static final int HEADER_H = 44;
  private static final int STAGE_H = 24;
  private static final int STAGE_GAP = 4;
  private static final int MARGIN = 24;

  private FlowReport() {}

  /**
   * Writes the report of a flow to a file (UTF-8), replacing it.
   *
   * @param flow the flow, best once it has finished
   * @param file where to write
   * @throws IOException if the file cannot be written
   */
  public static void write(RunningFlow<?> flow, Path file) throws IOException {
    Objects.requireNonNull(flow, "flow");
    write(flow.graph(), flow.statistics(), "Flowstage run " + flow.statistics().flow(), file);
  }

  /**
   * Writes the report of a graph and its statistics to a file (UTF-8), replacing it.
   *
   * @param graph the graph the statistics were taken from
   * @param statistics the statistics
   * @param title the page's title
   * @param file where to write
   * @throws IOException if the file cannot be written
   */
  public static void write(FlowGraph graph, FlowStatistics statistics, String title, Path file)
      throws IOException {
    Objects.requireNonNull(file, "file");
    Files.writeString(file, html(graph, statistics, title), StandardCharsets.UTF_8);
  }

  /**
   * Renders the report of a flow.
   *
   * @param flow the flow
   * @return the HTML page
   */
  public static String html(RunningFlow<?> flow) {
    Objects.requireNonNull(flow, "flow");
    return html(flow.graph(), flow.statistics(), "Flowstage run " + flow.statistics().flow());
  }

  /**
   * Renders the report of a graph and its statistics.
   *
   * @param graph the graph the statistics were taken from
   * @param statistics the statistics
   * @param title the page's title
   * @return the HTML page
   * @throws IllegalArgumentException if the statistics are not of this graph
   */
  public static String html(FlowGraph graph, FlowStatistics statistics, String title) {
    Objects.requireNonNull(graph, "graph");
    Objects.requireNonNull(statistics, "statistics");
    Objects.requireNonNull(title, "title");
    Map<String, List<StageStats>> byNode = statistics.byNode(graph);
    long elapsed = Math.max(1, statistics.elapsed().toNanos());
    StageStats busiest = null;
    for (StageStats s : statistics.stages()) {
      if (busiest == null || s.busyNanos() > busiest.busyNanos()) {
        busiest = s;
      }
    }
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(esc(title))
        .append("</title>\n<style>\n")
        .append(CSS)
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(esc(title))
        .append("</h1>\n");
    summary(h, graph, statistics, busiest, elapsed);
    h.append("<h2>Stage graph</h2>\n<p class=\"note\">One box per stage, grouped as the flow")
        .append(" runs them; the redder a stage, the larger its share of the run spent busy.")
        .append("</p>\n");
    svg(h, graph, byNode, busiest, elapsed);
    h.append("<h2>Stages</h2>\n");
    bars(h, graph, byNode, busiest, statistics);
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void summary(
      StringBuilder h, FlowGraph graph, FlowStatistics st, StageStats busiest, long elapsed) {
    h.append("<table class=\"summary\">\n");
    row(h, "flow", st.flow());
    row(h, "outcome", st.state().name());
    row(h, "elapsed", ms(st.elapsed().toNanos()));
    row(h, "stages", st.stages().size() + " in " + graph.nodes().size() + " groups");
    if (busiest != null) {
      row(
          h,
          "busiest stage",
          busiest.name() + " (busy " + percent(busiest.busyNanos(), elapsed) + " of the run)");
    }
    if (st.malformedInput() > 0) {
      row(h, "malformed input replaced", num(st.malformedInput()));
    }
    long late = st.lateDropped().values().stream().mapToLong(Long::longValue).sum();
    if (late > 0) {
      row(h, "late events dropped", num(late));
    }
    if (!st.skippedFiles().isEmpty()) {
      java.util.StringJoiner why = new java.util.StringJoiner(", ");
      st.skippedFiles().forEach((reason, n) -> why.add(num(n) + " " + reason));
      row(h, "files skipped", why.toString());
    }
    h.append("</table>\n");
  }

  private static void row(StringBuilder h, String key, String value) {
    h.append("<tr><th>")
        .append(esc(key))
        .append("</th><td>")
        .append(esc(value))
        .append("</td></tr>\n");
  }

  private record Box(int x, int y, int h) {}

  private static void svg(
      StringBuilder h,
      FlowGraph graph,
      Map<String, List<StageStats>> byNode,
      StageStats busiest,
      long elapsed) {
    Map<String, Integer> depth = new HashMap<>();
    for (FlowGraph.Node n : graph.nodes()) {
      int d = 0;
      for (FlowGraph.Edge e : graph.edges()) {
        if (e.to().equals(n.id())) {
          d = Math.max(d, depth.getOrDefault(e.from(), 0) + 1);
        }
      }
      depth.put(n.id(), d);
    }
    Map<Integer, Integer> columnY = new HashMap<>();
    Map<String, Box> boxes = new LinkedHashMap<>();
    int width = 0;
    int height = 0;
    for (FlowGraph.Node n : graph.nodes()) {
      int d = depth.get(n.id());
      int x = MARGIN + d * (BOX_W + GAP_X);
      int y = columnY.getOrDefault(d, MARGIN);
      int bh = HEADER_H + n.stages() * (STAGE_H + STAGE_GAP) + 6;
      boxes.put(n.id(), new Box(x, y, bh));
      columnY.put(d, y + bh + GAP_Y);
      width = Math.max(width, x + BOX_W + MARGIN);
      height = Math.max(height, y + bh + MARGIN);
    }
    h.append("<svg class=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(width)
        .append("\" height=\"")
        .append(height)
        .append("\" viewBox=\"0 0 ")
        .append(width)
        .append(' ')
        .append(height)
        .append("\" role=\"img\" aria-label=\"stage graph\">\n")
        .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\"")
        .append(" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">")
        .append("<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
    for (FlowGraph.Edge e : graph.edges()) {
      Box from = boxes.get(e.from());
      Box to = boxes.get(e.to());
      if (from == null || to == null) {
        continue;
      }
      int x1 = from.x() + BOX_W;
      int y1 = from.y() + from.h() / 2;
      int x2 = to.x() - 2;
      int y2 = to.y() + to.h() / 2;
      int mx = (x1 + x2) / 2;
      h.append("<g class=\"edge\"><path d=\"M")
          .append(x1)
          .append(',')
          .append(y1)
          .append(" C")
          .append(mx)
          .append(',')
          .append(y1)
          .append(' ')
          .append(mx)
          .append(',')
          .append(y2)
          .append(' ')
          .append(x2)
          .append(',')
          .append(y2)
          .append("\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\"")
          .append(" marker-end=\"url(#arrow)\"/><text x=\"")
          .append(mx)
          .append("\" y=\"")
          .append((y1 + y2) / 2 - 6)
          .append("\" text-anchor=\"middle\" class=\"edge-label\">")
          .append(esc(e.dispatcher()))
          .append("</text></g>\n");
    }
    for (FlowGraph.Node n : graph.nodes()) {
      Box b = boxes.get(n.id());
      h.append("<g class=\"node\" data-node=\"")
          .append(esc(n.id()))
          .append("\"><title>")
          .append(esc(n.id() + ": " + n.label()))
          .append("</title><rect x=\"")
          .append(b.x())
          .append("\" y=\"")
          .append(b.y())
          .append("\" width=\"")
          .append(BOX_W)
          .append("\" height=\"")
          .append(b.h())
          .append("\" rx=\"8\" class=\"group\"/><text x=\"")
          .append(b.x() + 10)
          .append("\" y=\"")
          .append(b.y() + 18)
          .append("\" class=\"group-title\">")
          .append(esc(n.id() + "  " + n.kind() + " x" + n.stages()))
          .append("</text><text x=\"")
          .append(b.x() + 10)
          .append("\" y=\"")
          .append(b.y() + 35)
          .append("\" class=\"group-ops\">")
          .append(esc(shorten(n.operations(), 34)))
          .append("</text>\n");
      int y = b.y() + HEADER_H;
      for (StageStats s : byNode.get(n.id())) {
        double busy = Math.min(1.0, (double) s.busyNanos() / elapsed);
        boolean hot = s == busiest;
        h.append("<g class=\"stage")
            .append(hot ? " bottleneck" : "")
            .append("\" data-stage=\"")
            .append(esc(s.name()))
            .append("\"><title>")
            .append(esc(s.name() + ": busy " + percent(s.busyNanos(), elapsed)))
            .append("</title><rect x=\"")
            .append(b.x() + 8)
            .append("\" y=\"")
            .append(y)
            .append("\" width=\"")
            .append(BOX_W - 16)
            .append("\" height=\"")
            .append(STAGE_H)
            .append("\" rx=\"4\" fill=\"")
            .append(heat(busy))
            .append("\" stroke=\"")
            .append(hot ? "#b00020" : "#777")
            .append("\" stroke-width=\"")
            .append(hot ? 2.5 : 1)
            .append("\"/><text x=\"")
            .append(b.x() + 16)
            .append("\" y=\"")
            .append(y + 16)
            .append("\" class=\"stage-name\">")
            .append(esc(shorten(s.name(), 16)))
            .append("</text><text x=\"")
            .append(b.x() + BOX_W - 16)
            .append("\" y=\"")
            .append(y + 16)
            .append("\" text-anchor=\"end\" class=\"stage-busy\">")
            .append(esc(percent(s.busyNanos(), elapsed) + " busy"))
            .append("</text></g>\n");
        y += STAGE_H + STAGE_GAP;
      }
      h.append("</g>\n");
    }
    h.append("</svg>\n");
  }

  private static void bars(
      StringBuilder h,
      FlowGraph graph,
      Map<String, List<StageStats>> byNode,
      StageStats busiest,
      FlowStatistics st) {
    long elapsed = Math.max(1, st.elapsed().toNanos());
    long maxEvents = 1;
    long maxBuffer = 1;
    for (StageStats s : st.stages()) {
      maxEvents = Math.max(maxEvents, Math.max(s.eventsIn(), s.eventsOut()));
      maxBuffer = Math.max(maxBuffer, s.bufferHighWater());
    }
    h.append("<table class=\"bars\">\n<thead><tr><th>stage</th><th>group</th>")
        .append("<th>events in / out</th><th>busy time</th><th>waiting time</th>")
        .append("<th>buffer high-water</th></tr></thead>\n<tbody>\n");
    for (FlowGraph.Node n : graph.nodes()) {
      for (StageStats s : byNode.get(n.id())) {
        long waiting = st.waiting(s).toNanos();
        h.append("<tr class=\"stage-row")
            .append(s == busiest ? " bottleneck" : "")
            .append("\" data-stage=\"")
            .append(esc(s.name()))
            .append("\"><td class=\"name\">")
            .append(esc(s.name()))
            .append(s == busiest ? " <span class=\"badge\">busiest</span>" : "")
            .append("</td><td class=\"what\">")
            .append(esc(n.label()))
            .append("</td><td>");
        bar(h, "events-in", s.eventsIn(), maxEvents, num(s.eventsIn()) + " in");
        bar(h, "events-out", s.eventsOut(), maxEvents, num(s.eventsOut()) + " out");
        h.append("</td><td>");
        bar(h, "busy", s.busyNanos(), elapsed, ms(s.busyNanos()));
        h.append("</td><td>");
        bar(h, "waiting", waiting, elapsed, ms(waiting));
        h.append("</td><td>");
        bar(h, "buffer", s.bufferHighWater(), maxBuffer, num(s.bufferHighWater()));
        h.append("</td></tr>\n");
      }
    }
    h.append("</tbody>\n</table>\n<p class=\"note\">Busy: time handling messages. Waiting: the")
        .append(" run's elapsed time minus busy time (waiting for events or for demand).")
        .append(" Bars of events and buffers are relative to the largest stage; bars of time to")
        .append(" the whole run.</p>\n");
  }

  private static void bar(StringBuilder h, String kind, long value, long max, String text) {
    double f = max <= 0 ? 0 : Math.min(1.0, (double) value / max);
    h.append("<div class=\"bar ")
        .append(kind)
        .append("\"><div class=\"fill\" style=\"width:")
        .append(String.format(Locale.ROOT, "%.1f", f * 100))
        .append("%\"></div><span>")
        .append(esc(text))
        .append("</span></div>");
  }

  /** Green (idle) through yellow to red (busy the whole run). */
  private static String heat(double busy) {
    int hue = (int) Math.round(120 * (1 - busy));
    return "hsl(" + hue + ", 75%, " + (busy > 0.5 ? 72 : 82) + "%)";
  }

  private static String percent(long part, long whole) {
    return String.format(Locale.ROOT, "%.0f%%", Math.min(100.0, 100.0 * part / whole));
  }

  private static String ms(long nanos) {
    return String.format(Locale.ROOT, "%,.1f ms", nanos / 1e6);
  }

  private static String num(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }

  /** Escapes text for HTML and SVG content and attribute values. */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static final String CSS =
      """
      body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px;
             color: #1d1d1f; background: #fff; }
      h1 { font-size: 22px; margin: 0 0 12px; }
      h2 { font-size: 17px; margin: 24px 0 8px; }
      .note { color: #555; font-size: 12px; }
      table.summary th { text-align: left; padding-right: 16px; color: #555; font-weight: 600; }
      svg.graph { border: 1px solid #ddd; border-radius: 8px; background: #fafafa;
                  max-width: 100%; height: auto; }
      svg .group { fill: #eef2f7; stroke: #8a9bb0; }
      svg .group-title { font: 600 13px system-ui, sans-serif; fill: #1d1d1f; }
      svg .group-ops { font: 11px system-ui, sans-serif; fill: #555; }
      svg .stage-name, svg .stage-busy { font: 12px ui-monospace, monospace; fill: #1d1d1f; }
      svg .edge-label { font: 11px system-ui, sans-serif; fill: #555; }
      table.bars { border-collapse: collapse; width: 100%; }
      table.bars th { text-align: left; font-size: 12px; color: #555; padding: 4px 8px;
                      border-bottom: 1px solid #ddd; }
      table.bars td { padding: 3px 8px; vertical-align: middle; border-bottom: 1px solid #f0f0f0; }
      td.name { font-family: ui-monospace, monospace; white-space: nowrap; }
      td.what { font-size: 12px; color: #555; max-width: 260px; }
      tr.bottleneck td { background: #fff1f1; }
      .badge { background: #b00020; color: #fff; border-radius: 8px; padding: 0 6px;
               font: 11px system-ui, sans-serif; }
      .bar { position: relative; height: 18px; min-width: 150px; background: #f1f1f1;
             border-radius: 3px; margin: 1px 0; }
      .bar .fill { position: absolute; left: 0; top: 0; bottom: 0; border-radius: 3px; }
      .bar span { position: relative; padding-left: 6px; font-size: 12px; line-height: 18px;
                  white-space: nowrap; }
      .events-in .fill { background: #9ec5fe; }
      .events-out .fill { background: #6ea8fe; }
      .busy .fill { background: #f28b82; }
      .waiting .fill { background: #c8e6c9; }
      .buffer .fill { background: #ffd180; }
      """;
}
