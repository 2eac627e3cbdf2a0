package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.flow.logic.words.GzipTexts;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancelled or failed run of the fused {@code frequencies()} stops a reading stage in the middle
 * of a large {@code .gz} file (one chunk, one reducer call) at its next buffer, not at the end of
 * the file: the stage thread is interrupted and the reading loop checks between buffers. Checked
 * structurally, by the buffers read after the cancel (the file has {@link #MIB} of them).
 */
class FlowFrequenciesCancelTest {
  /** The decompressed size in MiB: one read per MiB on the fused plan's 1 MiB buffer. */
  private static final int MIB = 192;

  /**
   * The most buffers a reading stage may read once the run is abandoned: the ones in flight, and
   * those read while the cancelling thread reaches the stages. Without the interrupt the stage
   * reads the whole file.
   */
  private static final int AFTER_CANCEL = MIB / 4;

  @TempDir static Path dir;
  private static Path gz;

  @BeforeAll
  static void largeGzip() throws IOException {
    gz = dir.resolve("large.txt.gz");
    GzipTexts.writeLargeGzip(gz, MIB, 7);
  }

  @Test
  void cancel_whileReadingALargeGzipFile_stopsWithinBuffers() {
    long before = GzipTexts.streamReads();
    RunningFlow<List<KeyCount<String>>> run =
        Flow.fromFiles(gz).flatMap(Tokenizer.SPACE).frequencies().start(Collectors.toList());
    awaitReading(before);
    long atCancel = GzipTexts.streamReads();
    run.cancel();
    long read = GzipTexts.streamReads() - atCancel;
    assertTrue(read <= AFTER_CANCEL, read + " buffers read after the cancel, of " + MIB);
    assertThrows(CancellationException.class, run::await);
    assertTrue(run.isTerminated());
    assertFalse(GzipTexts.readAheadAlive(), "a read-ahead thread outlived the run");
  }

  @Test
  void failureOfAnotherReadingStage_stopsTheGzipReader_andIsTheOneReported() throws Exception {
    // The plain file's one line is longer than the bound: its reading stage fails while the other
    // is in the middle of the gzip file. The order is made certain by the readers' hook, whatever
    // the carriers and the host's load: the gzip reader is held before its third buffer (parked,
    // so one carrier serves both) until an interrupt releases it, and the plain file's reader
    // starts only once the gzip reader is held. Only the run's interrupt, after the other stage's
    // failure, lets the gzip reader go on, and then it must stop at once.
    Path plain = dir.resolve("long-line.txt");
    Files.write(plain, "x".repeat(2 << 20).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    CountDownLatch gzipHeld = new CountDownLatch(1);
    AtomicInteger gzipReads = new AtomicInteger();
    AtomicBoolean interruptedWhileHeld = new AtomicBoolean();
    GzipTexts.beforeRead(
        file -> {
          if (file.toString().equals(gz.toString()) && gzipReads.incrementAndGet() == 3) {
            gzipHeld.countDown();
            awaitQuietly(new CountDownLatch(1)); // opened by nothing: only an interrupt ends it
            interruptedWhileHeld.set(Thread.currentThread().isInterrupted());
          } else if (file.toString().equals(plain.toString())) {
            awaitQuietly(gzipHeld);
          }
        });
    long before = GzipTexts.streamReads();
    try {
      Flow<KeyCount<String>> flow =
          Flow.fromFiles(List.of(gz, plain), o -> o.stages(2), f -> f.maxLineBytes(1 << 20))
              .flatMap(Tokenizer.SPACE)
              .frequencies();
      FlowException e = assertThrows(FlowException.class, flow::toList);
      long read = GzipTexts.streamReads() - before;
      assertTrue(interruptedWhileHeld.get(), "the held gzip reader was not interrupted");
      assertEquals(2, read, "buffers read in all, of " + MIB + ": the two before the hold");
      assertTrue(
          GzipTexts.innermost(e, "a line longer than").contains("long-line.txt"), e.toString());
      for (Throwable c = e; c != null; c = c.getCause()) {
        assertFalse(c instanceof InterruptedIOException, "the interrupt was reported: " + e);
        assertEquals(0, c.getSuppressed().length, "suppressed failures: " + e);
      }
    } finally {
      GzipTexts.beforeRead(null);
    }
    assertFalse(GzipTexts.readAheadAlive(), "a read-ahead thread outlived the run");
  }

  /**
   * Waits for {@code latch} on a reading stage's thread, giving up after a hang guard (a run that
   * never interrupts its held reader then reads the whole file, which the test reports), and keeps
   * an interrupt for the reader to see.
   */
  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void interruptedAwait_cancels_andReturnsOnlyOnceEveryThreadHasEnded() {
    long before = GzipTexts.streamReads();
    RunningFlow<List<KeyCount<String>>> run =
        Flow.fromFiles(gz).flatMap(Tokenizer.SPACE).frequencies().start(Collectors.toList());
    Thread awaiting = Thread.currentThread();
    Thread.ofPlatform()
        .start(
            () -> {
              awaitReading(before);
              awaiting.interrupt();
            });
    try {
      // The interrupted caller's close still joins every stage (it got the interrupt back after):
      // before, its joins gave up at once and the reading stage and its read-ahead thread ran on.
      assertThrows(CancellationException.class, run::await);
      assertTrue(Thread.currentThread().isInterrupted(), "the interrupt was swallowed");
      assertTrue(run.isTerminated(), "threads of the run outlived await()");
      assertFalse(GzipTexts.readAheadAlive(), "a read-ahead thread outlived the run");
    } finally {
      Thread.interrupted(); // not to leak into the next test
    }
  }

  /** Waits until a gzip reader has read a buffer since {@code before}; a hang guard only. */
  private static void awaitReading(long before) {
    for (int i = 0; i < 120_000; i++) {
      if (GzipTexts.streamReads() > before) {
        return;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted");
      }
    }
    fail("the gzip file was never read");
  }
}
