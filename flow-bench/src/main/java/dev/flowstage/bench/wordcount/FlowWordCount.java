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
 * <p>{@code --stages N} sets the stage count of both layers (default: available processors).
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.FlowWordCount --stages 2 target/corpus/words-16m.txt
 * }
 */
public final class FlowWordCount {
  private FlowWordCount() {}

  /**
   * Counts the words of a file: {@code [--stages N] FILE}.
   *
   * @param args an optional stage count and the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
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
    WordCountMain.run("flow-api", rest, f -> count(f, s));
  }

  /**
   * Counts the words of a UTF-8 file.
   *
   * @param file the file
   * @param stages stages per layer, or {@code null} for the default
   * @return the canonical result
   */
  public static WordCountResult count(Path file, Integer stages) {
    UnaryOperator<Options> options =
        stages == null ? UnaryOperator.identity() : o -> o.stages(stages);
    List<Object2LongOpenHashMap<String>> partitions =
        Flow.fromFiles(List.of(file), options)
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .filter(word -> !word.isEmpty())
            .partition(options)
            .reduce(
                Object2LongOpenHashMap<String>::new,
                (counts, word) -> {
                  counts.addTo(word, 1);
                  return counts;
                })
            .toList();
    return WordCountResult.of(
        sink ->
            partitions.forEach(
                counts ->
                    counts
                        .object2LongEntrySet()
                        .fastForEach(e -> sink.accept(e.getKey(), e.getLongValue()))));
  }
}
