package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.flowstage.flow.Flow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file listed at size 0 that still has lines (a file of {@code /proc}) gives the same lines on
 * Flink as locally, beside an empty file that gives none (Linux only: skipped elsewhere).
 */
final class FlinkUnsizedFilesTest {
  @Test
  void procFileAndEmptyFile_sameLinesAsLocal(@TempDir Path dir) throws Exception {
    Path version = Path.of("/proc/version");
    assumeTrue(Files.isRegularFile(version) && Files.size(version) == 0, "no /proc/version");
    Path empty = Files.createFile(dir.resolve("empty.txt"));
    List<String> local = sorted(Flow.fromFiles(version, empty).toList());
    assertFalse(local.isEmpty());
    assertEquals(sorted(Files.readAllLines(version)), local);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    assertEquals(
        local, sorted(FlinkFlows.run(env, Flow.fromFiles(version, empty).map(s -> s)).events()));
  }

  private static <T> List<T> sorted(List<T> events) {
    List<T> s = new ArrayList<>(events);
    s.sort(null);
    return s;
  }
}
