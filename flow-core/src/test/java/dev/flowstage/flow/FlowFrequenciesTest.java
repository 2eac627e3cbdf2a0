package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.logic.words.GzipTexts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code frequencies()}, and the local engine's fusion of {@code fromFiles(...).flatMap(tokenizer)
 * .frequencies()} onto the byte path: the fused run gives exactly the result of the same plan with
 * a tokenizer the engine does not recognize (a lambda calling it, which runs the plan as written),
 * and of java.util.stream over the decoded lines; files it cannot read as bytes fall back.
 */
final class FlowFrequenciesTest {
  private static final String FUSED = "fused word count";

  @TempDir Path dir;

  @Test
  void frequencies_events_countsEachDistinctEventAsCountByIdentity() {
    List<String> events = List.of("a", "b", "a", "c", "a", "b");
    Map<String, Long> counts =
        Flow.fromEnumerable(events, o -> o.stages(2))
            .frequencies(o -> o.stages(3))
            .collect(Collectors.toMap(KeyCount::key, KeyCount::count));
    assertEquals(Map.of("a", 3L, "b", 2L, "c", 1L), counts);
    assertEquals(
        counts,
        Flow.fromEnumerable(events)
            .countBy(e -> e)
            .collect(Collectors.toMap(KeyCount::key, KeyCount::count)));
  }

  @Test
  void tokenizer_inFlatMap_splitsEachLine() {
    List<String> words =
        Flow.fromEnumerable(List.of("to  be", "Or not!"), o -> o.stages(1))
            .flatMap(Tokenizer.WORDS)
            .toList();
    assertEquals(List.of("to", "be", "or", "not"), words);
  }

  /** Seeded random files: ASCII and not, malformed UTF-8, CRLF, long lines, empty files. */
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
  void fused_randomFiles_equalsTheUnfusedPlanAndStreams(int seed) throws IOException {
    randomFiles_fusedEqualsTheUnfusedPlanAndStreams(seed, false);
  }

  /** As above with gzip files among the plain ones: some of several members, some empty. */
  @ParameterizedTest
  @ValueSource(ints = {101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112})
  void fused_randomGzipAndPlainFiles_equalsTheUnfusedPlanAndStreams(int seed) throws IOException {
    randomFiles_fusedEqualsTheUnfusedPlanAndStreams(seed, true);
  }

  private void randomFiles_fusedEqualsTheUnfusedPlanAndStreams(int seed, boolean gzip)
      throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    Tokenizer tokenizer = random.nextBoolean() ? Tokenizer.SPACE : Tokenizer.WORDS;
    Charset charset = random.nextInt(3) == 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
    List<Path> files = new ArrayList<>();
    for (int f = random.nextInt(1, seed % 4 == 0 ? 12 : 4); f > 0; f--) {
      byte[] text = randomText(random, charset);
      files.add(
          gzip && random.nextBoolean()
              ? writeGzip("f" + f + ".txt.gz", text, random)
              : write("f" + f + ".txt", text));
    }
    long splitBytes = random.nextBoolean() ? 1 + random.nextInt(64) : Options.DEFAULT_SPLIT_BYTES;
    int readers = 1 + random.nextInt(3);
    int counters = 1 + random.nextInt(3);
    UnaryOperator<Options> source = o -> o.stages(readers).splitBytes(splitBytes).charset(charset);

    Flow<KeyCount<String>> fused =
        Flow.fromFiles(files, source).flatMap(tokenizer).frequencies(o -> o.stages(counters));
    Flow<KeyCount<String>> unfused =
        Flow.fromFiles(files, source)
            .flatMap((String line) -> tokenizer.apply(line))
            .frequencies(o -> o.stages(counters));

    assertTrue(fused.graph().toText().contains(FUSED), fused.graph().toText());
    assertFalse(unfused.graph().toText().contains(FUSED), unfused.graph().toText());
    Run f = run(fused);
    Run u = run(unfused);
    assertEquals(u.counts, f.counts, "seed " + seed);
    assertEquals(streams(files, charset, tokenizer), f.counts, "seed " + seed);
    assertEquals(u.malformed, f.malformed, "malformed input, seed " + seed);
    assertEquals(f.counts.size(), f.emitted, "one KeyCount per word");
  }

  /** With a small line bound: both runs fail on a line that is too long, or both count alike. */
  @ParameterizedTest
  @ValueSource(ints = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})
  void lineBound_randomFiles_failsOnATooLongLineOrCountsAsThePlanAsWritten(int seed)
      throws IOException {
    lineBound_randomFiles(seed, false);
  }

  /** As above with gzip files, whose offsets are said in decompressed bytes on both paths. */
  @ParameterizedTest
  @ValueSource(ints = {121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132})
  void lineBound_randomGzipFiles_failsOnATooLongLineOrCountsAsThePlanAsWritten(int seed)
      throws IOException {
    lineBound_randomFiles(seed, true);
  }

  private void lineBound_randomFiles(int seed, boolean gzip) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    Tokenizer tokenizer = random.nextBoolean() ? Tokenizer.SPACE : Tokenizer.WORDS;
    List<Path> files = new ArrayList<>();
    for (int f = random.nextInt(1, 4); f > 0; f--) {
      byte[] text = randomText(random, StandardCharsets.UTF_8);
      files.add(
          gzip && random.nextBoolean()
              ? writeGzip("f" + f + ".txt.gz", text, random)
              : write("f" + f + ".txt", text));
    }
    int maxLine = random.nextInt(8, 5_000);
    long splitBytes = random.nextBoolean() ? 1 + random.nextInt(300) : Options.DEFAULT_SPLIT_BYTES;
    int readers = 1 + random.nextInt(3);
    UnaryOperator<Options> source = o -> o.stages(readers).splitBytes(splitBytes);
    UnaryOperator<FileOptions> bound = f -> f.maxLineBytes(maxLine);
    Flow<KeyCount<String>> fused =
        Flow.fromFiles(files, source, bound).flatMap(tokenizer).frequencies();
    Flow<KeyCount<String>> unfused =
        Flow.fromFiles(files, source, bound)
            .flatMap((String line) -> tokenizer.apply(line))
            .frequencies();
    assertTrue(fused.graph().toText().contains(FUSED), fused.graph().toText());

    Set<String> tooLong = tooLongLines(files, maxLine);
    for (Flow<KeyCount<String>> flow : List.of(fused, unfused)) {
      if (tooLong.isEmpty()) {
        assertEquals(streams(files, StandardCharsets.UTF_8, tokenizer), counts(flow));
      } else {
        FlowException e = assertThrows(FlowException.class, () -> counts(flow));
        String message = rootMessage(e);
        assertTrue(
            tooLong.stream().anyMatch(message::contains),
            "seed " + seed + ": " + message + " names none of " + tooLong);
      }
    }
  }

  /**
   * "at offset N of FILE" for each line longer than {@code maxLine} (without one trailing \r), "at
   * offset N (decompressed) of FILE" in a gzip file.
   */
  private static Set<String> tooLongLines(List<Path> files, int maxLine) throws IOException {
    Set<String> out = new HashSet<>();
    for (Path f : files) {
      byte[] b = text(f);
      String decompressed = isGzip(f) ? " (decompressed)" : "";
      int start =
          b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF
              ? 3
              : 0;
      for (int i = start; i <= b.length; i++) {
        if (i == b.length || b[i] == '\n') {
          if (i == b.length && i == start) {
            break; // no last line
          }
          int len = i - start - (i > start && b[i - 1] == '\r' ? 1 : 0);
          if (len > maxLine) {
            out.add(
                "a line longer than "
                    + maxLine
                    + " bytes at offset "
                    + start
                    + decompressed
                    + " of "
                    + f
                    + ";");
          }
          start = i + 1;
        }
      }
    }
    return out;
  }

  @Test
  void fused_downstreamOperators_seeTheSameEntries() throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    List<Path> files = List.of(write("a.txt", randomText(random, StandardCharsets.UTF_8)));
    Function<Flow<String>, List<String>> downstream =
        words ->
            words
                .frequencies(o -> o.stages(2))
                .filter(kc -> kc.count() > 1)
                .map(kc -> kc.key() + "=" + kc.count())
                .toList()
                .stream()
                .sorted()
                .toList();
    Flow<String> fusedWords = Flow.fromFiles(files, o -> o.stages(2)).flatMap(Tokenizer.SPACE);
    Flow<String> plainWords =
        Flow.fromFiles(files, o -> o.stages(2)).flatMap((String l) -> Tokenizer.SPACE.apply(l));
    assertEquals(downstream.apply(plainWords), downstream.apply(fusedWords));

    Flow<List<KeyCount<String>>> top =
        Flow.fromFiles(files, o -> o.stages(2))
            .flatMap(Tokenizer.SPACE)
            .frequencies()
            .takeSort(5, KeyCount.byCountDescending());
    assertTrue(top.graph().toText().contains(FUSED), top.graph().toText());
    assertEquals(
        Flow.fromFiles(files, o -> o.stages(2))
            .flatMap((String l) -> Tokenizer.SPACE.apply(l))
            .frequencies()
            .takeSort(5, KeyCount.byCountDescending())
            .toList(),
        top.toList());
  }

  @Test
  void fused_theBenchmarksPlan_takesTheBytePath() throws IOException {
    Path file = write("words.txt", "to be or not to be\n");
    // flow-bench FlowKeyedWordCount --countby, as written there
    Flow<List<KeyCount<String>>> job =
        Flow.fromFiles(List.of(file), o -> o.stages(2))
            .flatMap(Tokenizer.SPACE)
            .frequencies(o -> o.stages(2))
            .takeSort(10, KeyCount.byCountDescending());
    FlowGraph graph = job.graph();
    assertTrue(graph.nodes().stream().anyMatch(n -> n.label().contains(FUSED)), graph.toText());
    assertEquals(
        List.of(new KeyCount<>("be", 2), new KeyCount<>("to", 2), new KeyCount<>("not", 1)),
        job.toList().get(0).subList(0, 3));
  }

  @Test
  void fused_aFileNamedTwice_isCountedTwice_asTheFileSourceReadsIt() throws IOException {
    Path a = write("a.txt", "x y\nx\n");
    for (long splitBytes : new long[] {1, Options.DEFAULT_SPLIT_BYTES}) {
      Flow<KeyCount<String>> flow =
          Flow.fromFiles(List.of(a, a, dir), o -> o.splitBytes(splitBytes))
              .flatMap(Tokenizer.SPACE)
              .frequencies();
      assertTrue(flow.graph().toText().contains(FUSED));
      assertEquals(Map.of("x", 6L, "y", 3L), counts(flow), "split " + splitBytes);
    }
  }

  @Test
  void fused_gzipAndPlainFiles_takeTheBytePathTogether() throws IOException {
    Path plain = write("a.txt", "a b a\n");
    Path gz = dir.resolve("b.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write("b a\n".getBytes(StandardCharsets.UTF_8));
    }
    Flow<KeyCount<String>> flow =
        Flow.fromFiles(List.of(plain, gz), o -> o).flatMap(Tokenizer.SPACE).frequencies();
    assertTrue(flow.graph().toText().contains(FUSED), flow.graph().toText());
    assertEquals(Map.of("a", 3L, "b", 2L), counts(flow));
  }

  @Test
  void fused_gzipWithUtf8ByteOrderMarkAndMembers_readsEveryMemberWithoutTheMark()
      throws IOException {
    Path gz = dir.resolve("m.txt.gz");
    try (OutputStream out = Files.newOutputStream(gz)) {
      out.write(
          gzip(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("hi yo\r\n"))));
      out.write(gzip(utf8("hi\r\n")));
      out.write(gzip(new byte[0]));
      out.write(gzip(utf8(" hi")));
    }
    Flow<KeyCount<String>> flow =
        Flow.fromFiles(List.of(gz), o -> o.stages(2)).flatMap(Tokenizer.SPACE).frequencies();
    assertTrue(flow.graph().toText().contains(FUSED), flow.graph().toText());
    assertEquals(Map.of("hi", 3L, "yo", 1L), counts(flow));
  }

  @Test
  void fused_truncatedCorruptOrAppendedGzip_failsAsThePlanAsWritten_namingTheFile()
      throws IOException {
    // Random words compress little, so the damage is far past the first block the listing reads.
    SplittableRandom random = new SplittableRandom(3);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      text.append('w').append(random.nextInt(1_000_000)).append(i % 10 == 9 ? '\n' : ' ');
    }
    byte[] whole = gzip(utf8(text.toString()));
    Path truncated = write("truncated.txt.gz", Arrays.copyOf(whole, whole.length / 2));
    byte[] corrupt = whole.clone();
    for (int i = corrupt.length * 3 / 4; i < corrupt.length * 3 / 4 + 64; i++) {
      corrupt[i] = (byte) 0xFF; // deflate data no decoder accepts, after valid blocks
    }
    Path bad = write("corrupt.txt.gz", corrupt);
    // Text appended to a .gz by mistake: java.util.zip stopped at it without a word.
    Path appended =
        write("appended.txt.gz", concat(whole, utf8("w1 w2 appended after rotation\n")));
    Path plain = write("plain.txt", "a b\n");
    for (Path file : List.of(truncated, bad, appended)) {
      List<String> messages = new ArrayList<>();
      for (boolean fusedPlan : new boolean[] {true, false}) {
        Flow<String> words =
            Flow.fromFiles(List.of(plain, file), o -> o.stages(2))
                .flatMap(fusedPlan ? Tokenizer.SPACE : (String l) -> Tokenizer.SPACE.apply(l));
        Flow<KeyCount<String>> flow = words.frequencies();
        assertEquals(fusedPlan, flow.graph().toText().contains(FUSED), flow.graph().toText());
        FlowException e = assertThrows(FlowException.class, () -> counts(flow));
        messages.add(readError(e));
      }
      assertTrue(messages.get(0).startsWith("cannot read " + file + ": "), messages.get(0));
      assertEquals(messages.get(1), messages.get(0));
    }
  }

  @Test
  void fused_gzipLineLongerThanTheBound_failsAsThePlanAsWritten() throws IOException {
    Path gz = write("long.txt.gz", gzip(utf8("ok line\n" + "w ".repeat(40) + "\nshort\r\n")));
    UnaryOperator<FileOptions> bound = f -> f.maxLineBytes(20);
    List<String> messages = new ArrayList<>();
    for (boolean fusedPlan : new boolean[] {true, false}) {
      Flow<KeyCount<String>> flow =
          Flow.fromFiles(List.of(gz), o -> o.stages(2), bound)
              .flatMap(fusedPlan ? Tokenizer.SPACE : (String l) -> Tokenizer.SPACE.apply(l))
              .frequencies();
      assertEquals(fusedPlan, flow.graph().toText().contains(FUSED), flow.graph().toText());
      messages.add(rootMessage(assertThrows(FlowException.class, () -> counts(flow))));
    }
    assertEquals(messages.get(1), messages.get(0));
    assertTrue(messages.get(0).contains("at offset 8 (decompressed) of " + gz), messages.get(0));
  }

  @Test
  void fused_gzipNotDecompressed_readsItsRawBytesAsThePlanAsWritten() throws IOException {
    // decompress(false): the .gz file is text of whatever bytes it has (binary files included).
    Path gz = write("raw.txt.gz", gzip(utf8("a b a\n".repeat(100))));
    UnaryOperator<FileOptions> raw = f -> f.decompress(false).includeBinary(true);
    Flow<KeyCount<String>> fused =
        Flow.fromFiles(List.of(gz), o -> o.splitBytes(7), raw)
            .flatMap(Tokenizer.SPACE)
            .frequencies();
    Flow<KeyCount<String>> unfused =
        Flow.fromFiles(List.of(gz), o -> o.splitBytes(7), raw)
            .flatMap((String l) -> Tokenizer.SPACE.apply(l))
            .frequencies();
    assertTrue(fused.graph().toText().contains(FUSED), fused.graph().toText());
    Run f = run(fused);
    Run u = run(unfused);
    assertEquals(u.counts, f.counts);
    assertEquals(u.malformed, f.malformed);
    assertFalse(f.counts.containsKey("a"), "not decompressed");
  }

  @Test
  void fallback_utf16ByteOrderMark_runsThePlanAsWritten() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(new byte[] {(byte) 0xFE, (byte) 0xFF});
    bytes.write("x y x\n".getBytes(StandardCharsets.UTF_16BE));
    Path utf16 = write("u.txt", bytes.toByteArray());
    Flow<KeyCount<String>> flow =
        Flow.fromFiles(List.of(utf16), o -> o).flatMap(Tokenizer.SPACE).frequencies();
    assertFalse(flow.graph().toText().contains(FUSED), flow.graph().toText());
    assertEquals(Map.of("x", 2L, "y", 1L), counts(flow));
  }

  @Test
  void charsetOption_iso88591_readsBytesAsLatin1OnBothPaths() throws IOException {
    Path file = write("e.txt", "café café\n".getBytes(StandardCharsets.UTF_8));
    UnaryOperator<Options> latin1 = o -> o.charset(StandardCharsets.ISO_8859_1);
    Flow<KeyCount<String>> fused =
        Flow.fromFiles(List.of(file), latin1).flatMap(Tokenizer.SPACE).frequencies();
    assertTrue(fused.graph().toText().contains(FUSED), fused.graph().toText());
    assertEquals(Map.of("cafÃ©", 2L), counts(fused));
    assertEquals(
        Map.of("café", 2L),
        counts(Flow.fromFiles(List.of(file), o -> o).flatMap(Tokenizer.SPACE).frequencies()));
  }

  @Test
  void fallback_filesInTwoCharsets_runsThePlanAsWritten() throws IOException {
    // With charsetFromBom (the default) the marked file is UTF-8, the other Latin-1: one table
    // cannot decode both, so the plan runs as written.
    byte[] marked = concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("é e\n"));
    Path a = write("a.txt", marked);
    Path b = write("b.txt", utf8("é\n"));
    Flow<KeyCount<String>> flow =
        Flow.fromFiles(List.of(a, b), o -> o.charset(StandardCharsets.ISO_8859_1))
            .flatMap(Tokenizer.SPACE)
            .frequencies();
    assertFalse(flow.graph().toText().contains(FUSED), flow.graph().toText());
    assertEquals(Map.of("é", 1L, "e", 1L, "Ã©", 1L), counts(flow));
  }

  @Test
  void fused_utf8ByteOrderMark_isNotPartOfTheFirstWord() throws IOException {
    Path a =
        write("a.txt", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8("hi hi\n")));
    Flow<KeyCount<String>> flow =
        Flow.fromFiles(List.of(a), o -> o.splitBytes(2)).flatMap(Tokenizer.SPACE).frequencies();
    assertTrue(flow.graph().toText().contains(FUSED));
    assertEquals(Map.of("hi", 2L), counts(flow));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, 7})
  void lineLongerThanTheBound_failsAsThePlanAsWritten(int splitBytes) throws IOException {
    Path file = write("long.txt", "ok line\n" + "w ".repeat(40) + "\nshort\r\n");
    UnaryOperator<FileOptions> bound = f -> f.maxLineBytes(20);
    FlowException fused =
        assertThrows(
            FlowException.class,
            () ->
                Flow.fromFiles(List.of(file), o -> o.splitBytes(splitBytes).stages(2), bound)
                    .flatMap(Tokenizer.SPACE)
                    .frequencies()
                    .toList());
    FlowException plain =
        assertThrows(
            FlowException.class,
            () ->
                Flow.fromFiles(List.of(file), o -> o.splitBytes(splitBytes).stages(2), bound)
                    .flatMap((String l) -> Tokenizer.SPACE.apply(l))
                    .frequencies()
                    .toList());
    assertEquals(rootMessage(plain), rootMessage(fused));
    assertTrue(rootMessage(fused).contains("at offset 8 of"), rootMessage(fused));
  }

  @Test
  void lineOfExactlyTheBound_withCarriageReturn_fits() throws IOException {
    // 20 bytes, then \r\n; and a last line of 20 bytes and a \r without a newline
    Path file = write("edge.txt", "a".repeat(20) + "\r\n" + "b".repeat(19) + " \r");
    Map<String, Long> counts =
        counts(
            Flow.fromFiles(List.of(file), o -> o.splitBytes(4), f -> f.maxLineBytes(20))
                .flatMap(Tokenizer.SPACE)
                .frequencies());
    assertEquals(Map.of("a".repeat(20), 1L, "b".repeat(19), 1L), counts);
  }

  // -----------------------------------------------------------------------------------------

  private record Run(Map<String, Long> counts, long emitted, long malformed) {}

  private static Run run(Flow<KeyCount<String>> flow) {
    try (RunningFlow<List<KeyCount<String>>> running = flow.start(Collectors.toList())) {
      List<KeyCount<String>> all = running.await();
      Map<String, Long> counts = new HashMap<>();
      for (KeyCount<String> kc : all) {
        assertEquals(null, counts.put(kc.key(), kc.count()), "one entry per word: " + kc.key());
      }
      return new Run(counts, all.size(), running.statistics().malformedInput());
    }
  }

  private static Map<String, Long> counts(Flow<KeyCount<String>> flow) {
    return flow.collect(Collectors.toMap(KeyCount::key, KeyCount::count));
  }

  /** The oracle: each file decoded whole, split into lines as the file source does, tokenized. */
  private static Map<String, Long> streams(List<Path> files, Charset charset, Tokenizer tokenizer)
      throws IOException {
    List<String> lines = new ArrayList<>();
    for (Path f : files) {
      byte[] b = text(f);
      int from = 0;
      if (charset.equals(StandardCharsets.UTF_8)
          && b.length >= 3
          && (b[0] & 0xff) == 0xEF
          && (b[1] & 0xff) == 0xBB
          && (b[2] & 0xff) == 0xBF) {
        from = 3;
      }
      String text = new String(b, from, b.length - from, charset);
      if (text.isEmpty()) {
        continue;
      }
      List<String> split = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
      if (text.endsWith("\n")) {
        split.remove(split.size() - 1);
      }
      for (String line : split) {
        lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
      }
    }
    return lines.stream()
        .flatMap(line -> tokenizer.tokens(line).stream())
        .collect(Collectors.groupingBy(w -> w, Collectors.counting()));
  }

  /** The innermost "cannot read" message (the stage names differ). */
  private static String readError(Throwable t) {
    return GzipTexts.innermost(t, "cannot read");
  }

  /** The innermost message saying the line is too long (the stage names differ). */
  private static String rootMessage(Throwable t) {
    return GzipTexts.innermost(t, "longer than");
  }

  private static final String[] WORDS = {
    "the",
    "River",
    "don't",
    "rock'n'roll",
    "42",
    "café",
    "naïve",
    "日本語",
    "a",
    "Straße",
    "dog’s",
    "x",
    "supercalifragilisticexpialidocious",
    "b2b",
    "--",
    "'quoted'",
    "émigré"
  };

  private static byte[] randomText(SplittableRandom random, Charset charset) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (random.nextInt(10) == 0) {
      return new byte[0]; // an empty file
    }
    if (charset.equals(StandardCharsets.UTF_8) && random.nextInt(6) == 0) {
      out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    }
    int lines = random.nextInt(0, 40);
    for (int l = 0; l < lines; l++) {
      int words = random.nextInt(6) == 0 ? random.nextInt(200, 600) : random.nextInt(0, 12);
      for (int w = 0; w < words; w++) {
        switch (random.nextInt(14)) {
          case 0 -> out.writeBytes(new byte[] {(byte) 0xC3}); // a truncated sequence
          case 1 -> out.writeBytes(new byte[] {(byte) 0xFF, 'z'}); // never valid UTF-8
          case 2 -> out.write('\t');
          case 3 -> out.write(' ');
          case 4 -> out.writeBytes(utf8("w" + random.nextInt(1_000_000)));
          default -> out.writeBytes(WORDS[random.nextInt(WORDS.length)].getBytes(charset));
        }
        out.write(random.nextInt(5) == 0 ? ',' : ' ');
      }
      if (l < lines - 1 || random.nextBoolean()) {
        out.writeBytes(random.nextInt(4) == 0 ? utf8("\r\n") : utf8("\n"));
      } else if (random.nextBoolean()) {
        out.write('\r'); // a last line ending in \r, without a newline
      }
    }
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static boolean isGzip(Path file) {
    return file.toString().endsWith(".gz");
  }

  /** A file's text: its bytes, decompressed if it is a gzip file. */
  private static byte[] text(Path file) throws IOException {
    if (!isGzip(file)) {
      return Files.readAllBytes(file);
    }
    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
      return in.readAllBytes();
    }
  }

  private static byte[] gzip(byte[] text) {
    return GzipTexts.gzip(text);
  }

  /** Writes {@code text} gzipped, in one to three members cut at random places. */
  private Path writeGzip(String name, byte[] text, SplittableRandom random) throws IOException {
    return write(name, GzipTexts.gzip(text, random));
  }

  private Path write(String name, String text) throws IOException {
    return write(name, utf8(text));
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }
}
