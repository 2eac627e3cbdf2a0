package dev.flowstage.flow.internal;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A producer of the lines of one file range: reads exactly as many lines as were asked for, in
 * batches, and finishes ({@code done()}) at the end of its range. The file is opened on the first
 * demand and closed at the end or when the stage stops.
 *
 * <p>Runs on the stage's virtual thread only.
 */
final class FileProducer implements Producer<Object> {
  private static final int CHUNK = 1000;

  private final String name;
  private final FileRanges.Range range;
  private final AtomicLong malformed;
  private LineReader reader;
  private boolean finished;

  FileProducer(String name, FileRanges.Range range, AtomicLong malformed) {
    this.name = name;
    this.range = range;
    this.malformed = malformed;
  }

  @Override
  public void handleDemand(long demand, ProducerContext<Object> ctx) {
    if (finished) {
      return;
    }
    try {
      if (reader == null) {
        reader = new LineReader(range);
      }
      long left = demand;
      while (left > 0 && !reader.done()) {
        List<Object> lines = new ArrayList<>((int) Math.min(left, CHUNK));
        reader.read(lines, (int) Math.min(left, CHUNK));
        left -= lines.size();
        if (!lines.isEmpty()) {
          ctx.emit(lines);
        }
      }
      if (reader.done()) {
        finished = true;
        close();
        ctx.done();
      }
    } catch (IOException e) {
      throw new StageFailure(
          name,
          new UncheckedIOException(
              new IOException("cannot read " + range.path() + ": " + e.getMessage(), e)));
    }
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
      reader.close();
      reader = null;
    }
  }
}
