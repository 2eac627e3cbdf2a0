package dev.flowstage.bench.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class BenchReportTest {
  @TempDir Path dir;

  private static Map<String, Object> impl(String name, Integer stages, double wallMs) {
    Map<String, Object> i = new LinkedHashMap<>();
    i.put("name", name);
    i.put("label", stages == null ? name : name + " --stages " + stages);
    i.put("stages", stages);
    i.put("succeeded", 1);
    i.put("failed", 0);
    i.put("failures", List.of());
    i.put("resultAgrees", true);
    i.put("wallMs", Map.of("median", wallMs, "min", wallMs * 0.9, "max", wallMs * 1.1, "n", 3));
    i.put("countMs", null);
    i.put("peakRssKiB", Map.of("median", 204800.0, "min", 204800.0, "max", 204800.0, "n", 3));
    return i;
  }

  private static Map<String, Object> run(String kind, List<Object> impls) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("kind", kind);
    r.put(
        "machine",
        Map.of(
            "cores",
            2,
            "cpu",
            "test cpu",
            "memoryMiB",
            1024,
            "jdk",
            "test jdk",
            "os",
            "test os",
            "loadAverageBefore",
            "0",
            "loadAverageAfter",
            "0"));
    r.put(
        "corpus",
        kind.equals("memory")
            ? Map.of("path", "/c/words-1g.txt", "bytes", 1L << 30)
            : Map.of("path", "/c/words-16m.txt", "bytes", 16L << 20));
    r.put("runsPerImpl", 3);
    r.put("javaOpts", kind.equals("memory") ? "-Xmx256m" : "");
    r.put("impls", impls);
    return r;
  }

  @Test
  void summary_cliTwiceAsFastAsBestBaseline_reportsRatiosAndVerdicts() throws IOException {
    List<Object> impls = new ArrayList<>();
    impls.add(impl("single-thread", null, 4000));
    impls.add(impl("streams-parallel", null, 2000));
    impls.add(impl("reactor", null, 3000));
    impls.add(impl("flow-api", null, 2500));
    impls.add(impl("flowstage-cli", null, 1000));
    Files.writeString(dir.resolve("wordcount-compare.json"), Json.write(run("compare", impls)));
    String md = BenchReport.summary(dir);
    assertTrue(md.contains("| 2.00x (vs streams-parallel) | met |"), md);
    // 0.8 x 2 cores x single-thread: 1000 ms vs 4000/2 ms -> 2.00x of the 2-core ideal.
    assertTrue(md.contains("| 2.00x (vs 2 x single-thread) | met |"), md);
    // The Flow API at 2500 ms is slower than parallel streams at 2000 ms.
    assertTrue(md.contains("| 0.80x (vs streams-parallel) | MISSED |"), md);
    assertTrue(
        md.contains("| single hop at maxDemand 1000 >= Reactor `publishOn` hop | not measured"));
    assertTrue(Files.readString(dir.resolve("wordcount.svg")).startsWith("<svg"));
  }

  @Test
  void summary_scalingAndJmh_reportsSpeedUpAndHopRatio() throws IOException {
    List<Object> impls = new ArrayList<>();
    impls.add(impl("flowstage-cli", 1, 3000));
    impls.add(impl("flowstage-cli", 2, 2000));
    Files.writeString(dir.resolve("wordcount-scaling.json"), Json.write(run("scaling", impls)));
    String jmh =
        """
        [{"benchmark": "dev.flowstage.bench.HopBenchmark.flowstage", "mode": "thrpt",
          "params": {"batchSize": "1000"},
          "primaryMetric": {"score": 3.0E7, "scoreError": 1.0E6, "scoreUnit": "ops/s"}},
         {"benchmark": "dev.flowstage.bench.HopBenchmark.reactorPublishOn", "mode": "thrpt",
          "params": {"batchSize": "1000"},
          "primaryMetric": {"score": 1.0E7, "scoreError": 1.0E6, "scoreUnit": "ops/s"}}]
        """;
    Files.writeString(dir.resolve("jmh.json"), jmh);
    String md = BenchReport.summary(dir);
    assertTrue(md.contains("| flowstage-cli | 2 | 2.00 (1.80-2.20) | 8 | 1.50x | - |"), md);
    assertTrue(md.contains("| 3.00x (vs reactorPublishOn) | met |"), md);
    assertTrue(md.contains("| HopBenchmark.flowstage | batchSize=1000 | 3.00e+07 |"), md);
  }

  @Test
  void summary_memoryRunFailed_saysMissed() throws IOException {
    Map<String, Object> failed = impl("flowstage-cli", null, 1000);
    failed.put("succeeded", 0);
    failed.put("failed", 1);
    failed.put("failures", List.of("exit 1: java.lang.OutOfMemoryError"));
    failed.put("resultAgrees", false);
    failed.put("wallMs", null);
    Files.writeString(
        dir.resolve("wordcount-memory.json"),
        Json.write(
            run("memory", new ArrayList<>(List.of(impl("single-thread", null, 9), failed)))));
    String md = BenchReport.summary(dir);
    assertTrue(md.contains("failed or result differs"), md);
    assertTrue(md.contains("| MISSED |"), md);
    assertTrue(md.contains("FAILED: exit 1: java.lang.OutOfMemoryError"), md);
  }
}
