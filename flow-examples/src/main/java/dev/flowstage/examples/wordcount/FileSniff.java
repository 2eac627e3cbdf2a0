package dev.flowstage.examples.wordcount;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.logic.FileSelection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * How the CLI opens a file and reads its first bytes, gunzipping a {@code .gz} one. What those
 * bytes say (a byte order mark, whether the file looks binary) is decided by flow-core's {@link
 * FileSelection}, the file source's rules.
 */
public final class FileSniff {
  /** How many bytes are looked at: as many as the file source looks at. */
  public static final int HEAD_BYTES = FileSelection.SNIFF_BYTES;

  private FileSniff() {}

  /** The file source's default rules, which decompress {@code *.gz}. */
  private static final FileSelection DEFAULTS = new FileSelection(FileOptions.defaults());

  /**
   * Whether a file is read through gunzip, by the file source's rule ({@link
   * FileSelection#decompresses}): its name ends with {@code .gz}.
   *
   * @param path the file
   * @return true for {@code *.gz}
   */
  public static boolean isGzip(Path path) {
    Path name = path.getFileName();
    return name != null && DEFAULTS.decompresses(name.toString());
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
}
