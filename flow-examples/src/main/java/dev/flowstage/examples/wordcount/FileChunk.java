package dev.flowstage.examples.wordcount;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A byte range of a file, the event of the word count's byte path. A word belongs to the chunk
 * holding its first byte: the reader of a chunk skips the end of the word that started before it
 * and reads past its end to finish its last word, so every word is read exactly once and never cut.
 * Lines play no part in the split, so a line longer than a chunk is read by several readers and
 * only an unfinished word is ever carried between reads (ADR 0006).
 *
 * @param path the file
 * @param start the first byte (inclusive)
 * @param end the last byte (exclusive); the last word may continue past it
 */
record FileChunk(Path path, long start, long end) {

  /**
   * The default chunk size: big enough that one event per chunk costs nothing, small to balance.
   */
  static final int DEFAULT_BYTES = 4 << 20;

  /**
   * Splits files into chunks of about {@code chunkBytes}, lazily: the sizes are read when the
   * source starts iterating, so describing the flow reads nothing. Empty files have no chunk.
   *
   * @param files regular files
   * @param chunkBytes the target chunk size, at least 1
   * @return the chunks in file and offset order; iterating throws {@link UncheckedIOException}
   *     naming a file that cannot be read
   */
  static Iterable<FileChunk> split(List<Path> files, long chunkBytes) {
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("chunkBytes must be at least 1, got " + chunkBytes);
    }
    List<Path> copy = List.copyOf(files);
    return () -> splitNow(copy, chunkBytes);
  }

  private static Iterator<FileChunk> splitNow(List<Path> files, long chunkBytes) {
    List<FileChunk> out = new ArrayList<>();
    for (Path file : files) {
      long size;
      try {
        size = Files.size(file);
      } catch (IOException e) {
        throw new UncheckedIOException(
            new IOException("cannot read " + file + ": " + e.getMessage(), e));
      }
      long parts = (size + chunkBytes - 1) / chunkBytes;
      for (long i = 0; i < parts; i++) {
        out.add(new FileChunk(file, size * i / parts, size * (i + 1) / parts));
      }
    }
    return out.iterator();
  }
}
