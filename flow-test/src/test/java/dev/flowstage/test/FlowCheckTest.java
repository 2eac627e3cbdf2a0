package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.SerializableBinaryOperator;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

final class FlowCheckTest {
  private static final Gen<String> LINES = Gen.lines(Gen.oneOf("a", "b", "c", "the", "of"), 6);

  /** Word count as users write it: per-partition maps, flattened to (word, count) entries. */
  private static Flow<Map.Entry<String, Long>> wordCount(Flow<String> lines) {
    return lines
        .flatMap(l -> l.isEmpty() ? List.of() : List.of(l.split(" ")))
        .partition()
        .reduce(
            HashMap<String, Long>::new,
            (m, w) -> {
              m.merge(w, 1L, Long::sum);
              return m;
            })
        .flatMap(Map::entrySet);
  }

  private static Stream<Map.Entry<String, Long>> wordCountOracle(Stream<String> lines) {
    return lines
        .flatMap(l -> l.isEmpty() ? Stream.empty() : Stream.of(l.split(" ")))
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()))
        .entrySet()
        .stream();
  }

  @Test
  void wordCount_overFiles_matchesSequential() {
    FlowCheck.forAllLines(LINES)
        .pipeline(FlowCheckTest::wordCount)
        .sameAsStream(FlowCheckTest::wordCountOracle)
        .seed(1)
        .tries(40)
        .check();
  }

  @Test
  void combiningReduce_overEnumerables_matchesSequential() {
    FlowCheck.forAll(Gen.ints(-50, 50))
        .pipeline(
            f ->
                f.partition(o -> o.key(x -> Math.floorMod((Integer) x, 5)))
                    .reduce(
                        HashMap<Integer, Long>::new,
                        (m, x) -> {
                          m.merge(Math.floorMod(x, 5), (long) x, Long::sum);
                          return m;
                        },
                        (a, b) -> {
                          b.forEach((k, v) -> a.merge(k, v, Long::sum));
                          return a;
                        })
                    .flatMap(Map::entrySet))
        .sameAsStream(
            s ->
                s
                    .collect(
                        Collectors.groupingBy(
                            x -> Math.floorMod(x, 5), Collectors.summingLong(x -> x)))
                    .entrySet()
                    .stream())
        .seed(2)
        .tries(40)
        .check();
  }

  @Test
  void ordered_singleLayerMap_keepsOrder() {
    FlowCheck.forAll(Gen.ints(0, 1000))
        .pipeline(f -> f.map(x -> x * 2).filter(x -> x % 3 != 0))
        .sameAsStream(s -> s.map(x -> x * 2).filter(x -> x % 3 != 0))
        .ordered()
        .seed(3)
        .tries(30)
        .check();
  }

  @Test
  void ordered_catchesAPartitionThatReorders() {
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                FlowCheck.forAll(Gen.ints(0, 1000))
                    .pipeline(f -> f.partition(o -> o.stages(3)).map(x -> x + 1))
                    .sameAsStream(s -> s.map(x -> x + 1))
                    .ordered()
                    .seed(4)
                    .tries(30)
                    .check());
    assertTrue(e.getMessage().contains("first difference at index"), e.getMessage());
  }

  /** Sums per key x % 3 with a combining reduce; {@code combine} merges two partial sums. */
  private static Flow<Map.Entry<Integer, Long>> sumsByKey(
      Flow<Integer> f, SerializableBinaryOperator<Long> combine) {
    return f.partition(o -> o.key(x -> (Integer) x % 3))
        .reduce(
            HashMap<Integer, Long>::new,
            (m, x) -> {
              m.merge(x % 3, (long) x, Long::sum);
              return m;
            },
            (a, b) -> {
              b.forEach((k, v) -> a.merge(k, v, combine));
              return a;
            })
        .flatMap(Map::entrySet);
  }

  private static List<Map.Entry<Integer, Long>> sumsByKeyOracle(List<Integer> in) {
    return List.copyOf(
        in.stream()
            .collect(Collectors.groupingBy(x -> x % 3, Collectors.summingLong(x -> x)))
            .entrySet());
  }

  @Test
  void combinerNotAssociativeWithReducer_isCaughtAndShrunk() {
    FlowCheck<Integer, Map.Entry<Integer, Long>> check =
        FlowCheck.forAll(Gen.ints(1, 10))
            // the combiner keeps the larger partial sum: wrong as soon as two upstream stages
            // each pre-reduce part of a key's events
            .pipeline(f -> sumsByKey(f, Math::max))
            .sameAs(FlowCheckTest::sumsByKeyOracle)
            .seed(5)
            .tries(50);
    AssertionError e = assertThrows(AssertionError.class, check::check);
    String msg = e.getMessage();
    assertTrue(msg.contains("Reproduce by adding to the check: .seed("), msg);
    assertTrue(shrunkSize(msg) <= 3, msg);
  }

  @Test
  void nonDeterministicKey_isCaughtAndShrunk() {
    FlowCheck<String, Map.Entry<String, Long>> check =
        FlowCheck.forAllLines(LINES)
            .pipeline(
                lines ->
                    lines
                        .flatMap(l -> l.isEmpty() ? List.of() : List.of(l.split(" ")))
                        // a key that is not a function of the word: equal words scatter
                        .partition(o -> o.key(w -> ThreadLocalRandom.current().nextInt()))
                        .reduce(
                            HashMap<String, Long>::new,
                            (m, w) -> {
                              m.merge(w, 1L, Long::sum);
                              return m;
                            })
                        .flatMap(Map::entrySet))
            .sameAsStream(FlowCheckTest::wordCountOracle)
            .seed(6)
            .tries(50);
    AssertionError e = assertThrows(AssertionError.class, check::check);
    String msg = e.getMessage();
    assertTrue(msg.contains("missing (expected, not produced)"), msg);
    // the key is random, so a small case fails only most of the time: allow one spare line
    assertTrue(shrunkSize(msg) <= 3, msg);
  }

  @Test
  void reproductionLine_replaysTheFailure() {
    Function<Flow<Integer>, Flow<Map.Entry<Integer, Long>>> broken = f -> sumsByKey(f, Math::max);
    AssertionError first =
        assertThrows(
            AssertionError.class,
            () ->
                FlowCheck.forAll(Gen.ints(1, 10))
                    .pipeline(broken)
                    .sameAs(FlowCheckTest::sumsByKeyOracle)
                    .seed(7)
                    .tries(50)
                    .check());
    Matcher m =
        Pattern.compile("\\.seed\\((-?\\d+)L\\)\\.config\\(\"([^\"]*)\"\\)")
            .matcher(first.getMessage());
    assertTrue(m.find(), first.getMessage());
    AssertionError again =
        assertThrows(
            AssertionError.class,
            () ->
                FlowCheck.forAll(Gen.ints(1, 10))
                    .pipeline(broken)
                    .sameAs(FlowCheckTest::sumsByKeyOracle)
                    .seed(Long.parseLong(m.group(1)))
                    .config(m.group(2))
                    .check());
    assertTrue(again.getMessage().contains("on try 1 of 1"), again.getMessage());
    // the replay starts from the shrunk input the events= token names, so it reports the same
    assertEquals(shrunkSize(first.getMessage()), shrunkSize(again.getMessage()));
    assertTrue(m.group(2).contains("events="), first.getMessage());
  }

  @Test
  void failingUserFunction_isReportedWithItsCause_andShrunkToTheEventThatFails() {
    // the stage runtime logs each failed stage as well; this test provokes dozens on purpose
    Logger runtime = Logger.getLogger("dev.flowstage.stage");
    Level before = runtime.getLevel();
    runtime.setLevel(Level.OFF);
    AssertionError e;
    try {
      e =
          assertThrows(
              AssertionError.class,
              () ->
                  FlowCheck.forAll(Gen.ints(0, 20))
                      .pipeline(
                          f ->
                              f.map(
                                  x -> {
                                    if (x == 13) {
                                      throw new IllegalStateException("unlucky " + x);
                                    }
                                    return x;
                                  }))
                      .sameAs(in -> in)
                      .seed(8)
                      .tries(50)
                      .check());
    } finally {
      runtime.setLevel(before);
    }
    String msg = e.getMessage();
    assertTrue(msg.contains("the pipeline failed"), msg);
    assertTrue(msg.contains("unlucky 13"), msg);
    assertTrue(msg.contains("input (1 events): [13]"), msg);
  }

  @Test
  void stuckPipeline_failsAfterTheTimeout_insteadOfHanging() {
    CountDownLatch release = new CountDownLatch(1);
    try {
      AssertionError e =
          assertThrows(
              AssertionError.class,
              () ->
                  FlowCheck.given(List.of(1, 2, 3))
                      .pipeline(
                          f ->
                              f.map(
                                  x -> {
                                    await(release); // a stage that never gets what it waits for
                                    return x;
                                  }))
                      .sameAs(in -> in)
                      .timeout(Duration.ofMillis(300))
                      .seed(9)
                      .tries(1)
                      .check());
      assertTrue(e.getMessage().contains("did not finish within 300 ms"), e.getMessage());
    } finally {
      release.countDown(); // let the abandoned run finish: no thread stays stuck after the test
    }
  }

  @Test
  void config_printsAndParses() {
    String text = "L0=2:5/1 L1=3 L3=-:64/0 sources=2 files=3 split=40 salt=7 yield";
    assertEquals(text, RunConfig.parse(text).toString());
    assertEquals("", RunConfig.parse("").toString());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RunConfig.parse("L0=2:5/9"));
    assertTrue(e.getMessage().contains("'L0=2:5/9'"), e.getMessage());
  }

  @Test
  void check_withoutOracle_saysWhatIsMissing() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> FlowCheck.given(List.of(1)).pipeline(f -> f).check());
    assertTrue(e.getMessage().contains("sameAs"), e.getMessage());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int shrunkSize(String msg) {
    Matcher m = Pattern.compile("input \\((\\d+) events\\)").matcher(msg);
    assertTrue(m.find(), msg);
    return Integer.parseInt(m.group(1));
  }
}
