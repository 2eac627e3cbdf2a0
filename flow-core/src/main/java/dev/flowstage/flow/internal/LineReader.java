package dev.flowstage.flow.internal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the lines of one {@link FileRanges.Range} in batches, with a fixed-size buffer (memory is
 * bounded by the longest line, not the file). Lines end at {@code \n}; a trailing {@code \r} is
 * removed. Malformed input is replaced with U+FFFD and counted.
 *
 * <p>Decoding takes the JDK's fast {@code new String(bytes, charset)} path and only re-decodes a
 * line to count its malformed sequences when the result holds a replacement character.
 *
 * <p>Used by one producer's thread only.
 */
final class LineReader implements Closeable {
  private static final int BUFFER = 64 * 1024;

  private final FileChannel channel;
  private final Charset charset;
  private final long end;
  private byte[] buf = new byte[BUFFER];
  private int pos;
  private int lim;
  private long bufStart; // file offset of buf[0]
  private boolean eof;
  private boolean done;
  private long malformed;
  private CharsetDecoder counter;
  // Charsets where 0x0A is not always a newline (UTF-16/32): the whole file, through a Reader.
  private final java.io.BufferedReader text;

  LineReader(FileRanges.Range range, Charset charset) throws IOException {
    this.channel = FileChannel.open(range.path(), StandardOpenOption.READ);
    this.charset = charset;
    this.end = range.end();
    if (!FileRanges.newlineIsOneByte(charset)) {
      CharsetDecoder d =
          charset
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE);
      this.text =
          new java.io.BufferedReader(java.nio.channels.Channels.newReader(channel, d, BUFFER));
      return;
    }
    this.text = null;
    if (range.start() > 0) {
      bufStart = range.start() - 1;
      fill();
      // skip the line that started before our range: it belongs to the previous range
      int nl = indexOfNewline(pos);
      while (nl < 0 && !eof) {
        pos = lim; // the whole buffer is inside that line
        fill();
        nl = indexOfNewline(pos);
      }
      if (nl < 0) {
        done = true;
      } else {
        pos = nl + 1;
      }
    } else {
      bufStart = 0;
    }
  }

  /** How many malformed input sequences were replaced so far. */
  long malformed() {
    return malformed;
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
   * @throws IOException on a read error
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
        fill();
      }
    }
    return n;
  }

  private int readText(List<Object> out, int max) throws IOException {
    int n = 0;
    while (n < max && !done) {
      String line = text.readLine();
      if (line == null) {
        done = true;
      } else {
        // the decoder replaced malformed input; count the replacements it made
        for (int i = line.indexOf('\uFFFD'); i >= 0; i = line.indexOf('\uFFFD', i + 1)) {
          malformed++;
        }
        out.add(line);
        n++;
      }
    }
    return n;
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
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    int r = channel.read(ByteBuffer.wrap(buf, lim, buf.length - lim), bufStart + lim);
    if (r < 0) {
      eof = true;
    } else {
      lim += r;
    }
  }

  private String decode(int from, int to) {
    if (to > from && buf[to - 1] == '\r') {
      to--;
    }
    String s = new String(buf, from, to - from, charset);
    if (s.indexOf('\uFFFD') >= 0) {
      malformed += countMalformed(from, to);
    }
    return s;
  }

  private long countMalformed(int from, int to) {
    if (counter == null) {
      counter =
          charset
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
    counter.reset();
    ByteBuffer in = ByteBuffer.wrap(buf, from, to - from);
    CharBuffer chars = CharBuffer.allocate(Math.max(16, (to - from) * 2));
    long count = 0;
    while (true) {
      CoderResult r = counter.decode(in, chars, true);
      if (r.isError()) {
        count++;
        in.position(in.position() + r.length());
      } else if (r.isOverflow()) {
        chars.clear();
      } else {
        break;
      }
    }
    chars.clear();
    counter.flush(chars);
    return count;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
