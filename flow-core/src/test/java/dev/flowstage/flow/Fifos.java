package dev.flowstage.flow;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * FIFOs that stand for pipes (bash's {@code <(command)}) in tests: each is filled by a writer
 * thread once a reader opens it. A test using one is skipped where there is no {@code mkfifo}.
 * Shared with flow-examples' tests through flow-core's test jar.
 */
public final class Fifos {
  private final Path dir;
  private final List<CompletableFuture<Void>> writers = new ArrayList<>();

  /**
   * FIFOs made in a folder.
   *
   * @param dir where they are made (a test's temporary folder)
   */
  public Fifos(Path dir) {
    this.dir = dir;
  }

  /**
   * Makes a FIFO that a writer thread fills with {@code bytes} once it is opened for reading.
   *
   * @param name its file name
   * @param bytes what the writer writes before it closes its end
   * @return the FIFO
   * @throws IOException if {@code mkfifo} cannot be started
   * @throws InterruptedException if interrupted while {@code mkfifo} runs
   */
  public Path make(String name, byte[] bytes) throws IOException, InterruptedException {
    Path fifo = mkfifo(dir.resolve(name));
    writers.add(
        CompletableFuture.runAsync(
            () -> {
              try (OutputStream out = Files.newOutputStream(fifo)) { // waits for the reader
                out.write(bytes);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            // A platform thread per writer: each waits in open() for its reader, which would pin a
            // virtual thread's carrier, and the common pool may have only one thread.
            r -> Thread.ofPlatform().daemon().name("fifo-writer").start(r)));
    return fifo;
  }

  /**
   * Makes a FIFO with no writer; skips the calling test where there is no {@code mkfifo}.
   *
   * @param fifo where to make it
   * @return {@code fifo}
   * @throws IOException if {@code mkfifo} cannot be started
   * @throws InterruptedException if interrupted while {@code mkfifo} runs
   */
  public static Path mkfifo(Path fifo) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
    } catch (IOException e) {
      assumeTrue(false, "no mkfifo here: " + e.getMessage());
      throw e;
    }
    assumeTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");
    return fifo;
  }

  /**
   * Waits until every writer wrote all its bytes: the readers read each FIFO to its end.
   *
   * @throws Exception if a writer failed, or did not finish within a minute
   */
  public void awaitWriters() throws Exception {
    for (CompletableFuture<Void> w : writers) {
      w.get(60, TimeUnit.SECONDS);
    }
  }
}
