package dev.flowstage.flow.logic;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import java.util.zip.ZipException;

/**
 * The decompressed bytes of gzip data (RFC 1952): every member in turn, as {@code gzip -d} reads a
 * concatenation of them, each member's CRC-32 and length checked. What follows the last member must
 * be nothing or zero bytes (the padding {@code gzip -d} also ignores silently); anything else fails
 * the read naming its offset. {@code java.util.zip.GZIPInputStream} stops at such bytes without a
 * word, so lines appended to a {@code .gz} file by mistake (say, by a logger writing plain text
 * after rotation) were lost without a trace, and whether a second member was read at all depended
 * on the stream's {@code available()} before JDK 23 (JDK-7036144). Confined to one thread, as any
 * stream.
 */
final class GzipInput extends InputStream {
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  private static final int RESERVED = 0xe0;

  private final InputStream in;
  private final byte[] buf;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  // The header's CRC when FHCRC is set: it covers every header byte before it.
  private final CRC32 headerCrc = new CRC32();
  private int pos;
  private int lim;
  // The offset in the compressed data of buf[0].
  private long base;
  private boolean done;
  private boolean closed;

  /**
   * Reads the first member's header of {@code in}.
   *
   * @param in the compressed bytes (closed with this stream)
   * @param bufferSize how many compressed bytes to read at a time, at least 1
   * @throws IOException if {@code in} does not start with a gzip header
   */
  GzipInput(InputStream in, int bufferSize) throws IOException {
    this.in = in;
    this.buf = new byte[bufferSize];
    try {
      header(true);
    } catch (IOException | RuntimeException e) {
      inflater.end();
      throw e;
    }
  }

  private final byte[] one = new byte[1];

  @Override
  public int read() throws IOException {
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len == 0) {
      return 0;
    }
    while (!done) {
      if (inflater.needsInput()) {
        if (pos == lim && fill() < 0) {
          throw new EOFException("unexpected end of gzip data at byte " + offset());
        }
        inflater.setInput(buf, pos, lim - pos);
        pos = lim; // given to the inflater; what it does not use comes back when a member ends
      }
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw new ZipException("invalid gzip data near byte " + offset() + ": " + e.getMessage());
      }
      if (n > 0) {
        crc.update(b, off, n);
        return n;
      }
      if (inflater.finished()) {
        pos = lim - inflater.getRemaining();
        endOfMember();
      } else if (inflater.needsDictionary()) {
        throw new ZipException("invalid gzip data near byte " + offset() + ": needs a dictionary");
      }
    }
    return -1;
  }

  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      inflater.end();
      in.close();
    }
  }

  /** Checks a member's trailer, then starts the next member or ends the data. */
  private void endOfMember() throws IOException {
    long at = offset();
    long crcWritten = uint32();
    long size = uint32();
    if (crcWritten != crc.getValue() || size != (inflater.getBytesWritten() & 0xffffffffL)) {
      throw new ZipException(
          "corrupt gzip member ending at byte "
              + at
              + ": its CRC or length does not match its data");
    }
    int b = next();
    if (b < 0) {
      done = true;
      return;
    }
    if (b == 0) {
      long start = offset() - 1;
      while ((b = next()) == 0) {
        // padding
      }
      if (b < 0) {
        done = true;
        return;
      }
      throw trailing(start);
    }
    pos--; // the byte read is the next member's first, or not a member at all
    if (b != 0x1f) {
      throw trailing(offset());
    }
    inflater.reset();
    crc.reset();
    header(false);
  }

  private ZipException trailing(long at) {
    return new ZipException(
        "data after the last gzip member at byte "
            + at
            + " is not gzip (gzip -d ignores it with a warning; nothing was read from it)");
  }

  /** Reads a member's header, up to its compressed data. */
  private void header(boolean first) throws IOException {
    long at = offset();
    headerCrc.reset();
    int id1 = headerByte();
    int id2 = id1 < 0 ? -1 : headerByte();
    if (id1 != 0x1f || id2 != 0x8b) {
      throw first
          ? new ZipException(
              id1 < 0 ? "not in gzip format: no data" : "not in gzip format (no gzip header)")
          : trailing(at);
    }
    int method = need(headerByte(), at);
    if (method != 8) {
      throw new ZipException(
          "unsupported gzip compression method " + method + " at byte " + (at + 2));
    }
    int flags = need(headerByte(), at);
    if ((flags & RESERVED) != 0) {
      throw new ZipException("invalid gzip header at byte " + at + ": reserved flags set");
    }
    for (int i = 0; i < 6; i++) { // modification time, extra flags, operating system
      need(headerByte(), at);
    }
    if ((flags & FEXTRA) != 0) {
      int xlen = need(headerByte(), at) | need(headerByte(), at) << 8;
      for (int i = 0; i < xlen; i++) {
        need(headerByte(), at);
      }
    }
    if ((flags & FNAME) != 0) {
      while (need(headerByte(), at) != 0) {
        // the original file name, zero-terminated
      }
    }
    if ((flags & FCOMMENT) != 0) {
      while (need(headerByte(), at) != 0) {
        // a comment, zero-terminated
      }
    }
    if ((flags & FHCRC) != 0) {
      int expected = (int) (headerCrc.getValue() & 0xffff);
      int stored = need(next(), at) | need(next(), at) << 8;
      if (stored != expected) {
        throw new ZipException("corrupt gzip header at byte " + at + ": its CRC does not match");
      }
    }
  }

  private int headerByte() throws IOException {
    int b = next();
    if (b >= 0) {
      headerCrc.update(b);
    }
    return b;
  }

  private int need(int b, long headerAt) throws EOFException {
    if (b < 0) {
      throw new EOFException("unexpected end of gzip data in the header at byte " + headerAt);
    }
    return b;
  }

  private long uint32() throws IOException {
    long v = 0;
    for (int i = 0; i < 4; i++) {
      int b = next();
      if (b < 0) {
        throw new EOFException("unexpected end of gzip data at byte " + offset());
      }
      v |= (long) b << (8 * i);
    }
    return v;
  }

  /** The next compressed byte, or -1 at the end of the data. */
  private int next() throws IOException {
    if (pos == lim && fill() < 0) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  /** Reads the next block of compressed bytes into an empty buffer; -1 at the end. */
  private int fill() throws IOException {
    base += lim;
    pos = 0;
    lim = 0;
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0); // a stream may return 0 before its next bytes: wait for them, or the end
    if (n > 0) {
      lim = n;
    }
    return n;
  }

  /** The offset in the compressed data of the next byte not yet used. */
  private long offset() {
    return base + pos;
  }
}
