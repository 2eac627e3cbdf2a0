package dev.flowstage.flow.logic;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of a byte stream with the local file source's rules, for engines that read files
 * through their own file systems (flow-flink): a line ends at {@code \n} and one trailing {@code
 * \r} is removed (a lone {@code \r} does not end a line); the last line needs no {@code \n};
 * malformed input becomes U+FFFD and each malformed sequence is counted, as {@code
 * FlowStatistics.malformedInput()} counts it locally. Charsets in which {@code \n} is not the one
 * byte 0x0A (UTF-16/32) are read through a {@link BufferedReader}, as locally. Not thread-safe.
 */
public final class Lines implements Closeable {
  private final InputStream in;
  private final Charset charset;
  private final BufferedReader text;
  private byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lim;
  private boolean eof;
  private long malformed;
  private CharsetDecoder counter;

  /**
   * Reads {@code in} from its current position.
   *
   * @param in the bytes; closed by {@link #close()}
   * @param charset their charset
   */
  public Lines(InputStream in, Charset charset) {
    this.in = in;
    this.charset = charset;
    if (newlineIsOneByte(charset)) {
      this.text = null;
    } else {
      CharsetDecoder d =
          charset
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE);
      this.text = new BufferedReader(new InputStreamReader(in, d));
    }
  }

  /**
   * Whether {@code \n} is the single byte 0x0A in {@code cs} (so lines can be found in bytes).
   *
   * @param cs the charset
   * @return true for UTF-8, ASCII, ISO-8859-x and the like
   */
  public static boolean newlineIsOneByte(Charset cs) {
    if (cs.equals(StandardCharsets.UTF_8) || cs.equals(StandardCharsets.US_ASCII)) {
      return true;
    }
    if (!cs.canEncode()) {
      return false;
    }
    return Arrays.equals("\n".getBytes(cs), new byte[] {'\n'})
        && Arrays.equals("a\n".getBytes(cs), new byte[] {'a', '\n'});
  }

  /**
   * Returns the next line.
   *
   * @return the line without its line end, or {@code null} at the end of the input
   * @throws IOException on a read error
   */
  public String next() throws IOException {
    if (text != null) {
      String line = text.readLine();
      if (line != null) {
        for (int i = line.indexOf('\uFFFD'); i >= 0; i = line.indexOf('\uFFFD', i + 1)) {
          malformed++;
        }
      }
      return line;
    }
    int scanned = pos;
    while (true) {
      for (int i = scanned; i < lim; i++) {
        if (buf[i] == '\n') {
          String line = decode(pos, i);
          pos = i + 1;
          return line;
        }
      }
      scanned = lim;
      if (eof) {
        if (pos < lim) {
          String line = decode(pos, lim);
          pos = lim;
          return line;
        }
        return null;
      }
      scanned -= pos;
      fill();
    }
  }

  /**
   * How many malformed input sequences were replaced so far.
   *
   * @return the count
   */
  public long malformed() {
    return malformed;
  }

  private void fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    if (lim == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    int r = in.read(buf, lim, buf.length - lim);
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
    ByteBuffer bytes = ByteBuffer.wrap(buf, from, to - from);
    CharBuffer chars = CharBuffer.allocate(Math.max(16, (to - from) * 2));
    long count = 0;
    while (true) {
      CoderResult r = counter.decode(bytes, chars, true);
      if (r.isError()) {
        count++;
        bytes.position(bytes.position() + r.length());
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

  /** Closes the input. */
  @Override
  public void close() throws IOException {
    in.close();
  }
}
