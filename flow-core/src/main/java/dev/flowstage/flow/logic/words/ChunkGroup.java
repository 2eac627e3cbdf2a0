package dev.flowstage.flow.logic.words;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Consecutive chunks of small files counted as one piece of work by one reading stage ({@link
 * ByteWordCounts#add}, chunk after chunk, as if they had come one by one). The reading stages take
 * one piece at a time so that they share the work however it falls; for a folder of many small
 * files that meant one hand-over between two stages per file, which cost more than counting the
 * file (20 000 files of 270 bytes: 1.8 s of counting, the stages busy a quarter of it). A group
 * holds at most as much work as one chunk of a large file, and less for a small input ({@link
 * #grouped}), so the stages still share the work evenly.
 *
 * @param chunks the chunks, in the order they are counted; at least two
 */
public record ChunkGroup(List<FileChunk> chunks) implements ByteChunk {
  /**
   * The work a file stands for however small it is, in bytes: opening, sizing and closing it, and
   * handing its counts on. Bounds a group to {@code groupBytes / FILE_COST} files (256 in a 4 MiB
   * group), so a folder of tiny files still makes enough groups for every stage.
   */
  public static final long FILE_COST = 16 << 10;

  /**
   * Checks the chunks and copies the list.
   *
   * @throws IllegalArgumentException if there are fewer than two chunks or one is a gzip file's
   *     (read whole, alone: the largest piece of work there is)
   */
  public ChunkGroup {
    chunks = List.copyOf(chunks);
    if (chunks.size() < 2) {
      throw new IllegalArgumentException("a group holds at least two chunks, got " + chunks);
    }
    for (FileChunk c : chunks) {
      if (c.gzip()) {
        throw new IllegalArgumentException("a gzip file's chunk is not grouped: " + c);
      }
    }
  }

  /**
   * Groups consecutive small chunks when iterated: each piece holds chunks while their work, each
   * counted as at least {@link #FILE_COST}, stays below the bound; a chunk that large on its own,
   * and a gzip file's, is a piece by itself. The bound is {@code maxGroupBytes}, or less when the
   * input is small: at most a quarter of one stage's share of the plain chunks' bytes, so grouping
   * never leaves a reading stage without work (two files of 1.5 MiB stay two pieces for two
   * stages). The chunks keep their order.
   *
   * <p>With several readers the last pieces are cut finer ({@link #TAIL_PARTS} each, down to {@link
   * #MIN_TAIL_PIECE}): the stages take one piece at a time, so the run ends when the last stage
   * finishes its last piece while the others wait; with 4 MiB pieces that wait is up to a piece's
   * time (about 20 ms, a quarter of the counting at 16 stages on 256 MiB), with quarters a quarter
   * of it. Only the final wave is cut, so the hand-overs stay few.
   *
   * @param chunks the chunks, e.g. {@link FileChunk#split}'s (iterated once per iteration of the
   *     result, all at once: the bound needs their total)
   * @param maxGroupBytes the most work a group holds, at least 1 (the chunk size of large files)
   * @param readers how many reading stages share the pieces, at least 1
   * @return the pieces: single {@link FileChunk}s and {@link ChunkGroup}s
   */
  public static Iterable<ByteChunk> grouped(
      Iterable<FileChunk> chunks, long maxGroupBytes, int readers) {
    if (maxGroupBytes < 1 || readers < 1) {
      throw new IllegalArgumentException(
          "maxGroupBytes and readers must be at least 1, got " + maxGroupBytes + ", " + readers);
    }
    return () -> {
      List<FileChunk> all = new ArrayList<>();
      long bytes = 0;
      for (FileChunk c : chunks) {
        all.add(c);
        bytes += c.readsToEnd() ? 0 : c.end() - c.start();
      }
      long bound = Math.clamp(bytes / (4L * readers), 1, maxGroupBytes);
      Iterator<ByteChunk> pieces = new Grouping(all.iterator(), bound);
      return readers == 1 ? pieces : finerTail(pieces, readers);
    };
  }

  /** How many parts each of the last pieces is cut into when several readers share the work. */
  static final int TAIL_PARTS = 4;

  /** The smallest part a last piece is cut into: below it, a hand-over costs more than it evens. */
  static final long MIN_TAIL_PIECE = 256 << 10;

  /**
   * The pieces with each of the last {@code readers} that is one plain chunk cut into up to {@link
   * #TAIL_PARTS} consecutive chunks of at least {@link #MIN_TAIL_PIECE} bytes. Materializes the
   * pieces, whose chunks {@link #grouped} holds anyway.
   */
  private static Iterator<ByteChunk> finerTail(Iterator<ByteChunk> pieces, int readers) {
    List<ByteChunk> list = new ArrayList<>();
    pieces.forEachRemaining(list::add);
    List<ByteChunk> out = new ArrayList<>(list.size() + readers * (TAIL_PARTS - 1));
    int tail = Math.max(0, list.size() - readers);
    out.addAll(list.subList(0, tail));
    for (ByteChunk piece : list.subList(tail, list.size())) {
      if (piece instanceof FileChunk c && !c.readsToEnd()) {
        long length = c.end() - c.start();
        int parts = Math.clamp(length / MIN_TAIL_PIECE, 1, TAIL_PARTS);
        for (int i = 0; i < parts; i++) {
          out.add(
              new FileChunk(
                  c.path(),
                  c.start() + length * i / parts,
                  c.start() + length * (i + 1) / parts,
                  c.textStart()));
        }
      } else {
        out.add(piece);
      }
    }
    return out.iterator();
  }

  /**
   * The work a chunk stands for: its bytes, or {@link #FILE_COST} if that is more; a plain file of
   * unknown size ({@link FileChunk#toEnd}: a {@code /proc} file, or an empty one) weighs a file.
   */
  private static long cost(FileChunk c) {
    if (c.gzip()) {
      return Long.MAX_VALUE;
    }
    return c.readsToEnd() ? FILE_COST : Math.max(FILE_COST, c.end() - c.start());
  }

  /** The iterator of {@link #grouped}: holds back at most the chunk that closed a group. */
  private static final class Grouping implements Iterator<ByteChunk> {
    private final Iterator<FileChunk> in;
    private final long groupBytes;
    private FileChunk held;

    Grouping(Iterator<FileChunk> in, long groupBytes) {
      this.in = in;
      this.groupBytes = groupBytes;
    }

    @Override
    public boolean hasNext() {
      return held != null || in.hasNext();
    }

    @Override
    public ByteChunk next() {
      FileChunk first = held != null ? held : in.next();
      held = null;
      long work = cost(first);
      if (work >= groupBytes) {
        return first;
      }
      List<FileChunk> group = new ArrayList<>();
      group.add(first);
      while (in.hasNext()) {
        FileChunk c = in.next();
        long w = cost(c);
        if (w >= groupBytes - work) { // would not fit: it starts the next piece
          held = c;
          break;
        }
        group.add(c);
        work += w;
      }
      return group.size() == 1 ? first : new ChunkGroup(group);
    }
  }
}
