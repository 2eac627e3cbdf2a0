package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowstage wordcount} over files listed at size 0 that still have bytes (the files of
 * {@code /proc} and {@code /sys}): counted as the same bytes in a regular file, the summary's bytes
 * too; they used to count as empty. {@code /proc/version} and {@code /proc/filesystems} do not
 * change while the test runs; where they are missing or sized (not Linux) the test is skipped.
 */
final class UnsizedFilesTest {
  @TempDir Path dir;

  private static Path unsized(String name) throws IOException {
    Path p = Path.of(name);
    assumeTrue(Files.isRegularFile(p) && Files.size(p) == 0, name + " is not a file listed at 0");
    assumeTrue(Files.readAllBytes(p).length > 0, name + " is empty");
    return p;
  }

  private static String withoutTime(String json) {
    return json.replaceAll("\"elapsedMs\":\\d+", "");
  }

  @Test
  void procFiles_countAsTheSameBytesInRegularFiles() throws IOException {
    Path version = unsized("/proc/version");
    Path filesystems = unsized("/proc/filesystems");
    Path v = Files.write(dir.resolve("version"), Files.readAllBytes(version));
    Path f = Files.write(dir.resolve("filesystems"), Files.readAllBytes(filesystems));
    Files.createFile(dir.resolve("empty"));
    for (String tokenizer : new String[] {"space", "words"}) {
      CliRun proc =
          CliRun.run(
              "wordcount",
              "--json",
              "--tokenizer",
              tokenizer,
              version.toString(),
              filesystems.toString(),
              dir.resolve("empty").toString());
      CliRun regular =
          CliRun.run(
              "wordcount",
              "--json",
              "--tokenizer",
              tokenizer,
              v.toString(),
              f.toString(),
              dir.resolve("empty").toString());
      assertEquals(0, proc.status(), proc.err());
      assertEquals(withoutTime(regular.out()), withoutTime(proc.out()));
      assertTrue(!proc.out().contains("\"bytes\":0,"), proc.out());
    }
  }
}
