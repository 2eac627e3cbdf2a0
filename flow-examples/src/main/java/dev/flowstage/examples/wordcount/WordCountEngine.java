package dev.flowstage.examples.wordcount;

import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Something that runs a {@link WordCountJob}. The command line talks to this interface only, so
 * tests can check any engine against the same contract ({@code WordCountEngineContractTest}).
 */
public interface WordCountEngine {
  /** {@return the engine {@code flowstage wordcount} uses: the word count on the Flow DSL} */
  static WordCountEngine standard() {
    return new FlowWordCountEngine();
  }

  /**
   * Counts the words of every input of {@code job}.
   *
   * @param job what to count
   * @param progress incremented, from any thread, as input is read (bytes; characters for files
   *     read by the Flow file source), for the progress bar
   * @return the counts and statistics
   * @throws IOException if an input cannot be read; the count stops and every stage ends
   */
  WordCountResult run(WordCountJob job, LongAdder progress) throws IOException;

  /**
   * Counts as {@link #run(WordCountJob, LongAdder)} and also writes every word with its count into
   * the directory {@code output}, as CSV part files with a {@code word,count} header, committed
   * atomically ({@code Flow.startWritingCsv}): the files appear, with {@code _SUCCESS}, only if the
   * whole count succeeded. The result has the run's statistics and graph, as for {@link
   * #run(WordCountJob, LongAdder)}.
   *
   * @param job what to count
   * @param progress as for {@link #run(WordCountJob, LongAdder)}
   * @param output the output directory
   * @param overwrite whether an existing {@code output} is replaced; otherwise it is refused
   * @return the counts
   * @throws IOException if an input cannot be read or the output cannot be written
   */
  default WordCountResult run(
      WordCountJob job, LongAdder progress, java.nio.file.Path output, boolean overwrite)
      throws IOException {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot write files");
  }

  /**
   * Describes the stages {@link #run} would start for {@code job}, as a Mermaid flowchart.
   *
   * @param job the job
   * @return Mermaid source, starting with {@code flowchart LR}
   */
  String mermaid(WordCountJob job);
}
