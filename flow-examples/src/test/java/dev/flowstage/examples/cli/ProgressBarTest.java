package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    ProgressBar bar = new ProgressBar(err, 1000, () -> 500, 0);
    long deadline = System.nanoTime() + 10 * SECOND;
    while (!snapshot(sink, err).contains("50%") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    bar.close();
    String drawn = snapshot(sink, err);
    assertTrue(drawn.contains("\r[############............]  50%"), drawn);
    assertTrue(drawn.endsWith(" \r"), drawn);
  }

  private static String snapshot(StringWriter sink, PrintWriter err) {
    synchronized (err) {
      return sink.toString();
    }
  }
}
