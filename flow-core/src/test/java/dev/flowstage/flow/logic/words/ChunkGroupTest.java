package dev.flowstage.flow.logic.words;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Grouping small files' chunks: order, bounds, and counts the same as chunk by chunk. */
final class ChunkGroupTest {
  @TempDir Path dir;

  private static long cost(FileChunk c) {
    return c.gzip() ? Long.MAX_VALUE : Math.max(ChunkGroup.FILE_COST, c.end() - c.start());
  }

  private static List<FileChunk> members(ByteChunk piece) {
    return switch (piece) {
      case FileChunk c -> List.of(c);
      case ChunkGroup g -> g.chunks();
      case StreamChunk s -> throw new AssertionError("no stream here: " + s);
    };
  }

  /**
   * Random chunk sizes (tiny files, files of about a group, gzip files): the pieces hold every
   * chunk once in order, each group within the bound with at least two chunks, gzip and large
   * chunks alone, and no group could have taken the chunk after it.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void grouped_randomChunks_keepsOrderAndBounds(int seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long groupBytes = 1L << random.nextInt(10, 23);
    List<FileChunk> chunks = new ArrayList<>();
    for (int i = random.nextInt(0, 400); i > 0; i--) {
      Path p = Path.of("f" + i);
      switch (random.nextInt(6)) {
        case 0 -> chunks.add(FileChunk.gzip(p, 0));
        case 1 -> chunks.add(new FileChunk(p, 0, random.nextLong(1, 3 * groupBytes)));
        default -> chunks.add(new FileChunk(p, 0, random.nextLong(1, 4096)));
      }
    }
    List<ByteChunk> pieces = new ArrayList<>();
    ChunkGroup.grouped(chunks, groupBytes, 1).forEach(pieces::add);
    // The bound: at most a quarter of the plain chunks' bytes (one reader).
    long plain = chunks.stream().filter(c -> !c.gzip()).mapToLong(c -> c.end() - c.start()).sum();
    groupBytes = Math.clamp(plain / 4, 1, groupBytes);
    List<FileChunk> flat = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      List<FileChunk> m = members(pieces.get(i));
      flat.addAll(m);
      if (pieces.get(i) instanceof ChunkGroup g) {
        long work = g.chunks().stream().mapToLong(ChunkGroupTest::cost).sum();
        assertTrue(work < groupBytes, "group of " + work + " over " + groupBytes);
        if (i + 1 < pieces.size()) {
          long next = cost(members(pieces.get(i + 1)).get(0));
          assertTrue(next >= groupBytes - work, "the next chunk would have fit: " + next);
        }
      }
    }
    assertEquals(chunks, flat, "seed " + seed);
  }

  @Test
  void grouped_tinyFiles_groupsOfAtMostGroupBytesOverFileCost_whenTheInputIsLarge() {
    List<FileChunk> chunks = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      chunks.add(new FileChunk(Path.of("f" + i), 0, 100));
    }
    List<ByteChunk> pieces = new ArrayList<>();
    ChunkGroup.grouped(chunks, 4 << 20, 1).forEach(pieces::add);
    // The input (100 kB) is small: a group holds at most a quarter of it, 25 kB, so one file
    // (each weighs 16 KiB). With 5 000 files of 4 000 bytes (20 MB) for one reader the bound is
    // the 4 MiB: 255 files a group.
    assertEquals(1000, pieces.size());
    chunks.clear();
    for (int i = 0; i < 5000; i++) {
      chunks.add(new FileChunk(Path.of("f" + i), 0, 4000));
    }
    pieces.clear();
    ChunkGroup.grouped(chunks, 4 << 20, 1).forEach(pieces::add);
    assertEquals(255, ((ChunkGroup) pieces.get(0)).chunks().size());
    assertEquals((5000 + 254) / 255, pieces.size());
  }

  @Test
  void chunkGroup_fewerThanTwoOrAGzipChunk_isRejected() {
    FileChunk plain = new FileChunk(Path.of("a"), 0, 10);
    assertThrows(IllegalArgumentException.class, () -> new ChunkGroup(List.of(plain)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ChunkGroup(List.of(plain, FileChunk.gzip(Path.of("b.gz"), 0))));
    assertThrows(IllegalArgumentException.class, () -> ChunkGroup.grouped(List.of(plain), 0, 1));
    assertThrows(IllegalArgumentException.class, () -> ChunkGroup.grouped(List.of(plain), 1, 0));
  }

  /** A group counts the words, lines and bytes its chunks count one by one. */
  @Test
  void add_group_countsAsItsChunksOneByOne() throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    List<Path> files = new ArrayList<>();
    for (int f = 0; f < 40; f++) {
      StringBuilder text = new StringBuilder();
      for (int w = random.nextInt(1500, 3000); w > 0; w--) {
        text.append("w").append(random.nextInt(50)).append(random.nextInt(9) == 0 ? '\n' : ' ');
      }
      Path file = dir.resolve("f" + f + ".txt");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      files.add(file);
    }
    List<FileChunk> chunks = new ArrayList<>();
    FileChunk.split(files, 1 << 20).forEach(chunks::add);
    Result oneByOne = count(new ArrayList<>(chunks));
    List<ByteChunk> grouped = new ArrayList<>();
    ChunkGroup.grouped(chunks, 1 << 20, 1).forEach(grouped::add);
    // About 400 kB: a group holds up to 100 kB, several files of 8-16 kB.
    assertTrue(grouped.stream().anyMatch(p -> p instanceof ChunkGroup), grouped.toString());
    assertEquals(oneByOne, count(grouped));
  }

  /**
   * Grouping never leaves a reading stage without work: two mid-sized files are not grouped (each,
   * being one of the last two pieces for two readers, is then cut in four).
   */
  @Test
  void grouped_twoFilesOfAQuarterChunkForTwoReaders_stayApart() {
    FileChunk a = new FileChunk(Path.of("a"), 0, 3 << 19);
    FileChunk b = new FileChunk(Path.of("b"), 0, 3 << 19);
    List<ByteChunk> pieces = new ArrayList<>();
    ChunkGroup.grouped(List.of(a, b), 4 << 20, 2).forEach(pieces::add);
    assertEquals(8, pieces.size(), pieces.toString());
    assertTrue(pieces.stream().allMatch(p -> p instanceof FileChunk), pieces.toString());
    assertEquals(List.of(a, b), rejoined(pieces));
  }

  /**
   * With several readers the last wave is cut finer: a large file's last {@code readers} chunks in
   * {@link ChunkGroup#TAIL_PARTS} consecutive parts each, the earlier chunks whole.
   */
  @Test
  void grouped_severalReaders_cutsTheLastPiecesInQuarters() {
    List<FileChunk> chunks = new ArrayList<>();
    FileChunk.split(List.of(Path.of("big")), List.of(3), List.of(), List.of(64L << 20), 4 << 20)
        .forEach(chunks::add);
    assertEquals(16, chunks.size());
    List<ByteChunk> pieces = new ArrayList<>();
    ChunkGroup.grouped(chunks, 4 << 20, 3).forEach(pieces::add);
    assertEquals(13 + 3 * ChunkGroup.TAIL_PARTS, pieces.size());
    assertEquals(chunks.subList(0, 13), pieces.subList(0, 13));
    for (int k = 0; k < 3; k++) {
      int from = 13 + k * ChunkGroup.TAIL_PARTS;
      assertEquals(
          List.of(chunks.get(13 + k)),
          rejoined(pieces.subList(from, from + ChunkGroup.TAIL_PARTS)),
          "chunk " + (13 + k));
    }
    for (ByteChunk p : pieces.subList(13, pieces.size())) {
      FileChunk c = (FileChunk) p;
      assertEquals(1L << 20, c.end() - c.start(), c.toString());
      assertEquals(3, c.textStart());
    }
  }

  /** Gzip files, groups and parts smaller than {@link ChunkGroup#MIN_TAIL_PIECE} stay whole. */
  @Test
  void grouped_severalReaders_leavesGzipGroupsAndSmallChunksWhole() {
    FileChunk gz = FileChunk.gzip(Path.of("z.gz"), 0);
    FileChunk small = new FileChunk(Path.of("s"), 0, ChunkGroup.MIN_TAIL_PIECE * 2 - 1);
    List<FileChunk> tiny = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      tiny.add(new FileChunk(Path.of("t" + i), 0, 100));
    }
    List<FileChunk> chunks = new ArrayList<>(tiny);
    chunks.add(small);
    chunks.add(0, gz); // FileChunk.split puts gzip files first; here it is one of the last three
    List<ByteChunk> pieces = new ArrayList<>();
    ChunkGroup.grouped(chunks.subList(0, 1), 4 << 20, 3).forEach(pieces::add);
    assertEquals(List.of(gz), pieces);
    pieces.clear();
    ChunkGroup.grouped(chunks, 4 << 20, 3).forEach(pieces::add);
    assertTrue(pieces.get(pieces.size() - 2) instanceof ChunkGroup, pieces.toString());
    // Two parts of it would be under the smallest part.
    assertEquals(small, pieces.getLast());
    assertEquals(chunks, rejoined(pieces));
  }

  /**
   * The same with random chunks and readers: the pieces still cover every chunk's bytes once, in
   * order (parts of a cut chunk rejoined), and only the last {@code readers} pieces were cut.
   */
  @ParameterizedTest
  @ValueSource(ints = {21, 22, 23, 24, 25, 26, 27, 28})
  void grouped_randomChunksSeveralReaders_coverEveryByteOnceInOrder(int seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int readers = random.nextInt(2, 17);
    List<FileChunk> chunks = new ArrayList<>();
    for (int i = random.nextInt(0, 60); i > 0; i--) {
      Path p = Path.of("f" + i);
      switch (random.nextInt(4)) {
        case 0 -> chunks.add(FileChunk.gzip(p, 0));
        case 1 -> chunks.add(new FileChunk(p, 0, random.nextLong(1, 4096)));
        default -> chunks.add(new FileChunk(p, 2, random.nextLong(3, 8L << 20), 2));
      }
    }
    List<ByteChunk> whole = new ArrayList<>();
    ChunkGroup.grouped(chunks, 4 << 20, 1).forEach(whole::add);
    List<ByteChunk> pieces = new ArrayList<>();
    ChunkGroup.grouped(chunks, 4 << 20, readers).forEach(pieces::add);
    // Only the last readers' pieces are cut: every part of a chunk is among the last pieces.
    int cutFrom = pieces.size() - readers * ChunkGroup.TAIL_PARTS;
    for (int i = 0; i < pieces.size(); i++) {
      if (pieces.get(i) instanceof FileChunk c && !c.gzip() && !chunks.contains(c)) {
        assertTrue(i >= cutFrom, "seed " + seed + ": a part at " + i + " of " + pieces.size());
        assertTrue(c.end() - c.start() >= ChunkGroup.MIN_TAIL_PIECE, c.toString());
      }
    }
    assertEquals(chunks, rejoined(pieces), "seed " + seed);
  }

  /** A file cut in parts at the end counts the words, lines and bytes it counts whole. */
  @Test
  void add_cutTail_countsAsTheWholeChunk() throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    StringBuilder text = new StringBuilder();
    while (text.length() < 1_200_000) {
      text.append("w").append(random.nextInt(5000)).append(random.nextInt(9) == 0 ? '\n' : ' ');
    }
    Path file = dir.resolve("big.txt");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    List<FileChunk> chunks = new ArrayList<>();
    FileChunk.split(List.of(file), 4 << 20).forEach(chunks::add);
    assertEquals(1, chunks.size());
    List<ByteChunk> pieces = new ArrayList<>();
    ChunkGroup.grouped(chunks, 4 << 20, 2).forEach(pieces::add);
    assertEquals(ChunkGroup.TAIL_PARTS, pieces.size());
    assertEquals(count(new ArrayList<>(chunks)), count(pieces));
  }

  /** The chunks of the pieces, consecutive parts of one chunk joined again. */
  private static List<FileChunk> rejoined(List<ByteChunk> pieces) {
    List<FileChunk> out = new ArrayList<>();
    for (ByteChunk p : pieces) {
      for (FileChunk c : members(p)) {
        FileChunk prev = out.isEmpty() ? null : out.getLast();
        if (prev != null
            && !c.gzip()
            && !prev.gzip()
            && prev.path().equals(c.path())
            && prev.end() == c.start()
            && prev.textStart() == c.textStart()) {
          out.set(out.size() - 1, new FileChunk(c.path(), prev.start(), c.end(), c.textStart()));
        } else {
          out.add(c);
        }
      }
    }
    return out;
  }

  /**
   * A chunk read to its end ({@link FileChunk#toEnd}, a file listed at size 0) counts what the
   * file's chunks by size count: words, lines (the last one without a newline too) and progress,
   * after a byte order mark as well; an empty one counts nothing. Alone or in a group of small
   * files, where it weighs a file.
   */
  @Test
  void add_chunkReadToItsEnd_countsAsTheChunksBySize() throws IOException {
    SplittableRandom random = new SplittableRandom(11);
    StringBuilder text = new StringBuilder();
    while (text.length() < 300_000) {
      text.append("w").append(random.nextInt(700)).append(random.nextInt(7) == 0 ? '\n' : ' ');
    }
    text.append("last");
    Path plain = Files.writeString(dir.resolve("plain.txt"), text, StandardCharsets.UTF_8);
    Path marked = dir.resolve("marked.txt");
    Files.write(
        marked,
        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, Files.readAllBytes(plain)));
    Path empty = Files.createFile(dir.resolve("empty.txt"));
    List<FileChunk> bySize = new ArrayList<>();
    FileChunk.split(List.of(plain, marked), List.of(0, 3), 64 << 10).forEach(bySize::add);
    List<FileChunk> toEnd =
        List.of(FileChunk.toEnd(plain, 0), FileChunk.toEnd(marked, 3), FileChunk.toEnd(empty, 0));
    assertTrue(toEnd.stream().allMatch(FileChunk::readsToEnd));
    assertEquals(count(new ArrayList<>(bySize)), count(toEnd));
    // Listed at size 0, a file is one chunk read to its end, weighed as a small file; with nothing
    // but such files the input's size is unknown, so none is grouped (no stage left idle).
    List<FileChunk> listed = new ArrayList<>();
    FileChunk.split(List.of(empty, plain), List.of(), List.of(), List.of(0L, 0L), 4 << 20)
        .forEach(listed::add);
    assertEquals(List.of(FileChunk.toEnd(empty, 0), FileChunk.toEnd(plain, 0)), listed);
    List<ByteChunk> pieces = new ArrayList<>();
    ChunkGroup.grouped(listed, 4 << 20, 2).forEach(pieces::add);
    assertEquals(List.<ByteChunk>copyOf(listed), pieces);
    assertEquals(count(List.of(FileChunk.toEnd(plain, 0))), count(pieces));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private record Result(Map<String, Long> words, long lines, long progress) {}

  private static Result count(List<? extends ByteChunk> pieces) {
    LongAdder lines = new LongAdder();
    LongAdder progress = new LongAdder();
    ByteWordCounts counts =
        new ByteReading(
                "UTF-8",
                Tokenizer.SPACE,
                2,
                1 << 12,
                1 << 12,
                ByteWordCounts.NO_LINE_BOUND,
                lines,
                null,
                progress)
            .get();
    Map<String, Long> words = new HashMap<>();
    List<Shard> shards = new ArrayList<>();
    for (ByteChunk piece : pieces) {
      shards.addAll(counts.add(piece).events());
    }
    shards.addAll(counts.drain());
    for (Shard s : shards) {
      s.forEach((w, n) -> words.merge(w, n, Long::sum));
    }
    return new Result(words, lines.sum(), progress.sum());
  }
}
