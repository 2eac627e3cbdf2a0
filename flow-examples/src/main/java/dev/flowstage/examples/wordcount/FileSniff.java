package dev.flowstage.examples.wordcount;

import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.flow.logic.Lines;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Path;

/**
 * What the first bytes of a file say about it: a Unicode byte order mark, whether it is gzip, and
 * whether it looks binary. The rules are those of {@code Flow.fromFiles}' {@code FileOptions}.
 */
public final class FileSniff {
  /** How many bytes are looked at. */
  public static final int HEAD_BYTES = 8192;

  private FileSniff() {}

  /**
   * A Unicode byte order mark.
   *
   * @param charset the charset it marks
   * @param length its length in bytes
   */
  public record Bom(Charset charset, int length) {}

  /**
   * Whether a file is read through gunzip: its name ends with {@code .gz}.
   *
   * @param path the file
   * @return true for {@code *.gz}
   */
  public static boolean isGzip(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().endsWith(".gz");
  }

  /**
   * Opens a file, gunzipping a {@code .gz} one.
   *
   * @param path the file
   * @return its (decompressed) bytes
   * @throws IOException if it cannot be opened or is not gzip
   */
  public static InputStream open(Path path) throws IOException {
    return FileSelection.open(path, isGzip(path));
  }

  /**
   * The first {@link #HEAD_BYTES} bytes of a file, decompressed for {@code .gz}.
   *
   * @param path the file
   * @return up to {@link #HEAD_BYTES} bytes
   * @throws IOException if it cannot be read, or a {@code .gz} file is not gzip
   */
  public static byte[] head(Path path) throws IOException {
    try (InputStream in = open(path)) {
      return in.readNBytes(HEAD_BYTES);
    }
  }

  /**
   * The byte order mark {@code head} starts with: UTF-32BE/LE, UTF-8, UTF-16BE/LE (UTF-32LE is
   * tried before UTF-16LE, whose mark it starts with).
   *
   * @param head the first bytes of a file
   * @return the mark, or null
   */
  public static Bom bom(byte[] head) {
    // The same detection as flow-core's file sources (one definition of the marks for both).
    Charset cs = Lines.bomCharset(head);
    return cs == null ? null : new Bom(cs, Lines.bomLength(cs));
  }

  /**
   * Whether a file whose first bytes are {@code head} looks binary: a NUL byte, unless it is read
   * as UTF-16/32 (whose text has NUL bytes).
   *
   * @param head the first bytes
   * @param charset the charset it is read in
   * @return true if it looks binary
   */
  public static boolean looksBinary(byte[] head, Charset charset) {
    if (isUtf16or32(charset)) {
      return false;
    }
    for (byte b : head) {
      if (b == 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a charset is one of the UTF-16/32 family.
   *
   * @param charset the charset
   * @return true for UTF-16, UTF-16LE/BE, UTF-32, UTF-32LE/BE
   */
  public static boolean isUtf16or32(Charset charset) {
    String name = charset.name();
    return name.startsWith("UTF-16") || name.startsWith("UTF-32");
  }
}
