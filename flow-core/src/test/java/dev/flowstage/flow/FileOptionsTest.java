package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code Flow.fromFiles} with {@link FileOptions}: long lines, filters, byte order marks, gzip. */
final class FileOptionsTest {
  @TempDir Path dir;

  private static List<String> sorted(Flow<String> flow) {
    List<String> lines = new ArrayList<>(flow.toList());
    lines.sort(null);
    return lines;
  }

  /** The message of every cause of a failure, joined, so assertions see the whole chain. */
  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append(" | ");
    }
    return b.toString();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void fromFiles_linesLongerThanTheRanges_areEachReadOnceWhole(int seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    List<String> expected = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    int lines = random.nextInt(1, 30);
    for (int i = 0; i < lines; i++) {
      String line = "l" + i + "-" + "x".repeat(random.nextInt(0, 3) == 0 ? 5000 : 3);
      expected.add(line);
      text.append(line).append(random.nextBoolean() ? "\r\n" : "\n");
    }
    Path file = dir.resolve("long.txt");
    Files.writeString(file, text);
    expected.sort(null);
    int split = random.nextInt(1, 64);
    assertEquals(
        expected,
        sorted(Flow.fromFiles(List.of(file), o -> o.splitBytes(split).stages(3))),
        "split " + split);
  }

  @Test
  void fromFiles_lineLongerThanMaxLineBytes_failsNamingFileAndOffset() throws IOException {
    Path file = dir.resolve("huge-line.txt");
    Files.writeString(file, "short\n" + "y".repeat(100_000) + "\nafter\n");
    Flow<String> flow =
        Flow.fromFiles(List.of(file), o -> o.splitBytes(100), f -> f.maxLineBytes(1000));
    RuntimeException e = assertThrows(RuntimeException.class, flow::toList);
    String m = messages(e);
    assertTrue(m.contains("huge-line.txt"), m);
    assertTrue(m.contains("longer than 1000 bytes at offset 6 "), m);
    assertTrue(m.contains("maxLineBytes"), m);
  }

  /**
   * A UTF-16 line is bounded whether or not it fits in one read buffer (it was not when it did).
   */
  @Test
  void fromFiles_utf16LineLongerThanMaxLineBytes_failsNamingFileAndLine() throws IOException {
    Path file = dir.resolve("utf16.txt");
    Files.writeString(file, "short\n" + "y".repeat(600) + "\nafter\n", StandardCharsets.UTF_16LE);
    Flow<String> flow =
        Flow.fromFiles(
            List.of(file), o -> o.charset(StandardCharsets.UTF_16LE), f -> f.maxLineBytes(1000));
    String m = messages(assertThrows(RuntimeException.class, flow::toList));
    assertTrue(m.contains("longer than 1000 bytes (line 2) of "), m);
    assertTrue(m.contains("utf16.txt"), m);
    // 500 chars (1000 bytes) are read, with a CRLF too (the terminator is not counted).
    Files.writeString(file, "y".repeat(500) + "\r\n", StandardCharsets.UTF_16LE);
    assertEquals(List.of("y".repeat(500)), flow.toList());
  }

  /**
   * A UTF-16 line is bounded in bytes, as the option says: 3 chars are 6 bytes, longer than 4 (fuzz
   * seed -718420037044570278 of -Dfuzz.seed=5, a UTF-16LE file with a byte order mark in a folder
   * read with maxLineBytes(4)); a char of slack let a line of 6 bytes through, and one of 1002
   * bytes under maxLineBytes(1000).
   */
  @Test
  void fromFiles_utf16Line_isBoundedInBytesWithoutSlack() throws IOException {
    Path file = dir.resolve("utf16-bom.txt");
    Files.writeString(file, "\uFEFF12\r\n-50\n", StandardCharsets.UTF_16LE);
    Flow<String> four = Flow.fromFiles(List.of(file), o -> o, f -> f.maxLineBytes(4));
    String m = messages(assertThrows(RuntimeException.class, four::toList));
    assertTrue(m.contains("longer than 4 bytes (line 2) of "), m);
    assertEquals(
        List.of("12", "-50"),
        Flow.fromFiles(List.of(file), o -> o, f -> f.maxLineBytes(6)).toList());
    Files.writeString(file, "y".repeat(501) + "\n", StandardCharsets.UTF_16LE);
    Flow<String> thousand =
        Flow.fromFiles(
            List.of(file), o -> o.charset(StandardCharsets.UTF_16LE), f -> f.maxLineBytes(1000));
    assertThrows(RuntimeException.class, thousand::toList);
  }

  /**
   * UTF-32 lines are bounded in bytes too (four a code point, a surrogate pair is one), not two a
   * char as for UTF-16, which read a UTF-32 line of up to twice the bound; exact across the decoded
   * buffer's end (64 Ki chars) as within it.
   */
  @Test
  void fromFiles_utf32Line_isBoundedInBytesWithoutSlack() throws IOException {
    Path file = dir.resolve("utf32-bom.txt");
    Charset utf32 = Charset.forName("UTF-32LE");
    Files.writeString(file, "\uFEFF12\r\n-50\na\uD83D\uDE00\n", utf32);
    Flow<String> eleven = Flow.fromFiles(List.of(file), o -> o, f -> f.maxLineBytes(11));
    String m = messages(assertThrows(RuntimeException.class, eleven::toList));
    assertTrue(m.contains("longer than 11 bytes (line 2) of "), m);
    assertEquals(
        List.of("12", "-50", "a\uD83D\uDE00"),
        Flow.fromFiles(List.of(file), o -> o, f -> f.maxLineBytes(12)).toList());
    Files.writeString(file, "\uFEFFa\uD83D\uDE00\uD83D\uDE00\n", utf32); // 12 bytes, 5 chars
    assertThrows(
        RuntimeException.class,
        Flow.fromFiles(List.of(file), o -> o, f -> f.maxLineBytes(11))::toList);
    assertEquals(
        List.of("a\uD83D\uDE00\uD83D\uDE00"),
        Flow.fromFiles(List.of(file), o -> o, f -> f.maxLineBytes(12)).toList());
    String longLine = "y".repeat(70_000); // 280 000 bytes, longer than one decoded buffer
    Files.writeString(file, longLine + "\r\n", utf32);
    Flow<String> under =
        Flow.fromFiles(List.of(file), o -> o.charset(utf32), f -> f.maxLineBytes(279_999));
    assertTrue(messages(assertThrows(RuntimeException.class, under::toList)).contains("(line 1)"));
    assertEquals(
        List.of(longLine),
        Flow.fromFiles(List.of(file), o -> o.charset(utf32), f -> f.maxLineBytes(280_000))
            .toList());
  }

  /**
   * A single-byte charset whose newline is not 0x0A (EBCDIC) is read as text too, one byte a char:
   * its lines are bounded in bytes, not at two bytes a char, which rejected lines of half the
   * bound.
   */
  @Test
  void fromFiles_ebcdicLine_isBoundedInBytes() throws IOException {
    Path file = dir.resolve("ebcdic.txt");
    Charset ebcdic = Charset.forName("IBM037");
    Files.writeString(file, "ab\r\ncdef\n", ebcdic);
    assertEquals(
        List.of("ab", "cdef"),
        Flow.fromFiles(List.of(file), o -> o.charset(ebcdic), f -> f.maxLineBytes(4)).toList());
    Flow<String> three =
        Flow.fromFiles(List.of(file), o -> o.charset(ebcdic), f -> f.maxLineBytes(3));
    String m = messages(assertThrows(RuntimeException.class, three::toList));
    assertTrue(m.contains("longer than 3 bytes (line 2) of "), m);
  }

  /** A line larger than the whole heap ends in the line bound's error, not OutOfMemoryError. */
  @Test
  void fromFiles_lineLargerThanTheHeap_failsWithTheBoundNotOutOfMemory() throws Exception {
    Path file = dir.resolve("one-line.txt");
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] block = utf8("word ".repeat(20_000));
      for (int i = 0; i < 1000; i++) { // 100 MB, no newline
        out.write(block);
      }
    }
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+UseSerialGC",
                "-Djava.util.logging.config.file=/dev/null",
                "-cp",
                cp,
                LongLineCount.class.getName(),
                file.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "forked JVM did not finish");
    assertEquals(3, p.exitValue(), out);
    assertTrue(out.contains("a line longer than 16777216 bytes at offset 0 of "), out);
    assertTrue(out.contains("one-line.txt"), out);
  }

  @Test
  void fromFiles_lineExactlyMaxLineBytes_isRead() throws IOException {
    Path file = dir.resolve("edge.txt");
    Files.writeString(file, "z".repeat(1000) + "\r\nb\n");
    assertEquals(
        List.of("b", "z".repeat(1000)),
        sorted(Flow.fromFiles(List.of(file), o -> o.splitBytes(64), f -> f.maxLineBytes(1000))));
  }

  @Test
  void fromFiles_nullPath_throwsNpeNamingTheArgument() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> Flow.fromFiles((Path) null));
    assertTrue(e.getMessage().contains("paths[0]"), e.getMessage());
    e = assertThrows(NullPointerException.class, () -> Flow.fromFiles((Path[]) null));
    assertTrue(e.getMessage().contains("paths"), e.getMessage());
  }

  @Test
  void options_badValues_failAtOnceSayingHowToFix() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FileOptions.defaults().maxLineBytes(0));
    assertTrue(e.getMessage().contains("maxLineBytes"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> FileOptions.defaults().globs("a[b"));
    assertTrue(e.getMessage().contains("a[b"), e.getMessage());
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
    return p;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void fromFiles_directoryFilters_skipHiddenBinaryAndUnmatched() throws IOException {
    write("d/a.log", utf8("a\n"));
    write("d/b.txt", utf8("b\n"));
    write("d/.hidden.log", utf8("hidden\n"));
    write("d/.git/c.log", utf8("git\n"));
    write("d/bin.log", new byte[] {'x', 0, 'y', '\n'});
    write("d/sub/e.log", utf8("e\n"));
    List<Path> d = List.of(dir.resolve("d"));
    assertEquals(
        List.of("a", "b", "e", "git", "hidden", "x\0y"),
        sorted(Flow.fromFiles(d, o -> o)),
        "the defaults read everything");
    assertEquals(
        List.of("a", "e"),
        sorted(
            Flow.fromFiles(
                d, o -> o, f -> f.includeHidden(false).includeBinary(false).globs("*.log"))));
    assertEquals(
        List.of("a", "b", "e"),
        sorted(Flow.fromFiles(d, o -> o, f -> f.includeHidden(false).includeBinary(false))));
    // A named file is read even when hidden or unmatched; only binary files are skipped.
    assertEquals(
        List.of("hidden"),
        sorted(
            Flow.fromFiles(
                List.of(dir.resolve("d/.hidden.log"), dir.resolve("d/bin.log")),
                o -> o,
                f -> f.includeHidden(false).includeBinary(false).globs("*.txt"))));
  }

  @Test
  void fromFiles_linksInsideAFolder_skippedUnlessFollowed_loopsAndBrokenLinksSkippedEitherWay()
      throws IOException {
    write("d/a.log", utf8("a\n"));
    write("other/b.log", utf8("b c\n"));
    Path d = dir.resolve("d");
    Files.createSymbolicLink(d.resolve("b.log"), dir.resolve("other/b.log"));
    Files.createSymbolicLink(d.resolve("other"), dir.resolve("other"));
    Files.createSymbolicLink(d.resolve("up"), d);
    Files.createSymbolicLink(d.resolve("gone.log"), dir.resolve("missing.log"));
    List<Path> in = List.of(d);
    assertEquals(List.of("a"), sorted(Flow.fromFiles(in, o -> o)), "links are not followed");
    assertEquals(
        List.of("a", "b c", "b c"),
        sorted(Flow.fromFiles(in, o -> o, f -> f.followLinks(true))),
        "the linked file and the linked folder's file; the loop and the broken link skipped");
    // The fused word count lists the same files.
    List<KeyCount<String>> counts =
        Flow.fromFiles(in, o -> o, f -> f.followLinks(true))
            .flatMap(Tokenizer.SPACE)
            .frequencies()
            .toList();
    assertEquals(
        List.of(new KeyCount<>("a", 1), new KeyCount<>("b", 2), new KeyCount<>("c", 2)),
        counts.stream().sorted(java.util.Comparator.comparing(KeyCount::key)).toList());
  }

  private static byte[] withBom(int[] bom, String text, Charset charset) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int b : bom) {
      out.write(b);
    }
    out.writeBytes(text.getBytes(charset));
    return out.toByteArray();
  }

  @Test
  void fromFiles_byteOrderMarks_chooseTheCharsetAndAreNeverPartOfALine() throws IOException {
    String text = "h\u00e9llo w\u00f6rld\nzwei\n";
    List<String> expected = List.of("h\u00e9llo w\u00f6rld", "zwei"); // sorted
    Object[][] cases = {
      {new int[] {0xEF, 0xBB, 0xBF}, StandardCharsets.UTF_8},
      {new int[] {0xFF, 0xFE}, StandardCharsets.UTF_16LE},
      {new int[] {0xFE, 0xFF}, StandardCharsets.UTF_16BE},
      {new int[] {0xFF, 0xFE, 0, 0}, Charset.forName("UTF-32LE")},
      {new int[] {0, 0, 0xFE, 0xFF}, Charset.forName("UTF-32BE")},
    };
    int i = 0;
    for (Object[] c : cases) {
      Path file = write("bom" + i++ + ".txt", withBom((int[]) c[0], text, (Charset) c[1]));
      assertEquals(
          expected, // sorted: each byte range is read by its own producer
          sorted(Flow.fromFiles(List.of(file), o -> o.splitBytes(4).stages(1))),
          String.valueOf(c[1]));
      // A binary check never mistakes UTF-16/32 text for binary.
      assertEquals(
          expected,
          Flow.fromFiles(List.of(file), o -> o.stages(1), f -> f.includeBinary(false)).toList(),
          String.valueOf(c[1]));
    }
  }

  @Test
  void fromFiles_explicitCharsetWithoutBomDetection_stillStripsItsOwnMark() throws IOException {
    Path utf8 = write("u.txt", withBom(new int[] {0xEF, 0xBB, 0xBF}, "caf\u00e9\n", UTF_8()));
    assertEquals(
        List.of("caf\u00e9"),
        Flow.fromFiles(List.of(utf8), o -> o, f -> f.charsetFromBom(false)).toList());
    // In ISO-8859-1 the UTF-8 mark is three characters of text: kept.
    assertEquals(
        List.of("\u00ef\u00bb\u00bfcaf\u00c3\u00a9"),
        Flow.fromFiles(
                List.of(utf8),
                o -> o.charset(StandardCharsets.ISO_8859_1),
                f -> f.charsetFromBom(false))
            .toList());
  }

  private static Charset UTF_8() {
    return StandardCharsets.UTF_8;
  }

  private Path gzip(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(content);
    }
    return p;
  }

  @Test
  void fromFiles_gzipFiles_areDecompressedEachByOneReader() throws IOException {
    StringBuilder a = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      a.append("line ").append(i).append('\n');
    }
    gzip("logs/a.log.gz", utf8(a.toString()));
    gzip(
        "logs/b.log.gz",
        withBom(new int[] {0xFF, 0xFE}, "utf16 line\r\nlast", StandardCharsets.UTF_16LE));
    write("logs/c.log", utf8("plain\n"));
    List<String> lines =
        Flow.fromFiles(List.of(dir.resolve("logs")), o -> o.splitBytes(1024)).toList();
    assertEquals(20_000 + 3, lines.size());
    assertTrue(lines.containsAll(List.of("line 0", "line 19999", "utf16 line", "last", "plain")));
    assertEquals(
        1,
        Flow.fromFiles(List.of(dir.resolve("logs")), o -> o, f -> f.decompress(false))
                    .filter(l -> l.equals("line 0"))
                    .toList()
                    .size()
                == 0
            ? 1
            : 0,
        "decompress(false) reads the compressed bytes");
  }

  @Test
  void fromFiles_truncatedMalformedOrAppendedGzip_failsNamingTheFile() throws IOException {
    Path good = gzip("ok.gz", utf8("x\n".repeat(100_000)));
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = write("truncated.gz", Arrays.copyOf(bytes, bytes.length / 2));
    Path notGzip = write("plain.gz", utf8("not gzip at all\n"));
    byte[] appendedBytes = Arrays.copyOf(bytes, bytes.length + 9);
    System.arraycopy(utf8("appended\n"), 0, appendedBytes, bytes.length, 9);
    Path appended = write("appended.gz", appendedBytes);
    for (Path bad : List.of(truncated, notGzip, appended)) {
      RuntimeException e = assertThrows(RuntimeException.class, () -> Flow.fromFiles(bad).toList());
      assertTrue(messages(e).contains(bad.getFileName().toString()), messages(e));
    }
    assertTrue(
        messages(assertThrows(RuntimeException.class, () -> Flow.fromFiles(appended).toList()))
            .contains("after the last gzip member at byte " + bytes.length));
    // Zero padding after the last member is ignored, as gzip -d ignores it.
    Path padded = write("padded.gz", Arrays.copyOf(bytes, bytes.length + 512));
    assertEquals(100_000, Flow.fromFiles(padded).toList().size());
  }

  /**
   * A file cut short while the flow reads it (as {@code logrotate copytruncate} does to a log)
   * fails the flow naming it, instead of counting what is left as if it were the whole file.
   */
  @Test
  void fromFiles_fileTruncatedWhileRead_failsNamingItInsteadOfReadingPart() throws IOException {
    Path file = dir.resolve("rotated.log");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 200_000; i++) {
      text.append("line ").append(i).append(" of a log that is rotated in place\n");
    }
    Files.writeString(file, text); // about 8 MB: 8 ranges, each many 64 KiB reads
    java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
    Flow<String> flow =
        Flow.fromFiles(List.of(file), o -> o.splitBytes(1 << 20).stages(2).maxDemand(2))
            .map(
                line -> {
                  if (cut.compareAndSet(false, true)) {
                    truncate(file, 100);
                  }
                  return line;
                });
    String m = messages(assertThrows(RuntimeException.class, flow::toList));
    assertTrue(m.contains("cannot read " + file + ": the file shrank while being read"), m);
  }

  /**
   * A folder of many small files is read by as many producers as the layer has stages (at least
   * two), not one per file, and every line is read once.
   */
  @Test
  void fromFiles_manySmallFiles_fewProducersReadEveryLineOnce() throws IOException {
    List<String> expected = new ArrayList<>();
    for (int f = 0; f < 300; f++) {
      Path file = dir.resolve("logs").resolve("d" + f % 7).resolve("f" + f + ".log");
      Files.createDirectories(file.getParent());
      String text = "file " + f + " line 1\nfile " + f + " line 2\n";
      Files.writeString(file, text);
      expected.add("file " + f + " line 1");
      expected.add("file " + f + " line 2");
    }
    expected.sort(null);
    for (int stages : new int[] {1, 3}) {
      Flow<String> flow = Flow.fromFiles(List.of(dir.resolve("logs")), o -> o.stages(stages));
      FlowGraph.Node source =
          flow.map(l -> l).graph().nodes().stream()
              .filter(n -> n.kind().equals("file"))
              .findFirst()
              .orElseThrow();
      assertEquals(Math.max(2, stages), source.stages(), source.toString());
      assertEquals(expected, sorted(flow), "stages " + stages);
    }
  }

  /**
   * What the file options leave out is counted in the run's statistics, by reason, on the line path
   * and on the byte path of a file word count alike: a user who asked for a smaller count can see
   * why, and nothing is left out unseen.
   */
  @Test
  void skippedFiles_areCountedByReason_inTheStatistics() throws IOException {
    Path root = dir.resolve("tree");
    Files.createDirectories(root.resolve(".git"));
    Files.writeString(root.resolve(".git").resolve("config"), "hidden words\n");
    Files.writeString(root.resolve(".env"), "hidden too\n");
    Files.writeString(root.resolve("a.txt"), "one two\n");
    Files.write(root.resolve("image.bin"), new byte[] {'x', 0, 'y', '\n'});
    Files.createSymbolicLink(root.resolve("link.txt"), root.resolve("a.txt"));
    java.util.Map<String, Long> expected = new java.util.LinkedHashMap<>();
    expected.put("hidden", 2L); // the folder .git once, not its file
    expected.put("link", 1L);
    expected.put("binary", 1L);
    RunningFlow<List<String>> lines =
        Flow.fromFiles(List.of(root), o -> o, f -> f.includeHidden(false).includeBinary(false))
            .start(java.util.stream.Collectors.toList());
    assertEquals(List.of("one two"), lines.await());
    assertEquals(expected, lines.statistics().skippedFiles());
    assertTrue(
        lines.statistics().toText().contains("files skipped: 2 hidden, 1 link, 1 binary"),
        lines.statistics().toText());
    RunningFlow<List<KeyCount<String>>> counted =
        Flow.fromFiles(List.of(root), o -> o, f -> f.includeHidden(false).includeBinary(false))
            .flatMap(Tokenizer.SPACE)
            .frequencies()
            .start(java.util.stream.Collectors.toList());
    assertEquals(2, counted.await().size());
    assertEquals(expected, counted.statistics().skippedFiles());
    // Nothing left out: nothing counted.
    RunningFlow<List<String>> all =
        Flow.fromFiles(List.of(root.resolve("a.txt")), o -> o)
            .start(java.util.stream.Collectors.toList());
    all.await();
    assertEquals(java.util.Map.of(), all.statistics().skippedFiles());
  }

  /**
   * A file appended to while the flow reads it (a log being written) gives the lines it had when
   * listed: every range ends at the listed size, so nothing written later is read (the byte path's
   * chunks end there too); flow-flink stops there as well ({@code FlinkFileListingTest}).
   */
  @Test
  void fromFiles_fileAppendedWhileRead_givesTheLinesItHadWhenListed() throws IOException {
    Path file = dir.resolve("growing.log");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 200_000; i++) {
      text.append("line ").append(i).append(" of a log still being written\n");
    }
    Files.writeString(file, text); // about 8 MB: 8 ranges, each many 64 KiB reads
    List<String> expected = Files.readAllLines(file);
    java.util.concurrent.atomic.AtomicBoolean grown =
        new java.util.concurrent.atomic.AtomicBoolean();
    Flow<String> flow =
        Flow.fromFiles(List.of(file), o -> o.splitBytes(1 << 20).stages(2).maxDemand(2))
            .map(
                line -> {
                  if (grown.compareAndSet(false, true)) {
                    append(file, "written later\n".repeat(50_000));
                  }
                  return line;
                });
    List<String> lines = new ArrayList<>(flow.toList());
    lines.sort(null);
    expected.sort(null);
    assertEquals(expected, lines);
    assertTrue(grown.get());
  }

  private static void append(Path file, String text) {
    try {
      Files.writeString(file, text, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void truncate(Path file, long size) {
    try (var ch =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(size);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
