package dev.flowstage.flow.logic.words;

import dev.flowstage.flow.logic.FileSelection;
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
 * <p>A gzip file is one chunk ({@link #gzip()}), since a gzip stream cannot be split: its reader
 * decompresses it in order, all its members, and counts the words of the decompressed bytes with
 * the same loops; its offsets are in decompressed bytes. So is a plain file listed at size 0
 * ({@link #toEnd}, {@link FileSelection#readsToEnd}): the files of {@code /proc} and {@code /sys}
 * report 0 and still have words, which a split by size would drop.
 *
 * @param path the file
 * @param start the first byte (inclusive); of the decompressed bytes for a gzip file
 * @param end the last byte (exclusive); the last word may continue past it; {@link Long#MAX_VALUE}
 *     for a gzip file, read to its end
 * @param textStart where the file's text starts: after its byte order mark, if any
 * @param gzip whether the file is gunzipped as it is read (then {@code start == textStart})
 */
public record FileChunk(Path path, long start, long end, int textStart, boolean gzip)
    implements ByteChunk {

  /**
   * Checks that a gzip chunk is a whole file: it starts at the text and runs to the end.
   *
   * @throws IllegalArgumentException for a gzip chunk that does not
   */
  public FileChunk {
    if (gzip && (start != textStart || end != Long.MAX_VALUE)) {
      throw new IllegalArgumentException(
          "a gzip file is one chunk from its text to its end, got " + start + ".." + end);
    }
  }

  /**
   * A chunk of a plain file.
   *
   * @param path the file
   * @param start the first byte (inclusive)
   * @param end the last byte (exclusive)
   * @param textStart where the file's text starts: after its byte order mark, if any
   */
  public FileChunk(Path path, long start, long end, int textStart) {
    this(path, start, end, textStart, false);
  }

  /**
   * The one chunk of a gzip file: all its decompressed text, after the byte order mark.
   *
   * @param path the file
   * @param textStart the length of the byte order mark at the start of its decompressed bytes
   * @return the chunk
   */
  public static FileChunk gzip(Path path, int textStart) {
    return new FileChunk(path, textStart, Long.MAX_VALUE, textStart, true);
  }

  /**
   * A chunk of a plain file without a byte order mark.
   *
   * @param path the file
   * @param start the first byte (inclusive)
   * @param end the last byte (exclusive)
   */
  public FileChunk(Path path, long start, long end) {
    this(path, start, end, 0);
  }

  /**
   * The one chunk of a plain file whose size is not known (listed at 0, {@link
   * FileSelection#readsToEnd}): read in order from its text to its end, as a gzip file is.
   *
   * @param path the file
   * @param textStart the length of its byte order mark
   * @return the chunk
   */
  public static FileChunk toEnd(Path path, int textStart) {
    return new FileChunk(path, textStart, Long.MAX_VALUE, textStart, false);
  }

  /**
   * Whether this chunk is read in order to the end of its file (a gzip file, or a plain file of
   * unknown size) rather than by its byte range.
   *
   * @return whether {@link #end()} is the end of the file, whatever its size
   */
  public boolean readsToEnd() {
    return end == Long.MAX_VALUE;
  }

  /**
   * The default chunk size: big enough that one event per chunk costs nothing, small to balance.
   */
  public static final int DEFAULT_BYTES = 4 << 20;

  /**
   * Splits files into chunks of about {@code chunkBytes}, lazily: the sizes are read when the
   * source starts iterating, so describing the flow reads nothing. Empty files have no chunk.
   *
   * @param files regular files
   * @param chunkBytes the target chunk size, at least 1
   * @return the chunks in file and offset order; iterating throws {@link UncheckedIOException}
   *     naming a file that cannot be read
   */
  public static Iterable<FileChunk> split(List<Path> files, long chunkBytes) {
    return split(files, List.of(), chunkBytes);
  }

  /**
   * As {@link #split(List, long)}, skipping the byte order mark of each file: the chunks cover the
   * text after it, so the mark is never part of a word.
   *
   * @param files regular files
   * @param marks the length of each file's byte order mark (0: none); missing entries are 0
   * @param chunkBytes the target chunk size, at least 1
   * @return the chunks in file and offset order
   */
  public static Iterable<FileChunk> split(List<Path> files, List<Integer> marks, long chunkBytes) {
    return split(files, marks, List.of(), chunkBytes);
  }

  /**
   * As {@link #split(List, List, long)}, with gzip files: each is one chunk ({@link #gzip(Path,
   * int)}), its mark the length of the byte order mark of its decompressed bytes. The gzip files'
   * chunks come first: each is the largest piece of work there is, and a reading stage that took
   * one last would finish it alone.
   *
   * @param files regular files
   * @param marks the length of each file's byte order mark (0: none); missing entries are 0
   * @param gzipped whether each file is gunzipped as it is read; missing entries are false
   * @param chunkBytes the target chunk size of plain files, at least 1
   * @return the gzip files' chunks in file order, then the other files' in file and offset order
   */
  public static Iterable<FileChunk> split(
      List<Path> files, List<Integer> marks, List<Boolean> gzipped, long chunkBytes) {
    return split(files, marks, gzipped, List.of(), chunkBytes);
  }

  /**
   * As {@link #split(List, List, List, long)}, with the sizes the files were listed at: a file
   * whose size is given is not looked at again (a folder of 20 000 small files costs 20 000 fewer
   * looks), and its chunks end at that size, which the reader checks it still has.
   *
   * @param files regular files
   * @param marks the length of each file's byte order mark (0: none); missing entries are 0
   * @param gzipped whether each file is gunzipped as it is read; missing entries are false
   * @param sizes each file's size when listed; a missing or negative entry is read when the chunks
   *     are iterated
   * @param chunkBytes the target chunk size of plain files, at least 1
   * @return the gzip files' chunks in file order, then the other files' in file and offset order
   */
  public static Iterable<FileChunk> split(
      List<Path> files,
      List<Integer> marks,
      List<Boolean> gzipped,
      List<Long> sizes,
      long chunkBytes) {
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("chunkBytes must be at least 1, got " + chunkBytes);
    }
    List<Path> copy = List.copyOf(files);
    List<Integer> marksCopy = List.copyOf(marks);
    List<Boolean> gzippedCopy = List.copyOf(gzipped);
    List<Long> sizesCopy = List.copyOf(sizes);
    return () -> splitNow(copy, marksCopy, gzippedCopy, sizesCopy, chunkBytes);
  }

  private static Iterator<FileChunk> splitNow(
      List<Path> files,
      List<Integer> marks,
      List<Boolean> gzipped,
      List<Long> sizes,
      long chunkBytes) {
    List<FileChunk> whole = new ArrayList<>();
    List<FileChunk> out = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      Path file = files.get(f);
      int mark = f < marks.size() ? marks.get(f) : 0;
      long size = f < sizes.size() ? sizes.get(f) : -1;
      if (size < 0) {
        try {
          size = Files.size(file);
        } catch (IOException e) {
          throw new UncheckedIOException(
              new IOException("cannot read " + file + ": " + e.getMessage(), e));
        }
      }
      if (f < gzipped.size() && gzipped.get(f)) {
        if (size > 0) { // an empty file has no text, and no gzip header to read either
          whole.add(gzip(file, mark));
        }
        continue;
      }
      if (FileSelection.readsToEnd(size)) {
        out.add(toEnd(file, mark));
        continue;
      }
      long text = Math.max(0, size - mark);
      long parts = (text + chunkBytes - 1) / chunkBytes;
      for (long i = 0; i < parts; i++) {
        out.add(new FileChunk(file, mark + text * i / parts, mark + text * (i + 1) / parts, mark));
      }
    }
    whole.addAll(out);
    return whole.iterator();
  }
}
