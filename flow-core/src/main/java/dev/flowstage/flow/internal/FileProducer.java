package dev.flowstage.flow.internal;

import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A producer of the lines of a file source's ranges: takes the next unread range from the queue its
 * source's producers share, reads exactly as many lines as were asked for, in batches, goes on with
 * the next range at the end of one, and finishes ({@code done()}) when none is left. A range's file
 * is opened when its reading starts and closed at its end or when the stage stops. The lines of a
 * range come out in order, one range after the other.
 *
 * <p>Runs on the stage's virtual thread only (the queue is shared).
 */
final class FileProducer implements Producer<Object> {
  private static final int CHUNK = 1000;

  private final String name;
  private final Queue<FileRanges.Range> ranges;
  private final AtomicLong malformed;
  private final AtomicLongArray skippedFiles;
  private FileRanges.Range range;
  private LineReader reader;
  private boolean finished;

  /**
   * A producer of the lines of the ranges it takes from {@code ranges}.
   *
   * @param name the stage's name, in errors
   * @param ranges the file source's ranges, shared by its producers
   * @param malformed counts the malformed input sequences replaced
   * @param skippedFiles counts what the file source left out, per {@code FileSelection.Skip}: here
   *     the streams (pipes) left out as binary when opened (a regular file's first block is looked
   *     at when it is listed, a stream's only as it is read)
   */
  FileProducer(
      String name,
      Queue<FileRanges.Range> ranges,
      AtomicLong malformed,
      AtomicLongArray skippedFiles) {
    this.name = name;
    this.ranges = ranges;
    this.malformed = malformed;
    this.skippedFiles = skippedFiles;
  }

  @Override
  public void handleDemand(long demand, ProducerContext<Object> ctx) {
    if (finished) {
      return;
    }
    try {
      long left = demand;
      while (left > 0) {
        if (reader == null && !next()) {
          finished = true;
          ctx.done();
          return;
        }
        List<Object> lines = new ArrayList<>((int) Math.min(left, CHUNK));
        reader.read(lines, (int) Math.min(left, CHUNK));
        left -= lines.size();
        if (!lines.isEmpty()) {
          ctx.emit(lines);
        }
        if (reader.done()) {
          close();
          if (ranges.isEmpty()) { // none left to take: end now, not at the next demand
            finished = true;
            ctx.done();
            return;
          }
        }
      }
    } catch (IOException e) {
      throw new StageFailure(
          name,
          new UncheckedIOException(
              new IOException("cannot read " + range.path() + ": " + e.getMessage(), e)));
    }
  }

  /** Opens the next unread range; false when every range is taken. */
  private boolean next() throws IOException {
    range = ranges.poll();
    if (range == null) {
      return false;
    }
    reader = new LineReader(range);
    return true;
  }

  @Override
  public void terminate(ExitReason reason) {
    try {
      close();
    } catch (IOException e) {
      // the stage is ending anyway; nothing more to read
    }
  }

  private void close() throws IOException {
    if (reader != null) {
      malformed.addAndGet(reader.malformed());
      if (reader.skippedAsBinary()) {
        skippedFiles.incrementAndGet(FileSelection.Skip.BINARY.ordinal());
      }
      reader.close();
      reader = null;
    }
  }
}
