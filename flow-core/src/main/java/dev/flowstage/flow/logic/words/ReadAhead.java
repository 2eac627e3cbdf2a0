package dev.flowstage.flow.logic.words;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads a stream ahead on a thread of its own, a block at a time, for one reader. A gzip chunk of
 * the byte path is inflated this way beside the counting of what it already gave, on another core,
 * instead of in turn with it on the reading stage's thread: one large {@code .gz} file then takes
 * about the longer of the two, not their sum. Bounded: at most {@link #BLOCKS} blocks of {@link
 * #BLOCK} bytes, made as they are first needed and reused. The stream's failure reaches the reader
 * as it was thrown, after the bytes read before it. {@link #close} stops the thread and waits for
 * it before closing the stream, so the stream is never used by two threads at once and no thread
 * outlives the read.
 */
final class ReadAhead extends InputStream {
  /**
   * Bytes per block: a hand-off wakes the reading stage's virtual thread from this platform thread,
   * which on a busy machine can take a millisecond; with 256 KiB blocks the hand-offs cost more
   * than the overlap gained (docs/adr/0006-cli-byte-path.md).
   */
  static final int BLOCK = 1 << 22;

  /** How its thread's name starts (then the file). */
  static final String THREAD_PREFIX = "flowstage-read-ahead ";

  /** Blocks at most: being filled, waiting, and being read. */
  static final int BLOCKS = 3;

  /** A filled block. */
  private record Filled(byte[] bytes, int length) {}

  /** The end of the stream. */
  private static final Object END = new Object();

  private final InputStream in;
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BLOCKS);
  private final BlockingQueue<Object> ready = new ArrayBlockingQueue<>(BLOCKS);
  private final Thread thread;
  private volatile boolean closed;
  private int made; // blocks made so far: the thread's

  // The reader's side.
  private byte[] block;
  private int pos;
  private int length;
  private boolean ended;

  /**
   * Starts reading {@code in} ahead.
   *
   * @param in the stream, read from now on only by this read-ahead's thread until it ends
   * @param name what the thread's name says it reads
   */
  ReadAhead(InputStream in, Object name) {
    this.in = in;
    this.thread = Thread.ofPlatform().daemon().name(THREAD_PREFIX + name).unstarted(this::fill);
    thread.start();
  }

  /**
   * The thread: fills free blocks and hands them over until the end, a failure (handed over after
   * the bytes read before it) or close.
   */
  private void fill() {
    try {
      while (true) {
        byte[] b = free.poll();
        if (b == null) {
          if (made < BLOCKS) {
            made++;
            b = new byte[BLOCK]; // a small file never needs them all
          } else {
            b = free.take();
          }
        }
        int n = 0;
        boolean end = false;
        Throwable failure = null;
        try {
          while (n < b.length && !closed) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) {
              end = true;
              break;
            }
            n += r;
          }
        } catch (IOException | RuntimeException | Error e) {
          failure = e;
        }
        if (closed) {
          return; // the reader is gone, and so may be the stream (interrupted)
        }
        if (n > 0) {
          ready.put(new Filled(b, n));
        }
        if (failure != null || end) {
          ready.put(failure != null ? failure : END);
          return;
        }
      }
    } catch (InterruptedException e) {
      // closed: the reader is gone
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] into, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (block == null || pos == length) {
      if (ended) {
        return -1;
      }
      if (block != null) {
        free.add(block);
        block = null;
      }
      Object next;
      try {
        next = ready.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading ahead");
      }
      switch (next) {
        case Filled f -> {
          block = f.bytes();
          length = f.length();
          pos = 0;
        }
        case IOException e -> throw e;
        case RuntimeException e -> throw e;
        case Error e -> throw e;
        default -> ended = true; // END
      }
    }
    int n = Math.min(len, length - pos);
    System.arraycopy(block, pos, into, off, n);
    pos += n;
    return n;
  }

  /** Stops the thread, waits for it, then closes the stream. */
  @Override
  public void close() throws IOException {
    closed = true;
    thread.interrupt();
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // keep waiting: the stream must not be closed under the thread
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    in.close();
  }
}
