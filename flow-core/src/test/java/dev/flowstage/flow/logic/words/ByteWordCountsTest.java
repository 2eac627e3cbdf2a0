package dev.flowstage.flow.logic.words;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The byte path's tables: growth, flushing bounds, and the errors it reports. */
final class ByteWordCountsTest {
  @TempDir Path dir;

  private static ByteWordCounts counts(Tokenizer tokenizer, int flushAt) {
    return new ByteReading(
            "UTF-8", tokenizer, 3, flushAt, 1 << 16, ByteWordCounts.NO_LINE_BOUND, null, null, null)
        .get();
  }

  private static Map<String, Long> countAll(ByteWordCounts counts, Path file, List<Integer> sizes) {
    Map<String, Long> seen = new HashMap<>();
    List<Shard> shards = new ArrayList<>();
    for (FileChunk chunk : FileChunk.split(List.of(file), 1 << 16)) {
      List<Shard> out = counts.add(chunk).events();
      shards.addAll(out);
    }
    shards.addAll(counts.drain());
    for (Shard shard : shards) {
      sizes.add(shard.size());
      shard.forEach((word, count) -> seen.merge(word, count, Long::sum));
    }
    return seen;
  }

  private Path manyDistinctWords(Map<String, Long> expected) throws IOException {
    SplittableRandom random = new SplittableRandom(7);
    List<String> occurrences = new ArrayList<>();
    for (int w = 0; w < 60_000; w++) {
      StringBuilder word = new StringBuilder();
      for (int len = 1 + random.nextInt(30); len > 0; len--) {
        word.append((char) ('a' + random.nextInt(26)));
      }
      for (int r = 1 + random.nextInt(3); r > 0; r--) {
        occurrences.add(word.toString());
        expected.merge(word.toString(), 1L, Long::sum);
      }
    }
    Collections.shuffle(occurrences, new java.util.Random(7));
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < occurrences.size(); i++) {
      text.append(occurrences.get(i)).append(i % 9 == 8 ? "\n" : " ");
    }
    Path file = dir.resolve("many.txt");
    Files.writeString(file, text);
    return file;
  }

  @ParameterizedTest
  @EnumSource(Tokenizer.class)
  void drainLast_wordsOfEveryLengthAndNonAscii_exactCountsAndTheTableCountsOnAfterwards(
      Tokenizer tokenizer) throws IOException {
    Map<String, Long> expected = new HashMap<>();
    Path file = manyDistinctWords(expected);
    // Non-ASCII words of the short (<= 8 bytes), medium (9-16) and long tables' lengths.
    List<String> accented =
        List.of("\u00e9t\u00e9", "na\u00efvet\u00e9s", "caf\u00e9caf\u00e9caf\u00e9caf\u00e9");
    Path more = dir.resolve("accented.txt");
    Files.writeString(more, String.join(" ", accented) + "\n" + accented.get(0) + "\n");
    Map<String, Long> expectedMore = new HashMap<>();
    for (String w : accented) {
      expectedMore.merge(w, 1L, Long::sum);
    }
    expectedMore.merge(accented.get(0), 1L, Long::sum);

    ByteWordCounts counts = counts(tokenizer, Integer.MAX_VALUE);
    for (int round = 0; round < 2; round++) {
      Path input = round == 0 ? file : more;
      Map<String, Long> want = round == 0 ? expected : expectedMore;
      for (FileChunk chunk : FileChunk.split(List.of(input), 1 << 16)) {
        assertEquals(List.of(), counts.add(chunk).events());
      }
      Map<String, Long> seen = new HashMap<>();
      for (Shard shard : counts.drainLast()) {
        shard.forEach((word, count) -> seen.merge(word, count, Long::sum));
      }
      assertEquals(want, seen, "round " + round);
    }
  }

  @ParameterizedTest
  @EnumSource(Tokenizer.class)
  void add_manyDistinctWordsOfEveryLength_growsEveryTableAndKeepsExactCounts(Tokenizer tokenizer)
      throws IOException {
    Map<String, Long> expected = new HashMap<>();
    Path file = manyDistinctWords(expected);

    List<Integer> sizes = new ArrayList<>();
    Map<String, Long> seen = countAll(counts(tokenizer, Integer.MAX_VALUE), file, sizes);

    assertEquals(expected, seen);
    // One flush at the end: each word once (a lookup that missed after a growth would add it
    // twice).
    assertEquals(expected.size(), sizes.stream().mapToInt(Integer::intValue).sum());
  }

  @Test
  void add_moreDistinctWordsThanFlushAt_flushesShardsOfBoundedSize() throws IOException {
    Map<String, Long> expected = new HashMap<>();
    Path file = manyDistinctWords(expected);
    List<Integer> sizes = new ArrayList<>();

    Map<String, Long> seen = countAll(counts(Tokenizer.SPACE, 5_000), file, sizes);

    assertEquals(expected, seen);
    assertTrue(sizes.size() > 3 * (expected.size() / 5_000), "flushed: " + sizes.size());
    // A flush happens within one batch of words (64) after the table holds flushAt words, so no
    // shard holds more than that.
    assertTrue(sizes.stream().mapToInt(Integer::intValue).sum() >= expected.size());
    for (int size : sizes) {
      assertTrue(size <= 5_000 + 64, "shard of " + size + " words");
    }
  }

  @Test
  void add_fileGone_throwsNamingIt() {
    Path gone = dir.resolve("gone.txt");
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () -> counts(Tokenizer.SPACE, 10).add(new FileChunk(gone, 0, 10)));
    assertTrue(e.getMessage().contains("gone.txt"), e.getMessage());
  }

  /**
   * A chunk reaching past the end of its file (the file shrank after it was listed) fails naming
   * the file, wherever the chunk starts, instead of counting the words that are left.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(longs = {0, 3, 40})
  void add_fileShorterThanItsChunk_failsNamingIt(long start) throws IOException {
    Path file = dir.resolve("cut.txt");
    Files.writeString(file, "one two three\nfour\n"); // 19 bytes, listed as 60
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () -> counts(Tokenizer.SPACE, 10).add(new FileChunk(file, start, 60)));
    assertTrue(
        e.getMessage().contains("cannot read " + file + ": the file shrank while being read"),
        e.getMessage());
    assertTrue(e.getMessage().contains("a part ending at byte 60"), e.getMessage());
  }

  private static final String[] FRAGMENTS = {
    "the",
    "The",
    "a",
    "abcdefgh",
    "abcdefghijklmnopq",
    " ",
    "  ",
    "\t",
    "\r",
    "\r\n",
    "\n",
    "\n\n",
    "caf\u00e9",
    "\u20ac",
    "Don't",
    "'x'",
    ", ",
    "42",
    "long".repeat(9)
  };

  /** Seeded random text: fragments, malformed bytes, a byte order mark, maybe no last newline. */
  private static byte[] randomText(SplittableRandom random) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    if (random.nextInt(5) == 0) {
      out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    }
    for (int p = random.nextInt(300); p > 0; p--) {
      switch (random.nextInt(20)) {
        case 0 -> out.write(0xFF);
        case 1 -> out.writeBytes(new byte[] {(byte) 0xE2, (byte) 0x82});
        default ->
            out.writeBytes(
                FRAGMENTS[random.nextInt(FRAGMENTS.length)].getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }

  private static byte[] gzip(byte[] text, SplittableRandom random) {
    return GzipTexts.gzip(text, random);
  }

  /**
   * A gzip file read in buffers of 1 to 16 bytes, with a line bound or none, both tokenizers:
   * exactly the line path's words, lines, malformed input and failure, and progress adds up to the
   * compressed size.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      ints = {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24
      })
  void add_gzipChunk_tinyBuffers_countsAndFailsAsTheLinePath(int seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    Tokenizer tokenizer = random.nextBoolean() ? Tokenizer.SPACE : Tokenizer.WORDS;
    byte[] text = randomText(random);
    Path file = Files.write(dir.resolve("t" + seed + ".txt.gz"), gzip(text, random));
    int buffer = 1 + random.nextInt(16);
    int maxLine = random.nextBoolean() ? 10 + random.nextInt(200) : FileOptionsBound.NONE;
    int flushAt = 1 + random.nextInt(8);
    String context = "seed " + seed + ", buffer " + buffer + ", maxLine " + maxLine;
    assertCountsAsTheLinePath(file, text, tokenizer, buffer, maxLine, flushAt, context);
  }

  /**
   * Lines at the bound, where only the last byte can tell (a \r the line path drops), and a last
   * line without a newline whose last word ended before it, at every buffer size: each fails or
   * fits as on the line path.
   */
  @ParameterizedTest
  @EnumSource(Tokenizer.class)
  void add_gzipChunk_linesAtTheBound_everyBufferSize_failOrFitAsTheLinePath(Tokenizer tokenizer)
      throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    List<byte[]> texts =
        List.of(
            bytes("ok\n" + "w ".repeat(40)),
            bytes("a".repeat(20) + "\r\n" + "b".repeat(20) + "\r"),
            bytes("c ".repeat(10) + "\r\nd\n"),
            bytes("a".repeat(21) + "\n"),
            bytes("ok\n" + "e".repeat(20) + "\r"),
            java.util.Arrays.copyOf(bom, 3 + 22),
            bytes("x".repeat(20) + " \n"));
    for (int t = 0; t < texts.size(); t++) {
      byte[] text = texts.get(t);
      if (t == 5) {
        System.arraycopy(bytes("f".repeat(20) + "\r\n"), 0, text, 3, 22);
      }
      Path file =
          Files.write(dir.resolve("b" + t + ".txt.gz"), gzip(text, new SplittableRandom(t)));
      for (int buffer = 1; buffer <= 30; buffer++) {
        String context = "text " + t + ", buffer " + buffer;
        assertCountsAsTheLinePath(file, text, tokenizer, buffer, 20, 3, context);
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Counts the gzip file's one chunk on the byte path and asserts the line path's words, lines,
   * malformed input and failure, and progress of the compressed size.
   */
  private static void assertCountsAsTheLinePath(
      Path file,
      byte[] text,
      Tokenizer tokenizer,
      int buffer,
      int maxLine,
      int flushAt,
      String context) {
    int mark = text.length >= 3 && (text[0] & 0xff) == 0xEF ? 3 : 0;
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertCountsAsTheLinePath(
        file,
        FileChunk.gzip(file, mark),
        file.toString(),
        size,
        tokenizer,
        buffer,
        maxLine,
        flushAt,
        context);
  }

  /**
   * Counts {@code chunk} on the byte path and asserts the words, lines, malformed input and failure
   * of the line path over {@code file} (the same text; its name in a failure is {@code name}'s),
   * and progress of {@code size} bytes.
   */
  private static void assertCountsAsTheLinePath(
      Path file,
      ByteChunk chunk,
      String name,
      long size,
      Tokenizer tokenizer,
      int buffer,
      int maxLine,
      int flushAt,
      String context) {
    // The line path: the file source's lines, tokenized here.
    Map<String, Long> expected = new HashMap<>();
    long expectedMalformed;
    long expectedLines;
    String expectedFailure = null;
    dev.flowstage.flow.Flow<String> lines =
        dev.flowstage.flow.Flow.fromFiles(
            List.of(file), o -> o.stages(1), f -> f.maxLineBytes(FileOptionsBound.of(maxLine)));
    try (var running = lines.start(java.util.stream.Collectors.toList())) {
      List<String> all = running.await();
      for (String line : all) {
        tokenizer.tokens(line).forEach(w -> expected.merge(w, 1L, Long::sum));
      }
      expectedLines = all.size();
      expectedMalformed = running.statistics().malformedInput();
    } catch (dev.flowstage.flow.FlowException e) {
      expectedFailure = readError(e).replace(file.toString(), name);
      expectedLines = -1;
      expectedMalformed = -1;
    }

    java.util.concurrent.atomic.LongAdder lineCount = new java.util.concurrent.atomic.LongAdder();
    java.util.concurrent.atomic.LongAdder malformed = new java.util.concurrent.atomic.LongAdder();
    java.util.concurrent.atomic.LongAdder progress = new java.util.concurrent.atomic.LongAdder();
    ByteWordCounts counts =
        new ByteReading(
                "UTF-8",
                tokenizer,
                2,
                flushAt,
                buffer,
                maxLine == FileOptionsBound.NONE ? ByteWordCounts.NO_LINE_BOUND : maxLine,
                lineCount,
                malformed,
                progress)
            .get();
    Map<String, Long> seen = new HashMap<>();
    try {
      List<Shard> shards = new ArrayList<>(counts.add(chunk).events());
      shards.addAll(counts.drainLast());
      shards.forEach(shard -> shard.forEach((w, n) -> seen.merge(w, n, Long::sum)));
    } catch (UncheckedIOException e) {
      assertEquals(expectedFailure, e.getCause().getMessage(), context);
      return;
    }
    assertEquals(null, expectedFailure, context);
    assertEquals(expected, seen, context);
    assertEquals(expectedLines, lineCount.sum(), context);
    assertEquals(expectedMalformed, malformed.sum(), context);
    assertEquals(size, progress.sum(), context);
  }

  /**
   * Standard input as one stream chunk, read in buffers of 1 to 16 bytes from a stream that gives 1
   * to 5 bytes a read (so the byte order mark, multi-byte sequences and {@code \r\n} are cut at
   * read and buffer edges), with a line bound or none, both tokenizers: exactly the line path's
   * words, lines, malformed input and failure (naming the stream), progress of every byte read, and
   * the stream is never closed.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      ints = {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24
      })
  void add_streamChunk_tinyBuffersAndReads_countsAsTheLinePath(int seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed + 100);
    Tokenizer tokenizer = random.nextBoolean() ? Tokenizer.SPACE : Tokenizer.WORDS;
    byte[] text =
        seed == 1 ? new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF} : randomText(random);
    Path file = Files.write(dir.resolve("s" + seed + ".txt"), text);
    int buffer = 1 + random.nextInt(16);
    int maxLine = random.nextBoolean() ? 10 + random.nextInt(200) : FileOptionsBound.NONE;
    int flushAt = 1 + random.nextInt(8);
    Trickle in = new Trickle(text, random.nextLong(), 5);
    String context = "seed " + seed + ", buffer " + buffer + ", maxLine " + maxLine;
    assertCountsAsTheLinePath(
        file,
        new StreamChunk("standard input", in),
        "standard input",
        text.length,
        tokenizer,
        buffer,
        maxLine,
        flushAt,
        context);
    assertEquals(0, in.closes, context);
  }

  /** A stream chunk's read error names the stream, as a file's names the file; not closed. */
  @Test
  void add_streamChunkReadFails_namesTheStreamAndLeavesItOpen() {
    Trickle in = new Trickle("a b\nc ".repeat(100).getBytes(StandardCharsets.UTF_8), 3, 64);
    in.endless = true;
    in.failAfter = 20;
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () -> counts(Tokenizer.SPACE, 10).add(new StreamChunk("standard input", in)));
    assertEquals("cannot read standard input: broken pipe", e.getCause().getMessage());
    assertEquals(0, in.closes);
  }

  /**
   * A reading stage interrupted while it reads an endless stream (a cancelled run) stops at its
   * next buffer: the interrupt checks of the gzip chunk's reads hold for a stream chunk too.
   */
  @Test
  void add_streamChunkInterrupted_stopsAtTheNextBuffer() throws Exception {
    Trickle in = new Trickle("word ".getBytes(StandardCharsets.UTF_8), 4, Integer.MAX_VALUE);
    in.endless = true;
    in.interruptAfter = 50;
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread reader =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    counts(Tokenizer.SPACE, 1 << 12).add(new StreamChunk("standard input", in));
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                });
    reader.join(java.time.Duration.ofMinutes(2)); // a hang guard only
    assertTrue(!reader.isAlive(), "the reader did not stop");
    UncheckedIOException e = assertInstanceOf(UncheckedIOException.class, thrown.get());
    assertInstanceOf(java.io.InterruptedIOException.class, e.getCause().getCause());
    // One read fills a buffer; the interrupt came inside the 50th, so the 51st never started.
    assertEquals(50, in.reads);
    assertEquals(0, in.closes);
  }

  /**
   * A stream such as a pipe: {@code text}'s bytes, 1 to {@code maxRead} a read (seeded), or the
   * text over and over ({@code endless}); it can fail or interrupt its reader after some reads, and
   * counts its reads and closes.
   */
  private static final class Trickle extends java.io.InputStream {
    private final byte[] text;
    private final SplittableRandom random;
    private final int maxRead;
    boolean endless;
    int failAfter = -1;
    int interruptAfter = -1;
    int reads;
    int closes;
    private long at;

    Trickle(byte[] text, long seed, int maxRead) {
      this.text = text;
      this.random = new SplittableRandom(seed);
      this.maxRead = maxRead;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      reads++;
      if (reads == failAfter) {
        throw new IOException("broken pipe");
      }
      if (reads == interruptAfter) {
        Thread.currentThread().interrupt();
      }
      if (!endless && at == text.length) {
        return -1;
      }
      int n = Math.min(len, 1 + random.nextInt(maxRead));
      if (!endless) {
        n = (int) Math.min(n, text.length - at);
      }
      for (int i = 0; i < n; i++) {
        b[off + i] = text[(int) (at++ % text.length)];
      }
      return n;
    }

    @Override
    public void close() {
      closes++;
    }
  }

  /** The file source's line bound: none is its largest. */
  private static final class FileOptionsBound {
    static final int NONE = -1;

    static int of(int maxLine) {
      return maxLine == NONE ? dev.flowstage.flow.FileOptions.MAX_LINE_BYTES : maxLine;
    }
  }

  private static String readError(Throwable t) {
    return GzipTexts.innermost(t, "cannot read");
  }

  @Test
  void add_truncatedGzip_failsNamingTheFile() throws IOException {
    byte[] whole =
        gzip("a b c\n".repeat(10_000).getBytes(StandardCharsets.UTF_8), new SplittableRandom(1));
    Path file =
        Files.write(dir.resolve("cut.txt.gz"), java.util.Arrays.copyOf(whole, whole.length - 9));
    UncheckedIOException e =
        assertThrows(
            UncheckedIOException.class,
            () -> counts(Tokenizer.SPACE, 10).add(FileChunk.gzip(file, 0)));
    assertTrue(
        e.getCause().getMessage().startsWith("cannot read " + file + ": "),
        e.getCause().getMessage());
  }

  @Test
  void new_gzipChunkNotAWholeFile_isRejected() {
    Path file = dir.resolve("a.gz");
    assertThrows(IllegalArgumentException.class, () -> new FileChunk(file, 0, 10, 0, true));
    assertThrows(
        IllegalArgumentException.class, () -> new FileChunk(file, 4, Long.MAX_VALUE, 3, true));
  }

  @Test
  void split_gzipFiles_comeFirstAsOneChunkEach_emptyOnesNone() throws IOException {
    Path plain = Files.writeString(dir.resolve("p.txt"), "a b c d\n");
    Path gz = Files.write(dir.resolve("g.txt.gz"), gzip(new byte[] {'x'}, new SplittableRandom(2)));
    Path empty = Files.write(dir.resolve("e.txt.gz"), new byte[0]);
    List<FileChunk> chunks = new ArrayList<>();
    FileChunk.split(List.of(plain, gz, empty), List.of(0, 3, 0), List.of(false, true, true), 4)
        .forEach(chunks::add);
    assertEquals(
        List.of(FileChunk.gzip(gz, 3), new FileChunk(plain, 0, 4), new FileChunk(plain, 4, 8)),
        chunks);
  }

  /** A listed size is used as is (the chunks end there); a missing one is looked up. */
  @Test
  void split_withListedSizes_cutsAtThem_andLooksUpOnlyTheMissingOnes() throws IOException {
    Path listed = Files.writeString(dir.resolve("listed.txt"), "0123456789");
    Path looked = Files.writeString(dir.resolve("looked.txt"), "0123456789");
    List<FileChunk> chunks = new ArrayList<>();
    FileChunk.split(List.of(listed, looked), List.of(0, 0), List.of(false, false), List.of(6L), 4)
        .forEach(chunks::add);
    assertEquals(
        List.of(
            new FileChunk(listed, 0, 3),
            new FileChunk(listed, 3, 6),
            new FileChunk(looked, 0, 3),
            new FileChunk(looked, 3, 6),
            new FileChunk(looked, 6, 10)),
        chunks);
  }

  @Test
  void new_unsupportedCharset_isRejectedNamingTheSupportedOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new ByteReading(
                    StandardCharsets.UTF_16.name(), Tokenizer.SPACE, 1, 1, 1, 1, null, null, null));
    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }
}
