package dev.flowstage.examples.wordcount;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Word count, the example of Elixir Flow's README: lines are cut into words by parallel stages,
 * words are partitioned by hash so each word is counted by exactly one stage, and the top words are
 * merged from every partition.
 *
 * <p>Run: {@code scripts/flowstage example wordcount}
 */
public final class WordCountExample {
  private WordCountExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   * @throws IOException never for the built-in text
   */
  public static void main(String[] args) throws IOException {
    run(new PrintWriter(System.out, true));
  }

  /**
   * Counts 20 000 lines of the sample text on two stages per layer and narrates the result.
   *
   * @param out where the narrative goes
   * @throws IOException never for the built-in text
   */
  public static void run(PrintWriter out) throws IOException {
    SampleText text = SampleText.ofLines(20_000);
    WordCountJob job =
        new WordCountJob(
            List.of(new Input.SampleInput(text)),
            Tokenizer.WORDS,
            5,
            2,
            WordCountJob.DEFAULT_MAX_DEMAND,
            StandardCharsets.UTF_8);
    WordCountEngine engine = WordCountEngine.standard();
    out.printf(
        "Counting %d lines (%d bytes) of sample text.%n", text.lineCount(), text.totalBytes());
    out.println("Stages: one reader, 2 tokenizers, 2 counters fed by word hash, one top-5 merge.");
    WordCountResult result = engine.run(job, n -> {});
    for (StageStats s : result.stages()) {
      if (s.name().startsWith("count-")) {
        out.printf(
            "%s counted %d words in %d batches and kept its local top %d.%n",
            s.name(), s.eventsIn(), s.batchesIn(), s.eventsOut());
      }
    }
    out.printf(
        "%d words, %d distinct. The top 5 across partitions:%n", result.words(), result.distinct());
    for (WordFrequency f : result.top()) {
      out.printf("  %-8s %d%n", f.word(), f.count());
    }
    out.println("Every stage has ended; the count is complete.");
  }
}
