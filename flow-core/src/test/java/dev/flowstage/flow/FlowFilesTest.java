package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.plan.Plan;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FlowFilesTest {
  @TempDir Path dir;

  private static Map<String, Long> oracle(List<Path> files) throws IOException {
    List<String> words = new ArrayList<>();
    for (Path f : files) {
      for (String line : Files.readAllLines(f)) {
        Arrays.stream(line.split(" ")).filter(w -> !w.isEmpty()).forEach(words::add);
      }
    }
    return words.stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
  }

  private Path write(String name, int lines, int seed) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    try (BufferedWriter w = Files.newBufferedWriter(p)) {
      for (int i = 0; i < lines; i++) {
        w.write("alpha w" + ((i * 31 + seed) % 97) + " beta gamma" + (i % 3) + "\n");
      }
    }
    return p;
  }

  @Test
  void wordCount_directoryOfFilesSplitIntoRanges_matchesSequentialCounts() throws IOException {
    Path a = write("d/a.txt", 20_000, 1);
    Path b = write("d/sub/b.txt", 5_000, 2);
    Map<String, Long> counts =
        Flow.fromFiles(List.of(dir.resolve("d")), o -> o.splitBytes(64 * 1024))
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .partition(o -> o.stages(3))
            .reduce(
                () -> new java.util.HashMap<String, Long>(),
                (m, w) -> {
                  m.merge(w, 1L, Long::sum);
                  return m;
                })
            .departition(
                java.util.HashMap<String, Long>::new,
                (all, m) -> {
                  all.putAll(m);
                  return all;
                },
                all -> all)
            .toList()
            .get(0);
    assertEquals(oracle(List.of(a, b)), counts);
    assertTrue(
        Flow.fromFiles(List.of(a), o -> o.splitBytes(64 * 1024)).graph().nodes().get(0).stages()
            > 1);
  }

  @Test
  void malformedInput_isReplacedAndCountedInStatistics() throws IOException {
    Path f = dir.resolve("bad.txt");
    Files.write(f, new byte[] {'o', 'k', '\n', (byte) 0xFF, 'x', '\n'});
    RunningFlow<List<String>> run = Flow.fromFiles(f).map(s -> s).start(Collectors.toList());
    List<String> lines = new ArrayList<>(run.await());
    lines.sort(null);
    assertEquals(List.of("ok", "\uFFFDx"), lines);
    assertEquals(1, run.statistics().malformedInput());
  }

  @Test
  void charset_isSelectable() throws IOException {
    Path f =
        Files.writeString(
            dir.resolve("latin1.txt"), "caf\u00e9\nna\u00efve\n", StandardCharsets.ISO_8859_1);
    List<String> lines =
        new ArrayList<>(
            Flow.fromFiles(List.of(f), o -> o.charset(StandardCharsets.ISO_8859_1)).toList());
    lines.sort(null);
    assertEquals(List.of("caf\u00e9", "na\u00efve"), lines);
  }

  @Test
  void missingFile_failsWhenTheFlowRuns() {
    Flow<String> f = Flow.fromFiles(dir.resolve("nope.txt"));
    assertTrue(
        org.junit.jupiter.api.Assertions.assertThrows(FlowException.class, f::toList)
            .getMessage()
            .contains("nope.txt"));
  }

  /**
   * {@code graph()} lists the files as a run does, and fails for a missing one as every terminal
   * does: the same exception type, stage and cause; {@code describe()} reads nothing. Both the line
   * path's plan and the fused word count (which decides on the byte path from the files).
   */
  @Test
  void missingFile_graphFailsAsTheTerminals_describeReadsNothing() {
    Path missing = dir.resolve("nope.txt");
    for (Flow<?> f :
        List.of(
            Flow.fromFiles(missing),
            Flow.fromFiles(missing).flatMap(Tokenizer.SPACE).frequencies())) {
      FlowException run = assertThrows(FlowException.class, f::toList);
      FlowException graph = assertThrows(FlowException.class, f::graph);
      assertEquals(Plan.Source.Files.STAGE, run.stage());
      assertEquals(run.stage(), graph.stage());
      assertEquals(java.nio.file.NoSuchFileException.class, graph.getCause().getClass());
      assertEquals(run.getCause().getClass(), graph.getCause().getClass());
      assertEquals(run.getCause().getMessage(), graph.getCause().getMessage());
      assertTrue(graph.getMessage().contains("nope.txt"), graph.getMessage());
      assertTrue(f.describe().contains("fromFiles"), f.describe());
    }
  }

  /** A file larger than the forked JVM's whole heap is counted correctly in bounded memory. */
  @Test
  void wordCount_fileLargerThanHeap_runsInForkedSmallHeapJvm() throws Exception {
    Path big = dir.resolve("big.txt");
    long lines = 0;
    try (BufferedWriter w = Files.newBufferedWriter(big)) {
      String[] words = new String[1000];
      for (int i = 0; i < words.length; i++) {
        words[i] = "word" + i;
      }
      StringBuilder line = new StringBuilder();
      int k = 0;
      while (Files.size(big) < 0 || lines < 1_100_000) {
        line.setLength(0);
        for (int j = 0; j < 10; j++) {
          line.append(words[k++ % words.length]).append(' ');
        }
        line.append('\n');
        w.write(line.toString());
        lines++;
      }
    }
    long size = Files.size(big);
    assertTrue(size > 64L << 20, "generated file is only " + size + " bytes");
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-Xmx32m",
                "-XX:+UseSerialGC",
                "-cp",
                cp,
                BigFileWordCount.class.getName(),
                big.toString())
            .redirectErrorStream(true)
            .start();
    String out;
    try (Stream<String> s = p.inputReader().lines()) {
      out = s.collect(Collectors.joining("\n"));
    }
    assertTrue(p.waitFor(50, TimeUnit.SECONDS), "forked JVM did not finish");
    assertEquals(0, p.exitValue(), out);
    String last = out.lines().reduce((x, y) -> y).orElse("");
    assertEquals(lines * 10 + " 1000", last, out);
  }
}
