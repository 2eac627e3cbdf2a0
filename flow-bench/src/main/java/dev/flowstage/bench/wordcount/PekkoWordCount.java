package dev.flowstage.bench.wordcount;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Word count with Pekko Streams, in two shapes.
 *
 * <p>The default is the one a Pekko user tunes for CPU-bound work: {@code FileIO.fromPath}, {@code
 * Framing.delimiter} into lines, {@code grouped(1024)} lines per batch, {@code
 * mapAsyncUnordered(cores)} counting each batch into a map on the actor system's dispatcher, then a
 * fold merging the maps. With {@code --group-by} it is the literal translation of "flatMap split,
 * partition by word, reduce": {@code mapConcat} into words, {@code groupBy} the word's hash into
 * one {@code async} substream per core, fold each into a map, {@code mergeSubstreams}. The literal
 * form moves every word across an asynchronous boundary on its own, and measured several times
 * slower (docs/performance.md), so the comparison uses the batched form.
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.PekkoWordCount target/corpus/words-16m.txt
 * }
 */
public final class PekkoWordCount {
  /** Longest accepted line; the generated corpus has lines of at most a few hundred bytes. */
  private static final int MAX_LINE = 1 << 20;

  /** Lines per batch in the default shape. */
  private static final int BATCH = 1024;

  /** The zero of each substream's fold; never mutated (a substream copies on first word). */
  private static final Map<String, long[]> NO_COUNTS = Map.of();

  private PekkoWordCount() {}

  /**
   * Counts the words of a file: {@code [--group-by] FILE}.
   *
   * @param args an optional {@code --group-by} and the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
    boolean groupBy = args.length > 0 && args[0].equals("--group-by");
    String[] rest = groupBy ? Arrays.copyOfRange(args, 1, args.length) : args;
    WordCountMain.run("pekko", rest, f -> count(f, groupBy));
  }

  /**
   * Counts the words of a UTF-8 file.
   *
   * @param file the file
   * @param groupBy whether to use the literal groupBy shape instead of batches
   * @return the canonical result
   * @throws Exception if the stream fails
   */
  public static WordCountResult count(Path file, boolean groupBy) throws Exception {
    // Logging quietly and never on stdout: stdout carries the result the driver compares.
    Config config =
        ConfigFactory.parseString(
                "pekko.loglevel = WARNING\n"
                    + "pekko.stdout-loglevel = OFF\n"
                    + "pekko.log-dead-letters = off\n")
            .withFallback(ConfigFactory.load());
    ActorSystem system = ActorSystem.create("wordcount", config);
    try {
      int cores = Runtime.getRuntime().availableProcessors();
      Source<String, ?> lines =
          FileIO.fromPath(file)
              .via(
                  Framing.delimiter(ByteString.fromString("\n"), MAX_LINE, FramingTruncation.ALLOW))
              .map(ByteString::utf8String);
      CompletionStage<Map<String, long[]>> done =
          groupBy ? byPartition(lines, cores, system) : byBatch(lines, cores, system);
      return WordCountResult.ofCounters(done.toCompletableFuture().get(1, TimeUnit.HOURS));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(1, TimeUnit.MINUTES);
    }
  }

  private static CompletionStage<Map<String, long[]>> byBatch(
      Source<String, ?> lines, int cores, ActorSystem system) {
    return lines
        .grouped(BATCH)
        .mapAsyncUnordered(
            cores, batch -> CompletableFuture.supplyAsync(() -> count(batch), system.dispatcher()))
        .runWith(Sink.fold(new HashMap<>(), PekkoWordCount::merge), system);
  }

  private static CompletionStage<Map<String, long[]>> byPartition(
      Source<String, ?> lines, int cores, ActorSystem system) {
    return lines
        .mapConcat(line -> Arrays.asList(line.split(" ")))
        .filter(word -> !word.isEmpty())
        .groupBy(cores, word -> Math.floorMod(word.hashCode(), cores))
        .async()
        .fold(
            NO_COUNTS,
            (acc, word) -> {
              // fold's zero is shared by every substream: start a map of our own.
              Map<String, long[]> map = acc == NO_COUNTS ? new HashMap<>() : acc;
              map.computeIfAbsent(word, w -> new long[1])[0]++;
              return map;
            })
        .mergeSubstreams()
        .runWith(Sink.fold(new HashMap<>(), PekkoWordCount::merge), system);
  }

  private static Map<String, long[]> count(List<String> lines) {
    Map<String, long[]> map = new HashMap<>();
    for (String line : lines) {
      for (String word : line.split(" ")) {
        if (!word.isEmpty()) {
          map.computeIfAbsent(word, w -> new long[1])[0]++;
        }
      }
    }
    return map;
  }

  private static Map<String, long[]> merge(Map<String, long[]> into, Map<String, long[]> part) {
    part.forEach((w, c) -> into.computeIfAbsent(w, k -> new long[1])[0] += c[0]);
    return into;
  }
}
