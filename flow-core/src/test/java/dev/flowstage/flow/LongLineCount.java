package dev.flowstage.flow;

import java.nio.file.Path;

/**
 * Counts the lines of one file with {@code Flow.fromFiles}, run by {@link FileOptionsTest} in a
 * forked JVM with a small heap. Prints the count, or {@code failed: MESSAGE} and exits with 3.
 */
public final class LongLineCount {
  private LongLineCount() {}

  /**
   * Counts the lines of the file given as the only argument.
   *
   * @param args the file path
   */
  public static void main(String[] args) {
    try {
      long lines = Flow.fromFiles(Path.of(args[0])).toList().size();
      System.out.println(lines);
    } catch (RuntimeException e) {
      StringBuilder m = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause()) {
        m.append(t.getMessage()).append(" | ");
      }
      System.out.println("failed: " + m);
      System.exit(3);
    }
  }
}
