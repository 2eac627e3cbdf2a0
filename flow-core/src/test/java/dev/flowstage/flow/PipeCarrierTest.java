package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.logic.PipeInput;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipes whose writers are slow, or have not opened them yet, are waited for on platform threads
 * ({@link PipeInput}): the JDK keeps a virtual thread on its carrier while it waits in a file's
 * open or read, so reading stages waiting on as many pipes as there are carriers used to stop every
 * virtual thread of the JVM until a writer came.
 */
@Timeout(120)
final class PipeCarrierTest {
  @TempDir Path dir;

  private Path fifo(String name) throws IOException, InterruptedException {
    return Fifos.mkfifo(dir.resolve(name));
  }

  /** The reading threads of pipes that are alive now. */
  private static List<Thread> pipeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("flowstage-pipe-") && t.isAlive())
        .toList();
  }

  /** Waits until {@code n} pipe threads are alive (the readers are waiting in the pipes). */
  private static void awaitPipeThreads(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (pipeThreads().size() < n) {
      assertTrue(
          System.nanoTime() < deadline,
          "expected " + n + " pipe reading threads, found " + pipeThreads());
      Thread.sleep(10);
    }
  }

  private static void awaitNoPipeThreads() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!pipeThreads().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "pipe threads left: " + pipeThreads());
      Thread.sleep(10);
    }
  }

  private static CompletableFuture<Void> write(Path fifo, String text) {
    return CompletableFuture.runAsync(
        () -> {
          try (OutputStream out = Files.newOutputStream(fifo)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        },
        r -> Thread.ofPlatform().daemon().name("test-writer").start(r));
  }

  @Test
  void pipesWaitingForTheirWriters_leaveEveryCarrierFree() throws Exception {
    int carriers =
        Integer.getInteger(
            "jdk.virtualThreadScheduler.parallelism", Runtime.getRuntime().availableProcessors());
    int n = carriers + 1; // more pipes than carriers: before, none was left for anything else
    List<Path> pipes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pipes.add(fifo("p" + i));
    }
    CompletableFuture<List<String>> lines =
        CompletableFuture.supplyAsync(
            () -> Flow.fromFiles(pipes, o -> o.stages(n)).toList(),
            r -> Thread.ofPlatform().daemon().name("test-run").start(r));
    awaitPipeThreads(n); // every pipe is being opened, none has a writer yet

    CountDownLatch ran = new CountDownLatch(1);
    Thread.ofVirtual().start(ran::countDown);
    assertTrue(
        ran.await(30, TimeUnit.SECONDS), "a virtual thread could not run while the pipes waited");

    List<CompletableFuture<Void>> writers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      writers.add(write(pipes.get(i), "line " + i + "\n"));
    }
    List<String> got = new ArrayList<>(lines.get(60, TimeUnit.SECONDS));
    got.sort(null);
    List<String> want = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      want.add("line " + i);
    }
    want.sort(null);
    assertEquals(want, got);
    for (CompletableFuture<Void> w : writers) {
      w.get(30, TimeUnit.SECONDS);
    }
    awaitNoPipeThreads();
  }

  @Test
  void cancellingARunWhosePipeHasNoWriter_endsTheThreadWaitingToOpenIt() throws Exception {
    Path pipe = fifo("never");
    RunningFlow<?> run = Flow.fromFiles(pipe).start();
    awaitPipeThreads(1);
    run.cancel();
    assertTrue(run.awaitTermination(Duration.ofSeconds(30)), "the run did not end");
    awaitNoPipeThreads(); // its open was ended by opening the pipe for writing once
  }

  @Test
  void cancellingARunWhosePipeWaitsInARead_endsTheThreadReadingIt() throws Exception {
    Path pipe = fifo("slow");
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              try (OutputStream out = Files.newOutputStream(pipe)) {
                out.write("first line\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                done.await(); // keeps its end open: the reader waits in read()
              } catch (IOException | InterruptedException e) {
                // the reader went away: expected once the run is cancelled
              }
            },
            r -> Thread.ofPlatform().daemon().name("test-writer").start(r));
    RunningFlow<?> run = Flow.fromFiles(pipe).start();
    awaitPipeThreads(1);
    run.cancel();
    assertTrue(run.awaitTermination(Duration.ofSeconds(30)), "the run did not end");
    awaitNoPipeThreads(); // its read was ended by closing the pipe under it
    done.countDown();
    writer.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aRegularFile_isReadAsBefore_andAMissingOne_failsWhenOpened() throws Exception {
    Path file = dir.resolve("f.txt");
    Files.writeString(file, "x\n");
    try (InputStream in = PipeInput.open(file)) {
      assertFalse(in instanceof PipeInput, "a regular file needs no thread");
      assertEquals("x\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertThrows(java.nio.file.NoSuchFileException.class, () -> PipeInput.open(dir.resolve("no")));
  }

  @Test
  void aFailedRead_isGivenToTheReader_andAgainOnTheNextRead() throws Exception {
    IOException boom = new IOException("device gone");
    InputStream failing =
        new InputStream() {
          @Override
          public int read() throws IOException {
            throw boom;
          }
        };
    try (InputStream in = PipeInput.of("failing", failing)) {
      assertEquals(boom, assertThrows(IOException.class, in::read));
      assertEquals(boom, assertThrows(IOException.class, in::read), "a failure, not an end");
    }
    awaitNoPipeThreads();
  }

  @Test
  void closingFromAnotherThread_wakesTheReaderWaitingForABlock_andEndsTheReadingThread()
      throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    InputStream silent =
        new InputStream() {
          @Override
          public int read() throws IOException {
            try {
              never.await(); // a writer that never writes; the close interrupts the wait
            } catch (InterruptedException e) {
              throw new java.io.InterruptedIOException("closed");
            }
            return -1;
          }
        };
    InputStream in = PipeInput.of("silent", silent);
    CompletableFuture<Throwable> reader = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                in.read();
                reader.complete(null);
              } catch (Throwable e) {
                reader.complete(e);
              }
            });
    awaitPipeThreads(1);
    in.close();
    Throwable e = reader.get(30, TimeUnit.SECONDS);
    assertTrue(e instanceof IOException && e.getMessage().contains("closed"), String.valueOf(e));
    awaitNoPipeThreads();
  }

  @Test
  void closingAsTheReadingThreadStarts_neverLeavesItWaitingForAWriter() throws Exception {
    Path pipe = fifo("race");
    for (int i = 0; i < 200; i++) {
      InputStream in = PipeInput.open(pipe);
      CountDownLatch reading = new CountDownLatch(1);
      Thread reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    reading.countDown();
                    try {
                      in.read();
                    } catch (IOException e) {
                      // closed under it: expected
                    }
                  });
      reading.await();
      in.close(); // at any point of the reading thread's start, before or during its open
      reader.join();
      awaitNoPipeThreads(); // each close ends its threads (and none outlives it to meet the next)
    }
  }

  @Test
  void standardInput_throughAPipeInput_isNotReadBeforeItsFirstRead_andGivesEveryByte()
      throws Exception {
    byte[] bytes = new byte[3 * 64 * 1024 + 17];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }
    int[] reads = new int[1];
    InputStream counted =
        new java.io.ByteArrayInputStream(bytes) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            reads[0]++;
            return super.read(b, off, len);
          }
        };
    try (InputStream in = PipeInput.of("test", counted)) {
      Thread.sleep(50);
      assertEquals(0, reads[0], "read before its first read");
      assertTrue(java.util.Arrays.equals(bytes, in.readAllBytes()));
      assertEquals(-1, in.read());
    }
    awaitNoPipeThreads();
  }
}
