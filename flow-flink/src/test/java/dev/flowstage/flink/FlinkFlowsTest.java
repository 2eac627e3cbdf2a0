package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class FlinkFlowsTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static final List<String> WORDS = List.of("a", "b", "c", "d", "e", "f", "g", "h");

  /** Seeded lines of words, so a failure reproduces. */
  private static List<String> lines(long seed, int count) {
    Random random = new Random(seed);
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      StringBuilder b = new StringBuilder();
      for (int w = 0, n = random.nextInt(6); w < n; w++) {
        b.append(w == 0 ? "" : " ").append(WORDS.get(random.nextInt(WORDS.size())));
      }
      lines.add(b.toString());
    }
    return lines;
  }

  /**
   * Collects {@code flow} on the mini cluster at parallelism 2 (shared with the other Flink tests).
   */
  static <T> List<T> onFlink(Flow<T> flow) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return FlinkFlows.collect(env, flow);
  }

  /** The multiset of a list: each distinct element and how often it occurs. */
  static Map<Object, Integer> multiset(List<?> events) {
    Map<Object, Integer> m = new HashMap<>();
    for (Object e : events) {
      m.merge(e, 1, Integer::sum);
    }
    return m;
  }

  private static void assertSameAsLocal(Flow<?> flow) throws Exception {
    List<?> local = flow.toList();
    List<?> flink = onFlink(flow);
    assertEquals(multiset(local), multiset(flink), "local: " + local + "\nflink: " + flink);
  }

  private static Flow<Map<String, Long>> counted(Flow<String> lines, boolean combiner) {
    Flow<String> words =
        lines
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .reject(String::isEmpty)
            .partition(o -> o.stages(2));
    return combiner
        ? words.reduce(
            HashMap<String, Long>::new,
            (m, w) -> {
              m.merge(w, 1L, Long::sum);
              return m;
            },
            (a, b) -> {
              b.forEach((w, n) -> a.merge(w, n, Long::sum));
              return a;
            })
        : words.reduce(
            HashMap<String, Long>::new,
            (m, w) -> {
              m.merge(w, 1L, Long::sum);
              return m;
            });
  }

  private static Flow<Map<String, Long>> departed(Flow<Map<String, Long>> counts) {
    return counts.departition(
        HashMap<String, Long>::new,
        (all, m) -> {
          all.putAll(m);
          return all;
        },
        all -> all);
  }

  @Test
  void guideExample_wordCountOfAFile_countsEveryWord(@TempDir Path dir) throws Exception {
    Path path = dir.resolve("book.txt");
    Files.write(path, List.of("to be or not", "to be"));
    // snippet-start: flink-word-count
    // @start region=wordCount
    Flow<Map<String, Long>> counts =
        Flow.fromFiles(List.of(path), o -> o.stages(4))
            .flatMap(line -> List.of(line.split(" ")))
            .partition(o -> o.stages(4))
            .reduce(
                HashMap<String, Long>::new,
                (m, word) -> {
                  m.merge(word, 1L, Long::sum);
                  return m;
                },
                (a, b) -> {
                  b.forEach((word, n) -> a.merge(word, n, Long::sum));
                  return a;
                })
            .departition(
                HashMap<String, Long>::new,
                (all, m) -> {
                  all.putAll(m);
                  return all;
                },
                all -> all);

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    List<Map<String, Long>> result = FlinkFlows.collect(env, counts); // one job, batch mode
    // @end
    // snippet-end: flink-word-count
    assertEquals(List.of(Map.of("to", 2L, "be", 2L, "or", 1L, "not", 1L)), result);

    // snippet-start: flink-datastream
    DataStream<Map<String, Long>> stream = FlinkFlows.toDataStream(env, counts);
    List<Integer> distinctWords = stream.map(Map::size).returns(Types.INT).executeAndCollect(10);
    // snippet-end: flink-datastream
    assertEquals(List.of(4), distinctWords);
  }

  @Test
  void wordCount_enumerables_sameAccumulatorPerPartitionAsLocal() throws Exception {
    Flow<String> lines =
        Flow.fromEnumerables(List.of(lines(1, 300), lines(2, 200)), o -> o.stages(2));
    assertSameAsLocal(counted(lines, false));
    assertSameAsLocal(counted(lines, true));
  }

  @Test
  void wordCount_departitionWithCombiner_oneMapWithEveryCount() throws Exception {
    List<String> text = lines(3, 500);
    Flow<Map<String, Long>> flow =
        departed(counted(Flow.fromEnumerable(text, o -> o.stages(2)), true));
    List<Map<String, Long>> result = onFlink(flow);
    assertEquals(flow.toList(), result);
    long words =
        text.stream().flatMap(l -> Arrays.stream(l.split(" "))).filter(w -> !w.isEmpty()).count();
    assertEquals(words, result.get(0).values().stream().mapToLong(Long::longValue).sum());
    Flow<String> summary = flow.map(counts -> counts.size() + " words").filter(s -> !s.isEmpty());
    assertEquals(List.of(result.get(0).size() + " words"), onFlink(summary));
  }

  @Test
  void fileWordCount_fusedLocally_runsAsWrittenOnFlink_withTheSameCounts(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("words.txt");
    Files.write(file, lines(6, 400));
    // A .gz file too: the local byte path decompresses it in its reading stage, Flink's line
    // reader as it reads any .gz file.
    Path gz = dir.resolve("words.txt.gz");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(String.join("\n", lines(7, 300)).getBytes(StandardCharsets.UTF_8));
    }
    Flow<KeyCount<String>> counts =
        Flow.fromFiles(List.of(file, gz), o -> o.stages(2))
            .flatMap(Tokenizer.SPACE)
            .frequencies(o -> o.stages(3))
            .checkSerializable();
    // The local engine fuses this plan onto the byte path; Flink runs it as written.
    assertTrue(counts.graph().toText().contains("fused word count"), counts.graph().toText());
    assertSameAsLocal(counts);
  }

  @Test
  void wordCount_file_sameAsLocal(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("words.txt");
    Files.write(file, lines(4, 400));
    Flow<String> lines = Flow.fromFiles(List.of(file), o -> o.stages(2));
    assertSameAsLocal(counted(lines, false));
    assertSameAsLocal(departed(counted(lines, true)));

    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, List.of("café thé", "thé"), StandardCharsets.ISO_8859_1);
    Flow<Map<String, Long>> accents =
        departed(
            counted(
                Flow.fromFiles(List.of(latin1), o -> o.charset(StandardCharsets.ISO_8859_1)),
                false));
    assertEquals(List.of(Map.of("café", 1L, "thé", 2L)), onFlink(accents));
    assertSameAsLocal(accents);
  }

  @Test
  void wordCount_directoryWithHiddenFile_readsEveryFileLikeLocal(@TempDir Path dir)
      throws Exception {
    Files.write(dir.resolve("a.txt"), lines(5, 100));
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("sub").resolve("_b.txt"), lines(6, 100));
    Files.write(dir.resolve(".c.txt"), List.of("x y z"));
    assertSameAsLocal(counted(Flow.fromFiles(List.of(dir), o -> o.stages(2)), true));
  }

  @Test
  void reduce_emptyEnumerable_emitsInitOncePerPartitionLikeLocal() throws Exception {
    Flow<Integer> counts =
        Flow.fromEnumerable(List.<Integer>of(), o -> o.stages(2))
            .partition(o -> o.stages(3))
            .reduce(() -> 0, (n, i) -> n + 1);
    assertEquals(List.of(0, 0, 0), onFlink(counts));
    assertSameAsLocal(counts);
  }

  @Test
  void merge_twoFlows_routedByKeyLikeLocal() throws Exception {
    Flow<Integer> left = Flow.fromEnumerable(IntStream.range(0, 300).boxed().toList());
    Flow<Integer> right =
        Flow.fromEnumerable(IntStream.range(0, 300).boxed().toList(), o -> o.stages(2))
            .map(i -> i * 7);
    Flow<Map<Integer, List<Integer>>> groups =
        Flow.<Integer>merge(List.of(left, right), o -> o.stages(2).key((Integer i) -> i % 10))
            .groupBy(i -> i % 10, i -> 1);
    assertSameAsLocal(groups);
  }

  @Test
  void takeSort_overPartitions_sameTopAsLocal() throws Exception {
    List<Integer> numbers = IntStream.range(0, 500).map(i -> (i * 7919) % 500).boxed().toList();
    Flow<List<Integer>> top =
        Flow.fromEnumerable(numbers, o -> o.stages(2))
            .partition(o -> o.stages(2))
            .takeSort(5, (a, b) -> Integer.compare(b, a));
    assertEquals(List.of(List.of(499, 498, 497, 496, 495)), onFlink(top));
  }

  @Test
  void mapFilterChain_enumerable_sameEventsAsLocal() throws Exception {
    List<Integer> numbers = IntStream.range(0, 1000).boxed().toList();
    assertSameAsLocal(
        Flow.fromEnumerable(numbers, o -> o.stages(2))
            .map(i -> i * 3)
            .filter(i -> i % 2 == 0)
            .reject(i -> i % 5 == 0)
            .flatMap(i -> List.of(i, -i))
            .each(i -> {}));
  }

  @Test
  void partition_dropHash_dropsLikeLocal() throws Exception {
    List<Integer> numbers = IntStream.range(0, 600).boxed().toList();
    Flow<Long> sums =
        Flow.fromEnumerable(numbers, o -> o.stages(2))
            .partition(o -> o.stages(2).hash((Integer i) -> i % 3 == 0 ? Options.DROP : i % 2))
            .reduce(() -> 0L, (sum, i) -> sum + i);
    List<Long> flink = onFlink(sums);
    assertSameAsLocal(sums);
    long expected = numbers.stream().filter(i -> i % 3 != 0).mapToLong(i -> i).sum();
    assertEquals(expected, flink.stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void onTrigger_afterReduce_seesItsPartitionAndEmitsItsEvents() throws Exception {
    Flow<String> flow =
        Flow.fromEnumerable(IntStream.range(0, 200).boxed().toList(), o -> o.stages(2))
            .shuffle(o -> o.stages(1))
            .reduce(() -> 0, (n, i) -> n + 1)
            .onTrigger(
                (n, t) ->
                    TriggerResult.of(
                        List.of(t.name() + " " + t.partition() + "/" + t.partitions() + " " + n),
                        n))
            .map(String::toUpperCase);
    assertEquals(List.of("DONE 0/1 200"), onFlink(flow));
    assertSameAsLocal(flow);
  }

  @Test
  void collect_failingFunction_throwsWithTheCauseInItsChain() {
    Flow<Integer> failing =
        Flow.fromEnumerable(List.of(1, 2, 3), o -> o.stages(2))
            .map(
                i -> {
                  if (i == 2) {
                    throw new IllegalStateException("bad event " + i);
                  }
                  return i;
                });
    Exception e = assertThrows(Exception.class, () -> onFlink(failing));
    Throwable cause = e;
    while (cause != null && !(cause instanceof IllegalStateException)) {
      cause = cause.getCause();
    }
    assertInstanceOf(IllegalStateException.class, cause, "no IllegalStateException in " + e);
    assertEquals("bad event 2", cause.getMessage());
  }

  /**
   * Numbers with repeats from one ordered source: after a partition each stage sees its events in
   * source order on both runtimes, so order-dependent per-stage results are deterministic.
   */
  private static List<Integer> repeating(int count) {
    return IntStream.range(0, count).map(i -> (i * 37) % 101).boxed().toList();
  }

  /** A trigger's fields and the accumulator, as one event. */
  static String fired(Trigger t, Object acc) {
    return t.name()
        + " "
        + t.window()
        + " "
        + t.windowId()
        + " "
        + t.partition()
        + "/"
        + t.partitions()
        + " "
        + acc;
  }

  @Test
  void uniq_perStage_firstOfEachKeyLikeLocal() throws Exception {
    Flow<Integer> numbers = Flow.fromEnumerable(repeating(600));
    Flow<Integer> distinct = numbers.partition(o -> o.stages(3)).uniq();
    assertEquals(101, onFlink(distinct).size());
    assertSameAsLocal(distinct);
    // A key other than the partition's: which event is first depends on each stage's order.
    assertSameAsLocal(
        numbers
            .partition(o -> o.stages(2).key((Integer i) -> i % 10))
            .map(i -> i * 2)
            .uniqBy(i -> i % 7)
            .filter(i -> i > 3));
    // One stage per set: a source layer of one stage, and a uniq after a reduce.
    assertSameAsLocal(
        Flow.fromEnumerable(repeating(300), o -> o.stages(1))
            .uniqBy(i -> i % 13)
            .flatMap(i -> List.of(i, i + 1))
            .uniq());
    assertSameAsLocal(
        numbers
            .partition(o -> o.stages(2))
            .reduce(() -> 0, (n, i) -> n + 1)
            .onTrigger((n, t) -> TriggerResult.of(List.of(n % 2, n % 2, 7), n))
            .uniq());
    Flow<Integer> afterDepartition =
        numbers
            .partition(o -> o.stages(2))
            .departition(() -> 0, (n, i) -> n + 1, n -> n)
            .flatMap(n -> List.of(n, 1, n, 1))
            .uniq();
    assertEquals(multiset(List.of(600, 1)), multiset(onFlink(afterDepartition)));
    assertSameAsLocal(afterDepartition);
  }

  @Test
  void emitAndReduce_perPartition_emitsWhileFoldingThenAtDoneLikeLocal() throws Exception {
    Flow<Integer> numbers = Flow.fromEnumerable(repeating(500)).partition(o -> o.stages(3));
    Flow<String> sums =
        numbers
            .<Long, String>emitAndReduce(
                () -> 0L,
                (i, sum) ->
                    TriggerResult.of(
                        i % 10 == 0 ? List.of("at " + i + " " + (sum + i)) : List.of(), sum + i),
                (sum, t) -> TriggerResult.of(List.of(fired(t, sum)), sum))
            .map(String::toUpperCase);
    List<String> flink = onFlink(sums);
    for (int p = 0; p < 3; p++) {
      String prefix = "DONE GLOBAL 0 " + p + "/3 ";
      assertEquals(1, flink.stream().filter(s -> s.startsWith(prefix)).count(), flink.toString());
    }
    assertSameAsLocal(sums);

    // The two-argument form emits nothing at done; one uniq set per stage sees what it emits.
    assertSameAsLocal(
        numbers
            .<Integer, Integer>emitAndReduce(
                () -> 0, (i, n) -> TriggerResult.of(List.of(i % 10, n % 4), n + 1))
            .uniq());

    // An empty partition still gets its done trigger, with init as the accumulator.
    Flow<String> empty =
        Flow.fromEnumerable(List.<Integer>of())
            .partition(o -> o.stages(2))
            .<Integer, String>emitAndReduce(
                () -> 0,
                (i, n) -> TriggerResult.of(List.of("event"), n),
                (n, t) -> TriggerResult.of(List.of(fired(t, n)), n));
    assertEquals(
        multiset(List.of("done GLOBAL 0 0/2 0", "done GLOBAL 0 1/2 0")), multiset(onFlink(empty)));
    assertSameAsLocal(empty);
  }

  @Test
  void countWindow_perStage_sameEventsPerPaneAsLocal() throws Exception {
    Flow<Integer> numbers = Flow.fromEnumerable(repeating(400));
    // Panes count raw events, before the filter; a stage whose count divides its events ends
    // with an empty pane, done with init, as locally.
    assertSameAsLocal(
        numbers
            .partition(o -> o.stages(2).window(Window.count(7)))
            .filter(i -> i % 3 != 0)
            .reduce(() -> 0, Integer::sum));
    Flow<String> panes =
        numbers
            .partition(o -> o.stages(2).key((Integer i) -> i % 2).window(Window.count(50)))
            .reduce(() -> 0, (n, i) -> n + 1)
            .onTrigger((n, t) -> TriggerResult.of(List.of(fired(t, n)), n));
    List<String> flink = onFlink(panes);
    assertTrue(flink.contains("done COUNT 0 0/2 50"), flink.toString());
    assertSameAsLocal(panes);
    assertSameAsLocal(
        numbers
            .partition(o -> o.stages(3).window(Window.count(4)))
            .<List<Integer>, List<Integer>>emitAndReduce(
                ArrayList::new,
                (i, seen) -> {
                  seen.add(i);
                  return TriggerResult.of(
                      i % 5 == 0 ? List.of(List.copyOf(seen)) : List.of(), seen);
                },
                (seen, t) -> TriggerResult.of(List.of(List.of(-seen.size())), seen)));
  }

  @Test
  void triggerEvery_globalAndCountWindows_firesLikeLocal() throws Exception {
    Flow<Integer> numbers = Flow.fromEnumerable(repeating(300));
    Flow<String> every =
        numbers
            .partition(o -> o.stages(2).window(Window.global().triggerEvery(20)))
            .reduce(() -> 0, Integer::sum)
            .onTrigger((sum, t) -> TriggerResult.of(List.of(fired(t, sum)), t.isDone() ? sum : 0));
    List<String> flink = onFlink(every);
    assertTrue(flink.stream().anyMatch(s -> s.startsWith("every GLOBAL 0 1/2 ")), flink.toString());
    assertSameAsLocal(every);
    // Without onTrigger each trigger emits the accumulator, which keeps growing.
    assertSameAsLocal(
        numbers
            .partition(o -> o.stages(2).window(Window.count(30).triggerEvery(7)))
            .map(i -> i + 1)
            .reduce(() -> 0L, (sum, i) -> sum + i));
  }

  /**
   * Seeds chosen to cover the windowed operator's shapes: 2 global every(8) reduce, 3 count(11)
   * every(4) reduce, 4 count(24) every(13) emitAndReduce, 6 global every(4) emitAndReduce, 18
   * count(39) emitAndReduce, 21 count(1) every(15) emitAndReduce; two or three stages each.
   */
  @ParameterizedTest
  @ValueSource(longs = {2, 3, 4, 6, 18, 21})
  void windowedReduce_seededShapes_sameAsLocal(long seed) throws Exception {
    Random random = new Random(seed);
    int stages = 1 + random.nextInt(3);
    int count = random.nextBoolean() ? 1 + random.nextInt(40) : 0;
    int every = random.nextBoolean() ? 1 + random.nextInt(15) : 0;
    Window counted = count > 0 ? Window.count(count) : Window.global();
    Window window = every > 0 ? counted.triggerEvery(every) : counted;
    boolean reset = random.nextBoolean();
    Flow<Integer> numbers =
        Flow.fromEnumerable(repeating(200 + random.nextInt(200)))
            .partition(o -> o.stages(stages).window(window))
            .filter(i -> i % 4 != 1);
    Flow<String> flow =
        random.nextBoolean()
            ? numbers
                .reduce(() -> 0, Integer::sum)
                .onTrigger((sum, t) -> TriggerResult.of(List.of(fired(t, sum)), reset ? 0 : sum))
            : numbers.<Integer, String>emitAndReduce(
                () -> 0,
                (i, n) ->
                    TriggerResult.of(i % 9 == 0 ? List.of("at " + i + " " + n) : List.of(), n + 1),
                (n, t) -> TriggerResult.of(List.of(fired(t, n)), reset ? 0 : n));
    assertSameAsLocal(flow);
  }

  @Test
  void mapBatch_startOfLayer_batchesOfAtMostMaxDemand() throws Exception {
    List<Integer> numbers = IntStream.range(0, 1000).boxed().toList();
    // A function of each event alone: the same events whatever the batches.
    assertSameAsLocal(
        Flow.fromEnumerable(numbers, o -> o.stages(2))
            .mapBatch(batch -> batch.stream().map(i -> i * 2).toList())
            .mapBatch(batch -> batch.stream().filter(i -> i % 3 != 0).toList())
            .map(i -> i + 1));
    // The sizes of the batches: each at most maxDemand, together every event of the layer.
    Flow<Integer> sizes =
        Flow.fromEnumerable(numbers)
            .partition(o -> o.stages(2).maxDemand(64))
            .mapBatch(batch -> List.of(batch.size()));
    for (List<Integer> run : List.of(onFlink(sizes), sizes.toList())) {
      assertEquals(1000, run.stream().mapToInt(Integer::intValue).sum(), run.toString());
      assertTrue(run.stream().allMatch(n -> n >= 1 && n <= 64), run.toString());
    }
    // Before a reduce, the batches' output is what the reduce folds.
    assertSameAsLocal(
        Flow.fromEnumerable(numbers)
            .partition(o -> o.stages(2).maxDemand(10))
            .mapBatch(batch -> batch.stream().map(i -> i % 7).toList())
            .reduce(() -> 0L, (sum, i) -> sum + i));
  }

  @Test
  void translate_localOnlyOperations_rejectedWithTheirName() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Flow<Integer> numbers = Flow.fromEnumerable(List.of(1, 2, 3));
    Map<String, Flow<?>> rejected =
        Map.of(
            "zip",
            Flow.zip(numbers, numbers, Integer::sum),
            "zip ",
            Flow.zip(numbers, numbers, Integer::sum).map(i -> i));
    rejected.forEach(
        (name, flow) -> {
          var e =
              assertThrows(
                  UnsupportedOperationException.class, () -> FlinkFlows.toDataStream(env, flow));
          assertTrue(e.getMessage().contains(name), e.getMessage());
          assertTrue(e.getMessage().contains("local runtime"), e.getMessage());
        });
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FlinkFlows.toDataStream(env, Flow.fromEnumerable(Stream.of(1, 2))));
    assertTrue(e.getMessage().contains("List"), e.getMessage());
  }

  @Test
  void translate_afterDepartition_reduceTakeSortAndMapBatch_likeLocal() throws Exception {
    // The departition stage runs flow-core's MapReducer on both engines: its merge, then the
    // layer's own reduce (issue 10: was a ClassCastException locally and rejected on Flink).
    Flow<Integer> departed =
        Flow.fromEnumerable(repeating(200))
            .partition(o -> o.stages(3))
            .reduce(() -> 0, Integer::sum)
            .departition(() -> 0, Integer::sum, n -> n);
    assertSameAsLocal(departed.reduce(() -> 1, Integer::sum));
    assertSameAsLocal(departed.mapBatch(batch -> List.of(batch.size())));
    assertSameAsLocal(
        Flow.fromEnumerable(repeating(200))
            .partition(o -> o.stages(3))
            .takeSort(10, Integer::compare)
            .flatMap(l -> l)
            .takeSort(3, (a, b) -> b - a));
  }

  @Test
  void translate_departitionAndTakeSortPerCountWindow_likeLocal() throws Exception {
    // Each partition tags its panes; the departition merges a window once every subtask closed it.
    Flow<Integer> windowed =
        Flow.fromEnumerable(repeating(200))
            .partition(o -> o.stages(3).window(Window.count(10)))
            .map(i -> i);
    assertSameAsLocal(
        windowed.reduce(() -> 0, Integer::sum).departition(() -> 0, Integer::sum, n -> n));
    assertSameAsLocal(windowed.takeSort(2, Integer::compare));
  }

  @Test
  void translate_windowWithoutReduce_likeLocal() throws Exception {
    // A window only shapes a reduce: the global window's triggers are ignored without one, any
    // other window is an error on both runtimes.
    assertSameAsLocal(
        Flow.fromEnumerable(repeating(100))
            .partition(o -> o.stages(2).window(Window.global().triggerEvery(3)))
            .map(i -> i + 1));
    Flow<Integer> countWithoutReduce =
        Flow.fromEnumerable(repeating(100))
            .partition(o -> o.stages(2).window(Window.count(3)))
            .map(i -> i + 1);
    var local = assertThrows(IllegalArgumentException.class, countWithoutReduce::toList);
    var flink = assertThrows(IllegalArgumentException.class, () -> onFlink(countWithoutReduce));
    assertEquals(local.getMessage(), flink.getMessage());
  }

  @Test
  void plan_javaSerialized_keepsItsFunctions() throws Exception {
    Flow<Map<String, Long>> flow =
        departed(counted(Flow.fromEnumerable(List.of("a b", "b")), true));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(flow.plan());
    }
    Object copy;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = in.readObject();
    }
    Plan plan = assertInstanceOf(Plan.class, copy);
    Plan.Source.Departition d = assertInstanceOf(Plan.Source.Departition.class, plan.source());
    Plan.Operation.Reduce reduce =
        assertInstanceOf(Plan.Operation.Reduce.class, d.upstream().operations().get(0));
    Object acc = reduce.reducer().apply(reduce.init().get(), "w");
    assertEquals(Map.of("w", 1L), acc);
    assertFalse(reduce.combiner() == null);
  }

  @Test
  void keyedAggregations_runOnFlinkThroughTheSharedLogic() throws Exception {
    List<String> lines = lines(15, 300);
    Flow<String> words =
        Flow.fromEnumerable(lines, o -> o.stages(2))
            .flatMap(line -> line.isEmpty() ? List.of() : Arrays.asList(line.split(" ")));
    Map<String, Long> expected =
        lines.stream()
            .flatMap(line -> line.isEmpty() ? Stream.of() : Arrays.stream(line.split(" ")))
            .collect(Collectors.groupingBy(w -> w, Collectors.counting()));
    Flow<KeyCount<String>> counts = words.countBy(w -> w, o -> o.stages(3));
    Map<String, Long> onFlink = new HashMap<>();
    onFlink(counts).forEach(kc -> assertEquals(null, onFlink.put(kc.key(), kc.count()), "twice"));
    assertEquals(expected, onFlink);
    Flow<List<KeyCount<String>>> top = counts.takeSort(3, KeyCount.byCountDescending());
    assertEquals(top.toList(), onFlink(top));
    Flow<Map.Entry<String, Integer>> lengths =
        words.reduceByKey(w -> w, String::length, Integer::sum, o -> o.stages(2));
    assertEquals(multiset(lengths.toList()), multiset(onFlink(lengths)));
    // Count windows cut each stage's events in arrival order: one ordered path end to end.
    Flow<KeyCount<String>> perCountWindow =
        Flow.fromEnumerable(lines, o -> o.stages(1))
            .flatMap(line -> line.isEmpty() ? List.of() : Arrays.asList(line.split(" ")))
            .countBy(w -> w, o -> o.stages(1).window(Window.count(50)));
    assertEquals(multiset(perCountWindow.toList()), multiset(onFlink(perCountWindow)));
  }
}
