package dev.flowstage.flow.logic.words;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

/** Fixtures of the gzip tests of the byte path (this package's and {@code FlowFrequenciesTest}). */
public final class GzipTexts {
  private GzipTexts() {}

  /**
   * {@code text} gzipped in one member.
   *
   * @param text the bytes
   * @return the gzip file's bytes
   */
  public static byte[] gzip(byte[] text) {
    return gzip(text, 0, text.length);
  }

  /**
   * {@code text} gzipped in one to three members cut at random places (a multi-member file, as
   * {@code cat a.gz b.gz} makes, which readers must read whole).
   *
   * @param text the bytes
   * @param random where the members are cut, and how many
   * @return the gzip file's bytes
   */
  public static byte[] gzip(byte[] text, SplittableRandom random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int members = random.nextInt(3) == 0 ? random.nextInt(2, 4) : 1;
    int from = 0;
    for (int m = 1; m <= members; m++) {
      int to = m == members ? text.length : random.nextInt(from, text.length + 1);
      out.writeBytes(gzip(text, from, to));
      from = to;
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] text, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(text, from, to - from);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: never
    }
    return out.toByteArray();
  }

  /**
   * How many buffers of decompressed bytes the byte path's gzip readers have read in this JVM so
   * far, for the tests that check a cancelled or failed run stops reading.
   *
   * @return the count
   */
  public static long streamReads() {
    return ByteWordCounts.STREAM_READS.sum();
  }

  /**
   * Sets what the byte path's readers call before each read, with the file (or stream name) they
   * read, on the reading stage's thread; {@code null} for nothing. A test that sets one clears it.
   *
   * @param hook the hook, or {@code null}
   */
  public static void beforeRead(java.util.function.Consumer<Object> hook) {
    ByteWordCounts.beforeRead = hook;
  }

  /**
   * Writes {@code mebibytes} MiB of text to a gzip file: one 16 KiB block of seeded random words
   * repeated (inside deflate's 32 KiB window), so the file is a few hundred KiB on disk while its
   * reader takes {@code mebibytes} reads of 1 MiB.
   *
   * @param file where
   * @param mebibytes the decompressed size in MiB
   * @param seed the words' seed
   * @throws IOException if it cannot be written
   */
  public static void writeLargeGzip(java.nio.file.Path file, int mebibytes, long seed)
      throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] block = new byte[16 << 10];
    for (int i = 0; i < block.length; i++) {
      int r = random.nextInt(8);
      block[i] = (byte) (r == 0 ? ' ' : i % 61 == 60 ? '\n' : 'a' + random.nextInt(6));
    }
    try (GZIPOutputStream gz =
        new GZIPOutputStream(java.nio.file.Files.newOutputStream(file), 1 << 16)) {
      for (int i = 0; i < mebibytes * 64; i++) {
        gz.write(block);
      }
    }
  }

  /**
   * Whether a read-ahead thread of the byte path ({@code ReadAhead}) is alive in this JVM.
   *
   * @return true if one is
   */
  public static boolean readAheadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.isAlive() && t.getName().startsWith(ReadAhead.THREAD_PREFIX));
  }

  /**
   * The message of the innermost cause whose message contains {@code fragment} (the outer ones name
   * stages, which differ between a fused and an unfused run), or {@code t} as a string.
   *
   * @param t a failure
   * @param fragment what the message says
   * @return the message
   */
  public static String innermost(Throwable t, String fragment) {
    String found = String.valueOf(t);
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && c.getMessage().contains(fragment)) {
        found = c.getMessage();
      }
    }
    return found;
  }
}
