package dev.flowstage.examples.wordcount;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.function.LongConsumer;

/**
 * Decodes a byte stream into lines, replacing each malformed or unmappable byte sequence with
 * U+FFFD and counting it, so that bad bytes never stop a count.
 *
 * <p>Lines end at {@code \n}; a {@code \r} just before it is dropped, and so is a byte order mark
 * (U+FEFF) at the start of the input: it is not text, so an input that is only a mark has no line,
 * as a file that is only a mark has none. A last line without a terminator is still a line. Bytes
 * read are reported to a listener once per chunk (64 KiB), which drives the progress bar.
 */
public final class DecodingLineSource implements LineSource {
  private static final int CHUNK = 64 * 1024;

  private final InputStream in;
  private final CharsetDecoder decoder;
  private final LongConsumer bytesRead;
  private final ByteBuffer bytes = ByteBuffer.allocate(CHUNK);
  private final CharBuffer chars = CharBuffer.allocate(CHUNK);
  private final StringBuilder line = new StringBuilder(256);
  private long malformed;
  private boolean inputEnded;
  private boolean decoderFlushed;

  /** Whether the first decoded char was looked at for a byte order mark. */
  private boolean markChecked;

  /**
   * Creates a line source over {@code in}.
   *
   * @param in the bytes to decode; closed by {@link #close()}
   * @param charset how the bytes are encoded
   * @param bytesRead told how many bytes each read returned (for progress), on the reading thread
   */
  public DecodingLineSource(InputStream in, Charset charset, LongConsumer bytesRead) {
    this.in = in;
    this.decoder =
        charset
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    this.bytesRead = bytesRead;
    bytes.flip(); // empty, ready to be read from
    chars.flip();
  }

  @Override
  public String nextLine() throws IOException {
    while (true) {
      while (chars.hasRemaining()) {
        char c = chars.get();
        if (c == '\n') {
          return takeLine();
        }
        line.append(c);
      }
      if (decoderFlushed) {
        return line.isEmpty() ? null : takeLine();
      }
      fill();
    }
  }

  private String takeLine() {
    int end = line.length();
    if (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    String s = line.substring(0, end);
    line.setLength(0);
    return s;
  }

  /** Decodes at least one more char into {@link #chars}, or marks the end of the input. */
  private void fill() throws IOException {
    chars.clear();
    while (chars.position() == 0 && !decoderFlushed) {
      if (!bytes.hasRemaining() && !inputEnded) {
        readChunk();
      }
      CoderResult result = decoder.decode(bytes, chars, inputEnded);
      if (result.isError()) {
        if (chars.remaining() == 0) {
          break; // the error is reported again on the next fill
        }
        // Skip the bad bytes and write one replacement char, as CodingErrorAction.REPLACE would.
        bytes.position(bytes.position() + result.length());
        chars.put('\uFFFD');
        malformed++;
      } else if (result.isOverflow()) {
        break;
      } else if (inputEnded) {
        if (decoder.flush(chars).isOverflow()) {
          break;
        }
        decoderFlushed = true;
      } else {
        readChunk();
      }
    }
    chars.flip();
    if (!markChecked && chars.hasRemaining()) {
      // U+FEFF at the very start is a byte order mark: dropped before it can start a line.
      markChecked = true;
      if (chars.get(chars.position()) == '\uFEFF') {
        chars.get();
      }
    }
  }

  /** Keeps the undecoded tail of {@link #bytes} and reads more after it. */
  private void readChunk() throws IOException {
    bytes.compact();
    int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
    if (n < 0) {
      inputEnded = true;
    } else {
      bytes.position(bytes.position() + n);
      bytesRead.accept(n);
    }
    bytes.flip();
  }

  @Override
  public long malformed() {
    return malformed;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
