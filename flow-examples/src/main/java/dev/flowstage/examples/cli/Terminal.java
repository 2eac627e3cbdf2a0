package dev.flowstage.examples.cli;

import java.io.Console;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether standard error is a terminal (so a progress bar may be drawn) or a pipe or file. */
final class Terminal {
  private Terminal() {}

  /**
   * Returns whether file descriptor 2 is a terminal. On Linux this reads {@code /proc/self/fd/2} (a
   * terminal is {@code /dev/pts/N} or {@code /dev/ttyN}); elsewhere it falls back to {@link
   * System#console()}, which describes standard input and output, and answers {@code false} when in
   * doubt: a progress bar in a log file is worse than none on a terminal.
   */
  static boolean stderrIsTerminal() {
    Path fd = Path.of("/proc/self/fd/2");
    if (Files.exists(fd.getParent())) {
      try {
        String target = Files.readSymbolicLink(fd).toString();
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        return false;
      }
    }
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      // JDK 22+ returns a Console even for pipes; isTerminal() tells them apart.
      Method isTerminal = Console.class.getMethod("isTerminal");
      return (Boolean) isTerminal.invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a non-null console means a terminal
    }
  }
}
