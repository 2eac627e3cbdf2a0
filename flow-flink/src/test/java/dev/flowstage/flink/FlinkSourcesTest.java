package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sources and sinks: files through Flink's file systems with the local line rules, a Flink
 * {@code DataStream} as the input, and the result handed on as a {@code DataStream}.
 */
final class FlinkSourcesTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final byte[][] PIECES = {
    "a".getBytes(),
    "b c".getBytes(),
    " ".getBytes(),
    "\n".getBytes(),
    "\r\n".getBytes(),
    "\r".getBytes(),
    {(byte) 0xFF},
    {(byte) 0xC3},
    "\u00e9".getBytes(),
    "\n\n".getBytes()
  };

  /** Seeded bytes made of words, every kind of line end, lone {@code \r} and malformed bytes. */
  private static byte[] randomBytes(Random random, int pieces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < pieces; i++) {
      out.writeBytes(PIECES[random.nextInt(PIECES.length)]);
    }
    return out.toByteArray();
  }

  private static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  private static <T> List<T> sorted(List<T> events) {
    List<T> s = new ArrayList<>(events);
    s.sort(null);
    return s;
  }

  @Test
  void randomFiles_linesAndMalformedCount_sameAsLocal(@TempDir Path dir) throws Exception {
    Random random = new Random(11);
    for (int f = 0; f < 4; f++) {
      Files.write(dir.resolve((f == 0 ? ".hidden" : "f") + f), randomBytes(random, 200));
    }
    Files.write(dir.resolve("edge"), "a b\rc\r\nlast\r".getBytes());
    RunningFlow<List<String>> local = Flow.fromFiles(dir).map(s -> s).start(Collectors.toList());
    List<String> localLines = sorted(local.await());
    long localMalformed = local.statistics().malformedInput();
    assertTrue(localMalformed > 0, "the generated files hold malformed bytes");
    assertTrue(localLines.contains("a b\rc"), "a lone \\r does not end a line");

    FlinkFlows.Result<String> viaUri =
        FlinkFlows.run(env(), FlinkFlows.fromFiles(List.of(dir.toUri().toString())));
    assertEquals(localLines, sorted(viaUri.events()));
    assertEquals(localMalformed, viaUri.malformedInput());

    FlinkFlows.Result<String> viaPath = FlinkFlows.run(env(), Flow.fromFiles(dir).map(s -> s));
    assertEquals(localLines, sorted(viaPath.events()));
    assertEquals(localMalformed, viaPath.malformedInput());
  }

  @Test
  void byteOrderMarksAndGzip_sameAsLocal(@TempDir Path dir) throws Exception {
    Random random = new Random(12);
    Files.write(
        dir.resolve("utf8bom"),
        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, randomBytes(random, 100)));
    byte[] utf16 = "bom first\r\nx\ry\n".getBytes(StandardCharsets.UTF_16LE);
    Files.write(dir.resolve("utf16"), concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, utf16));
    byte[] zipped =
        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "zipped\r\nlines".getBytes());
    Files.write(dir.resolve("z.gz"), gzip(concat(zipped, randomBytes(random, 100))));
    RunningFlow<List<String>> local = Flow.fromFiles(dir).map(s -> s).start(Collectors.toList());
    List<String> localLines = sorted(local.await());
    assertTrue(localLines.contains("bom first"), "the UTF-16 mark chose the charset");
    assertTrue(localLines.contains("zipped"), "the .gz file was decompressed");
    assertTrue(localLines.stream().noneMatch(l -> l.startsWith("\uFEFF")), "marks are dropped");

    FlinkFlows.Result<String> flink = FlinkFlows.run(env(), Flow.fromFiles(dir).map(s -> s));
    assertEquals(localLines, sorted(flink.events()));
    assertEquals(local.statistics().malformedInput(), flink.malformedInput());
  }

  /**
   * Seeded random files for every file option to act on: hidden files and a hidden folder, names
   * that globs keep or skip, a binary file, byte order marks of UTF-8 and UTF-16 (the latter with a
   * lone {@code \r}), malformed bytes, and a {@code .gz} file.
   */
  private static void optionFiles(Path dir, long seed) throws Exception {
    Random random = new Random(seed);
    Files.createDirectories(dir.resolve(".git"));
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("a.txt"), randomBytes(random, 150));
    Files.write(dir.resolve(".hidden.txt"), randomBytes(random, 50));
    Files.write(dir.resolve(".git").resolve("config.txt"), randomBytes(random, 50));
    Files.write(dir.resolve("sub").resolve("b.log"), randomBytes(random, 150));
    Files.write(
        dir.resolve("sub").resolve("bin.txt"), concat(randomBytes(random, 20), new byte[] {0, 1}));
    Files.write(
        dir.resolve("bom8.txt"),
        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, randomBytes(random, 80)));
    byte[] utf16 = "bom first\r\nx\ry\n\u00e9t\u00e9".getBytes(StandardCharsets.UTF_16LE);
    Files.write(dir.resolve("bom16.log"), concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, utf16));
    Files.write(dir.resolve("z.txt.gz"), gzip(randomBytes(random, 120)));
  }

  /** Each option, as the local source and both Flink entry points apply it to the same files. */
  @Test
  void everyFileOption_sameRandomFiles_sameLinesAndMalformedCountAsLocal(@TempDir Path dir)
      throws Exception {
    optionFiles(dir, 13);
    Map<String, UnaryOperator<FileOptions>> options = new LinkedHashMap<>();
    options.put("defaults", f -> f);
    options.put("includeHidden(false)", f -> f.includeHidden(false));
    options.put("includeBinary(false)", f -> f.includeBinary(false));
    options.put("globs(*.txt, *.gz)", f -> f.globs("*.txt", "*.gz"));
    options.put("charsetFromBom(false)", f -> f.charsetFromBom(false));
    options.put("decompress(false)", f -> f.decompress(false));
    options.put("maxLineBytes(300)", f -> f.maxLineBytes(300));
    options.put(
        "all but the defaults",
        f -> f.includeHidden(false).includeBinary(false).globs("*.txt").charsetFromBom(false));
    Map<String, List<String>> seen = new HashMap<>();
    for (var option : options.entrySet()) {
      RunningFlow<List<String>> local =
          Flow.fromFiles(List.of(dir), o -> o.stages(2).splitBytes(64), option.getValue())
              .map(s -> s)
              .start(Collectors.toList());
      List<String> localLines = sorted(local.await());
      long localMalformed = local.statistics().malformedInput();
      FlinkFlows.Result<String> viaPlan =
          FlinkFlows.run(
              env(), Flow.fromFiles(List.of(dir), o -> o, option.getValue()).map(s -> s));
      assertEquals(localLines, sorted(viaPlan.events()), option.getKey());
      assertEquals(localMalformed, viaPlan.malformedInput(), option.getKey());
      // What the options left out, by reason, as the local statistics count it.
      assertEquals(local.statistics().skippedFiles(), viaPlan.skippedFiles(), option.getKey());
      FlinkFlows.Result<String> viaUri =
          FlinkFlows.run(
              env(),
              FlinkFlows.fromFiles(List.of(dir.toUri().toString()), o -> o, option.getValue()));
      assertEquals(localLines, sorted(viaUri.events()), option.getKey());
      assertEquals(localMalformed, viaUri.malformedInput(), option.getKey());
      assertEquals(local.statistics().skippedFiles(), viaUri.skippedFiles(), option.getKey());
      seen.put(option.getKey(), localLines);
    }
    // Each option changed what was read, so the comparisons above are about the option.
    for (String option : options.keySet()) {
      if (!option.equals("defaults") && !option.startsWith("maxLineBytes")) {
        assertTrue(!seen.get(option).equals(seen.get("defaults")), option + " changed nothing");
      }
    }
    assertTrue(seen.get("defaults").contains("bom first"), "the UTF-16 mark chose the charset");
    assertTrue(seen.get("defaults").contains("x\ry"), "a lone \\r does not end a line");
  }

  /** A line over maxLineBytes fails both engines with the same error (plain, gzip, UTF-16). */
  @Test
  void lineLongerThanMaxLineBytes_failsBothEnginesWithTheSameError(@TempDir Path dir)
      throws Exception {
    Random random = new Random(14);
    byte[] head = concat(randomBytes(random, 30), "\n".getBytes());
    byte[] longLine = "w".repeat(500).getBytes();
    Path plain = dir.resolve("plain.txt");
    Files.write(plain, concat(concat(head, longLine), "\nend\n".getBytes()));
    Path gzip = dir.resolve("zipped.gz");
    Files.write(gzip, gzip(Files.readAllBytes(plain)));
    Path utf16 = dir.resolve("utf16.txt");
    Files.write(
        utf16,
        concat(
            new byte[] {(byte) 0xFF, (byte) 0xFE},
            ("short\r\n" + "w".repeat(500) + "\n").getBytes(StandardCharsets.UTF_16LE)));
    Map<Path, String> errors =
        Map.of(
            plain, "a line longer than 400 bytes at offset " + head.length + " of ",
            gzip, "a line longer than 400 bytes at offset " + head.length + " (decompressed) of ",
            utf16, "a line longer than 400 bytes (line 2) of ");
    for (var file : errors.entrySet()) {
      Flow<String> flow =
          Flow.fromFiles(List.of(file.getKey()), o -> o, f -> f.maxLineBytes(400)).map(s -> s);
      String local = messages(assertThrows(RuntimeException.class, flow::toList));
      String flink = messages(assertThrows(Exception.class, () -> FlinkFlows.run(env(), flow)));
      for (String m : List.of(local, flink)) {
        assertTrue(m.contains(file.getValue()), m);
        assertTrue(m.contains(file.getKey().getFileName().toString()), m);
        assertTrue(m.contains("raise FileOptions.maxLineBytes"), m);
      }
      // One byte more of bound and the line is read, on both.
      Flow<String> fits =
          Flow.fromFiles(List.of(file.getKey()), o -> o, f -> f.maxLineBytes(1002)).map(s -> s);
      assertEquals(sorted(fits.toList()), sorted(FlinkFlows.run(env(), fits).events()));
    }
  }

  /**
   * A line too long fails both engines with the very same message, the file named by its path on
   * both (Flink named a local file by its {@code file:} URI), also where the local engine counts
   * the words on its fused byte path (FlinkParityProperties, seed -2918640531215390200).
   */
  @Test
  void lineLongerThanMaxLineBytes_sameMessageAsLocal_plainAndWordCount(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("f0.txt");
    Files.writeString(file, "a b\nDon't 'quoted' x1 a-b\nb\n");
    Flow<String> lines = Flow.fromFiles(List.of(file), o -> o.stages(1), f -> f.maxLineBytes(12));
    String expected = "a line longer than 12 bytes at offset 4 of " + file + ";";
    for (Flow<?> flow :
        List.of(lines.map(s -> s), lines.flatMap(Tokenizer.WORDS).frequencies(o -> o.stages(2)))) {
      String local = lineTooLong(assertThrows(FlowException.class, flow::toList));
      String flink = lineTooLong(assertThrows(Exception.class, () -> FlinkFlowsTest.onFlink(flow)));
      assertTrue(local.startsWith(expected), local);
      assertEquals(local, flink);
    }
  }

  /** The first message in {@code e}'s causes saying a line is too long. */
  private static String lineTooLong(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("a line longer than")) {
        return t.getMessage();
      }
    }
    throw new AssertionError("no line too long in " + messages(e));
  }

  @Test
  void truncatedMalformedOrAppendedGzip_failsBothEnginesNamingTheFile(@TempDir Path dir)
      throws Exception {
    byte[] good = gzip("x\n".repeat(50_000).getBytes());
    Path truncated = dir.resolve("truncated.gz");
    Files.write(truncated, Arrays.copyOf(good, good.length / 2));
    Path notGzip = dir.resolve("plain.gz");
    Files.write(notGzip, "not gzip at all\n".getBytes());
    Path appended = dir.resolve("appended.gz");
    Files.write(appended, good);
    Files.write(appended, "appended\n".getBytes(), StandardOpenOption.APPEND);
    for (Path bad : List.of(truncated, notGzip, appended)) {
      Flow<String> flow = Flow.fromFiles(bad).map(s -> s);
      String local = messages(assertThrows(RuntimeException.class, flow::toList));
      String flink = messages(assertThrows(Exception.class, () -> FlinkFlows.run(env(), flow)));
      for (String m : List.of(local, flink)) {
        assertTrue(m.contains("cannot read "), m);
        assertTrue(m.contains(bad.getFileName().toString()), m);
      }
    }
  }

  private static String messages(Throwable e) {
    StringBuilder m = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      m.append(t).append(" | ");
    }
    return m.toString();
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(bytes);
    }
    return gz.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void dataStreamInAndOut_wordCountLikeLocal() throws Exception {
    List<String> lines = List.of("a b", "b c", "c c");
    StreamExecutionEnvironment env = env();
    DataStream<String> in = env.fromData(lines, Types.STRING);
    Flow<Map<String, Long>> counts =
        FlinkFlows.fromDataStream(in, o -> o.stages(2))
            .flatMap(l -> List.of(l.split(" ")))
            .partition(o -> o.stages(2))
            .reduce(
                HashMap<String, Long>::new,
                (m, w) -> {
                  m.merge(w, 1L, Long::sum);
                  return m;
                });
    DataStream<Map<String, Long>> out = FlinkFlows.toDataStream(env, counts);
    List<String> flink =
        out.flatMap(
                (Map<String, Long> m, org.apache.flink.util.Collector<String> c) ->
                    m.forEach((w, n) -> c.collect(w + "=" + n)))
            .returns(Types.STRING)
            .executeAndCollect(100);
    assertEquals(List.of("a=1", "b=2", "c=3"), sorted(flink));

    // The local runtime cannot feed a Flink stream: the source stage fails when it starts, as any
    // source whose iterator() throws, with a message naming FlinkFlows.
    FlowException local = assertThrows(FlowException.class, () -> counts.toList());
    assertInstanceOf(UnsupportedOperationException.class, local.getCause());
    assertTrue(local.getMessage().contains("FlinkFlows"), local.getMessage());
  }

  @Test
  void dataStreamOfAnotherEnvironment_rejectedAtBuild() {
    DataStream<String> in = env().fromData(List.of("a"), Types.STRING);
    StreamExecutionEnvironment other = StreamExecutionEnvironment.getExecutionEnvironment();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FlinkFlows.toDataStream(other, FlinkFlows.fromDataStream(in)));
    assertTrue(e.getMessage().contains("another StreamExecutionEnvironment"), e.getMessage());
  }

  /**
   * The numbers from 0 below {@code end} (endless for -1), with a null after each 1000th if {@code
   * nulls}.
   */
  private record Numbers(int end, boolean nulls) implements Iterable<Integer>, Serializable {
    /** How many iterators were asked for in this JVM (the mini cluster runs in it too). */
    static final AtomicInteger ITERATORS = new AtomicInteger();

    @Override
    public Iterator<Integer> iterator() {
      ITERATORS.incrementAndGet();
      return new Iterator<>() {
        private int next;
        private boolean nullDue;

        @Override
        public boolean hasNext() {
          return end < 0 || next < end || nullDue;
        }

        @Override
        public Integer next() {
          if (nullDue) {
            nullDue = false;
            return null;
          }
          int n = next++;
          nullDue = nulls && n % 1000 == 999;
          return n;
        }
      };
    }
  }

  /**
   * An empty serializable {@code Iterable} ends the input, as locally: Flink's iterator reader took
   * the first event of its one split without asking, and failed the job with {@code
   * NoSuchElementException} (FlinkParityProperties, seed 1732245205676786168).
   */
  @Test
  void emptyIterableNotACollection_endsTheInput_sameAsLocal() throws Exception {
    Flow<Long> sum =
        Flow.fromEnumerable(new Numbers(0, false), o -> o.stages(1))
            .partition(o -> o.stages(2))
            .reduce(() -> 0L, (s, n) -> s + n);
    assertEquals(List.of(0L, 0L), sum.toList());
    assertEquals(List.of(0L, 0L), FlinkFlowsTest.onFlink(sum));
    Flow<Integer> bare = Flow.fromEnumerable(new Numbers(0, false), o -> o.stages(1));
    assertEquals(List.of(), bare.toList());
    assertEquals(List.of(), FlinkFlowsTest.onFlink(bare));
  }

  @Test
  void largeIterableNotACollection_readWhenTheJobRuns_sameAsLocal() throws Exception {
    Flow<Long> flow =
        Flow.fromEnumerable(new Numbers(200_000, false), o -> o.stages(1))
            .map(n -> n % 7)
            .partition(o -> o.stages(2))
            .reduce(() -> 0L, (sum, n) -> sum + n)
            .departition(() -> 0L, Long::sum, sum -> sum);
    List<Long> local = flow.toList();
    int before = Numbers.ITERATORS.get();
    DataStream<Long> built = FlinkFlows.toDataStream(env(), flow);
    assertEquals(before, Numbers.ITERATORS.get(), "building the job reads nothing");
    assertEquals(local, FlinkFlowsTest.onFlink(flow));
    assertEquals(1, built.getParallelism(), "a departition is one subtask");
    // Null events (after each 1000th number) reach the result, as from a collection.
    List<Integer> expected = new ArrayList<>();
    new Numbers(3000, true).forEach(expected::add);
    assertEquals(
        FlinkFlowsTest.multiset(expected),
        FlinkFlowsTest.multiset(
            FlinkFlowsTest.onFlink(
                Flow.fromEnumerable(new Numbers(3000, true), o -> o.stages(1)).map(n -> n))));
  }

  @Test
  void iterable_inAStreamingJob_sameAsLocal() throws Exception {
    // A processing-time trigger puts the job in streaming mode: the source is read there too. Only
    // done emits, so the result does not depend on when the periodic trigger fires.
    Flow<Long> flow =
        Flow.fromEnumerable(new Numbers(50_000, false), o -> o.stages(1))
            .partition(
                o -> o.stages(2).window(Window.global().triggerPeriodically(Duration.ofMillis(5))))
            .reduce(() -> 0L, (sum, n) -> sum + n)
            .onTrigger(
                (sum, t) ->
                    TriggerResult.of(
                        t.name().equals(Trigger.DONE) ? List.of(sum) : List.of(), sum));
    assertEquals(
        FlinkFlowsTest.multiset(flow.toList()),
        FlinkFlowsTest.multiset(FlinkFlowsTest.onFlink(flow)));
  }

  @Test
  void endlessIterable_buildsAtOnce_andIsReadLazily() throws Exception {
    // A hang guard only: before, the build copied the Iterable and never returned.
    List<Integer> first =
        assertTimeoutPreemptively(
            Duration.ofMinutes(3),
            () -> {
              Flow<Integer> flow =
                  Flow.fromEnumerable(new Numbers(-1, true), o -> o.stages(1))
                      .filter(n -> n != null)
                      .map(n -> n * 2);
              DataStream<Integer> out = FlinkFlows.toDataStream(env(), flow);
              return out.executeAndCollect(5);
            });
    assertEquals(List.of(0, 2, 4, 6, 8), first);
  }

  @Test
  void iterableThatCannotBeSerialized_copiedWhenSmall_rejectedAtBuildWhenEndless()
      throws Exception {
    Iterable<Integer> small = () -> List.of(3, 1, 2).iterator(); // a lambda: not serializable
    Flow<Integer> finite = Flow.fromEnumerable(small, o -> o.stages(1)).map(n -> n * 10);
    assertEquals(
        FlinkFlowsTest.multiset(finite.toList()),
        FlinkFlowsTest.multiset(FlinkFlowsTest.onFlink(finite)));
    Iterable<Integer> endless = () -> Stream.iterate(0, n -> n + 1).iterator();
    IllegalArgumentException e =
        assertTimeoutPreemptively(
            Duration.ofMinutes(3),
            () ->
                assertThrows(
                    IllegalArgumentException.class,
                    () ->
                        FlinkFlows.toDataStream(
                            env(), Flow.fromEnumerable(endless, o -> o.stages(1)))));
    assertTrue(e.getMessage().contains("not serializable"), e.getMessage());
    assertTrue(e.getMessage().contains("FlinkFlows.fromSource"), e.getMessage());
    assertTrue(e.getMessage().contains(Translator.MAX_COPIED + " events"), e.getMessage());
  }
}
