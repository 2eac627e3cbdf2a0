package dev.flowstage.flow.internal;

import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.flow.logic.Lines;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the lines of one {@link FileRanges.Range} in batches, with a buffer that grows only up to
 * the longest line, which is bounded ({@code FileOptions.maxLineBytes}): a longer line fails with
 * an error naming the file and the line's offset. Lines end at {@code \n}; one trailing {@code \r}
 * is removed. Malformed input is replaced with U+FFFD and counted. The byte order mark of the
 * range's charset is skipped.
 *
 * <p>A reader starting inside a line looks for its end at most {@code maxLineBytes} bytes far: a
 * line that does not end by then is too long, and the reader that owns it (the one holding its
 * first byte) fails the flow. So a long line costs each range a bounded scan, never one to the end
 * of the file.
 *
 * <p>The per-line rules (the trailing {@code \r}, decoding, counting malformed input) are {@link
 * Lines.Decoder}'s, shared with the engines that read files through their own file systems. Gzip
 * files and charsets where {@code 0x0A} is not always a newline (UTF-16/32) are read whole, as a
 * stream.
 *
 * <p>Used by one producer's thread only.
 */
final class LineReader implements Closeable {
  private static final int BUFFER = 64 * 1024;

  private final FileRanges.Range range;
  private final FileChannel channel;
  private final InputStream stream;
  private final Charset charset;
  private final long end;
  private final int maxLine;
  private byte[] buf = new byte[BUFFER];
  private int pos;
  private int lim;
  private long bufStart; // offset of buf[0] in the (decompressed) file
  private boolean eof;
  private boolean done;
  private final Lines.Decoder decoder;
  // Charsets where 0x0A is not always a newline (UTF-16/32): the whole file, decoded.
  private final Reader text;
  private char[] chars;
  private int cpos;
  private int clim;
  private long lineNumber;

  LineReader(FileRanges.Range range) throws IOException {
    this.range = range;
    this.charset = range.charset();
    this.decoder = new Lines.Decoder(charset);
    this.end = range.end();
    this.maxLine = range.maxLineBytes();
    boolean whole = range.gzip() || !FileRanges.newlineIsOneByte(charset);
    if (whole) {
      this.channel = null;
      InputStream in = FileSelection.open(range.path(), range.gzip());
      try {
        in.skipNBytes(range.bom());
      } catch (IOException e) {
        in.close();
        throw e;
      }
      this.stream = in;
      if (!FileRanges.newlineIsOneByte(charset)) {
        CharsetDecoder d =
            charset
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.text = new InputStreamReader(in, d);
        this.chars = new char[BUFFER];
      } else {
        this.text = null;
      }
      bufStart = range.bom();
      return;
    }
    this.stream = null;
    this.text = null;
    this.channel = FileChannel.open(range.path(), StandardOpenOption.READ);
    if (range.start() > range.bom()) {
      bufStart = range.start() - 1;
      fill();
      // skip the line that started before our range: it belongs to the previous range
      int nl = indexOfNewline(pos);
      while (nl < 0 && !eof && bufStart + lim - range.start() <= maxLine + 1L) {
        pos = lim; // the whole buffer is inside that line
        fill();
        nl = indexOfNewline(pos);
      }
      if (nl < 0) {
        done = true; // no line starts in the range, or the line is too long: its owner fails
      } else {
        pos = nl + 1;
      }
    } else {
      bufStart = range.start(); // the first range starts after the byte order mark
    }
  }

  /** How many malformed input sequences were replaced so far. */
  long malformed() {
    return decoder.malformed();
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
    if (text != null) {
      return readText(out, max);
    }
    int n = 0;
    while (n < max && !done) {
      if (bufStart + pos >= end) {
        done = true;
        break;
      }
      int nl = indexOfNewline(pos);
      if (nl >= 0) {
        out.add(decode(pos, nl));
        pos = nl + 1;
        n++;
      } else if (eof) {
        if (pos < lim) {
          out.add(decode(pos, lim));
          n++;
        }
        pos = lim;
        done = true;
      } else {
        if (lim - pos > maxLine + 1L) { // + 1: room for a trailing \r
          throw tooLong(bufStart + pos);
        }
        fill();
      }
    }
    return n;
  }

  private IOException tooLong(long offset) {
    return Lines.tooLong(
        maxLine, "at offset " + offset + (range.gzip() ? " (decompressed)" : ""), range.path());
  }

  /** Lines of a UTF-16/32 file: {@code \n} ends a line, one trailing {@code \r} is dropped. */
  private int readText(List<Object> out, int max) throws IOException {
    int n = 0;
    StringBuilder line = null;
    while (n < max && !done) {
      int nl = -1;
      for (int i = cpos; i < clim; i++) {
        if (chars[i] == '\n') {
          nl = i;
          break;
        }
      }
      if (nl >= 0 || eof) {
        int to = nl >= 0 ? nl : clim;
        if (nl < 0 && cpos == clim && (line == null || line.isEmpty())) {
          done = true;
          break;
        }
        if (Lines.tooLongText((line == null ? 0 : line.length()) + to - cpos, maxLine)) {
          // A line within one buffer is bounded as one spread over several.
          throw Lines.tooLong(maxLine, "(line " + (lineNumber + 1) + ")", range.path());
        }
        String s = lineOf(line, cpos, to);
        line = null;
        cpos = nl >= 0 ? nl + 1 : clim;
        out.add(s);
        n++;
        lineNumber++;
        if (nl < 0) {
          done = true;
        }
        continue;
      }
      if (line == null) {
        line = new StringBuilder();
      }
      line.append(chars, cpos, clim - cpos);
      if (Lines.tooLongText(line.length(), maxLine)) {
        throw Lines.tooLong(maxLine, "(line " + (lineNumber + 1) + ")", range.path());
      }
      cpos = 0;
      clim = 0;
      int r = text.read(chars, 0, chars.length);
      if (r < 0) {
        eof = true;
      } else {
        clim = r;
      }
    }
    return n;
  }

  private String lineOf(StringBuilder prefix, int from, int to) {
    return decoder.text(
        prefix == null
            ? new String(chars, from, to - from)
            : prefix.append(chars, from, to - from).toString());
  }

  private int indexOfNewline(int from) {
    byte[] b = buf;
    for (int i = from; i < lim; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Keeps the unread bytes, growing the buffer for a line longer than it, and reads more. */
  private void fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      bufStart += pos;
      lim -= pos;
      pos = 0;
    }
    if (lim == buf.length) {
      // maxLine + 2 bytes (a \r and one more) are enough to tell a line is too long.
      buf = Arrays.copyOf(buf, (int) Math.min(buf.length * 2L, maxLine + 2L));
    }
    int r =
        stream != null
            ? stream.read(buf, lim, buf.length - lim)
            : channel.read(ByteBuffer.wrap(buf, lim, buf.length - lim), bufStart + lim);
    if (r < 0) {
      eof = true;
    } else {
      lim += r;
    }
  }

  private String decode(int from, int to) throws IOException {
    to = Lines.Decoder.end(buf, from, to);
    if (to - from > maxLine) {
      throw tooLong(bufStart + from);
    }
    return decoder.decode(buf, from, to);
  }

  @Override
  public void close() throws IOException {
    if (text != null) {
      text.close();
    } else if (stream != null) {
      stream.close();
    } else {
      channel.close();
    }
  }
}
