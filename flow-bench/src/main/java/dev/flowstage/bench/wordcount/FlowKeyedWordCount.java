package dev.flowstage.bench.wordcount;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The Flow API word counts a user writes first, with no tuning:
 *
 * <ul>
 *   <li>{@code --countby} (reported as {@code flow-api-countby}): the one-liner, {@code
 *       fromFiles(file).flatMap(Tokenizer.SPACE).frequencies()}, every {@code KeyCount} to the
 *       terminal. The local engine runs it on the byte path (ADR 0009): reading stages count words
 *       as bytes and only partial counts cross to the counting stages.
 *   <li>{@code --countby-split} ({@code flow-api-countby-split}): the same count with the user's
 *       own tokenizing, {@code flatMap(split)}, {@code filter} and {@code countBy(word -> word)}:
 *       Flow partitions by word and pre-counts in the reading stages by itself, on {@code String}s.
 *   <li>{@code --jdk} ({@code flow-api-jdk}): the README's Elixir-shaped pipeline with JDK types
 *       only: {@code String}s from {@code split(" ")}, a {@code HashMap<String, Long>} per
 *       partition filled by a combining {@code reduce}, and a {@code departition} merging the
 *       partitions' (disjoint) maps into one.
 * </ul>
 *
 * <p>{@code --stages N} sets the stage count of every layer (default: available processors).
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.FlowKeyedWordCount --countby target/corpus/words-16m.txt
 * }
 */
public final class FlowKeyedWordCount {
  private FlowKeyedWordCount() {}

  /**
   * Counts the words of a file: {@code --countby|--countby-split|--jdk [--stages N] FILE}.
   *
   * @param args the job, an optional stage count and the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 2
        || !(args[0].equals("--countby")
            || args[0].equals("--countby-split")
            || args[0].equals("--jdk"))) {
      System.err.println(
          "usage: FlowKeyedWordCount --countby|--countby-split|--jdk [--stages N] FILE");
      System.exit(2);
    }
    Integer stages = null;
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (rest.length >= 3 && rest[0].equals("--stages")) {
      stages = Integer.valueOf(rest[1]);
      rest = Arrays.copyOfRange(rest, 2, rest.length);
    }
    Integer s = stages;
    switch (args[0]) {
      case "--countby" -> WordCountMain.run("flow-api-countby", rest, f -> countBy(f, s));
      case "--countby-split" ->
          WordCountMain.run("flow-api-countby-split", rest, f -> countBySplit(f, s));
      default -> WordCountMain.run("flow-api-jdk", rest, f -> jdk(f, s));
    }
  }

  /**
   * Counts the words of a UTF-8 file with Flow's tokenizer and {@code frequencies()}.
   *
   * @param file the file
   * @param stages stages per layer, or {@code null} for the default
   * @return the canonical result
   */
  public static WordCountResult countBy(Path file, Integer stages) {
    List<KeyCount<String>> counts = frequencies(file, stages).toList();
    return WordCountResult.of(sink -> counts.forEach(kc -> sink.accept(kc.key(), kc.count())));
  }

  /**
   * The flow {@link #countBy} runs: the natural one-liner.
   *
   * @param file the file
   * @param stages stages per layer, or {@code null} for the default
   * @return the flow of one {@code KeyCount} per word
   */
  public static Flow<KeyCount<String>> frequencies(Path file, Integer stages) {
    UnaryOperator<Options> options = options(stages);
    return Flow.fromFiles(List.of(file), options).flatMap(Tokenizer.SPACE).frequencies(options);
  }

  /**
   * Counts the words of a UTF-8 file with the user's own {@code split} and {@code countBy}.
   *
   * @param file the file
   * @param stages stages per layer, or {@code null} for the default
   * @return the canonical result
   */
  public static WordCountResult countBySplit(Path file, Integer stages) {
    UnaryOperator<Options> options = options(stages);
    List<KeyCount<String>> counts =
        Flow.fromFiles(List.of(file), options)
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .filter(word -> !word.isEmpty())
            .countBy(word -> word, options)
            .toList();
    return WordCountResult.of(sink -> counts.forEach(kc -> sink.accept(kc.key(), kc.count())));
  }

  /**
   * Counts the words of a UTF-8 file with JDK types, a combining reduce and a departition.
   *
   * @param file the file
   * @param stages stages per layer, or {@code null} for the default
   * @return the canonical result
   */
  public static WordCountResult jdk(Path file, Integer stages) {
    UnaryOperator<Options> options = options(stages);
    HashMap<String, Long> counts =
        Flow.fromFiles(List.of(file), options)
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .filter(word -> !word.isEmpty())
            .partition(options)
            .reduce(
                HashMap<String, Long>::new,
                (m, word) -> {
                  m.merge(word, 1L, Long::sum);
                  return m;
                },
                (m, more) -> {
                  more.forEach((w, n) -> m.merge(w, n, Long::sum));
                  return m;
                })
            .departition(
                HashMap<String, Long>::new,
                (all, m) -> {
                  all.putAll(m); // partitions hold disjoint words
                  return all;
                },
                all -> all)
            .toList()
            .get(0);
    return WordCountResult.ofMap(counts);
  }

  private static UnaryOperator<Options> options(Integer stages) {
    return stages == null ? UnaryOperator.identity() : o -> o.stages(stages);
  }
}
