package dev.flowstage.examples.wordcount;

import java.io.IOException;
import java.util.function.LongConsumer;

/**
 * Something that runs a {@link WordCountJob}. The command line talks to this interface only, so the
 * engine under it can change without touching the command line.
 */
public interface WordCountEngine {
  /** Returns the engine {@code flowstage wordcount} uses. */
  static WordCountEngine standard() {
    return new ThreadedWordCountEngine();
  }

  /**
   * Counts the words of every input of {@code job}.
   *
   * @param job what to count
   * @param bytesRead told how many bytes were read, from any thread, for progress
   * @return the counts and statistics
   * @throws IOException if an input cannot be read; the count stops and every stage ends
   */
  WordCountResult run(WordCountJob job, LongConsumer bytesRead) throws IOException;

  /**
   * Describes the stages {@link #run} would start for {@code job}, as a Mermaid flowchart.
   *
   * @param job the job
   * @return Mermaid source, starting with {@code flowchart LR}
   */
  String mermaid(WordCountJob job);
}
