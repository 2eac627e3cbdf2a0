package dev.flowstage.flow.internal;

import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.flow.logic.Lines;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Reads the lines of one {@link FileRanges.Range} in batches. The line rules, the buffering and the
 * over-long-line error are {@link Lines}', shared with the engines that read files through their
 * own file systems; this class adds the range: a plain file is read by positional reads from the
 * range's start to the first line starting at or after its end, and gzip files, files listed at
 * size 0 and charsets where {@code 0x0A} is not always a newline (UTF-16/32) are read whole, as a
 * stream, after the byte order mark.
 *
 * <p>A reader starting inside a line looks for its end at most {@code maxLineBytes} bytes far: a
 * line that does not end by then is too long, and the reader that owns it (the one holding its
 * first byte) fails the flow. So a long line costs each range a bounded scan, never one to the end
 * of the file.
 *
 * <p>Used by one producer's thread only.
 */
final class LineReader implements Closeable {
  private final long end;
  private final Lines lines;
  private boolean done;

  LineReader(FileRanges.Range range) throws IOException {
    if (range.stream()) {
      // A pipe: read once, to its end, as flow-flink reads a whole file (its mark, gzip and
      // binary check decided from its first block as it is read).
      this.end = Long.MAX_VALUE;
      this.lines =
          Lines.open(
              dev.flowstage.flow.logic.PipeInput.open(range.path()), // read on a thread of its own
              range.path().toString(),
              range.charset(),
              range.streamOptions());
      return;
    }
    boolean whole =
        range.gzip()
            || range.end() == Long.MAX_VALUE // listed at size 0: a /proc file, say
            || !FileRanges.newlineIsOneByte(range.charset());
    this.end = whole ? Long.MAX_VALUE : range.end(); // a whole file is read to its end
    if (whole) {
      InputStream in = FileSelection.open(range.path(), range.gzip());
      try {
        in.skipNBytes(range.bom());
      } catch (IOException e) {
        in.close();
        throw e;
      }
      this.lines =
          Lines.ofStream(
              in, range.charset(), range.path(), range.maxLineBytes(), range.bom(), range.gzip());
      return;
    }
    FileChannel channel = FileChannel.open(range.path(), StandardOpenOption.READ);
    // A later range starts one byte early: a line starting right at its start follows a \n there.
    // The first range starts after the byte order mark, at a line's start.
    boolean inside = range.start() > range.bom();
    this.lines =
        Lines.ofRange(
            (into, from, len, at) -> channel.read(ByteBuffer.wrap(into, from, len), at),
            channel,
            range.charset(),
            range.path(),
            range.maxLineBytes(),
            inside ? range.start() - 1 : range.start(),
            range.end() - range.start() + 1);
    if (inside) {
      try {
        // The line that started before our range belongs to the previous range; no line starting
        // in it, or one too long to find its end (its owner fails), leaves this range nothing.
        done = !lines.skipLine(range.start() + range.maxLineBytes() + 1L);
      } catch (IOException e) {
        lines.close();
        throw e;
      }
    }
  }

  /** Whether the range is a stream left out as binary when it was opened (it gives no lines). */
  boolean skippedAsBinary() {
    return lines.skippedAsBinary();
  }

  /** How many malformed input sequences were replaced so far. */
  long malformed() {
    return lines.malformed();
  }

  /** Whether every line of the range has been read. */
  boolean done() {
    return done;
  }

  /**
   * Reads up to {@code max} lines.
   *
   * @param out where lines are appended
   * @param max the most lines to read
   * @return how many were read
   * @throws IOException on a read error, a malformed gzip file or a line longer than the bound
   */
  int read(List<Object> out, int max) throws IOException {
    int n = 0;
    while (n < max && !done) {
      if (lines.position() >= end) {
        done = true;
        break;
      }
      String line = lines.next();
      if (line == null) {
        done = true;
        if (lines.position() < end && end != Long.MAX_VALUE) {
          // The end of the file before the end of the range it had when listed.
          throw Lines.shrank(end, lines.position());
        }
        break;
      }
      out.add(line);
      n++;
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    lines.close();
  }
}
