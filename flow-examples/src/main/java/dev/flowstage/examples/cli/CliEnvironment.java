package dev.flowstage.examples.cli;

import dev.flowstage.examples.wordcount.SampleText;
import dev.flowstage.examples.wordcount.WordCountEngine;
import dev.flowstage.flow.logic.PipeInput;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * What the command line reads from and writes to, so tests can run it in-process.
 *
 * @param stdin standard input (read by {@code wordcount -})
 * @param out results
 * @param err errors, progress
 * @param stderrIsTerminal whether {@code err} is a terminal that can show a progress bar (not with
 *     {@code NO_COLOR} or {@code TERM=dumb}); the progress bar is drawn only then
 * @param progressThresholdBytes inputs smaller than this never get a progress bar
 * @param engine runs word counts
 * @param sample the text counted when {@code wordcount} is given no path
 */
public record CliEnvironment(
    InputStream stdin,
    PrintWriter out,
    PrintWriter err,
    boolean stderrIsTerminal,
    long progressThresholdBytes,
    WordCountEngine engine,
    Supplier<SampleText> sample) {

  /** Inputs of at least this size (16 MiB) get a progress bar on a terminal. */
  public static final long DEFAULT_PROGRESS_THRESHOLD = 16L << 20;

  /**
   * Returns the environment of this process: {@code System.in}, the given writers, and whether
   * standard error is a terminal.
   *
   * @param out results
   * @param err errors and progress
   * @return the environment
   */
  public static CliEnvironment system(PrintWriter out, PrintWriter err) {
    return new CliEnvironment(
        PipeInput.of("standard input", System.in), // a slow writer must not hold a carrier
        out,
        err,
        Terminal.stderrIsTerminal() && Terminal.allowsProgress(System.getenv()),
        DEFAULT_PROGRESS_THRESHOLD,
        WordCountEngine.standard(),
        SampleText::standard);
  }
}
