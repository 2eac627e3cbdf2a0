package dev.flowstage.flow.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowReport;
import dev.flowstage.flow.FlowState;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.Window;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The examples of flow-core's Javadoc, compiled and run: {@code Flow}'s Javadoc shows the regions
 * between {@code @start region=...} and {@code @end} with {@code {@snippet class=... region=...}}
 * (javadoc's {@code --snippet-path} is src/test/java, see flow-core's pom), and JavadocSnippetsTest
 * checks every such reference resolves.
 */
final class FlowSnippets {
  @TempDir Path dir;

  private List<Path> files() throws IOException {
    Path a = Files.writeString(dir.resolve("a.txt"), "to be or\nnot to be\n");
    Path b = Files.writeString(dir.resolve("b.txt"), "be quick\n");
    return List.of(a, b);
  }

  @Test
  void wordCount() throws IOException {
    List<Path> paths = files();
    // @start region=wordCount
    Map<String, Long> counts =
        Flow.fromFiles(paths, o -> o)
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .partition()
            .reduce(
                Object2LongOpenHashMap<String>::new,
                (m, w) -> {
                  m.addTo(w, 1);
                  return m;
                })
            .departition(
                HashMap<String, Long>::new,
                (all, m) -> {
                  all.putAll(m);
                  return all;
                },
                all -> all)
            .toList()
            .get(0);
    // @end
    assertEquals(Map.of("to", 2L, "be", 3L, "or", 1L, "not", 1L, "quick", 1L), counts);
  }

  @Test
  void combiningReduce() throws IOException {
    List<Path> paths = files();
    // @start region=combiningReduce
    List<HashMap<String, Long>> perStage =
        Flow.fromFiles(paths, o -> o)
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .partition()
            .reduce(
                HashMap<String, Long>::new,
                (counts, word) -> {
                  counts.merge(word, 1L, Long::sum);
                  return counts;
                },
                (a, b) -> {
                  b.forEach((w, n) -> a.merge(w, n, Long::sum));
                  return a;
                })
            .toList();
    // @end
    Map<String, Long> all = new HashMap<>();
    perStage.forEach(all::putAll); // a word meets one stage
    assertEquals(Map.of("to", 2L, "be", 3L, "or", 1L, "not", 1L, "quick", 1L), all);
  }

  @Test
  void departitionWindowId() {
    // @start region=departitionWindowId
    List<String> perMinute =
        Flow.fromEnumerable(List.of(1L, 2L, 61_000L)) // event times in milliseconds
            .partition(o -> o.window(Window.<Long>fixed(Duration.ofMinutes(1), t -> t)))
            .reduce(() -> 0L, (count, t) -> count + 1)
            .departition(() -> 0L, Long::sum, (count, minute) -> minute + ": " + count)
            .toList(); // one event per window, oldest first
    // @end
    assertEquals(List.of("0: 2", "60000: 1"), perMinute);
  }

  @Test
  void countBy() throws IOException {
    List<Path> paths = files();
    // @start region=countBy
    List<KeyCount<String>> top =
        Flow.fromFiles(paths.toArray(Path[]::new))
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .countBy(word -> word) // one KeyCount per word, pre-counted before the partition
            .takeSort(2, KeyCount.byCountDescending()) // the two most frequent words
            .toList()
            .get(0);
    // @end
    assertEquals(List.of(new KeyCount<>("be", 3), new KeyCount<>("to", 2)), top);
    assertEquals("[be=3, to=2]", top.toString());
  }

  @Test
  void frequencies() throws IOException {
    List<Path> paths = files();
    // @start region=frequencies
    List<KeyCount<String>> top =
        Flow.fromFiles(paths.toArray(Path[]::new))
            .flatMap(Tokenizer.SPACE) // each line's words: split on ' ', empty strings dropped
            .frequencies() // one KeyCount per word; files are counted as bytes where they can be
            .takeSort(2, KeyCount.byCountDescending()) // the two most frequent words
            .toList()
            .get(0);
    // @end
    assertEquals(List.of(new KeyCount<>("be", 3), new KeyCount<>("to", 2)), top);
  }

  @Test
  void reduceByKey() {
    record Sale(String shop, long cents) {}
    List<Sale> sales = List.of(new Sale("a", 100), new Sale("b", 50), new Sale("a", 25));
    // @start region=reduceByKey
    Map<String, Long> totals =
        Flow.fromEnumerable(sales)
            .reduceByKey(Sale::shop, Sale::cents, Long::sum) // one Map.Entry per shop
            .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    // @end
    assertEquals(Map.of("a", 125L, "b", 50L), totals);
  }

  @Test
  void aggregateByKey() {
    List<String> words = List.of("apple", "avocado", "banana", "blueberry", "cherry");
    // @start region=aggregateByKey
    Map<Character, List<String>> byInitial =
        Flow.fromEnumerable(words)
            .aggregateByKey(
                w -> w.charAt(0),
                ArrayList<String>::new, // a key's accumulator
                (list, w) -> {
                  list.add(w);
                  return list;
                },
                (a, b) -> {
                  a.addAll(b);
                  return a;
                })
            .collect(
                Collectors.toMap(Map.Entry::getKey, e -> e.getValue().stream().sorted().toList()));
    // @end
    assertEquals(
        Map.of(
            'a', List.of("apple", "avocado"),
            'b', List.of("banana", "blueberry"),
            'c', List.of("cherry")),
        byInitial);
  }

  @Test
  void startWritingLines() throws IOException {
    List<Path> paths = files();
    Path out = dir.resolve("counts");
    List<Path> parts;
    FlowStatistics stats;
    // @start region=startWritingLines
    try (RunningFlow<List<Path>> writing =
        Flow.fromFiles(paths.toArray(Path[]::new))
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .countBy(word -> word)
            .startWritingLines(out, kc -> kc.key() + "," + kc.count(), o -> o)) {
      parts = writing.await(); // part-00000..., with _SUCCESS beside them
      stats = writing.statistics(); // the finished run's counters, as for start()
    }
    // @end
    assertEquals(FlowState.COMPLETED, stats.state());
    List<String> lines = new ArrayList<>();
    for (Path part : parts) {
      lines.addAll(Files.readAllLines(part));
    }
    lines.sort(null);
    assertEquals(List.of("be,3", "not,1", "or,1", "quick,1", "to,2"), lines);
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
  }

  @Test
  void runReport() throws IOException {
    Flow<String> flow = Flow.fromEnumerable(List.of("a", "b", "c")).map(String::toUpperCase);
    // @start region=runReport
    try (RunningFlow<List<String>> run = flow.start(Collectors.toList())) {
      run.await();
      FlowReport.write(run, dir.resolve("run.html"));
    }
    // @end
    assertTrue(Files.readString(dir.resolve("run.html")).contains("<svg"));
  }
}
