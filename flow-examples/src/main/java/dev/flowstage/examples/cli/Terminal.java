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

  /** The width used when the terminal's cannot be read. */
  static final int DEFAULT_COLUMNS = 80;

  private static volatile long columnsReadAt;
  private static volatile int cachedColumns = -1;

  /**
   * The terminal's width in columns: {@code COLUMNS} if set, else {@code stty size} on {@code
   * /dev/tty}, else {@value #DEFAULT_COLUMNS}. Read again at most once a second, so a resized
   * terminal is followed without running {@code stty} at every redraw.
   */
  static int columns() {
    long now = System.nanoTime();
    if (cachedColumns > 0 && now - columnsReadAt < 1_000_000_000L) {
      return cachedColumns;
    }
    int columns = columns(System.getenv("COLUMNS"), Terminal::sttyColumns);
    cachedColumns = columns;
    columnsReadAt = now;
    return columns;
  }

  /**
   * The width from {@code COLUMNS}, else from {@code stty}, else {@value #DEFAULT_COLUMNS}.
   *
   * @param columnsEnv the {@code COLUMNS} variable, or null
   * @param stty the width {@code stty} reports, or -1
   * @return the width, at least 1
   */
  static int columns(String columnsEnv, java.util.function.IntSupplier stty) {
    if (columnsEnv != null) {
      try {
        int n = Integer.parseInt(columnsEnv.strip());
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // not a number: ask the terminal
      }
    }
    int n = stty.getAsInt();
    return n > 0 ? n : DEFAULT_COLUMNS;
  }

  /** {@code stty size < /dev/tty}: "rows columns", or -1 where there is no stty or no tty. */
  private static int sttyColumns() {
    java.io.File tty = new java.io.File("/dev/tty");
    if (!tty.exists()) {
      return -1;
    }
    try {
      Process p =
          new ProcessBuilder("stty", "size")
              .redirectInput(tty)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      if (!p.waitFor(1, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroy();
        return -1;
      }
      String[] parts = out.split("\\s+");
      return parts.length == 2 ? Integer.parseInt(parts[1]) : -1;
    } catch (IOException | NumberFormatException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /**
   * Whether the environment allows a progress bar: not with {@code NO_COLOR} set (to anything
   * non-empty, as no-color.org says) nor with {@code TERM=dumb}, which cannot redraw a line.
   *
   * @param env the environment variables
   * @return false if either says no
   */
  static boolean allowsProgress(java.util.Map<String, String> env) {
    String noColor = env.get("NO_COLOR");
    if (noColor != null && !noColor.isEmpty()) {
      return false;
    }
    return !"dumb".equals(env.get("TERM"));
  }
}
