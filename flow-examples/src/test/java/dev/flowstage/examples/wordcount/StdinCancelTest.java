package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * {@code flowstage wordcount -} on standard input that never ends (one chunk of the byte path, read
 * by one reducer call) stops reading when its run is cancelled: the reading stage checks for the
 * interrupt before each buffer, as it does for a gzip file. Without the check the run would never
 * end. Standard input is not closed, and the thread that read it does not outlive the run.
 */
final class StdinCancelTest {
  @Test
  void interruptedRun_ofEndlessStandardInput_stopsReadingAndLeavesItOpen() throws Exception {
    Endless stdin = new Endless();
    WordCountJob job = WordCountJob.of(List.of(new Input.StdinInput(stdin)));
    AtomicReference<Thread> runner = new AtomicReference<>();
    AtomicInteger readsAtCancel = new AtomicInteger(-1);
    // The tenth read interrupts the thread running the job, which cancels its run (as ^C or a
    // caller's interrupt does).
    stdin.onRead =
        reads -> {
          if (reads == 10 && readsAtCancel.compareAndSet(-1, reads)) {
            runner.get().interrupt();
          }
        };
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread t =
        Thread.ofPlatform()
            .unstarted(
                () -> {
                  try {
                    new FlowWordCountEngine().run(job, new LongAdder());
                  } catch (Throwable e) {
                    thrown.set(e);
                  }
                });
    runner.set(t);
    t.start();
    t.join(Duration.ofMinutes(2)); // a hang guard only
    assertFalse(t.isAlive(), "the run did not end: standard input is still read");
    assertInstanceOf(CancellationException.class, thrown.get());
    int after = stdin.reads.get() - readsAtCancel.get();
    assertTrue(after <= 64, after + " buffers read after the cancel");
    assertEquals(0, stdin.closes.get(), "standard input was closed");
    Thread reader = stdin.reader.get();
    reader.join(Duration.ofMinutes(1)); // a hang guard only: the run's close joined it already
    assertFalse(reader.isAlive(), "the thread that read standard input outlived the run");
  }

  /** Words forever, as fast as asked for; counts reads and closes, and keeps its reader. */
  private static final class Endless extends InputStream {
    private static final byte[] WORDS = "alpha beta gamma\n".getBytes(StandardCharsets.US_ASCII);
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final AtomicReference<Thread> reader = new AtomicReference<>();
    volatile java.util.function.IntConsumer onRead = reads -> {};
    private long at;

    @Override
    public int read() {
      byte[] one = new byte[1];
      read(one, 0, 1);
      return one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      reader.compareAndSet(null, Thread.currentThread());
      onRead.accept(reads.incrementAndGet());
      for (int i = 0; i < len; i++) {
        b[off + i] = WORDS[(int) (at++ % WORDS.length)];
      }
      return len;
    }

    @Override
    public void close() {
      closes.incrementAndGet();
    }
  }
}
