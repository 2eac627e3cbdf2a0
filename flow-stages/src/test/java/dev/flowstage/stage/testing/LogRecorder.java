package dev.flowstage.stage.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what the runtime logs at WARNING or above on a java.util.logging logger (where the
 * default {@code System.Logger} goes), so tests can check that a failure is reported once: thrown
 * to its owner, or logged where nobody receives it, not both.
 */
public final class LogRecorder implements AutoCloseable {
  private final Logger logger;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            records.add(r);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  /**
   * Starts recording on the logger {@code name} and the loggers below it.
   *
   * @param name a logger name, e.g. {@code "dev.flowstage"}
   */
  public LogRecorder(String name) {
    logger = Logger.getLogger(name);
    logger.addHandler(handler);
  }

  /**
   * The records so far, WARNING and above.
   *
   * @return a live view, in logging order
   */
  public List<LogRecord> records() {
    return records;
  }

  /**
   * The records so far as one line each, {@code logger: message}; empty if nothing was logged.
   *
   * @return the lines joined by newlines
   */
  public String text() {
    StringBuilder b = new StringBuilder();
    for (LogRecord r : records) {
      b.append(b.isEmpty() ? "" : "\n")
          .append(r.getLoggerName())
          .append(": ")
          .append(r.getMessage());
    }
    return b.toString();
  }

  /** Stops recording. */
  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
