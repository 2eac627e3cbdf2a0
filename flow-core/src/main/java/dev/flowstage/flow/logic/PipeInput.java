package dev.flowstage.flow.logic;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The bytes of a source whose reads wait for a writer (a named pipe, a device, standard input),
 * read on a platform thread of its own and handed over a block at a time.
 *
 * <p>Why: a stage runs on a virtual thread, and the JDK keeps a virtual thread on its carrier while
 * it waits in a file's {@code open} or {@code read}. A pipe whose writer is slow (or has not opened
 * it yet) would hold a carrier for as long as it waits, and as many such pipes as there are
 * carriers would stop every virtual thread of the JVM, the flow's own coordinator and the
 * application's threads included. Here the virtual thread waits on a queue instead, which frees its
 * carrier; the platform thread is the one that waits in the file system.
 *
 * <p>Nothing is read before the first read (standard input that is never read is left alone). At
 * most {@value #BLOCKS} blocks of up to {@value #BLOCK} bytes are read ahead. Closing stops the
 * reading thread: a pipe still waiting for its writer is opened for writing, which completes the
 * wait (and the reader then sees the end of its input); a pipe waiting in a read is closed under
 * it. A device or standard input waiting in a read keeps its thread (a daemon) until the read
 * returns, since nothing can end that read from outside.
 */
public final class PipeInput extends InputStream {
  /**
   * The most bytes one block holds: a read of a pipe gives at most its buffer (64 KiB on Linux),
   * and a block is filled further while more is already there, so a fast writer's bytes cross in
   * few hand-overs and a slow one's are handed over as soon as they come.
   */
  static final int BLOCK = 256 * 1024;

  /** How many blocks may wait to be read: a bound on the memory a slow reader lets fill up. */
  static final int BLOCKS = 4;

  private static final Object END = new Object();

  /** Put by {@link #close} for a reader waiting on the queue, which would otherwise wait on. */
  private static final Object CLOSED = new Object();

  /** Bytes read: {@code bytes[0, length)}. */
  private record Block(byte[] bytes, int length) {}

  /** Opens the source; run by the reading thread. */
  private interface Opener {
    InputStream open() throws IOException;
  }

  private final String name;
  private final Opener opener;

  /** The pipe to open for writing if closed while its reading thread waits in {@code open}. */
  private final Path fifo;

  private final BlockingQueue<Object> blocks = new ArrayBlockingQueue<>(BLOCKS);

  // Guarded by this: the reading thread's state, as close() needs it.
  private Thread pump;
  private InputStream source;
  private boolean opening;
  private boolean closed;
  private Thread unblocker;

  // The reader's side, used by one thread.
  private byte[] block;
  private int limit;
  private int pos;
  private boolean ended;
  private IOException failure;

  private PipeInput(String name, Opener opener, Path fifo) {
    this.name = name;
    this.opener = opener;
    this.fifo = fifo;
  }

  /**
   * Opens a file for reading: a regular file (or a link to one) as {@link Files#newInputStream}
   * does, anything else (a named pipe, a device) as a {@code PipeInput} that opens it on its first
   * read.
   *
   * @param path the file
   * @return its bytes
   * @throws IOException if the file does not exist or cannot be opened
   */
  public static InputStream open(Path path) throws IOException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
    if (a.isRegularFile() || a.isDirectory()) { // a folder fails in newInputStream, as before
      return Files.newInputStream(path);
    }
    return new PipeInput(path.toString(), () -> Files.newInputStream(path), path);
  }

  /**
   * Reads a stream whose reads may wait for a writer (standard input) through a {@code PipeInput}:
   * nothing is read from {@code in} before the first read of the result.
   *
   * @param name what the reading thread is named after
   * @param in the stream; closed when the result is (an ended read of it permitting)
   * @return its bytes
   */
  public static InputStream of(String name, InputStream in) {
    Objects.requireNonNull(in, "in");
    return new PipeInput(Objects.requireNonNull(name, "name"), () -> in, null);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    while (pos == limit) {
      if (failure != null) {
        throw failure;
      }
      if (ended) {
        return -1;
      }
      Object next = next();
      if (next == CLOSED) {
        throw new IOException(name + ": stream closed");
      }
      if (next == END) {
        ended = true;
        return -1;
      }
      if (next instanceof IOException e) {
        failure = e;
        throw e;
      }
      Block got = (Block) next;
      block = got.bytes();
      limit = got.length();
      pos = 0;
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(block, pos, b, off, n);
    pos += n;
    return n;
  }

  @Override
  public int available() {
    return limit - pos;
  }

  /** Takes the next block, starting the reading thread first if it is not running yet. */
  private Object next() throws IOException {
    synchronized (this) {
      if (closed) {
        throw new IOException(name + ": stream closed");
      }
      if (pump == null) {
        // Set before the thread starts: a close() from now on must end its open (see close()).
        opening = true;
        pump = Thread.ofPlatform().daemon().name("flowstage-pipe-" + name).start(this::pump);
      }
    }
    try {
      return blocks.take(); // parks a virtual thread: its carrier is free while the pipe waits
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while reading " + name);
    }
  }

  /** The reading thread: opens the source, then reads it block by block until it ends. */
  private void pump() {
    InputStream in;
    try { // even when closed already: a close() that saw it opening has a writer waiting to meet it
      in = opener.open();
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        opening = false;
      }
      hand(asIo(e));
      return;
    }
    Thread waitFor;
    synchronized (this) {
      opening = false;
      source = in;
      waitFor = closed ? unblocker : null;
    }
    if (waitFor != null) {
      // Closed while opening: keep the read end open until the unblocking writer has opened,
      // or its open would wait for a reader that is gone.
      joinQuietly(waitFor);
    }
    try {
      while (!isClosed()) {
        byte[] b = new byte[BLOCK];
        int n = in.read(b);
        if (n < 0) {
          hand(END);
          return;
        }
        int more;
        while (n < b.length && ready(in) && (more = in.read(b, n, b.length - n)) > 0) {
          n += more; // only what is there already: a slow writer's bytes are not held back
        }
        if (n > 0) {
          hand(new Block(b, n));
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!isClosed()) {
        hand(asIo(e)); // the reader's failure: it never waits for a block that cannot come
      }
    } finally {
      closeQuietly(in);
    }
  }

  /** Whether {@code in} has bytes that a read would give without waiting. */
  private static boolean ready(InputStream in) {
    try {
      return in.available() > 0;
    } catch (IOException e) {
      return false; // a stream that cannot tell: the next read says what is wrong
    }
  }

  /** Hands the reader a block, the end or a failure; gives up once closed. */
  private void hand(Object item) {
    try {
      while (!isClosed()) {
        if (blocks.offer(item, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      // closed: nobody reads any more
    }
  }

  private static IOException asIo(Exception e) {
    if (e instanceof IOException io) {
      return io;
    }
    if (e instanceof UncheckedIOException u) {
      return u.getCause();
    }
    return new IOException(e.getMessage(), e);
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /**
   * Stops the reading thread and closes the source: a pipe still waiting for its writer is opened
   * for writing to end the wait; one waiting in a read is closed under it.
   */
  @Override
  public void close() {
    InputStream in;
    Thread reader;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      in = source;
      reader = pump;
      if (opening && fifo != null) {
        unblocker =
            Thread.ofPlatform()
                .daemon()
                .name("flowstage-pipe-unblock-" + name)
                .start(this::openForWriting); // completes as soon as it meets the waiting reader
      }
    }
    while (!blocks.offer(CLOSED)) { // wakes a reader waiting on the queue from another thread
      blocks.poll();
    }
    if (reader != null) {
      reader.interrupt(); // ends a wait to hand a block over, and an interruptible read
    }
    if (in != null) {
      closeQuietly(in); // ends a read of a pipe
    }
  }

  /**
   * Opens the pipe for writing until this input's reading thread has left its open: one open wakes
   * every reader waiting in the pipe's open, and may meet another reader of the same pipe rather
   * than this one. Each open meets a read end that is open (this thread's, which it keeps until
   * this one ends, or another's), so none waits for good while this thread's open waits.
   */
  private void openForWriting() {
    for (int i = 0; i < 100 && isOpening(); i++) {
      try {
        FileChannel.open(fifo, StandardOpenOption.WRITE).close();
      } catch (IOException e) {
        return; // gone or not writable: the reader's open ends by itself, or never started
      }
    }
  }

  private synchronized boolean isOpening() {
    return opening;
  }

  /**
   * Waits for the unblocking writer whatever interrupts come (close() interrupts this thread, and a
   * read end closed before the writer's open would leave that open waiting for good). The writer
   * meets the read end this thread holds, so the wait is short; it is bounded anyway, for a path
   * that no longer names this pipe.
   */
  private static void joinQuietly(Thread t) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    while (t.isAlive() && System.nanoTime() < deadline) {
      try {
        t.join(java.time.Duration.ofMillis(100));
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // closing after the reading ended or failed: nothing left to report
    }
  }
}
