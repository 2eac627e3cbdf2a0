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
