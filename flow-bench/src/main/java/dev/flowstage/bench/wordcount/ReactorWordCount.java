package dev.flowstage.bench.wordcount;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Word count with Reactor's {@code ParallelFlux}, as a Reactor user writes it: lines from {@code
 * Files.lines}, {@code parallel()} rails (one per core) run on a parallel scheduler, {@code
 * flatMap} each line into its words, count per rail with {@code collect}, then merge the rails'
 * maps with {@code reduce}.
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.ReactorWordCount target/corpus/words-16m.txt
 * }
 */
public final class ReactorWordCount {
  private ReactorWordCount() {}

  /**
   * Counts the words of the file given as the only argument.
   *
   * @param args the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
    WordCountMain.run("reactor", args, ReactorWordCount::count);
  }

  /**
   * Counts the words of a UTF-8 file.
   *
   * @param file the file
   * @return the canonical result
   */
  public static WordCountResult count(Path file) {
    int rails = Runtime.getRuntime().availableProcessors();
    Scheduler scheduler = Schedulers.newParallel("wordcount", rails);
    try {
      Map<String, long[]> counts =
          Flux.using(
                  () -> Files.lines(file, StandardCharsets.UTF_8), Flux::fromStream, Stream::close)
              .parallel(rails)
              .runOn(scheduler)
              .flatMap(line -> Flux.fromArray(line.split(" ")))
              .filter(word -> !word.isEmpty())
              .collect(
                  () -> (Map<String, long[]>) new HashMap<String, long[]>(),
                  (map, word) -> map.computeIfAbsent(word, w -> new long[1])[0]++)
              .reduce(ReactorWordCount::merge)
              .block();
      return WordCountResult.ofCounters(counts == null ? Map.of() : counts);
    } finally {
      scheduler.dispose();
    }
  }

  private static Map<String, long[]> merge(Map<String, long[]> a, Map<String, long[]> b) {
    Map<String, long[]> big = a.size() >= b.size() ? a : b;
    Map<String, long[]> small = big == a ? b : a;
    small.forEach((w, c) -> big.computeIfAbsent(w, k -> new long[1])[0] += c[0]);
    return big;
  }
}
