package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code wordcount --output DIR}: every word's count as CSV parts, committed only on success. */
final class OutputOptionTest {
  @TempDir Path dir;

  /** The stage runtime logs each stage failure; one test provokes one and checks the error. */
  private static final java.util.logging.Logger STAGE_LOG =
      java.util.logging.Logger.getLogger("dev.flowstage");

  private static java.util.logging.Level saved;

  @BeforeAll
  static void quietStageLog() {
    saved = STAGE_LOG.getLevel();
    STAGE_LOG.setLevel(java.util.logging.Level.OFF);
  }

  @AfterAll
  static void restoreStageLog() {
    STAGE_LOG.setLevel(saved);
  }

  private Path input() throws IOException {
    Path in = dir.resolve("in/a.txt");
    Files.createDirectories(in.getParent());
    Files.writeString(in, "the cat and the dog\nthe end\n");
    return in;
  }

  /** The data rows of every part file, sorted; asserts each part starts with the header. */
  private static List<String> rows(Path out) throws IOException {
    List<String> rows = new ArrayList<>();
    try (Stream<Path> parts = Files.list(out)) {
      for (Path p : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        List<String> lines = Files.readAllLines(p);
        assertEquals("word,count", lines.get(0), p.toString());
        rows.addAll(lines.subList(1, lines.size()));
      }
    }
    rows.sort(null);
    return rows;
  }

  @Test
  void output_writesEveryWordAsCsvParts_andStillPrintsTheTop() throws IOException {
    Path out = dir.resolve("counts");
    CliRun r =
        CliRun.run("wordcount", "--top", "1", "--output", out.toString(), input().toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("3  the"), r.out());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertEquals(List.of("and,1", "cat,1", "dog,1", "end,1", "the,3"), rows(out));
  }

  @Test
  void reportWithOutput_writesBoth_theReportWithEveryStage() throws IOException {
    Path out = dir.resolve("counts");
    Path report = dir.resolve("r.html");
    CliRun r =
        CliRun.run(
            "wordcount",
            "--stages",
            "2",
            "--report",
            report.toString(),
            "--output",
            out.toString(),
            input().toString());
    assertEquals(0, r.status(), r.err());
    assertEquals(List.of("and,1", "cat,1", "dog,1", "end,1", "the,3"), rows(out));
    String html = Files.readString(report);
    assertTrue(html.contains("<svg"), "the report has its stage graph");
    assertTrue(html.contains("flowstage wordcount: run report"), html.substring(0, 200));
  }

  @Test
  void statsWithOutput_printsTheStages() throws IOException {
    Path out = dir.resolve("counts");
    CliRun r = CliRun.run("wordcount", "--stats", "--output", out.toString(), input().toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("skipped: 0 hidden, 0 binary, 0 links, 0 special"), r.out());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void existingOutput_isRefused_unlessOverwrite() throws IOException {
    Path out = Files.createDirectories(dir.resolve("counts"));
    Files.writeString(out.resolve("old"), "x");
    CliRun refused = CliRun.run("wordcount", "--output", out.toString(), input().toString());
    assertEquals(Main.EXIT_USAGE, refused.status());
    assertTrue(refused.errIsOneLine(), refused.err());
    assertTrue(refused.err().contains("--overwrite"), refused.err());
    assertTrue(Files.exists(out.resolve("old")));

    CliRun replaced =
        CliRun.run("wordcount", "--output", out.toString(), "--overwrite", input().toString());
    assertEquals(0, replaced.status(), replaced.err());
    assertFalse(Files.exists(out.resolve("old")));
    assertEquals(5, rows(out).size());
  }

  @Test
  void failedCount_leavesNoOutputAndNoStaging() throws IOException {
    Path in = input();
    Path gz = dir.resolve("in/b.txt.gz");
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
      o.write("word ".repeat(200_000).getBytes(StandardCharsets.UTF_8));
    }
    byte[] bytes = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(bytes, bytes.length / 2)); // truncated: fails mid-count
    Path out = dir.resolve("counts");
    CliRun r = CliRun.run("wordcount", "--output", out.toString(), in.getParent().toString());
    assertEquals(Main.EXIT_USAGE, r.status(), r.err());
    assertTrue(r.err().contains("b.txt.gz"), r.err());
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of("in"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void overwriteWithoutOutput_isAUsageError() throws IOException {
    CliRun r = CliRun.run("wordcount", "--overwrite", input().toString());
    assertEquals(Main.EXIT_USAGE, r.status());
    assertTrue(r.err().contains("--overwrite needs --output"), r.err());
  }
}
