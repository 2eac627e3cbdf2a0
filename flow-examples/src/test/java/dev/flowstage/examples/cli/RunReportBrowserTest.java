package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowReport;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.RunningFlow;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run report renders in a real browser: headless Chromium takes a screenshot that is not blank
 * and its DOM has one SVG node per stage. Without Chromium the test is skipped, except in CI
 * ({@code CI=true}), where {@code .ci/run} installs it and a missing browser is a failure.
 */
final class RunReportBrowserTest {
  private static final Pattern SVG_STAGE =
      Pattern.compile("<g class=\"stage( bottleneck)?\" data-stage=\"([^\"]*)\"");

  @Test
  void wordcountReport_rendersTheGraphAndBars(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("run.html");
    CliRun run = CliRun.run("wordcount", "--stages", "2", "--report", html.toString());
    assertEquals(0, run.status(), run.err());
    assertTrue(Files.size(html) > 1_000);
    String page = Files.readString(html);
    assertTrue(page.contains("flowstage wordcount: run report"));
    Set<String> stages = svgStages(page);
    assertTrue(stages.size() >= 4, () -> "stages in the page: " + stages);
    render(html, dir, stages, "wordcount");
  }

  @Test
  void libraryReport_ofAnyFinishedFlow_renders(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("flow.html");
    Set<String> stages =
        sumAndReport(html).stages().stream()
            .map(dev.flowstage.stage.StageStats::name)
            .collect(Collectors.toSet());
    assertEquals(stages, svgStages(Files.readString(html)));
    render(html, dir, stages, "library");
  }

  // snippet-start: run-report
  static FlowStatistics sumAndReport(Path html) throws IOException {
    try (RunningFlow<List<Integer>> run =
        Flow.fromEnumerable(IntStream.range(0, 20_000).boxed().toList(), o -> o.stages(2))
            .map(x -> x % 97)
            .partition(o -> o.stages(3))
            .reduce(() -> 0, Integer::sum)
            .start(Collectors.toList())) {
      run.await();
      FlowReport.write(run, html); // the statistics are final once the flow has finished
      return run.statistics();
    }
  }

  // snippet-end: run-report

  @Test
  void report_toAMissingDirectory_isAUsageErrorBeforeCounting(@TempDir Path dir) {
    CliRun run =
        CliRun.run("wordcount", "--report", dir.resolve("no/such/dir/run.html").toString());
    assertEquals(2, run.status());
    assertTrue(run.err().contains("--report: no such directory"), run.err());
    assertTrue(run.errIsOneLine(), run.err());
    assertEquals("", run.out());
  }

  private static Set<String> svgStages(String page) {
    Set<String> names = new HashSet<>();
    Matcher m = SVG_STAGE.matcher(page);
    while (m.find()) {
      assertTrue(names.add(m.group(2)), "one node per stage, " + m.group(2) + " twice");
    }
    return names;
  }

  /** Screenshots the page and dumps its DOM with headless Chromium, and checks both. */
  private static void render(Path html, Path dir, Set<String> stages, String name)
      throws IOException, InterruptedException {
    Path chromium = chromium();
    Path png = dir.resolve(name + ".png");
    String url = html.toUri().toString();
    run(chromium, dir, name + "-shot", "--screenshot=" + png, "--window-size=1280,1400", url);
    BufferedImage image = ImageIO.read(png.toFile());
    assertTrue(image != null, "chromium wrote no PNG");
    assertEquals(1280, image.getWidth());
    assertNotBlank(image);
    copyForHumans(png, name);

    String dom = run(chromium, dir, name + "-dom", "--dump-dom", url);
    assertEquals(stages, svgStages(dom), "the browser's DOM has one SVG node per stage");
    assertTrue(dom.contains("<svg"), "the graph is inline SVG");
  }

  /** Many distinct colours and a real share of non-white pixels: the page drew something. */
  private static void assertNotBlank(BufferedImage image) {
    Set<Integer> colours = new HashSet<>();
    long inked = 0;
    long total = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y) & 0xFFFFFF;
        colours.add(rgb);
        total++;
        if (rgb != 0xFFFFFF) {
          inked++;
        }
      }
    }
    assertTrue(colours.size() >= 32, "only " + colours.size() + " colours: blank page?");
    assertTrue(inked * 20 > total, "under 5% of the page drawn: " + inked + "/" + total);
  }

  /** Leaves the screenshot under target/ so a person can look at it. */
  private static void copyForHumans(Path png, String name) throws IOException {
    Path target = Path.of("target", "report-screenshots");
    Files.createDirectories(target);
    Files.copy(
        png, target.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static String run(Path chromium, Path dir, String name, String... args)
      throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    Path stdout = dir.resolve(name + ".out");
    Path stderr = dir.resolve(name + ".err");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                chromium.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--user-data-dir=" + profile));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      fail("chromium did not finish in 90 s: " + command);
    }
    assertEquals(
        0,
        p.exitValue(),
        () -> "chromium failed: " + command + "\n" + read(stderr).lines().limit(20).toList());
    return read(stdout);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  /** Chromium from PATH; skipped locally when missing, a failure in CI. */
  private static Path chromium() {
    Optional<Path> found = Optional.empty();
    String path = System.getenv().getOrDefault("PATH", "");
    for (String name : List.of("chromium", "chromium-browser")) {
      for (String d : path.split(File.pathSeparator)) {
        Path candidate = Path.of(d.isEmpty() ? "." : d, name);
        if (found.isEmpty() && Files.isExecutable(candidate)) {
          found = Optional.of(candidate);
        }
      }
    }
    if (found.isEmpty()) {
      String message = "chromium is not installed (Debian: apt-get install -y chromium)";
      if ("true".equals(System.getenv("CI"))) {
        fail(message + "; .ci/run installs it, so CI must have it");
      }
      Assumptions.abort(message);
    }
    return found.get();
  }
}
