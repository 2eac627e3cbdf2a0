package dev.flowstage.bench.wordcount;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Options;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Word count written with Flowstage's public Flow API the way a user writes it (the Flow Javadoc's
 * own example): lines of the file, {@code flatMap} each line into {@code split(" ")}, drop empty
 * tokens, {@code partition} by word, {@code reduce} each partition into a map, then read the
 * partitions' maps (disjoint by word) with {@code toList()}.
 *
 * <p>By default the reduce names its combiner (merge two maps), as the Reactor and streams versions
 * do ({@code ParallelFlux.reduce} then a merge, {@code Collectors.toMap} with a merge function):
 * the reading stages then count their own words and only partial maps cross the partition. {@code
 * --plain} uses the two-argument reduce (no combiner), where every word crosses threads; the
 * benchmark reports it as {@code flow-api-plain}.
 *
 * <p>{@code --stages N} sets the stage count of both layers (default: available processors).
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.FlowWordCount --stages 2 target/corpus/words-16m.txt
 * }
 */
public final class FlowWordCount {
  private FlowWordCount() {}

  /**
   * Counts the words of a file: {@code [--plain] [--stages N] FILE}.
   *
   * @param args an optional {@code --plain}, an optional stage count and the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
    boolean plain = args.length > 0 && args[0].equals("--plain");
    if (plain) {
      args = Arrays.copyOfRange(args, 1, args.length);
    }
    Integer stages = null;
    String[] rest = args;
    if (args.length >= 2 && args[0].equals("--stages")) {
      stages = Integer.valueOf(args[1]);
      rest = Arrays.copyOfRange(args, 2, args.length);
    } else if (args.length >= 3 && args[args.length - 3].equals("--stages")) {
      // the driver appends "--stages N FILE"
      stages = Integer.valueOf(args[args.length - 2]);
      rest = new String[] {args[args.length - 1]};
    }
    Integer s = stages;
    if (plain) {
      WordCountMain.run("flow-api-plain", rest, f -> countPlain(f, s));
    } else {
      WordCountMain.run("flow-api", rest, f -> count(f, s));
    }
  }

  /**
   * Counts the words of a UTF-8 file with a combining reduce.
   *
   * @param file the file
   * @param stages stages per layer, or {@code null} for the default
   * @return the canonical result
   */
  public static WordCountResult count(Path file, Integer stages) {
    List<Object2LongOpenHashMap<String>> partitions =
        partitionedWords(file, stages)
            .reduce(
                Object2LongOpenHashMap<String>::new, FlowWordCount::addWord, FlowWordCount::addAll)
            .toList();
    return result(partitions);
  }

  /**
   * Counts the words of a UTF-8 file with the two-argument reduce: every word crosses the
   * partition.
   *
   * @param file the file
   * @param stages stages per layer, or {@code null} for the default
   * @return the canonical result
   */
  public static WordCountResult countPlain(Path file, Integer stages) {
    List<Object2LongOpenHashMap<String>> partitions =
        partitionedWords(file, stages)
            .reduce(Object2LongOpenHashMap<String>::new, FlowWordCount::addWord)
            .toList();
    return result(partitions);
  }

  /**
   * The reducer of the word count: counts one more {@code word}.
   *
   * @param counts the partition's counts
   * @param word a word
   * @return {@code counts}
   */
  public static Object2LongOpenHashMap<String> addWord(
      Object2LongOpenHashMap<String> counts, String word) {
    counts.addTo(word, 1);
    return counts;
  }

  /**
   * The combiner of the word count: adds the partial counts {@code more} to {@code counts}.
   *
   * @param counts the counts kept
   * @param more partial counts of the same partition
   * @return {@code counts}
   */
  public static Object2LongOpenHashMap<String> addAll(
      Object2LongOpenHashMap<String> counts, Object2LongOpenHashMap<String> more) {
    more.object2LongEntrySet().fastForEach(e -> counts.addTo(e.getKey(), e.getLongValue()));
    return counts;
  }

  /** The words of the file, split on spaces, routed so that a word always meets one stage. */
  private static Flow<String> partitionedWords(Path file, Integer stages) {
    UnaryOperator<Options> options =
        stages == null ? UnaryOperator.identity() : o -> o.stages(stages);
    return Flow.fromFiles(List.of(file), options)
        .flatMap(line -> Arrays.asList(line.split(" ")))
        .filter(word -> !word.isEmpty())
        .partition(options);
  }

  private static WordCountResult result(List<Object2LongOpenHashMap<String>> partitions) {
    return WordCountResult.of(
        sink ->
            partitions.forEach(
                counts ->
                    counts
                        .object2LongEntrySet()
                        .fastForEach(e -> sink.accept(e.getKey(), e.getLongValue()))));
  }
}
