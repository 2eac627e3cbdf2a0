package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowstage wordcount} counts a file, or standard input, that is one line, several times
 * larger than the whole heap of a forked JVM: the byte path never holds a line, only the word a
 * chunk boundary (or a read of standard input) cuts.
 */
final class LongLineHeapTest {
  @TempDir Path dir;

  @Test
  void wordcount_oneLineLargerThanHeap_countsInForkedSmallHeapJvm() throws Exception {
    Path big = dir.resolve("one-line.txt");
    long words = 0;
    byte[] block = blockOfWords();
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(big), 1 << 16)) {
      while (words < 12_000_000) { // about 95 MB, no newline at all
        out.write(block);
        words += 1000;
      }
    }
    assertTrue(Files.size(big) > 64L << 20, "generated file is only " + Files.size(big));
    Process p = wordcountInSmallHeap(big.toString());
    String out;
    try (Stream<String> s = p.inputReader().lines()) {
      out = s.collect(Collectors.joining("\n"));
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "forked JVM did not finish");
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("\"lines\":1,"), out);
    assertTrue(out.contains("\"words\":" + words + ","), out);
    assertTrue(out.contains("\"distinct\":1000,"), out);
  }

  /**
   * The same line piped into standard input ({@code producer | flowstage wordcount -}): one stream
   * chunk of the byte path, read by one stage a buffer at a time. On the line path it was decoded
   * into one string of about 190 MB, which a 32 MB heap cannot hold.
   */
  @Test
  void wordcount_standardInputOneLineLargerThanHeap_countsInForkedSmallHeapJvm() throws Exception {
    Process p = wordcountInSmallHeap("-");
    byte[] block = blockOfWords();
    long[] written = {0, 0}; // words, bytes
    Thread producer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try (OutputStream out = p.getOutputStream()) {
                    while (written[0] < 12_000_000) { // about 95 MB, no newline at all
                      out.write(block);
                      written[0] += 1000;
                      written[1] += block.length;
                    }
                  } catch (java.io.IOException e) {
                    // The JVM ended early: its exit status and output below say why.
                  }
                });
    String out;
    try (Stream<String> s = p.inputReader().lines()) {
      out = s.collect(Collectors.joining("\n"));
    }
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "forked JVM did not finish");
    producer.join();
    assertEquals(0, p.exitValue(), out);
    assertTrue(written[1] > 64L << 20, "piped only " + written[1]);
    assertTrue(out.contains("\"bytes\":" + written[1] + ","), out);
    assertTrue(out.contains("\"lines\":1,"), out);
    assertTrue(out.contains("\"words\":" + written[0] + ","), out);
    assertTrue(out.contains("\"distinct\":1000,"), out);
  }

  /** {@code flowstage wordcount --json} of {@code input} in a forked JVM with a 32 MB heap. */
  private static Process wordcountInSmallHeap(String input) throws java.io.IOException {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            java.toString(),
            "-Xmx32m",
            "-XX:+UseSerialGC",
            "-cp",
            cp,
            Main.class.getName(),
            "wordcount",
            "--json",
            "--no-progress",
            "--stages",
            "2",
            input)
        .redirectErrorStream(true)
        .start();
  }

  /** A thousand distinct words, each followed by a space. */
  private static byte[] blockOfWords() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      b.append("word").append(i).append(' ');
    }
    return b.toString().getBytes(StandardCharsets.US_ASCII);
  }
}
