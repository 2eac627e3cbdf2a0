package dev.flowstage.flow.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Splits files into byte ranges that parallel producers read as lines. A line belongs to the range
 * holding its first byte, so a reader starting inside a line skips to the next line start and a
 * reader reaches past its end to finish its last line: every line is read exactly once and never
 * cut. Splitting needs a charset where byte {@code 0x0A} is always a newline (UTF-8, ASCII, the
 * ISO-8859 family, most legacy multi-byte sets); other charsets (UTF-16/32) get one range per file.
 */
final class FileRanges {
  private FileRanges() {}

  /**
   * A byte range of a file.
   *
   * @param path the file
   * @param start first byte (inclusive)
   * @param end last byte (exclusive); the last line may continue past it
   */
  record Range(Path path, long start, long end) {}

  /**
   * Expands directories (walked, files in path order) and splits each file.
   *
   * @param paths files or directories
   * @param splitBytes the target range size
   * @param charset the files' charset
   * @return the ranges, in file and offset order
   * @throws UncheckedIOException if a path cannot be read
   */
  static List<Range> split(List<String> paths, long splitBytes, Charset charset) {
    boolean splittable = newlineIsOneByte(charset);
    List<Range> out = new ArrayList<>();
    for (Path file : expand(paths)) {
      long size;
      try {
        size = Files.size(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
      if (size == 0) {
        continue;
      }
      long parts = splittable ? Math.max(1, (size + splitBytes - 1) / splitBytes) : 1;
      for (long i = 0; i < parts; i++) {
        out.add(new Range(file, size * i / parts, size * (i + 1) / parts));
      }
    }
    return out;
  }

  /**
   * Lists the regular files under the given paths, directories walked recursively.
   *
   * @param paths files or directories
   * @return the files
   */
  static List<Path> expand(List<String> paths) {
    List<Path> files = new ArrayList<>();
    for (String name : paths) {
      Path p = Path.of(name);
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot walk " + p, e);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new UncheckedIOException(
            new java.nio.file.NoSuchFileException(name, null, "not a file or directory"));
      }
    }
    return files;
  }

  static boolean newlineIsOneByte(Charset cs) {
    if (cs.equals(StandardCharsets.UTF_8) || cs.equals(StandardCharsets.US_ASCII)) {
      return true;
    }
    if (!cs.canEncode()) {
      return false;
    }
    return Arrays.equals("\n".getBytes(cs), new byte[] {'\n'})
        && Arrays.equals("a\n".getBytes(cs), new byte[] {'a', '\n'});
  }
}
