package dev.flowstage.bench.wordcount;

import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Scheduler;
import io.reactivex.rxjava3.schedulers.Schedulers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * Word count with RxJava 3's {@code ParallelFlowable}, as an RxJava user writes it: lines from
 * {@code Files.lines}, {@code parallel()} rails (one per core) run on their own scheduler, {@code
 * flatMap} each line into its words, count per rail with {@code collect}, then merge the rails'
 * maps with {@code reduce}. The same shape as {@link ReactorWordCount}.
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.RxJavaWordCount target/corpus/words-16m.txt
 * }
 */
public final class RxJavaWordCount {
  private RxJavaWordCount() {}

  /**
   * Counts the words of the file given as the only argument.
   *
   * @param args the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
    WordCountMain.run("rxjava", args, RxJavaWordCount::count);
  }

  /**
   * Counts the words of a UTF-8 file.
   *
   * @param file the file
   * @return the canonical result
   */
  public static WordCountResult count(Path file) {
    int rails = Runtime.getRuntime().availableProcessors();
    // A scheduler of its own (as the Reactor version has), shut down at the end so the JVM exits.
    ExecutorService pool = Executors.newFixedThreadPool(rails);
    try {
      Scheduler scheduler = Schedulers.from(pool);
      Map<String, long[]> counts =
          Flowable.using(
                  () -> Files.lines(file, StandardCharsets.UTF_8),
                  lines -> Flowable.fromStream(lines),
                  Stream::close)
              .parallel(rails)
              .runOn(scheduler)
              .flatMap(line -> Flowable.fromArray(line.split(" ")))
              .filter(word -> !word.isEmpty())
              .collect(
                  () -> (Map<String, long[]>) new HashMap<String, long[]>(),
                  (map, word) -> map.computeIfAbsent(word, w -> new long[1])[0]++)
              .reduce(RxJavaWordCount::merge)
              .blockingFirst(Map.of());
      return WordCountResult.ofCounters(counts);
    } finally {
      pool.shutdownNow();
    }
  }

  private static Map<String, long[]> merge(Map<String, long[]> a, Map<String, long[]> b) {
    Map<String, long[]> big = a.size() >= b.size() ? a : b;
    Map<String, long[]> small = big == a ? b : a;
    small.forEach((w, c) -> big.computeIfAbsent(w, k -> new long[1])[0] += c[0]);
    return big;
  }
}
