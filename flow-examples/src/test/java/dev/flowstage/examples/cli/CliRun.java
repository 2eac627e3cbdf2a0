package dev.flowstage.examples.cli;

import dev.flowstage.examples.wordcount.SampleText;
import dev.flowstage.examples.wordcount.WordCountEngine;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process and keeps what it printed. */
record CliRun(int status, String out, String err) {
  /** A small sample keeps tests fast; its shape is the same as the standard one. */
  static final SampleText SMALL_SAMPLE = SampleText.ofLines(3_000);

  static CliRun run(String... args) {
    return run(new byte[0], false, Long.MAX_VALUE, args);
  }

  static CliRun run(byte[] stdin, boolean terminal, long progressThreshold, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliEnvironment env =
        new CliEnvironment(
            new ByteArrayInputStream(stdin),
            new PrintWriter(out),
            new PrintWriter(err),
            terminal,
            progressThreshold,
            WordCountEngine.standard(),
            () -> SMALL_SAMPLE);
    int status = Main.run(env, args);
    return new CliRun(status, out.toString(), err.toString());
  }

  /** The error output must be exactly one line. */
  boolean errIsOneLine() {
    return err.endsWith("\n") && err.indexOf('\n') == err.length() - 1;
  }
}
