package dev.flowstage.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the benchmark JSON under a directory into a Markdown summary and SVG charts, computing the
 * ratios against issue 6's targets from the measured numbers only.
 *
 * <p>Reads, when present: {@code jmh.json} (JMH {@code -rf json}), {@code wordcount-compare.json},
 * {@code wordcount-scaling.json}, {@code wordcount-memory.json} and {@code wordcount-files.json}
 * (from {@link dev.flowstage.bench.wordcount.WordCountComparison}). Writes {@code summary.md},
 * {@code wordcount.svg} and {@code scaling.svg} beside them.
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.report.BenchReport target/bench
 * }
 */
public final class BenchReport {
  private static final double MIB = 1024.0 * 1024.0;

  /** The baselines the Flowstage word count is compared with in the targets. */
  static final List<String> PARALLEL_BASELINES =
      List.of("streams-parallel", "reactor", "rxjava", "pekko", "virtual-threads");

  private BenchReport() {}

  /**
   * Writes the summary and charts for the directory given as the only argument.
   *
   * @param args the directory holding the JSON files
   * @throws IOException if a file cannot be read or written
   */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args.length > 0 ? args[0] : "target/bench");
    String md = summary(dir);
    Files.writeString(dir.resolve("summary.md"), md);
    System.out.print(md);
    System.err.println("wrote " + dir.resolve("summary.md"));
  }

  /**
   * Builds the Markdown summary (and writes the charts) for a directory.
   *
   * @param dir the directory holding the JSON files
   * @return the Markdown text
   * @throws IOException if a file cannot be read or a chart written
   */
  public static String summary(Path dir) throws IOException {
    StringBuilder md = new StringBuilder("# Flowstage benchmark summary\n\n");
    Map<String, Object> compare = read(dir.resolve("wordcount-compare.json"));
    Map<String, Object> scaling = read(dir.resolve("wordcount-scaling.json"));
    Map<String, Object> memory = read(dir.resolve("wordcount-memory.json"));
    Map<String, Object> files = read(dir.resolve("wordcount-files.json"));
    List<Object> jmh = readList(dir.resolve("jmh.json"));
    Map<String, Object> anyRun = compare != null ? compare : scaling != null ? scaling : memory;
    if (anyRun != null) {
      Map<String, Object> m = Json.object(anyRun, "machine");
      md.append("Machine: ")
          .append(m.get("cores"))
          .append(" cores (")
          .append(m.get("cpu"))
          .append("), ")
          .append(m.get("memoryMiB"))
          .append(" MiB RAM, ")
          .append(m.get("jdk"))
          .append(", ")
          .append(m.get("os"))
          .append(". Load average before/after: ")
          .append(m.get("loadAverageBefore"))
          .append(" / ")
          .append(m.get("loadAverageAfter"))
          .append(".\n\n");
    }
    if (compare != null) {
      md.append("## Word count, ").append(corpusLabel(compare)).append("\n\n");
      md.append(wordCountTable(compare));
      Files.writeString(dir.resolve("wordcount.svg"), throughputChart(compare));
      md.append("\n![word count throughput](wordcount.svg)\n\n");
    }
    if (scaling != null) {
      md.append("## Scaling, ").append(corpusLabel(scaling)).append("\n\n");
      md.append(scalingTable(scaling));
      Files.writeString(dir.resolve("scaling.svg"), scalingChart(scaling));
      md.append("\n![scaling](scaling.svg)\n\n");
    }
    if (memory != null) {
      md.append("## Bounded memory, ")
          .append(corpusLabel(memory))
          .append(", `")
          .append(memory.get("javaOpts"))
          .append("`\n\n");
      md.append(wordCountTable(memory));
      md.append('\n');
    }
    if (files != null) {
      md.append("## Many small files, ").append(corpusLabel(files)).append("\n\n");
      md.append(wordCountTable(files));
      md.append('\n');
    }
    if (jmh != null) {
      md.append("## JMH micro-benchmarks\n\n").append(jmhTable(jmh)).append('\n');
    }
    md.append("## Targets (issue 6)\n\n").append(targets(compare, scaling, memory, jmh));
    return md.toString();
  }

  private static String corpusLabel(Map<String, Object> run) {
    Map<String, Object> c = Json.object(run, "corpus");
    long bytes = Json.number(c, "bytes").longValue();
    return String.format(
        Locale.ROOT,
        "%s (%.0f MiB), %s run(s) per implementation",
        Path.of((String) c.get("path")).getFileName(),
        bytes / MIB,
        run.get("runsPerImpl"));
  }

  static String wordCountTable(Map<String, Object> run) {
    double bytes = Json.number(Json.object(run, "corpus"), "bytes").doubleValue();
    StringBuilder t = new StringBuilder();
    t.append("| implementation | wall median (min-max) s | MiB/s (wall) | counting median s |")
        .append(" MiB/s (counting) | CPU median s | MiB per CPU-s | peak RSS median MiB |")
        .append(" runs ok | result |\n");
    t.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Object o : Json.array(run, "impls")) {
      Map<String, Object> i = Json.asObject(o);
      Map<String, Object> wall = stats(i, "wallMs");
      Map<String, Object> count = stats(i, "countMs");
      Map<String, Object> rss = stats(i, "peakRssKiB");
      Map<String, Object> cpu = stats(i, "cpuMs");
      t.append("| ").append(i.get("label")).append(" | ");
      if (wall == null) {
        t.append("failed | - | - | - | - | - | ");
      } else {
        t.append(
            String.format(
                Locale.ROOT,
                "%.2f (%.2f-%.2f) | %.0f | ",
                median(wall) / 1000,
                num(wall, "min") / 1000,
                num(wall, "max") / 1000,
                bytes / MIB / (median(wall) / 1000)));
        t.append(
            count == null
                ? "- | - | "
                : String.format(
                    Locale.ROOT,
                    "%.2f | %.0f | ",
                    median(count) / 1000,
                    bytes / MIB / (median(count) / 1000)));
        t.append(
            cpu == null
                ? "- | - | "
                : String.format(
                    Locale.ROOT,
                    "%.1f | %.1f | ",
                    median(cpu) / 1000,
                    bytes / MIB / (median(cpu) / 1000)));
      }
      t.append(rss == null ? "-" : String.format(Locale.ROOT, "%.0f", median(rss) / 1024));
      t.append(" | ")
          .append(i.get("succeeded"))
          .append('/')
          .append(Json.number(i, "succeeded").longValue() + Json.number(i, "failed").longValue());
      t.append(" | ");
      List<Object> failures = Json.array(i, "failures");
      if (!failures.isEmpty()) {
        t.append("FAILED: ").append(failures.getFirst().toString().replace("|", "/"));
      } else {
        t.append(Boolean.TRUE.equals(i.get("resultAgrees")) ? "identical" : "DIFFERS");
      }
      t.append(" |\n");
    }
    return t.toString();
  }

  static String scalingTable(Map<String, Object> run) {
    double bytes = Json.number(Json.object(run, "corpus"), "bytes").doubleValue();
    StringBuilder t = new StringBuilder();
    t.append("| implementation | stages | wall median (min-max) s | MiB/s (wall) |")
        .append(" speed-up over 1 stage (wall) | speed-up (counting time) |\n");
    t.append("|---|---:|---:|---:|---:|---:|\n");
    Map<String, double[]> base = new LinkedHashMap<>();
    for (Object o : Json.array(run, "impls")) {
      Map<String, Object> i = Json.asObject(o);
      Map<String, Object> wall = stats(i, "wallMs");
      Map<String, Object> count = stats(i, "countMs");
      if (wall == null) {
        t.append("| ").append(i.get("name")).append(" | ").append(i.get("stages"));
        t.append(" | failed | - | - | - |\n");
        continue;
      }
      String name = (String) i.get("name");
      Number stages = (Number) i.get("stages");
      double w = median(wall);
      double c = count == null ? Double.NaN : median(count);
      if (stages != null && stages.intValue() == 1) {
        base.put(name, new double[] {w, c});
      }
      double[] b = base.get(name);
      t.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.2f (%.2f-%.2f) | %.0f | %s | %s |\n",
              name,
              stages == null ? "default" : stages,
              w / 1000,
              num(wall, "min") / 1000,
              num(wall, "max") / 1000,
              bytes / MIB / (w / 1000),
              b == null ? "-" : String.format(Locale.ROOT, "%.2fx", b[0] / w),
              b == null || Double.isNaN(c) || Double.isNaN(b[1])
                  ? "-"
                  : String.format(Locale.ROOT, "%.2fx", b[1] / c)));
    }
    return t.toString();
  }

  static String jmhTable(List<Object> results) {
    StringBuilder t =
        new StringBuilder("| benchmark | parameters | score | error (99.9%) | unit |\n");
    t.append("|---|---|---:|---:|---|\n");
    for (Object o : results) {
      Map<String, Object> r = Json.asObject(o);
      String name = (String) r.get("benchmark");
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      Map<String, Object> metric = Json.object(r, "primaryMetric");
      Object params = r.get("params");
      String p = "";
      if (params instanceof Map<?, ?> pm) {
        List<String> kv = new ArrayList<>();
        pm.forEach((k, v) -> kv.add(k + "=" + v));
        p = String.join(", ", kv);
      }
      t.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %s |\n",
              name,
              p,
              fmt(Json.number(metric, "score").doubleValue()),
              metric.get("scoreError") instanceof Number e ? fmt(e.doubleValue()) : "-",
              metric.get("scoreUnit")));
    }
    return t.toString();
  }

  static String targets(
      Map<String, Object> compare,
      Map<String, Object> scaling,
      Map<String, Object> memory,
      List<Object> jmh) {
    StringBuilder t = new StringBuilder("| target | measured | verdict |\n|---|---|---|\n");
    Double best = null;
    String bestName = null;
    Double single = null;
    Double cli = null;
    Double api = null;
    Double plain = null;
    int cores = 0;
    if (compare != null) {
      cores = Json.number(Json.object(compare, "machine"), "cores").intValue();
      for (Object o : Json.array(compare, "impls")) {
        Map<String, Object> i = Json.asObject(o);
        Map<String, Object> wall = stats(i, "wallMs");
        if (wall == null || !Boolean.TRUE.equals(i.get("resultAgrees"))) {
          continue;
        }
        double throughput = 1 / median(wall);
        String name = (String) i.get("name");
        if (PARALLEL_BASELINES.contains(name) && (best == null || throughput > best)) {
          best = throughput;
          bestName = name;
        }
        switch (name) {
          case "single-thread" -> single = throughput;
          case "flowstage-cli" -> cli = throughput;
          case "flow-api" -> api = throughput;
          case "flow-api-plain" -> plain = throughput;
          default -> {}
        }
      }
    }
    t.append(
        ratioRow(
            "`flowstage wordcount` >= 1.5x the fastest of parallel streams, Reactor, RxJava, Pekko, virtual threads",
            cli,
            best,
            bestName,
            1.5));
    t.append(
        ratioRow(
            "`flowstage wordcount` >= 0.8 x cores x single-thread loop",
            cli,
            single == null ? null : single * cores,
            cores + " x single-thread",
            0.8));
    t.append(
        ratioRow(
            "Flow API word count >= the fastest of parallel streams, Reactor, RxJava, Pekko, virtual threads",
            api,
            best,
            bestName,
            1.0));
    if (plain != null) {
      t.append(
          ratioRow(
              "(for reference, not a target) the same job with the two-argument reduce, no"
                  + " combiner",
              plain,
              best,
              bestName,
              null));
    }
    t.append(hopRow(jmh));
    t.append(memoryRow(memory));
    if (scaling == null) {
      t.append("| scaling run over `--stages` | not measured | not measured |\n");
    }
    t.append(
        "\nRatios use median wall-clock time per run (JVM start-up included, same for every"
            + " implementation).\n");
    return t.toString();
  }

  /** A target row; a {@code null} goal is a row for reference only, with no verdict. */
  private static String ratioRow(
      String target, Double subject, Double reference, String referenceName, Double goal) {
    if (subject == null || reference == null) {
      return "| " + target + " | not measured (implementation or baseline missing) | - |\n";
    }
    double ratio = subject / reference;
    return String.format(
        Locale.ROOT,
        "| %s | %.2fx (vs %s) | %s |\n",
        target,
        ratio,
        referenceName,
        goal == null ? "-" : ratio >= goal ? "met" : "MISSED");
  }

  private static String hopRow(List<Object> jmh) {
    String target = "single hop at maxDemand 1000 >= Reactor `publishOn` hop";
    if (jmh == null) {
      return "| " + target + " | not measured | - |\n";
    }
    Double flowstage = null;
    Double reactor = null;
    for (Object o : jmh) {
      Map<String, Object> r = Json.asObject(o);
      String name = (String) r.get("benchmark");
      Object params = r.get("params");
      if (!name.contains("HopBenchmark")
          || !(params instanceof Map<?, ?> pm)
          || !"1000".equals(pm.get("batchSize"))) {
        continue;
      }
      double score = Json.number(Json.object(r, "primaryMetric"), "score").doubleValue();
      if (name.endsWith(".flowstage")) {
        flowstage = score;
      } else if (name.endsWith(".reactorPublishOn")) {
        reactor = score;
      }
    }
    return ratioRow(target, flowstage, reactor, "reactorPublishOn", 1.0);
  }

  private static String memoryRow(Map<String, Object> memory) {
    String target = "1 GiB corpus in a 256 MiB heap";
    if (memory == null) {
      return "| " + target + " | not measured | - |\n";
    }
    long bytes = Json.number(Json.object(memory, "corpus"), "bytes").longValue();
    String opts = String.valueOf(memory.get("javaOpts"));
    // Only a run at full size with the target's heap can meet the target; smaller ones (--quick)
    // are reported but not judged.
    boolean fullSize = bytes >= (1L << 30) && opts.contains("-Xmx256m");
    StringBuilder t = new StringBuilder();
    for (Object o : Json.array(memory, "impls")) {
      Map<String, Object> i = Json.asObject(o);
      String name = (String) i.get("name");
      if (!name.equals("flowstage-cli") && !name.equals("flow-api")) {
        continue;
      }
      boolean ok =
          Json.number(i, "failed").longValue() == 0 && Boolean.TRUE.equals(i.get("resultAgrees"));
      Map<String, Object> rss = stats(i, "peakRssKiB");
      t.append(
          String.format(
              Locale.ROOT,
              "| %s (%s; ran %s with `%s`) | %s, peak RSS %s MiB | %s |\n",
              target,
              name,
              corpusLabel(memory),
              opts,
              ok ? "succeeded, result identical" : "failed or result differs",
              rss == null ? "-" : String.format(Locale.ROOT, "%.0f", median(rss) / 1024),
              !fullSize ? "not judged (smaller corpus)" : ok ? "met" : "MISSED"));
    }
    return t.isEmpty()
        ? "| " + target + " | no Flowstage implementation in the run | - |\n"
        : t.toString();
  }

  /** A horizontal bar chart of median throughput with min-max whiskers. */
  static String throughputChart(Map<String, Object> run) {
    double bytes = Json.number(Json.object(run, "corpus"), "bytes").doubleValue();
    List<String> labels = new ArrayList<>();
    List<double[]> bars = new ArrayList<>(); // median, low, high MiB/s
    for (Object o : Json.array(run, "impls")) {
      Map<String, Object> i = Json.asObject(o);
      Map<String, Object> wall = stats(i, "wallMs");
      labels.add((String) i.get("label"));
      if (wall == null) {
        bars.add(null);
      } else {
        double s = bytes / MIB * 1000;
        bars.add(new double[] {s / median(wall), s / num(wall, "max"), s / num(wall, "min")});
      }
    }
    return barChart(
        "Word count throughput, " + corpusLabel(run) + " (MiB/s, wall clock; median, min-max)",
        labels,
        bars,
        "MiB/s");
  }

  /** Bars of speed-up over one stage, per implementation and stage count. */
  static String scalingChart(Map<String, Object> run) {
    List<String> labels = new ArrayList<>();
    List<double[]> bars = new ArrayList<>();
    Map<String, Double> base = new LinkedHashMap<>();
    for (Object o : Json.array(run, "impls")) {
      Map<String, Object> i = Json.asObject(o);
      Map<String, Object> wall = stats(i, "wallMs");
      String name = (String) i.get("name");
      Number stages = (Number) i.get("stages");
      labels.add((String) i.get("label"));
      if (wall == null) {
        bars.add(null);
        continue;
      }
      if (stages != null && stages.intValue() == 1) {
        base.put(name, median(wall));
      }
      Double b = base.get(name);
      bars.add(
          b == null
              ? null
              : new double[] {b / median(wall), b / num(wall, "max"), b / num(wall, "min")});
    }
    return barChart(
        "Speed-up over 1 stage, " + corpusLabel(run) + " (wall clock; median, min-max)",
        labels,
        bars,
        "x");
  }

  static String barChart(String title, List<String> labels, List<double[]> bars, String unit) {
    int labelWidth = 230;
    int plotWidth = 520;
    int row = 30;
    int top = 40;
    int height = top + row * labels.size() + 30;
    double max = 0;
    for (double[] b : bars) {
      if (b != null) {
        max = Math.max(max, Math.max(b[0], b[2]));
      }
    }
    max = max <= 0 ? 1 : max * 1.1;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">\n",
            labelWidth + plotWidth + 80,
            height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s</text>\n",
            escape(title)));
    for (int k = 0; k < labels.size(); k++) {
      int y = top + k * row;
      String label = labels.get(k);
      boolean flowstage = label.startsWith("flow");
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
              labelWidth - 8,
              y + 17,
              escape(label)));
      double[] b = bars.get(k);
      if (b == null) {
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" fill=\"#b00\">failed / not measured</text>\n",
                labelWidth + 4,
                y + 17));
        continue;
      }
      double w = plotWidth * b[0] / max;
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\" fill=\"%s\"/>\n",
              labelWidth,
              y + 4,
              w,
              flowstage ? "#2a7ab9" : "#9aa5b1"));
      double lo = labelWidth + plotWidth * b[1] / max;
      double hi = labelWidth + plotWidth * b[2] / max;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
              lo,
              hi,
              y + 14,
              y + 14));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%.1f\" y=\"%d\">%s %s</text>\n",
              Math.max(labelWidth + w, hi) + 6,
              y + 18,
              fmt(b[0]),
              unit));
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static String fmt(double v) {
    if (Math.abs(v) >= 1e6) {
      return String.format(Locale.ROOT, "%.3g", v);
    }
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static Map<String, Object> stats(Map<String, Object> impl, String key) {
    Object v = impl.get(key);
    return v == null ? null : Json.asObject(v);
  }

  private static double median(Map<String, Object> stats) {
    return num(stats, "median");
  }

  private static double num(Map<String, Object> stats, String key) {
    return Json.number(stats, key).doubleValue();
  }

  private static Map<String, Object> read(Path file) throws IOException {
    return Files.isRegularFile(file) ? Json.asObject(Json.parse(Files.readString(file))) : null;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> readList(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Object v = Json.parse(Files.readString(file));
    return v instanceof List<?> l ? (List<Object>) l : null;
  }
}
