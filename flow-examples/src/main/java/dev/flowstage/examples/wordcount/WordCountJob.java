package dev.flowstage.examples.wordcount;

import dev.flowstage.flow.Tokenizer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What to count and how: the inputs and the options of {@code flowstage wordcount}.
 *
 * @param inputs the inputs, counted as one text; at least one
 * @param tokenizer how lines are cut into words; default {@link Tokenizer#WORDS}
 * @param top how many of the most frequent words to report; default 10
 * @param stages parallel stages per layer (tokenizers, then counters); default the number of
 *     available processors
 * @param maxDemand the largest batch a stage asks for (GenStage {@code max_demand}); default 1000
 * @param charset how file bytes are decoded; default UTF-8
 * @param charsetFromBom whether a file that starts with a Unicode byte order mark is read in the
 *     mark's charset instead (the CLI's default, when {@code --charset} is not given); either way
 *     the mark of the charset a file is read in is never part of a word
 */
public record WordCountJob(
    List<Input> inputs,
    Tokenizer tokenizer,
    int top,
    int stages,
    int maxDemand,
    Charset charset,
    boolean charsetFromBom) {

  /**
   * A job whose charset is explicit: every file is read in {@code charset} (only a byte order mark
   * of that charset is dropped).
   *
   * @param inputs the inputs
   * @param tokenizer how lines are cut into words
   * @param top how many words to report
   * @param stages parallel stages per layer
   * @param maxDemand the largest batch a stage asks for
   * @param charset how file bytes are decoded
   */
  public WordCountJob(
      List<Input> inputs,
      Tokenizer tokenizer,
      int top,
      int stages,
      int maxDemand,
      Charset charset) {
    this(inputs, tokenizer, top, stages, maxDemand, charset, false);
  }

  /**
   * The most stages per layer: layers are all-to-all, so n stages cost n^2 subscriptions, and no
   * machine has this many cores.
   */
  public static final int MAX_STAGES = 1024;

  /** The default for {@link #top()}. */
  public static final int DEFAULT_TOP = 10;

  /** The default for {@link #maxDemand()}, as in GenStage. */
  public static final int DEFAULT_MAX_DEMAND = 1000;

  /** Checks the options; each message says how to fix the value. */
  public WordCountJob {
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("a word count needs at least one input");
    }
    if (top < 1) {
      throw new IllegalArgumentException("--top must be at least 1, got " + top);
    }
    if (stages < 1 || stages > MAX_STAGES) {
      throw new IllegalArgumentException(
          "--stages must be between 1 and "
              + MAX_STAGES
              + ", got "
              + stages
              + " (default: one per core)");
    }
    if (maxDemand < 1) {
      throw new IllegalArgumentException(
          "--max-demand must be at least 1, got " + maxDemand + " (default: 1000)");
    }
  }

  /**
   * Returns a job over {@code inputs} with every option at its default.
   *
   * @param inputs the inputs
   * @return the job
   */
  public static WordCountJob of(List<Input> inputs) {
    return new WordCountJob(
        inputs,
        Tokenizer.WORDS,
        DEFAULT_TOP,
        Runtime.getRuntime().availableProcessors(),
        DEFAULT_MAX_DEMAND,
        StandardCharsets.UTF_8,
        true);
  }

  /** {@return the total input size in bytes, or {@code -1} if some input's size is unknown} */
  public long totalBytes() {
    long total = 0;
    for (Input input : inputs) {
      if (input.size() < 0) {
        return -1;
      }
      total += input.size();
    }
    return total;
  }
}
