package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class FlowZipJoinTest {
  private static <T extends Comparable<T>> List<T> sorted(List<T> l) {
    List<T> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }

  @Test
  void zip_twoSingleSources_pairsByPositionAndStopsAtShorter() {
    List<Integer> left = IntStream.range(0, 5000).boxed().toList();
    List<String> right = IntStream.range(0, 3000).mapToObj(i -> "r" + i).toList();
    List<String> out =
        Flow.zip(
                Flow.fromEnumerable(left, o -> o.maxDemand(7)).map(x -> x * 2),
                Flow.fromEnumerable(right).filter(s -> !s.endsWith("5")),
                (l, r) -> l + "/" + r)
            .toList();
    List<String> rs = right.stream().filter(s -> !s.endsWith("5")).toList();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < rs.size(); i++) {
      expected.add(left.get(i) * 2 + "/" + rs.get(i));
    }
    assertEquals(expected, out);
  }

  /**
   * Zip stops at its shorter side with the longer side's events still coming: that is what zip
   * means, not a loss, so its stage must not report them as discarded when it ends (with done())
   * holding some in its input, which happens when nothing downstream asks at that moment.
   */
  @RepeatedTest(10)
  void zip_longerSideLeftOver_isNotReportedAsDiscarded() {
    List<Integer> left = IntStream.range(0, 50).boxed().toList();
    List<Integer> right = IntStream.range(0, 20_000).boxed().toList();
    try (RunningFlow<List<Integer>> run =
        Flow.zip(
                Flow.fromEnumerable(left, o -> o.maxDemand(5)),
                Flow.fromEnumerable(right, o -> o.maxDemand(50)),
                Integer::sum)
            .partition(o -> o.stages(1).maxDemand(1))
            .start(Collectors.toList())) {
      List<Integer> out = run.await();
      assertEquals(IntStream.range(0, 50).map(i -> 2 * i).boxed().toList(), sorted(out));
      long discarded = run.statistics().stages().stream().mapToLong(s -> s.discarded()).sum();
      assertEquals(0, discarded, run.statistics().toText());
    }
  }

  /**
   * A zip side may be one folder (one path): its files are read in path order, by one producer, so
   * "the i-th event" is the i-th line of the files one after the other. With a producer per file,
   * as a folder source gets elsewhere, the files' lines interleaved (fuzz seed -888673026884898807
   * of the cancel test).
   */
  @Test
  void zip_aFolderSide_pairsItsFilesLinesInPathOrder(@TempDir Path dir) throws IOException {
    List<Integer> lines = IntStream.range(0, 3000).boxed().toList();
    Files.createDirectories(dir.resolve("sub"));
    List<Path> files =
        List.of(dir.resolve("a.txt"), dir.resolve("b.txt"), dir.resolve("sub/c.txt"));
    for (int i = 0; i < files.size(); i++) {
      StringBuilder text = new StringBuilder();
      for (int x : lines.subList(i * 1000, i * 1000 + 1000)) {
        text.append(x).append("\r\n");
      }
      Files.writeString(files.get(i), text);
    }
    List<Integer> out =
        Flow.zip(
                Flow.fromFiles(List.of(dir), o -> o.stages(3).maxDemand(1).splitBytes(100))
                    .map(Integer::parseInt),
                Flow.fromEnumerable(lines),
                (l, i) -> l - i)
            .toList();
    assertEquals(Collections.nCopies(lines.size(), 0), out);
  }

  @Test
  void zip_thenPartitionAndReduce_isAllowed() {
    List<Integer> sums =
        Flow.zip(
                Flow.fromEnumerable(List.of(1, 2, 3)),
                Flow.fromEnumerable(List.of(10, 20, 30)),
                Integer::sum)
            .partition(o -> o.stages(1))
            .reduce(() -> 0, Integer::sum)
            .toList();
    assertEquals(List.of(66), sums);
  }

  private static Flow<String> join(JoinMode mode) {
    Flow<Integer> left = Flow.fromEnumerable(List.of(1, 2, 2, 3));
    Flow<Integer> right = Flow.fromEnumerable(List.of(20, 30, 40, 20));
    return Flow.boundedJoin(
        mode, left, right, l -> l, r -> r / 10, (l, r) -> l + ":" + r, 1000, o -> o.stages(3));
  }

  @Test
  void boundedJoin_inner_emitsEveryMatchingPair() {
    assertEquals(
        List.of("2:20", "2:20", "2:20", "2:20", "3:30"), sorted(join(JoinMode.INNER).toList()));
  }

  @Test
  void boundedJoin_outerModes_addUnmatchedWithNull() {
    assertEquals(
        List.of("1:null", "2:20", "2:20", "2:20", "2:20", "3:30"),
        sorted(join(JoinMode.LEFT_OUTER).toList()));
    assertEquals(
        List.of("2:20", "2:20", "2:20", "2:20", "3:30", "null:40"),
        sorted(join(JoinMode.RIGHT_OUTER).toList()));
    assertEquals(
        List.of("1:null", "2:20", "2:20", "2:20", "2:20", "3:30", "null:40"),
        sorted(join(JoinMode.FULL_OUTER).toList()));
  }

  @Test
  void boundedJoin_overBound_failsTheFlowNamingTheJoinStage() {
    Flow<String> f =
        Flow.boundedJoin(
            JoinMode.INNER,
            Flow.fromEnumerable(IntStream.range(0, 100).boxed().toList()),
            Flow.fromEnumerable(List.of(1)),
            l -> l,
            r -> r,
            (l, r) -> l + ":" + r,
            10,
            o -> o.stages(1));
    FlowException e = assertThrows(FlowException.class, f::toList);
    assertTrue(e.getCause().getMessage().contains("maxHeld = 10"), e.getMessage());
    assertTrue(e.stage().startsWith("g"), e.stage());
  }
}
