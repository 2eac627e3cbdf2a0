package dev.flowstage.examples.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on standard error: bytes read of the total, rate and ETA, redrawn with a
 * carriage return every 200 ms. It starts drawing only after half a second, so short runs show
 * nothing, and erases itself when closed (also on error, by its owner's {@code finally}) and when
 * the JVM is shut down by Ctrl-C (a shutdown hook). The line fits the terminal's width, read again
 * at every redraw so a resize is followed: what does not fit is left out, ETA and rate first.
 */
final class ProgressBar implements AutoCloseable {
  private static final long FIRST_DRAW_NANOS = 500_000_000L;
  private static final long REDRAW_MILLIS = 200;
  private static final int BAR_WIDTH = 24;

  private final PrintWriter err;
  private final long total;
  private final LongSupplier done;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final long start = System.nanoTime();
  private final long firstDrawNanos;
  private final Thread drawer;
  private final IntSupplier columns;
  private final Thread eraseOnExit;
  private volatile boolean drawn;

  /** Erases to the end of the line: a shorter line, or a narrower terminal, leaves nothing. */
  private static final String ERASE_LINE = "\u001b[K";

  /**
   * Starts a progress bar.
   *
   * @param err where to draw
   * @param total the expected number of bytes, or -1 if unknown (then no bar and no ETA)
   * @param done how many bytes have been read so far; polled at each redraw
   */
  ProgressBar(PrintWriter err, long total, LongSupplier done) {
    this(err, total, done, FIRST_DRAW_NANOS, Terminal::columns);
  }

  /**
   * As {@link #ProgressBar(PrintWriter, long, LongSupplier)}, drawing first after a delay, in a
   * terminal {@code columns} wide (asked at every redraw).
   */
  ProgressBar(
      PrintWriter err, long total, LongSupplier done, long firstDrawNanos, IntSupplier columns) {
    this.err = err;
    this.total = total;
    this.done = done;
    this.firstDrawNanos = firstDrawNanos;
    this.columns = columns;
    this.eraseOnExit = new Thread(this::erase, "flowstage-progress-erase");
    try {
      Runtime.getRuntime().addShutdownHook(eraseOnExit);
    } catch (IllegalStateException e) {
      // already shutting down: nothing will be drawn for long
    }
    this.drawer = Thread.ofVirtual().name("flowstage-progress").start(this::drawLoop);
  }

  /** Whether a progress bar should be drawn at all: never on a pipe, only for large inputs. */
  static boolean shouldShow(
      boolean disabled, boolean stderrIsTerminal, long totalBytes, long thresholdBytes) {
    return !disabled && stderrIsTerminal && (totalBytes < 0 || totalBytes >= thresholdBytes);
  }

  private void drawLoop() {
    try {
      if (closed.await(firstDrawNanos, TimeUnit.NANOSECONDS)) {
        return;
      }
      do {
        // One column short of the width: writing the last column makes some terminals wrap.
        String line = render(done.getAsLong(), total, System.nanoTime() - start, columns() - 1);
        synchronized (err) {
          if (closed.getCount() == 0) {
            break; // closed while rendering: do not draw over the result
          }
          err.print('\r' + line + ERASE_LINE);
          err.flush();
          drawn = true;
        }
      } while (!closed.await(REDRAW_MILLIS, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Renders one line of the bar, without the leading carriage return.
   *
   * @param done bytes read
   * @param total bytes expected, or -1 if unknown
   * @param elapsedNanos time since the start
   * @return for example {@code [#########...............] 38% 12.0 MiB of 32.0 MiB 48.0 MiB/s ETA
   *     0:01}
   */
  static String render(long done, long total, long elapsedNanos) {
    return render(done, total, elapsedNanos, Integer.MAX_VALUE);
  }

  /**
   * Renders one line of the bar in at most {@code width} characters: the whole line if it fits,
   * else without the ETA, then without the rate, then a shorter bar, then cut.
   *
   * @param done bytes read
   * @param total bytes expected, or -1 if unknown
   * @param elapsedNanos time since the start
   * @param width the most characters, at least 1
   * @return the line
   */
  static String render(long done, long total, long elapsedNanos, int width) {
    String full = full(done, total, elapsedNanos);
    if (full.length() <= width) {
      return full;
    }
    String amount = total > 0 ? size(done) + " of " + size(total) : size(done) + " read";
    if (total > 0) {
      double fraction = Math.min(1.0, (double) done / total);
      String percent = String.format(Locale.ROOT, "%3d%%", (int) Math.floor(fraction * 100));
      String noEta = full.substring(0, full.indexOf("  ETA "));
      if (noEta.length() <= width) {
        return noEta;
      }
      String withAmount = bar(fraction, BAR_WIDTH) + " " + percent + "  " + amount;
      if (withAmount.length() <= width) {
        return withAmount;
      }
      int room = Math.min(BAR_WIDTH, width - percent.length() - 1 - 2); // brackets, a space
      if (room >= 4) {
        return bar(fraction, room) + " " + percent;
      }
      return percent.strip().length() <= width
          ? percent.strip()
          : percent.strip().substring(0, Math.max(0, width));
    }
    return amount.length() <= width ? amount : amount.substring(0, Math.max(0, width));
  }

  private static String bar(double fraction, int width) {
    int filled = (int) Math.round(fraction * width);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
  }

  private static String full(long done, long total, long elapsedNanos) {
    double seconds = Math.max(elapsedNanos, 1) / 1e9;
    double rate = done / seconds;
    StringBuilder line = new StringBuilder();
    if (total > 0) {
      double fraction = Math.min(1.0, (double) done / total);
      int filled = (int) Math.round(fraction * BAR_WIDTH);
      line.append('[')
          .append("#".repeat(filled))
          .append(".".repeat(BAR_WIDTH - filled))
          .append(']')
          .append(String.format(Locale.ROOT, " %3d%%  ", (int) Math.floor(fraction * 100)))
          .append(size(done))
          .append(" of ")
          .append(size(total));
    } else {
      line.append(size(done)).append(" read");
    }
    line.append("  ").append(size((long) rate)).append("/s");
    if (total > 0) {
      line.append("  ETA ");
      if (rate <= 0) {
        line.append("--:--");
      } else {
        long eta = (long) Math.ceil(Math.max(0, total - done) / rate);
        if (eta >= 3600) {
          line.append(
              String.format(Locale.ROOT, "%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60));
        } else {
          line.append(String.format(Locale.ROOT, "%d:%02d", eta / 60, eta % 60));
        }
      }
    }
    return line.toString();
  }

  /** Formats a byte count in binary units with one decimal: {@code 512 B}, {@code 1.5 MiB}. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  private int columns() {
    return Math.max(2, columns.getAsInt());
  }

  /** Erases the bar if it is drawn; the shutdown hook's body, and the end of {@link #close}. */
  private void erase() {
    synchronized (err) {
      closed.countDown();
      if (drawn) {
        err.print("\r" + ERASE_LINE);
        err.flush();
        drawn = false;
      }
    }
  }

  /** Stops drawing and erases the bar, so the result (or an error) starts on a clean line. */
  @Override
  public void close() {
    closed.countDown();
    try {
      drawer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    erase();
    try {
      Runtime.getRuntime().removeShutdownHook(eraseOnExit);
    } catch (IllegalStateException e) {
      // shutting down: the hook runs (and finds nothing left to erase)
    }
  }
}
