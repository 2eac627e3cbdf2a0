package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

final class ProgressBarTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void render_knownTotal_showsBarPercentRateAndEta() {
    assertEquals(
        "[######..................]  25%  8.0 MiB of 32.0 MiB  4.0 MiB/s  ETA 0:06",
        ProgressBar.render(8L << 20, 32L << 20, 2 * SECOND));
  }

  @Test
  void render_unknownTotal_showsBytesAndRateOnly() {
    assertEquals("1.5 KiB read  768 B/s", ProgressBar.render(1536, -1, 2 * SECOND));
  }

  @Test
  void render_longEta_showsHours() {
    assertTrue(ProgressBar.render(1, 10_000, SECOND).endsWith("ETA 2:46:39"));
  }

  @Test
  void render_nothingReadYet_hasNoEta() {
    assertTrue(ProgressBar.render(0, 100, SECOND).endsWith("ETA --:--"));
  }

  @Test
  void size_usesBinaryUnits() {
    assertEquals("512 B", ProgressBar.size(512));
    assertEquals("1.0 KiB", ProgressBar.size(1024));
    assertEquals("1.5 GiB", ProgressBar.size(3L << 29));
  }

  @Test
  void close_afterDrawing_erasesTheLine() throws InterruptedException {
    StringWriter sink = new StringWriter();
    PrintWriter err = new PrintWriter(sink);
    ProgressBar bar = new ProgressBar(err, 1000, () -> 500, 0, () -> 120);
    long deadline = System.nanoTime() + 10 * SECOND;
    while (!snapshot(sink, err).contains("50%") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    bar.close();
    String drawn = snapshot(sink, err);
    assertTrue(drawn.contains("\r[############............]  50%"), drawn);
    assertTrue(drawn.endsWith("\r\u001b[K"), drawn);
  }

  @Test
  void render_narrowTerminal_dropsEtaThenRateThenShrinksTheBar() {
    long done = 8L << 20;
    long total = 32L << 20;
    String full = ProgressBar.render(done, total, 2 * SECOND);
    assertEquals(full, ProgressBar.render(done, total, 2 * SECOND, full.length()));
    for (int width = 1; width < full.length(); width++) {
      String line = ProgressBar.render(done, total, 2 * SECOND, width);
      assertTrue(line.length() <= width, width + ": " + line);
    }
    assertEquals(
        "[######..................]  25%  8.0 MiB of 32.0 MiB  4.0 MiB/s",
        ProgressBar.render(done, total, 2 * SECOND, 64));
    assertEquals(
        "[######..................]  25%  8.0 MiB of 32.0 MiB",
        ProgressBar.render(done, total, 2 * SECOND, 52));
    assertEquals(
        "[######..................]  25%", ProgressBar.render(done, total, 2 * SECOND, 39));
    assertEquals("[###..........]  25%", ProgressBar.render(done, total, 2 * SECOND, 20));
  }

  @Test
  void draw_followsTheTerminalWidth_atEveryRedraw() {
    StringWriter sink = new StringWriter();
    PrintWriter err = new PrintWriter(sink);
    int[] columns = {120};
    ProgressBar bar = new ProgressBar(err, 1000, () -> 500, 0, () -> columns[0]);
    long deadline = System.nanoTime() + 10 * SECOND;
    while (!snapshot(sink, err).contains("ETA") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    columns[0] = 20; // the terminal was made narrower
    int before = snapshot(sink, err).length();
    while (snapshot(sink, err).length() == before && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    bar.close();
    String drawn = snapshot(sink, err);
    String last = drawn.substring(drawn.lastIndexOf("\r", drawn.length() - 5) + 1);
    last = last.substring(0, last.indexOf('\u001b'));
    assertTrue(last.length() <= 19, "drawn in a 20-column terminal: '" + last + "'");
  }

  @Test
  void jvmExit_whileDrawing_erasesTheLine() throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p =
        new ProcessBuilder(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                cp,
                ProgressBarExit.class.getName())
            .start();
    String err =
        new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(130, p.exitValue(), err);
    assertTrue(err.contains("50%"), err);
    assertTrue(err.endsWith("\r\u001b[K"), "the shutdown hook erased the bar: " + err);
  }

  @Test
  void columns_comesFromColumnsThenStty_elseDefault() {
    assertEquals(42, Terminal.columns("42", () -> 100));
    assertEquals(100, Terminal.columns(null, () -> 100));
    assertEquals(100, Terminal.columns("wide", () -> 100));
    assertEquals(Terminal.DEFAULT_COLUMNS, Terminal.columns(null, () -> -1));
  }

  @Test
  void allowsProgress_notWithNoColorOrADumbTerminal() {
    assertTrue(Terminal.allowsProgress(java.util.Map.of("TERM", "xterm-256color")));
    assertTrue(Terminal.allowsProgress(java.util.Map.of("NO_COLOR", "")));
    assertFalse(Terminal.allowsProgress(java.util.Map.of("NO_COLOR", "1")));
    assertFalse(Terminal.allowsProgress(java.util.Map.of("TERM", "dumb")));
  }

  private static String snapshot(StringWriter sink, PrintWriter err) {
    synchronized (err) {
      return sink.toString();
    }
  }
}
