package dev.flowstage.examples.cli;

import java.io.PrintWriter;

/**
 * Draws a progress bar and exits the JVM without closing it, as Ctrl-C does; run by {@link
 * ProgressBarTest} in a forked JVM to see the shutdown hook erase the line.
 */
public final class ProgressBarExit {
  private ProgressBarExit() {}

  /**
   * Draws, then exits with status 130 (interrupted).
   *
   * @param args unused
   * @throws InterruptedException never in practice
   */
  public static void main(String[] args) throws InterruptedException {
    PrintWriter err = new PrintWriter(System.err, true);
    new ProgressBar(err, 1000, () -> 500, 0, () -> 80);
    Thread.sleep(500); // several redraws
    System.exit(130); // runs the shutdown hooks, as SIGINT does
  }
}
