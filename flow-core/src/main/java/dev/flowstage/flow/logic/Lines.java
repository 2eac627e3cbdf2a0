package dev.flowstage.flow.logic;

import dev.flowstage.flow.FileOptions;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The one line reader of every Flowstage file source: the local source's file ranges (flow-core
 * {@code LineReader}, through {@link #ofRange}) and engines that read files through their own file
 * systems (flow-flink, through {@link #open}). A line ends at {@code \n} and one trailing {@code
 * \r} is removed (a lone {@code \r} does not end a line); the last line needs no {@code \n};
 * malformed input becomes U+FFFD and each malformed sequence is counted, as {@code
 * FlowStatistics.malformedInput()} counts it; a line longer than {@code FileOptions.maxLineBytes}
 * fails with {@link #tooLong}. The byte buffer grows only up to the longest line. Charsets in which
 * {@code \n} is not the one byte 0x0A (UTF-16/32) are decoded first and split in chars. Not
 * thread-safe.
 */
public final class Lines implements Closeable {
  private static final int BUFFER = 64 * 1024;

  /**
   * Where a reader's bytes come from: a stream (the offset is where it stands) or positional reads
   * of a file (a {@code FileChannel}), so one buffer serves both.
   */
  @FunctionalInterface
  public interface Source {
    /**
     * Reads up to {@code len} bytes of the input, those at {@code offset}, into {@code into}.
     *
     * @param into the buffer
     * @param from where in it the bytes go
     * @param len how many bytes at most (at least 1)
     * @param offset the input offset of the first byte wanted
     * @return how many bytes were read, or -1 at the end of the input
     * @throws IOException on a read error
     */
    int read(byte[] into, int from, int len, long offset) throws IOException;
  }

  private final Source source;
  private final Closeable input;
  private final Reader text;

  /** Whether {@link #open} skipped the file as binary: it reads nothing of it, on purpose. */
  private boolean skipped;

  private byte[] buf;
  private int pos;
  private int lim;
  private boolean eof;
  private final Decoder decoder;
  private final Object name;
  private final int maxLine;
  private final boolean gzip;
  private long bufStart; // offset of buf[0] in the (decompressed) file, for errors
  private char[] chars; // charsets where \n is not one byte: decoded chars
  private int cpos;
  private int clim;
  // Text path: bytes a char (1: single-byte, like EBCDIC; 2: UTF-16) or, for UTF-32, a code point.
  private final int charBytes;
  private long lineNumber;

  /**
   * Reads {@code in} from its current position, lines bounded by the default {@code
   * FileOptions.maxLineBytes}.
   *
   * @param in the bytes; closed by {@link #close()}
   * @param charset their charset
   */
  public Lines(InputStream in, Charset charset) {
    this(in, charset, "the input", FileOptions.DEFAULT_MAX_LINE_BYTES, 0, false);
  }

  private Lines(
      InputStream in, Charset charset, Object name, int maxLine, long offset, boolean gzip) {
    this(
        (into, from, len, at) -> in.read(into, from, len),
        in,
        newlineIsOneByte(charset) ? null : new InputStreamReader(in, replacingDecoder(charset)),
        charset,
        name,
        maxLine,
        offset,
        gzip,
        BUFFER);
  }

  private Lines(
      Source source,
      Closeable input,
      Reader text,
      Charset charset,
      Object name,
      int maxLine,
      long offset,
      boolean gzip,
      int bufferBytes) {
    this.source = source;
    this.input = input;
    this.text = text;
    this.name = name;
    this.maxLine = maxLine;
    this.bufStart = offset;
    this.gzip = gzip;
    this.decoder = new Decoder(charset);
    this.charBytes = charBytes(charset);
    if (text == null) {
      this.buf = new byte[bufferBytes];
    } else {
      this.chars = new char[BUFFER];
    }
  }

  /**
   * Reads a stream whose first byte is at {@code offset} of its (decompressed) file: the local
   * source's whole-file reads (gzip, UTF-16/32), after the byte order mark.
   *
   * @param in the bytes; closed by {@link #close()}
   * @param charset their charset
   * @param file the file, in errors
   * @param maxLineBytes the line bound
   * @param offset the offset of the stream's first byte, in errors
   * @param gzip whether offsets are in decompressed bytes, in errors
   * @return the lines
   */
  public static Lines ofStream(
      InputStream in, Charset charset, Object file, int maxLineBytes, long offset, boolean gzip) {
    return new Lines(in, charset, file, maxLineBytes, offset, gzip);
  }

  /**
   * Reads a file by positional reads from {@code offset} on: the local source's file ranges. Use
   * {@link #skipLine} first when {@code offset} may fall inside a line, and {@link #position} to
   * stop at a range's end.
   *
   * @param source positional reads of the file
   * @param input closed by {@link #close()}
   * @param charset the file's charset; {@code \n} must be one byte in it ({@link
   *     #newlineIsOneByte})
   * @param file the file, in errors
   * @param maxLineBytes the line bound
   * @param offset where to start reading
   * @return the lines
   */
  public static Lines ofRange(
      Source source, Closeable input, Charset charset, Object file, int maxLineBytes, long offset) {
    return ofRange(source, input, charset, file, maxLineBytes, offset, BUFFER);
  }

  /**
   * As {@link #ofRange(Source, Closeable, Charset, Object, int, long)}, for a range of about {@code
   * bytes} bytes: the first buffer holds the range (and a line's end after it) when that is less
   * than the usual 64 KiB, and grows like any other for a longer line. A folder of 20 000 small
   * files otherwise allocated 20 000 buffers of 64 KiB, 1.3 GB for the collector to clear.
   *
   * @param source positional reads of the file
   * @param input closed by {@link #close()}
   * @param charset the file's charset; {@code \n} must be one byte in it
   * @param file the file, in errors
   * @param maxLineBytes the line bound
   * @param offset where to start reading
   * @param bytes about how many bytes will be read
   * @return the lines
   */
  public static Lines ofRange(
      Source source,
      Closeable input,
      Charset charset,
      Object file,
      int maxLineBytes,
      long offset,
      long bytes) {
    if (!newlineIsOneByte(charset)) {
      throw new IllegalArgumentException(
          "file ranges need a charset where \\n is one byte, not " + charset);
    }
    // A little more than the range: reading on to the end of its last line needs no second read.
    int first = Math.clamp(bytes + 256, 1024, BUFFER);
    return new Lines(source, input, null, charset, file, maxLineBytes, offset, false, first);
  }

  /**
   * Reads a whole file's bytes as the local file source does with {@code options}: gunzipped for a
   * {@code .gz} name when {@code decompress}, in the charset of a byte order mark at the start
   * ({@link FileSelection#charset}; the mark is not part of the first line), no lines at all for a
   * file {@link FileSelection#skipsAsBinary skipped as binary}, and lines bounded by {@code
   * maxLineBytes}.
   *
   * @param in the file's bytes, from its start; closed by {@link #close()}
   * @param name the file's path or URI, for its {@code .gz} suffix and in errors
   * @param charset the charset when there is no byte order mark (the flow's {@code
   *     Options.charset})
   * @param options the file source's options
   * @return the lines
   * @throws IOException if the start cannot be read, or is not gzip when it is decompressed
   */
  public static Lines open(InputStream in, String name, Charset charset, FileOptions options)
      throws IOException {
    FileSelection selection = new FileSelection(options);
    try {
      boolean gzip = selection.decompresses(name);
      InputStream bytes = FileSelection.gunzipped(in, gzip);
      PushbackInputStream start = new PushbackInputStream(bytes, FileSelection.SNIFF_BYTES);
      byte[] head = start.readNBytes(FileSelection.SNIFF_BYTES);
      FileSelection.Marked marked = selection.charset(head, charset);
      if (selection.skipsAsBinary(head, marked.charset())) {
        start.close();
        Lines none =
            new Lines(
                InputStream.nullInputStream(),
                marked.charset(),
                name,
                options.maxLineBytes(),
                0,
                gzip);
        none.skipped = true;
        return none;
      }
      start.unread(head, marked.bom(), head.length - marked.bom());
      return new Lines(start, marked.charset(), name, options.maxLineBytes(), marked.bom(), gzip);
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }

  /**
   * Whether {@link #open} left the file out as binary ({@link FileSelection#skipsAsBinary}): it
   * gives no lines.
   *
   * @return whether the file was skipped
   */
  public boolean skippedAsBinary() {
    return skipped;
  }

  /**
   * Whether a whole file's read ({@link #open}) has reached the size the file was listed at, so
   * that the next line would start at or after it: the local file source reads the lines that start
   * before a file's listed size (its ranges end there), so a file appended to while a flow runs
   * gives the lines it had when listed, the one being written then read whole; an engine that reads
   * files whole stops here to give the same. Never for what the local source reads whole too: a
   * gzip file, one read as text (UTF-16/32), one skipped as binary, a stream (listed at -1) and a
   * file listed at size 0 ({@link FileSelection#readsToEnd}).
   *
   * @param listedSize the file's size when it was listed
   * @return whether to stop reading
   */
  public boolean reachedListedSize(long listedSize) {
    // A size above 0: a stream is listed at -1, and 0 says nothing (FileSelection.readsToEnd).
    return !gzip && text == null && !skipped && listedSize > 0 && position() >= listedSize;
  }

  /**
   * Checks a whole file's read ({@link #open}), once {@link #next} returned {@code null}, against
   * the size the file was listed at: a file read as bytes that ended before it shrank meanwhile
   * ({@link #shrank}), as a local file range fails. A gzip file (its decompressed size is not
   * known), one read as text (UTF-16/32) and one skipped as binary are not checked.
   *
   * @param listedSize the file's size when it was listed
   * @throws IOException if it ended before that
   */
  public void checkListedSize(long listedSize) throws IOException {
    if (!gzip && text == null && !skipped && position() < listedSize) {
      throw shrank(listedSize, position());
    }
  }

  /**
   * The failure of a reader that met the end of a file before the end of its part, which the file
   * had when it was listed: the file shrank while the flow read it (truncated, or rotated in place
   * as {@code logrotate copytruncate} does). Counting what is left would report a whole file and
   * give the result of part of one, so both file paths fail alike with this.
   *
   * @param listedEnd the offset the part was to be read to, at most the size the file was listed at
   * @param size the offset at which reading met the end of the file
   * @return the error, giving both offsets (the readers' "cannot read FILE: ..." names the file)
   */
  public static IOException shrank(long listedEnd, long size) {
    return new IOException(
        "the file shrank while being read: it was listed with a part ending at byte "
            + listedEnd
            + ", but reading met the end of the file at byte "
            + size
            + " (truncated, or rotated in place?); the flow fails rather than count part of the"
            + " file as all of it: read it again once it stops changing");
  }

  /**
   * The error of a line longer than {@code FileOptions.maxLineBytes}, the same for every reader.
   *
   * @param maxLineBytes the bound
   * @param where where the line starts: {@code "at offset 12"}, {@code "(line 3)"}, ...
   * @param file the file's path or URI
   * @return the exception to throw
   */
  public static IOException tooLong(int maxLineBytes, String where, Object file) {
    return new IOException(
        "a line longer than "
            + maxLineBytes
            + " bytes "
            + where
            + " of "
            + file
            + "; raise FileOptions.maxLineBytes (up to "
            + FileOptions.MAX_LINE_BYTES
            + ") if such lines are expected");
  }

  /**
   * How many bytes a decoded unit of {@code cs} takes, for lines read as text: 4 a code point in
   * UTF-32, 1 a char in a single-byte charset (EBCDIC, whose newline is not 0x0A), 2 a char
   * otherwise (exact for UTF-16: a surrogate pair is two chars, four bytes).
   */
  private static int charBytes(Charset cs) {
    if (cs.name().toUpperCase(Locale.ROOT).contains("UTF-32")) {
      return 4;
    }
    return cs.canEncode() && cs.newEncoder().maxBytesPerChar() <= 1f ? 1 : 2;
  }

  /**
   * How many bytes the decoded chars {@code from..to} of {@code text} took in their charset ({@link
   * #charBytes}): in UTF-32 four a code point, the second char of a surrogate pair adding nothing
   * (a UTF-32 decoder never yields a lone low surrogate: it replaces invalid input with U+FFFD).
   *
   * @param text the chars
   * @param from the first
   * @param to past the last
   * @param charBytes the charset's bytes a char, or 4 for UTF-32's code points
   * @return the bytes
   */
  private static long textBytes(char[] text, int from, int to, int charBytes) {
    if (charBytes != 4) {
      return (long) charBytes * (to - from);
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      if (!Character.isLowSurrogate(text[i])) {
        n += 4;
      }
    }
    return n;
  }

  /**
   * The charset named by the Unicode byte order mark {@code head} starts with (UTF-32LE is tried
   * before UTF-16LE, whose mark it starts with).
   *
   * @param head the first bytes of a file (at least four, unless the file is shorter)
   * @return the charset, or null without a byte order mark
   */
  public static Charset bomCharset(byte[] head) {
    if (startsWith(head, 0x00, 0x00, 0xFE, 0xFF)) {
      return Charset.forName("UTF-32BE");
    }
    if (startsWith(head, 0xFF, 0xFE, 0x00, 0x00)) {
      return Charset.forName("UTF-32LE");
    }
    if (startsWith(head, 0xEF, 0xBB, 0xBF)) {
      return StandardCharsets.UTF_8;
    }
    if (startsWith(head, 0xFE, 0xFF)) {
      return StandardCharsets.UTF_16BE;
    }
    if (startsWith(head, 0xFF, 0xFE)) {
      return StandardCharsets.UTF_16LE;
    }
    return null;
  }

  /**
   * The length of the byte order mark of a charset {@link #bomCharset} returns.
   *
   * @param cs the charset
   * @return 4 for UTF-32, 3 for UTF-8, 2 for UTF-16
   */
  public static int bomLength(Charset cs) {
    String name = cs.name();
    return name.startsWith("UTF-32") ? 4 : name.equals("UTF-8") ? 3 : 2;
  }

  private static boolean startsWith(byte[] head, int... bytes) {
    if (head.length < bytes.length) {
      return false;
    }
    for (int i = 0; i < bytes.length; i++) {
      if ((head[i] & 0xff) != bytes[i]) {
        return false;
      }
    }
    return true;
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
      return nextText();
    }
    int scanned = pos;
    while (true) {
      int nl = indexOfNewline(scanned);
      if (nl >= 0) {
        String line = decode(pos, nl);
        pos = nl + 1;
        return line;
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
      if (lim - pos > maxLine + 1L) { // + 1: room for a trailing \r
        throw tooLong(maxLine, at(pos), name);
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
    return decoder.malformed();
  }

  /**
   * The input offset of the next unread byte, where the next line starts once {@link #next} has
   * returned a line (for charsets where {@code \n} is one byte; the others are decoded whole).
   *
   * @return the offset
   */
  public long position() {
    return bufStart + pos;
  }

  /**
   * Skips the bytes up to and including the next {@code \n}, for a reader that starts inside a line
   * ({@link #ofRange}): that line belongs to whoever holds its first byte. Gives up at the end of
   * the input, or rather than read more once it has read past {@code limit} (so a line too long to
   * be read costs this reader a bounded scan; its owner fails on it).
   *
   * @param limit the offset past which to stop looking
   * @return whether a {@code \n} was found (false: no line starts after it, within the limit)
   * @throws IOException on a read error
   */
  public boolean skipLine(long limit) throws IOException {
    while (true) {
      int nl = indexOfNewline(pos);
      if (nl >= 0) {
        pos = nl + 1;
        return true;
      }
      pos = lim;
      if (eof || bufStart + lim > limit) {
        return false;
      }
      fill();
    }
  }

  /**
   * A line of a charset where {@code \n} is not one byte: only {@code \n} ends it. Its bytes are
   * counted as its chars accumulate, each char once ({@link #textBytes}), so the bound is exact in
   * bytes for UTF-16, UTF-32 and single-byte charsets alike and a long line is never rescanned.
   */
  private String nextText() throws IOException {
    StringBuilder line = null;
    long lineBytes = 0; // of the chars in line
    while (true) {
      int nl = -1;
      for (int i = cpos; i < clim; i++) {
        if (chars[i] == '\n') {
          nl = i;
          break;
        }
      }
      if (nl >= 0 || eof) {
        if (nl < 0 && cpos == clim && (line == null || line.isEmpty())) {
          return null;
        }
        int to = nl >= 0 ? nl : clim;
        boolean cr =
            to > cpos
                ? chars[to - 1] == '\r'
                : line != null && !line.isEmpty() && line.charAt(line.length() - 1) == '\r';
        // A line within one buffer is bounded as one spread over several.
        if (lineBytes + textBytes(chars, cpos, to, charBytes) - (cr ? charBytes : 0) > maxLine) {
          throw tooLong(maxLine, "(line " + (lineNumber + 1) + ")", name);
        }
        String s =
            line == null
                ? new String(chars, cpos, to - cpos)
                : line.append(chars, cpos, to - cpos).toString();
        cpos = nl >= 0 ? nl + 1 : clim;
        lineNumber++;
        return decoder.text(s);
      }
      if (line == null) {
        line = new StringBuilder();
      }
      line.append(chars, cpos, clim - cpos);
      lineBytes += textBytes(chars, cpos, clim, charBytes);
      boolean cr = !line.isEmpty() && line.charAt(line.length() - 1) == '\r';
      if (lineBytes - (cr ? charBytes : 0) > maxLine) { // a \r is one unit
        throw tooLong(maxLine, "(line " + (lineNumber + 1) + ")", name);
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
  }

  private int indexOfNewline(int from) {
    byte[] b = buf;
    for (int i = from, n = lim; i < n; i++) {
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
    int r = source.read(buf, lim, buf.length - lim, bufStart + lim);
    if (r < 0) {
      eof = true;
    } else {
      lim += r;
    }
  }

  private String decode(int from, int to) throws IOException {
    int end = Decoder.end(buf, from, to);
    if (end - from > maxLine) {
      throw tooLong(maxLine, at(from), name);
    }
    return decoder.decode(buf, from, end);
  }

  private String at(int from) {
    return "at offset " + (bufStart + from) + (gzip ? " (decompressed)" : "");
  }

  /**
   * The line rules on one line's bytes or chars, shared by every reader of lines (flow-core's local
   * file source and {@link Lines}): {@link #end} drops one trailing {@code \r}; {@link #decode}
   * replaces malformed input with U+FFFD and counts each malformed sequence; {@link #text} does
   * both for a line a replacing decoder already decoded. Not thread-safe.
   */
  public static final class Decoder {
    private final Charset charset;
    private CharsetDecoder counter;
    private long malformed;

    /**
     * A decoder for one charset.
     *
     * @param charset the charset of the bytes
     */
    public Decoder(Charset charset) {
      this.charset = charset;
    }

    /**
     * Where a line's text ends: before one trailing {@code \r}, if any.
     *
     * @param buf the bytes
     * @param from the line's first byte
     * @param to the end of the line's bytes, before its {@code \n} (exclusive)
     * @return {@code to}, or {@code to - 1} when the line ends with {@code \r}
     */
    public static int end(byte[] buf, int from, int to) {
      return to > from && buf[to - 1] == '\r' ? to - 1 : to;
    }

    /**
     * Decodes exactly the given bytes (use {@link #end} first to drop a trailing {@code \r}). Takes
     * the JDK's fast path and re-decodes only a line holding a replacement character, to count its
     * malformed sequences.
     *
     * @param buf the bytes
     * @param from the first byte
     * @param to the end (exclusive)
     * @return the text
     */
    public String decode(byte[] buf, int from, int to) {
      String s = new String(buf, from, to - from, charset);
      if (s.indexOf('\uFFFD') >= 0) {
        malformed += countMalformed(buf, from, to);
      }
      return s;
    }

    /**
     * A line decoded by a replacing decoder (charsets where {@code \n} is not one byte): drops one
     * trailing {@code \r} and counts each U+FFFD as one malformed sequence.
     *
     * @param line the line without its {@code \n}
     * @return the line's text
     */
    public String text(String line) {
      String s =
          !line.isEmpty() && line.charAt(line.length() - 1) == '\r'
              ? line.substring(0, line.length() - 1)
              : line;
      for (int i = s.indexOf('\uFFFD'); i >= 0; i = s.indexOf('\uFFFD', i + 1)) {
        malformed++;
      }
      return s;
    }

    /**
     * How many malformed input sequences were replaced so far.
     *
     * @return the count
     */
    public long malformed() {
      return malformed;
    }

    private long countMalformed(byte[] buf, int from, int to) {
      if (counter == null) {
        counter = reportingDecoder(charset);
      }
      return Lines.countMalformed(counter, buf, from, to - from);
    }
  }

  /** Closes the input. */
  @Override
  public void close() throws IOException {
    input.close();
  }

  /** A decoder of {@code charset} that replaces malformed and unmappable input with U+FFFD. */
  private static CharsetDecoder replacingDecoder(Charset charset) {
    return charset
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
  }

  /**
   * A decoder of {@code charset} that reports malformed and unmappable input, for {@link
   * #countMalformed}.
   *
   * @param charset the charset
   * @return a new decoder
   */
  public static CharsetDecoder reportingDecoder(Charset charset) {
    return charset
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
  }

  /**
   * Counts the malformed (or unmappable) sequences in {@code len} bytes, each of which decoding
   * with replacement turns into one U+FFFD: the count every Flowstage reader reports.
   *
   * @param decoder a {@link #reportingDecoder}, reset here before use
   * @param bytes the bytes
   * @param from the first byte
   * @param len how many bytes
   * @return the number of malformed sequences
   */
  public static long countMalformed(CharsetDecoder decoder, byte[] bytes, int from, int len) {
    decoder.reset();
    ByteBuffer in = ByteBuffer.wrap(bytes, from, len);
    CharBuffer chars = CharBuffer.allocate(Math.max(16, len * 2));
    long count = 0;
    while (true) {
      CoderResult r = decoder.decode(in, chars, true);
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
    decoder.flush(chars);
    return count;
  }
}
