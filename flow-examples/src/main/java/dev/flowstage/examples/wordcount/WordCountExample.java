package dev.flowstage.examples.wordcount;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Word count, the example of Elixir Flow's README: lines are cut into words by parallel stages,
 * words are partitioned by hash so each word is counted by exactly one stage, and the top words are
 * merged from every partition. The same flow runs {@code flowstage wordcount}.
 *
 * <p>Run: {@code scripts/flowstage example wordcount}
 */
public final class WordCountExample {
  private WordCountExample() {}

  /**
   * Runs the example.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(new PrintWriter(System.out, true));
  }

  /**
   * Counts 20 000 lines of the sample text with two counting stages and narrates the result.
   *
   * @param out where the narrative goes
   * @return the totals: words, distinct words, top 5
   */
  public static Totals run(PrintWriter out) {
    List<String> text = new ArrayList<>();
    try (LineSource source = SampleText.ofLines(20_000).lines(n -> {})) {
      for (String line = source.nextLine(); line != null; line = source.nextLine()) {
        text.add(line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // snippet-start: wordcount-example
    Flow<Totals> flow =
        FlowWordCountEngine.wordCount(Flow.fromEnumerable(text), Tokenizer.WORDS, 5, 2, 1000);
    out.println("The flow's stages:");
    out.print(flow.graph().toText());
    Totals totals = flow.toList().get(0); // runs the flow; departition emits exactly one Totals
    // snippet-end: wordcount-example
    out.printf(
        "Counted %d lines: %d words, %d distinct. The top 5 across both partitions:%n",
        text.size(), totals.words(), totals.distinct());
    for (WordFrequency f : totals.top()) {
      out.printf("  %-8s %d%n", f.word(), f.count());
    }
    out.println("Every stage has ended; the count is complete.");
    out.flush();
    return totals;
  }
}
