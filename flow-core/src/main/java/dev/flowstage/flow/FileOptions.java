package dev.flowstage.flow;

import java.io.Serializable;
import java.nio.file.FileSystems;
import java.util.List;
import java.util.Objects;

/**
 * What a file source ({@link Flow#fromFiles(java.util.List, java.util.function.UnaryOperator,
 * java.util.function.UnaryOperator)}) reads and how: which files of a walked directory, the longest
 * line, byte order marks and compressed files. Immutable: each method returns new options,
 * validated at once. The defaults read every file as the two-argument {@code fromFiles} always did.
 *
 * <p>Filters apply to the files found by walking a directory; a file named explicitly is always
 * read, except that {@link #includeBinary(boolean) includeBinary(false)} skips it too when it looks
 * binary.
 *
 * @param maxLineBytes the longest line in bytes (without its terminator): a longer line fails the
 *     flow with an error naming the file and the line's offset. It bounds memory, and the time a
 *     parallel reader starting inside a long line spends looking for the line's end (default 16
 *     MiB)
 * @param includeHidden whether walked files and folders whose name starts with {@code .} are read
 *     (default true)
 * @param includeBinary whether files that look binary (a NUL byte in their first 8 KiB, after
 *     decompression; files with a UTF-16/32 byte order mark or charset never do) are read (default
 *     true)
 * @param globs glob patterns ({@code *.log}) matched against the names of walked files; empty reads
 *     every file (default)
 * @param charsetFromBom whether a file that starts with a Unicode byte order mark (UTF-8,
 *     UTF-16LE/BE, UTF-32LE/BE) is read in the mark's charset whatever {@link Options#charset()}
 *     says (default true); false reads every file in {@code Options.charset}. Either way the mark
 *     of the charset a file is read in is never part of its first line
 * @param decompress whether files named {@code *.gz} are gunzipped while read (default true): each
 *     such file is read by one producer, since a gzip stream cannot be split, and a malformed or
 *     truncated one fails the flow naming the file (a {@link FlowException} whose cause is the
 *     {@code IOException})
 * @param followLinks whether symbolic links met while walking a directory are followed (default
 *     false, as {@code grep -r} and {@code find} walk): a link to a file is read as that file,
 *     named by the link, and a link to a folder is walked; a link back to a folder that holds it is
 *     skipped, as is a link whose target is missing. Unset, links inside a walked folder are
 *     skipped; a link named explicitly, or the folder given, is always followed. Pipes, sockets and
 *     devices inside a walked folder are always skipped (name one to read it once, as a stream)
 */
public record FileOptions(
    int maxLineBytes,
    boolean includeHidden,
    boolean includeBinary,
    List<String> globs,
    boolean charsetFromBom,
    boolean decompress,
    boolean followLinks)
    implements Serializable {

  /** The default {@link #maxLineBytes()}: 16 MiB, which a 128 MiB heap holds while decoding it. */
  public static final int DEFAULT_MAX_LINE_BYTES = 16 << 20;

  /** The largest {@link #maxLineBytes()}: a line is held in one array. */
  public static final int MAX_LINE_BYTES = Integer.MAX_VALUE - 64;

  /** Validates every option; the messages say how to fix a bad one. */
  public FileOptions {
    if (maxLineBytes < 1 || maxLineBytes > MAX_LINE_BYTES) {
      throw new IllegalArgumentException(
          "maxLineBytes must be between 1 and "
              + MAX_LINE_BYTES
              + ", got: "
              + maxLineBytes
              + "; the default is 16 MiB");
    }
    globs = List.copyOf(Objects.requireNonNull(globs, "globs"));
    for (String glob : globs) {
      try {
        FileSystems.getDefault().getPathMatcher("glob:" + glob);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "bad glob '" + glob + "': " + e.getMessage() + "; use patterns such as *.log", e);
      }
    }
  }

  /**
   * Options that do not follow links inside walked folders: the record's shape before {@link
   * #followLinks()} existed.
   *
   * @param maxLineBytes the longest line in bytes
   * @param includeHidden whether hidden files and folders are read
   * @param includeBinary whether files that look binary are read
   * @param globs glob patterns walked files must match
   * @param charsetFromBom whether a byte order mark chooses a file's charset
   * @param decompress whether {@code .gz} files are gunzipped
   */
  public FileOptions(
      int maxLineBytes,
      boolean includeHidden,
      boolean includeBinary,
      List<String> globs,
      boolean charsetFromBom,
      boolean decompress) {
    this(maxLineBytes, includeHidden, includeBinary, globs, charsetFromBom, decompress, false);
  }

  /**
   * Returns the defaults: lines up to 16 MiB, every file read, charsets from byte order marks,
   * {@code .gz} files decompressed, links inside walked folders not followed.
   *
   * @return the default file options
   */
  public static FileOptions defaults() {
    return new FileOptions(DEFAULT_MAX_LINE_BYTES, true, true, List.of(), true, true, false);
  }

  /**
   * Sets the longest line, in bytes.
   *
   * @param maxLineBytes between 1 and {@link #MAX_LINE_BYTES}
   * @return new options
   */
  public FileOptions maxLineBytes(int maxLineBytes) {
    return new FileOptions(
        maxLineBytes, includeHidden, includeBinary, globs, charsetFromBom, decompress, followLinks);
  }

  /**
   * Sets whether hidden files and folders ({@code .name}) of walked directories are read.
   *
   * @param includeHidden false to skip them
   * @return new options
   */
  public FileOptions includeHidden(boolean includeHidden) {
    return new FileOptions(
        maxLineBytes, includeHidden, includeBinary, globs, charsetFromBom, decompress, followLinks);
  }

  /**
   * Sets whether files that look binary are read.
   *
   * @param includeBinary false to skip them
   * @return new options
   */
  public FileOptions includeBinary(boolean includeBinary) {
    return new FileOptions(
        maxLineBytes, includeHidden, includeBinary, globs, charsetFromBom, decompress, followLinks);
  }

  /**
   * Sets the glob patterns the names of walked files must match (any of them).
   *
   * @param globs patterns such as {@code *.log}; none reads every file
   * @return new options
   */
  public FileOptions globs(String... globs) {
    return new FileOptions(
        maxLineBytes,
        includeHidden,
        includeBinary,
        List.of(globs),
        charsetFromBom,
        decompress,
        followLinks);
  }

  /**
   * Sets whether a byte order mark chooses a file's charset.
   *
   * @param charsetFromBom false to read every file in {@link Options#charset()}
   * @return new options
   */
  public FileOptions charsetFromBom(boolean charsetFromBom) {
    return new FileOptions(
        maxLineBytes, includeHidden, includeBinary, globs, charsetFromBom, decompress, followLinks);
  }

  /**
   * Sets whether {@code .gz} files are decompressed.
   *
   * @param decompress false to read them as bytes
   * @return new options
   */
  public FileOptions decompress(boolean decompress) {
    return new FileOptions(
        maxLineBytes, includeHidden, includeBinary, globs, charsetFromBom, decompress, followLinks);
  }

  /**
   * Sets whether symbolic links met while walking a directory are followed.
   *
   * @param followLinks true to read linked files and walk linked folders (loops are skipped)
   * @return new options
   */
  public FileOptions followLinks(boolean followLinks) {
    return new FileOptions(
        maxLineBytes, includeHidden, includeBinary, globs, charsetFromBom, decompress, followLinks);
  }
}
