package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowstage wordcount} on one large {@code .gz} file (one chunk of the byte path, counted by
 * one reducer call) stops reading at its next buffer when its run is cancelled, instead of counting
 * the whole file first. Checked structurally: the reading stage tells progress once per buffer, so
 * the tells after the cancel are the buffers it read after it.
 */
final class GzipCancelTest {
  /** The decompressed size in MiB: one read per MiB on the CLI's 1 MiB buffer. */
  private static final int MIB = 192;

  @TempDir Path dir;

  @Test
  void interruptedRun_ofALargeGzipFile_stopsReadingWithinBuffers() throws Exception {
    Path gz = dir.resolve("large.txt.gz");
    writeLargeGzip(gz);
    WordCountJob job = WordCountJob.of(List.of(new Input.FileInput(gz, Files.size(gz))));
    AtomicReference<Thread> runner = new AtomicReference<>();
    AtomicInteger afterCancel = new AtomicInteger(-1);
    // The first buffer read interrupts the thread running the job, which cancels its run (as ^C or
    // a caller's interrupt does); every later tell is a buffer read after that.
    LongAdder progress =
        new LongAdder() {
          @Override
          public void add(long x) {
            super.add(x);
            if (afterCancel.getAndIncrement() == -1) {
              runner.get().interrupt();
            }
          }
        };
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t =
        Thread.ofPlatform()
            .unstarted(
                () -> {
                  try {
                    new FlowWordCountEngine().run(job, progress);
                  } catch (Throwable e) {
                    thrown.set(e);
                  }
                });
    runner.set(t);
    t.start();
    t.join(Duration.ofMinutes(2)); // a hang guard only
    assertFalse(t.isAlive(), "the run did not end");
    assertInstanceOf(CancellationException.class, thrown.get());
    assertTrue(
        afterCancel.get() <= MIB / 4,
        afterCancel.get() + " buffers read after the cancel, of " + MIB);
    List<String> left =
        Thread.getAllStackTraces().entrySet().stream()
            .filter(r -> r.getKey().isAlive() && r.getKey().getName().startsWith("flowstage-read"))
            .map(r -> r.getKey().getName() + " " + List.of(r.getValue()))
            .toList();
    assertTrue(left.isEmpty(), "read-ahead threads outlived the run: " + left);
  }

  /**
   * {@link #MIB} MiB of text gzipped: one 16 KiB block of seeded random words repeated (inside
   * deflate's window), so the file is small on disk and its reader takes many buffers.
   */
  private static void writeLargeGzip(Path file) throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    byte[] block = new byte[16 << 10];
    for (int i = 0; i < block.length; i++) {
      block[i] =
          (byte) (random.nextInt(8) == 0 ? ' ' : i % 61 == 60 ? '\n' : 'a' + random.nextInt(6));
    }
    try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
      for (int i = 0; i < MIB * 64; i++) {
        out.write(block);
      }
    }
  }
}
