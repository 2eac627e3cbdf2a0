package dev.flowstage.flink.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The example jobs' mains give the same lines on Flink (file sink) and on the local runtime. */
final class JobsTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  /** Every line of the finished (non-hidden) files under {@code dir}, sorted. */
  static List<String> lines(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        if (!f.getFileName().toString().startsWith(".")) {
          out.addAll(Files.readAllLines(f));
        }
      }
    }
    out.sort(null);
    return out;
  }

  @Test
  void wordCount_flinkAndLocal_sameLines(@TempDir Path dir) throws Exception {
    Random random = new Random(3);
    Path in = Files.createDirectories(dir.resolve("in"));
    for (int f = 0; f < 3; f++) {
      List<String> text = new ArrayList<>();
      for (int l = 0; l < 200; l++) {
        text.add("w" + random.nextInt(50) + " w" + random.nextInt(50) + "\tw" + random.nextInt(9));
      }
      Files.write(in.resolve("f" + f + ".txt"), text);
    }
    String[] common = {"--input", in.toUri().toString(), "--stages", "2"};
    WordCountJob.main(concat(common, "--output", dir.resolve("flink").toString()));
    WordCountJob.main(
        concat(common, "--output", dir.resolve("local").toString(), "--engine", "local"));
    List<String> local = lines(dir.resolve("local"));
    assertFalse(local.isEmpty());
    assertEquals(local, lines(dir.resolve("flink")));
    assertEquals(1800, local.stream().mapToLong(l -> Long.parseLong(l.split("\t")[1])).sum());
  }

  @Test
  void windowedSums_flinkAndLocal_samePanes(@TempDir Path dir) throws Exception {
    Random random = new Random(5);
    List<String> readings = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      readings.add("k" + random.nextInt(7) + " " + random.nextInt(100));
    }
    Path in = Files.write(dir.resolve("readings.txt"), readings);
    String[] common = {"--input", in.toString(), "--stages", "2", "--pane", "50"};
    WindowedSumJob.main(concat(common, "--output", dir.resolve("flink").toString()));
    WindowedSumJob.main(
        concat(common, "--output", dir.resolve("local").toString(), "--engine", "local"));
    List<String> local = lines(dir.resolve("local"));
    assertTrue(local.size() >= 20, "1000 events in panes of 50: " + local.size());
    assertEquals(local, lines(dir.resolve("flink")));
  }

  @Test
  void badArguments_usageInTheMessage() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> WordCountJob.main(new String[0]));
    assertTrue(e.getMessage().contains("--input is required"), e.getMessage());
    assertTrue(e.getMessage().contains("usage: WordCountJob"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> JobArgs.parse("x", new String[] {"--input", "a", "--stages", "0"}));
  }

  private static String[] concat(String[] a, String... b) {
    return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
  }
}
