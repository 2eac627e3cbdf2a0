package dev.flowstage.flow.internal;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.logic.FileSelection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits files into byte ranges that parallel producers read as lines. A line belongs to the range
 * holding its first byte, so a reader starting inside a line skips to the next line start and a
 * reader reaches past its end to finish its last line: every line is read exactly once and never
 * cut. Splitting needs a charset where byte {@code 0x0A} is always a newline (UTF-8, ASCII, the
 * ISO-8859 family, most legacy multi-byte sets); other charsets (UTF-16/32) and gzip files get one
 * range per file.
 *
 * <p>Each file's first block is read here, once, when the file options need it: its byte order mark
 * chooses its charset and is skipped, and a NUL byte in it marks the file as binary.
 *
 * <p>A named file that is not a regular file (a pipe such as bash's {@code <(command)}, a FIFO,
 * {@code /dev/stdin}, a device) is one range read as a stream, in order, to its end; nothing of it
 * can be read twice, so its first block is looked at when it is read ({@link Range#streamOptions}).
 *
 * <p>A regular file listed at size 0 ({@link FileSelection#readsToEnd}) is looked at as any other:
 * the files of {@code /proc} and {@code /sys} report 0 and still have lines, which a split by size
 * would drop, so one that has a first block is one range read to its end; an empty one costs that
 * one look.
 */
final class FileRanges {
  /** How much of a file is looked at for a byte order mark and NUL bytes. */
  static final int SNIFF_BYTES = FileSelection.SNIFF_BYTES;

  private FileRanges() {}

  /**
   * A byte range of a file.
   *
   * @param path the file
   * @param start first byte (inclusive); for a gzip file, of the decompressed bytes
   * @param end last byte (exclusive); the last line may continue past it; {@link Long#MAX_VALUE}
   *     for a file read whole: a gzip file, or one listed at size 0
   * @param charset the charset the file is read in
   * @param bom the length of the byte order mark at the file's start, skipped by the first range
   * @param gzip whether the file is decompressed as it is read
   * @param maxLineBytes the longest line
   * @param streamOptions for a stream (a pipe), the file options it is read by, whole, with {@code
   *     Lines.open} (its byte order mark, gzip and binary check decided as it is read; {@code
   *     charset} the flow's, {@code bom} 0); {@code null} for a regular file, looked at when listed
   */
  record Range(
      Path path,
      long start,
      long end,
      Charset charset,
      int bom,
      boolean gzip,
      int maxLineBytes,
      FileOptions streamOptions) {
    /** A range of a plain file with no byte order mark, read with the default line bound. */
    Range(Path path, long start, long end, Charset charset) {
      this(path, start, end, charset, 0, false, FileOptions.DEFAULT_MAX_LINE_BYTES, null);
    }

    /** Whether this is a stream, read once to its end. */
    boolean stream() {
      return streamOptions != null;
    }
  }

  /** As {@link #split(List, long, Charset, FileOptions)} with the default file options. */
  static List<Range> split(List<String> paths, long splitBytes, Charset charset) {
    return split(paths, splitBytes, charset, FileOptions.defaults());
  }

  /**
   * Expands directories (walked, files in path order), filters and splits each file.
   *
   * @param paths files or directories
   * @param splitBytes the target range size
   * @param charset the files' charset
   * @param options which files, and how
   * @return the ranges, in file and offset order
   * @throws UncheckedIOException naming the path if a path cannot be read
   */
  static List<Range> split(
      List<String> paths, long splitBytes, Charset charset, FileOptions options) {
    return split(paths, splitBytes, charset, options, (path, why) -> {});
  }

  /**
   * As {@link #split(List, long, Charset, FileOptions)}, telling {@code skipped} each file or
   * folder left out, and why: by the walk (hidden, links, pipes in a folder) or as binary.
   *
   * @param paths files or directories
   * @param splitBytes the target range size
   * @param charset the files' charset
   * @param options which files, and how
   * @param skipped told each entry left out
   * @return the ranges, in file and offset order
   * @throws UncheckedIOException naming the path if a path cannot be read
   */
  static List<Range> split(
      List<String> paths,
      long splitBytes,
      Charset charset,
      FileOptions options,
      FileSelection.Skipped<Path> skipped) {
    List<Range> out = new ArrayList<>();
    FileSelection selection = new FileSelection(options);
    for (Selected file : expand(paths, options, skipped)) {
      Path path = file.path();
      if (file.stream()) {
        // Lines.open decides gzip, mark and binary as it reads the stream.
        out.add(
            new Range(path, 0, Long.MAX_VALUE, charset, 0, false, options.maxLineBytes(), options));
        continue;
      }
      long size = file.size();
      boolean gzip = selection.decompresses(path.toString());
      boolean toEnd = FileSelection.readsToEnd(size);
      if (toEnd && gzip) {
        continue; // an empty file has no gzip header to read
      }
      byte[] head = head(path, gzip);
      if (toEnd && head.length == 0) {
        continue; // empty indeed
      }
      FileSelection.Marked marked = selection.charset(head, charset);
      Charset cs = marked.charset();
      int bom = marked.bom();
      if (selection.skipsAsBinary(head, cs)) {
        skipped.skipped(path, FileSelection.Skip.BINARY);
        continue;
      }
      int max = options.maxLineBytes();
      if (gzip) {
        out.add(new Range(path, 0, Long.MAX_VALUE, cs, bom, true, max, null));
        continue;
      }
      if (toEnd) {
        // Its size is not known: one range, read from its text to its end.
        out.add(new Range(path, bom, Long.MAX_VALUE, cs, bom, false, max, null));
        continue;
      }
      // The ranges cover the text after the mark, so the first line starts the first range.
      long text = size - bom;
      if (text == 0) {
        continue;
      }
      long parts = newlineIsOneByte(cs) ? Math.max(1, (text + splitBytes - 1) / splitBytes) : 1;
      for (long i = 0; i < parts; i++) {
        out.add(
            new Range(
                path,
                bom + text * i / parts,
                bom + text * (i + 1) / parts,
                cs,
                bom,
                false,
                max,
                null));
      }
    }
    return out;
  }

  /**
   * A file to read, whether it was named (not found by walking a directory), whether it is a stream
   * (a named file that is neither a regular file nor a folder: a pipe, a FIFO, a device), and its
   * size when listed (-1 for a stream).
   */
  record Selected(Path path, boolean named, boolean stream, long size) {}

  /**
   * Lists the regular files under the given paths, directories walked recursively (hidden ones and
   * names not matching the globs skipped as the options say).
   *
   * @param paths files or directories
   * @param options which walked files to keep
   * @return the files
   */
  static List<Selected> expand(List<String> paths, FileOptions options) {
    return expand(paths, options, (path, why) -> {});
  }

  /**
   * As {@link #expand(List, FileOptions)}, telling {@code skipped} what the walks leave out.
   *
   * @param paths files or directories
   * @param options which walked files to keep
   * @param skipped told each entry a walk leaves out
   * @return the files
   */
  static List<Selected> expand(
      List<String> paths, FileOptions options, FileSelection.Skipped<Path> skipped) {
    FileSelection selection = new FileSelection(options);
    List<Selected> files = new ArrayList<>();
    for (String name : paths) {
      Path p = Path.of(name);
      if (Files.isDirectory(p)) {
        List<FileSelection.Listed<Path>> found;
        try {
          found = selection.walkSized(p, skipped);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot walk " + p, e);
        }
        for (FileSelection.Listed<Path> f : found) {
          files.add(new Selected(f.path(), false, false, f.size()));
        }
        continue;
      }
      BasicFileAttributes attributes;
      try {
        attributes = Files.readAttributes(p, BasicFileAttributes.class);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + p, e);
      }
      if (attributes.isRegularFile()) {
        files.add(new Selected(p, true, false, attributes.size()));
      } else if (attributes.isOther()) {
        files.add(new Selected(p, true, true, -1)); // a pipe, a FIFO, a device: read as a stream
      } else {
        throw new UncheckedIOException(
            new IOException("cannot read " + p + ": not a file, a folder or a pipe"));
      }
    }
    return files;
  }

  /** As {@link #expand(List, FileOptions)} with the default options, as plain paths. */
  static List<Path> expand(List<String> paths) {
    return expand(paths, FileOptions.defaults()).stream().map(Selected::path).toList();
  }

  /**
   * The first {@link #SNIFF_BYTES} bytes of a file, decompressed for gzip.
   *
   * @throws UncheckedIOException naming the file if it cannot be read or is not gzip
   */
  static byte[] head(Path path, boolean gzip) {
    try (InputStream in = FileSelection.open(path, gzip)) {
      return in.readNBytes(SNIFF_BYTES);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read " + path + (gzip ? " as gzip" : "") + ": " + e.getMessage(), e);
    }
  }

  static boolean newlineIsOneByte(Charset cs) {
    return dev.flowstage.flow.logic.Lines.newlineIsOneByte(cs);
  }
}
