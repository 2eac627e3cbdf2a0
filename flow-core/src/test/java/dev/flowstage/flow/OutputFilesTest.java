package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file output terminals: part files, {@code _SUCCESS}, and nothing visible unless it all ran.
 */
final class OutputFilesTest {
  @TempDir Path dir;

  private static List<Integer> numbers(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  /** Every line of the part files, sorted. */
  private static List<String> lines(List<Path> parts) throws IOException {
    List<String> all = new ArrayList<>();
    for (Path p : parts) {
      all.addAll(Files.readAllLines(p));
    }
    all.sort(null);
    return all;
  }

  /** What is in the parent directory besides {@code keep}: staging leftovers would show here. */
  private List<String> parentEntries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writeTo_partitionedFlow_writesOnePartPerStageAndASuccessMarker() throws IOException {
    Path out = dir.resolve("out");
    List<Path> parts =
        Flow.fromEnumerable(numbers(1000), o -> o.stages(2))
            .partition(o -> o.stages(3))
            .map(i -> "n" + i)
            .writeTo(out);
    assertEquals(3, parts.size(), parts.toString());
    assertEquals(out.resolve("part-00000"), parts.get(0).toAbsolutePath().normalize());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    List<String> expected = new ArrayList<>(numbers(1000).stream().map(i -> "n" + i).toList());
    expected.sort(null);
    assertEquals(expected, lines(parts));
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(4, s.count(), "three parts and _SUCCESS, nothing else");
    }
    assertEquals(List.of("out"), parentEntries());
  }

  @Test
  void writeCsv_quotesFieldsAndRepeatsTheHeaderInEveryPart() throws IOException {
    Path out = dir.resolve("csv");
    List<Path> parts =
        Flow.fromEnumerable(List.of("plain", "with,comma", "with \"quote\""), o -> o.stages(1))
            .writeCsv(out, s -> List.of(s, s.length()), o -> o.header("text", "length"));
    assertEquals(1, parts.size());
    assertEquals(
        List.of("text,length", "plain,5", "\"with,comma\",10", "\"with \"\"quote\"\"\",12"),
        Files.readAllLines(parts.get(0)));
  }

  @Test
  void existingDirectory_isRefusedBeforeTheFlowStarts_unlessOverwrite() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out"));
    Files.writeString(out.resolve("old.txt"), "old");
    Flow<Integer> flow = Flow.fromEnumerable(numbers(10), o -> o.stages(1));
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> flow.writeTo(out));
    assertInstanceOf(FileAlreadyExistsException.class, e.getCause());
    assertTrue(e.getMessage().contains("overwrite(true)"), e.getMessage());
    assertTrue(Files.exists(out.resolve("old.txt")));

    List<Path> parts = flow.writeLines(out, String::valueOf, o -> o.overwrite(true));
    assertFalse(Files.exists(out.resolve("old.txt")), "replaced as a whole");
    assertEquals(numbers(10).stream().map(String::valueOf).sorted().toList(), lines(parts));
    assertEquals(List.of("out"), parentEntries());
  }

  @Test
  void failureMidWrite_leavesNothingVisible_andKeepsAnOverwrittenDirectory() throws IOException {
    Path existing = Files.createDirectories(dir.resolve("kept"));
    Files.writeString(existing.resolve("part-00000"), "previous result\n");
    for (Path out : List.of(dir.resolve("fresh"), existing)) {
      Flow<String> failing =
          Flow.fromEnumerable(numbers(100_000), o -> o.stages(2).maxDemand(10))
              .partition(o -> o.stages(2).maxDemand(10))
              .map(
                  i -> {
                    if (i == 90_000) {
                      throw new IllegalStateException("boom at " + i);
                    }
                    return "n" + i;
                  });
      FlowException e =
          assertThrows(
              FlowException.class, () -> failing.writeLines(out, s -> s, o -> o.overwrite(true)));
      assertEquals("boom at 90000", e.getCause().getMessage());
    }
    assertEquals(List.of("kept"), parentEntries(), "no output, no staging left behind");
    assertEquals("previous result\n", Files.readString(existing.resolve("part-00000")));
  }

  @Test
  void cancelMidWrite_byInterrupt_leavesNothingVisible() throws Exception {
    Path out = dir.resolve("out");
    CountDownLatch writing = new CountDownLatch(1);
    Flow<String> endless =
        Flow.fromEnumerable(Stream.iterate(0, i -> i + 1), o -> o.stages(1).maxDemand(50))
            .partition(o -> o.stages(2).maxDemand(50))
            .map(
                i -> {
                  if (i == 1000) {
                    writing.countDown(); // part files exist in the staging directory by now
                  }
                  return "n" + i;
                });
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread writer =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    endless.writeTo(out);
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                });
    assertTrue(writing.await(30, TimeUnit.SECONDS), "the flow never started writing");
    writer.interrupt();
    writer.join(30_000);
    assertFalse(writer.isAlive(), "writeTo did not return after the interrupt");
    assertInstanceOf(CancellationException.class, thrown.get());
    assertEquals(List.of(), parentEntries(), "no output, no staging left behind");
  }

  @Test
  void emptyFlow_writesOnlyTheSuccessMarker() throws IOException {
    Path out = dir.resolve("empty");
    List<Path> parts = Flow.fromEnumerable(List.<String>of(), o -> o.stages(2)).writeTo(out);
    assertEquals(List.of(), parts);
    try (Stream<Path> s = Files.list(out)) {
      assertEquals(List.of("_SUCCESS"), s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void startWritingLines_givesStatisticsAndGraph_andAwaitReturnsTheParts() throws IOException {
    Path out = dir.resolve("out");
    List<Path> parts;
    try (RunningFlow<List<Path>> running =
        Flow.fromEnumerable(numbers(500), o -> o.stages(2))
            .partition(o -> o.stages(2))
            .map(i -> "n" + i)
            .startWritingLines(out, line -> line, o -> o)) {
      parts = running.await();
      FlowStatistics stats = running.statistics();
      assertEquals(FlowState.COMPLETED, stats.state());
      assertFalse(stats.stages().isEmpty(), "per-stage counters of the write's run");
      assertFalse(running.graph().nodes().isEmpty());
      assertTrue(running.isTerminated());
      assertEquals(parts, running.await(), "await again: the same parts");
    }
    assertEquals(500, lines(parts).size());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void startWritingLines_commitsWhenTheFlowEnds_evenIfNobodyAwaits() throws IOException {
    Path out = dir.resolve("out");
    try (RunningFlow<List<Path>> running =
        Flow.fromEnumerable(numbers(100)).startWritingLines(out, String::valueOf, o -> o)) {
      assertTrue(running.awaitTermination(java.time.Duration.ofSeconds(30)));
    } // close() after the end must not undo the write
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    assertEquals(List.of("out"), parentEntries(), "no staging left behind");
  }

  @Test
  void startWritingCsv_cancelled_leavesNothingVisible_andAwaitSaysCancelled() throws Exception {
    Path out = dir.resolve("out");
    CountDownLatch writing = new CountDownLatch(1);
    RunningFlow<List<Path>> running =
        Flow.fromEnumerable(Stream.iterate(0, i -> i + 1), o -> o.stages(1).maxDemand(50))
            .partition(o -> o.stages(2).maxDemand(50))
            .map(
                i -> {
                  if (i == 1000) {
                    writing.countDown();
                  }
                  return i;
                })
            .startWritingCsv(out, i -> List.of(i, "x"), o -> o.header("n", "x"));
    assertTrue(writing.await(30, TimeUnit.SECONDS), "the flow never started writing");
    running.cancel();
    assertThrows(CancellationException.class, running::await);
    assertEquals(FlowState.CANCELLED, running.statistics().state());
    assertEquals(List.of(), parentEntries(), "no output, no staging left behind");
  }

  @Test
  void startWritingLines_failingFlow_throwsFromAwait_andLeavesNothing() throws IOException {
    Path out = dir.resolve("out");
    RunningFlow<List<Path>> running =
        Flow.fromEnumerable(numbers(100))
            .map(
                i -> {
                  if (i == 50) {
                    throw new IllegalStateException("bad " + i);
                  }
                  return i;
                })
            .startWritingLines(out, String::valueOf, o -> o);
    FlowException e = assertThrows(FlowException.class, running::await);
    assertEquals("bad 50", e.getCause().getMessage());
    assertEquals(FlowState.FAILED, running.statistics().state());
    assertEquals(List.of(), parentEntries(), "no output, no staging left behind");
  }
}
