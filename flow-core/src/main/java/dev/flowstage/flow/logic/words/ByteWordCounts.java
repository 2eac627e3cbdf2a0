package dev.flowstage.flow.logic.words;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.flow.logic.Lines;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The byte path of the word count: the state of one reading stage, which reads whole {@link
 * FileChunk}s into a reused buffer and counts their words as raw bytes in open-addressing tables,
 * so no object is made per word and no byte is decoded twice. At each flush the partial counts go
 * on in {@link Shard}s (as the line path of {@code flowstage wordcount} sends them): a word of
 * ASCII characters as its bytes and hash, any other word decoded to a {@code String}.
 *
 * <p>Gives exactly the words of the line path ({@code Flow.fromFiles} then the tokenizer): lines
 * end at {@code \n} and lose one trailing {@code \r} (also the last line of a file without a final
 * newline), and a line longer than the bound fails as the line path's reader fails (the chunk
 * holding a line's first byte checks it, reading past its end for its last line). That holds for
 * charsets where every byte below 0x80 is its ASCII character and never part of a multi-byte
 * sequence ({@link #supports}): an ASCII byte then ends a decoded word exactly where it ends the
 * bytes, and the decoder's replacements for malformed input never cross one.
 *
 * <ul>
 *   <li>{@link Tokenizer#SPACE}: words are the non-empty runs between spaces, kept as their raw
 *       bytes and decoded with the files' charset at the flush. Malformed sequences are counted per
 *       distinct word, times its occurrences, as the line path counts them per line; distinct byte
 *       words that decode to the same text (only possible with malformed input) are merged.
 *   <li>{@link Tokenizer#WORDS}: lines are cut into segments at ASCII bytes other than letters,
 *       digits and the apostrophe. An ASCII segment is tokenized and lowercased in bytes; any other
 *       is decoded and tokenized by {@link Tokenizer#WORDS} itself (malformed input counted there).
 *       Words are kept as their UTF-8 bytes.
 * </ul>
 *
 * <p>A gzip file is one chunk ({@link FileChunk#gzip()}), decompressed in order through a {@code
 * GZIPInputStream} (every member) on a thread of its own ({@code ReadAhead}, so inflating and
 * counting overlap) into the same buffer and counted by the same loops: only the reads differ (in
 * order, not positional), the line bound's offsets are in decompressed bytes, as the line path says
 * them, and progress is told in compressed bytes as they are consumed, so it adds up to the file's
 * size, as plain files' chunks do. A {@link StreamChunk} (standard input) is read the same way, on
 * the reading stage's own thread (a thread of its own could not be stopped while it waits on a
 * pipe), after the byte order mark of the stream's charset; progress is told its bytes as read.
 *
 * <p>The tables: words of up to 8 and up to 16 bytes are held in the slots themselves (bytes, count
 * and length), longer ones in an arena (count, length, bytes) that a slot of hash and offset points
 * to. For {@code SPACE} the hash is computed eight bytes at a time in the same pass that finds the
 * delimiter, and the slots of a batch of words are touched before they are updated, so their cache
 * misses overlap. Flushed at {@code flushAt} distinct words, or when the arena holds {@code 64 *
 * flushAt} bytes; when the input ends the table is handed over whole instead ({@link #drainLast},
 * {@link FrozenCounts}). Confined to its stage's thread.
 */
public final class ByteWordCounts {
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101_0101_0101_0101L;
  private static final long HIGHS = 0x8080_8080_8080_8080L;
  private static final long SPACES = 0x2020_2020_2020_2020L;
  private static final long NEWLINES = 0x0a0a_0a0a_0a0a_0a0aL;
  private static final long K = 0x9e37_79b9_7f4a_7c15L;

  /** Room after the data of the buffer and the arena, so eight-byte reads never leave the array. */
  private static final int SLACK = 16;

  /** Bytes per entry before the word: its count (8) and length (4). */
  static final int HEADER = 12;

  /** No bound on the length of a line: {@code flowstage wordcount} reads any line. */
  public static final long NO_LINE_BOUND = Long.MAX_VALUE;

  private static final int READ_AHEAD = 64 * 1024;

  /**
   * Reads of streams (gzip files, standard input) in this JVM, for the tests that check a cancelled
   * run stops reading (one add per buffer: nothing next to reading and counting it).
   */
  static final LongAdder STREAM_READS = new LongAdder();

  /**
   * Tests only: told the file (or stream name) before each read, on the reading stage's thread, so
   * a test can hold one reader in the middle of its file while another fails and check that the
   * abandoned run's interrupt stops it; {@code null} (one volatile read per buffer) otherwise.
   */
  static volatile Consumer<Object> beforeRead;

  /** The longest word the buffer grows for: 1 GiB, a clear error rather than an overflow. */
  private static final int MAX_WORD = 1 << 30;

  private final Charset charset;
  private final boolean words;

  /** How the table's word bytes are decoded: the files' charset, or UTF-8 for {@code WORDS}. */
  private final Charset keys;

  private final int partitions;
  private final int flushAt;
  private final long arenaLimit;
  private final LongAdder lines;
  private final LongAdder malformed;
  private final LongAdder progress;
  private final TriggerResult<Shard, ByteWordCounts> keep = TriggerResult.none(this);

  /** How many words are cut before their slots are looked up together. */
  private static final int BATCH = 64;

  private final int[] tokStart = new int[BATCH];
  private final int[] tokLen = new int[BATCH];
  private final int[] tokHash = new int[BATCH];
  private final long[] tokKey = new long[BATCH];
  private final long[] tokKey2 = new long[BATCH];
  private int batched;

  /** Where the touching loads of {@link #countBatch} go, so the JIT cannot drop them. */
  private long sink;

  private byte[] buf;

  /** The read size the buffer grows to once a chunk needs it. */
  private final int bufferBytes;

  /** Words of up to 8 bytes, in slot pairs: the bytes, count << 4 | length (0: empty). */
  private long[] shortTable;

  private int shortMask;
  private int shortSize;

  /**
   * Words of 9 to 16 bytes, in slot triples: the first eight bytes, the rest, count << 5 | length.
   */
  private long[] mediumTable;

  private int mediumMask;
  private int mediumSize;

  /** Longer words: hash << 32 | 1 << 31 | arena offset (0: empty). */
  private long[] slots;

  private int mask;
  private int size;
  private byte[] arena;
  private int used;
  private long chunkLines;
  private List<Shard> pending;
  private CharsetDecoder counter;

  /** The longest line, in bytes without its terminator. */
  private final long maxLine;

  /** The file offset of {@code buf[0]} while words are counted. */
  private long bufAt;

  /** The first byte of the current line if this chunk holds it (it checks the line), else -1. */
  private long lineStart;

  /** The chunk being read, for the rare re-reads of the line check (gzip: its position). */
  private FileChannel channel;

  /**
   * The bytes of the stream chunk being read, in order: a gzip file's decompressed bytes, or a
   * {@link StreamChunk}'s; {@code null} for a plain file's chunk.
   */
  private InputStream stream;

  /** How many bytes {@link #stream} gave (with its byte order mark). */
  private long streamed;

  /** The last byte {@link #stream} gave: whether the text ends with a newline, or a \r. */
  private byte lastStreamed;

  /**
   * The byte before {@code buf[0]}, kept when the buffer moves on: the line bound's \r check needs
   * it, and a gzip stream cannot be re-read.
   */
  private byte beforeBuf;

  /** How much of a gzip chunk's compressed file was told to {@link #progress} so far. */
  private long compressedTold;

  /** What messages name: the chunk's file, or its stream's name. */
  private Object source;

  /**
   * Creates an empty counter with a reading stage's settings, checked when they were made; absent
   * counters get a fresh one each (their counts are not read).
   *
   * @param settings the charset, tokenizer, partitions, flush bound, read size, line bound and
   *     counters ({@link ByteReading#get} is how stages make one)
   */
  ByteWordCounts(ByteReading settings) {
    Charset charset = Charset.forName(settings.charset());
    Tokenizer tokenizer = settings.tokenizer();
    int partitions = settings.partitions();
    int flushAt = settings.flushAt();
    int bufferBytes = settings.bufferBytes();
    long maxLineBytes = settings.maxLineBytes();
    LongAdder lines = settings.lines() != null ? settings.lines() : new LongAdder();
    LongAdder malformed = settings.malformed() != null ? settings.malformed() : new LongAdder();
    LongAdder progress = settings.progress() != null ? settings.progress() : new LongAdder();
    this.maxLine = maxLineBytes;
    this.charset = charset;
    this.words = tokenizer == Tokenizer.WORDS;
    this.keys = words ? StandardCharsets.UTF_8 : charset;
    this.partitions = partitions;
    this.flushAt = flushAt;
    this.arenaLimit = Math.min(64L * flushAt, Integer.MAX_VALUE / 2);
    this.lines = lines;
    this.malformed = malformed;
    this.progress = progress;
    // Everything starts small and grows with the work: a stage that gets one tiny chunk, or none,
    // costs kilobytes, so many stages on a small input stay cheap.
    this.bufferBytes = bufferBytes;
    this.buf = new byte[Math.min(bufferBytes, READ_AHEAD) + SLACK];
    newTables(INITIAL_CAPACITY);
    this.arena = new byte[(int) Math.min(arenaLimit + SLACK, 4096)];
  }

  /** Slots each table starts with. */
  private static final int INITIAL_CAPACITY = 64;

  /** Empty tables of {@code capacity} slots each. */
  private void newTables(int capacity) {
    slots = new long[capacity];
    mask = capacity - 1;
    shortTable = new long[capacity * 2];
    shortMask = capacity - 1;
    mediumTable = new long[capacity * 3];
    mediumMask = capacity - 1;
  }

  /**
   * Rejects the settings a table cannot count with; {@link ByteReading} checks them when a plan is
   * built, before any stage makes a table.
   */
  static void check(Charset charset, int flushAt, int bufferBytes, long maxLineBytes) {
    if (!supports(charset)) {
      throw new IllegalArgumentException(
          "the byte path reads UTF-8, US-ASCII and ISO-8859-1 only, got " + charset);
    }
    if (flushAt < 1 || bufferBytes < 1 || maxLineBytes < 1) {
      throw new IllegalArgumentException(
          "flushAt, bufferBytes and maxLineBytes must be at least 1, got "
              + flushAt
              + ", "
              + bufferBytes
              + " and "
              + maxLineBytes);
    }
  }

  /**
   * Whether the byte path gives the line path's words for {@code charset} (either tokenizer): every
   * byte below 0x80 is its ASCII character and never inside a multi-byte sequence.
   *
   * @param charset a charset
   * @return true for UTF-8, US-ASCII and ISO-8859-1
   */
  public static boolean supports(Charset charset) {
    return charset.equals(StandardCharsets.UTF_8)
        || charset.equals(StandardCharsets.US_ASCII)
        || charset.equals(StandardCharsets.ISO_8859_1);
  }

  /**
   * How many distinct words a reading stage of the byte path holds before it flushes, by default: a
   * quarter of the heap shared by the {@code stages} reading stages, at about 100 bytes per word (a
   * table entry, the table's growth and the shard a flush builds; none of it is an object the
   * collector traces), between 4096 and 2^20.
   *
   * @param stages how many reading stages share the heap
   * @return the bound
   */
  public static int defaultFlushAt(int stages) {
    return flushAt(Runtime.getRuntime().maxMemory() / 4, stages);
  }

  /**
   * A flush bound of {@code heapShare} bytes shared by {@code stages} stages at about 100 bytes per
   * word, between 4096 and 2^20.
   *
   * @param heapShare the bytes the stages' tables may take together
   * @param stages how many stages share them
   * @return the bound
   */
  public static int flushAt(long heapShare, int stages) {
    return Math.clamp(heapShare / Math.max(1, stages) / 100, 1 << 12, 1 << 20);
  }

  /**
   * Counts the words starting in one chunk (a file's range, a whole stream, or a group of small
   * files' chunks, one after the other); the reducer of the reading layer's {@code emitAndReduce}.
   *
   * @param chunk the chunk
   * @return nothing to emit and this, or, when the table filled up, its shards and this
   * @throws UncheckedIOException naming the file (or the stream) if it cannot be read or holds a
   *     line longer than the bound
   */
  public TriggerResult<Shard, ByteWordCounts> add(ByteChunk chunk) {
    pending = null;
    chunkLines = 0;
    switch (chunk) {
      case FileChunk file -> addFile(file);
      case StreamChunk in -> addStream(in);
      case ChunkGroup group -> {
        for (FileChunk file : group.chunks()) {
          chunkLines = 0; // each file's lines, as if its chunk had come alone
          addFile(file);
        }
      }
    }
    return flushed();
  }

  /** Grows the read buffer to what a chunk of {@code bytes} needs, at most the read size. */
  private void reserve(long bytes) {
    long want = Math.min(bytes, bufferBytes);
    if (buf.length - SLACK < want) {
      buf = new byte[(int) want + SLACK];
    }
  }

  private void addFile(FileChunk chunk) {
    reserve(chunk.end() - chunk.start());
    if (chunk.readsToEnd()) {
      addWhole(chunk);
      return;
    }
    try (FileChannel ch = FileChannel.open(chunk.path(), StandardOpenOption.READ)) {
      channel = ch;
      source = chunk.path();
      lineStart = chunk.start() == chunk.textStart() ? chunk.start() : -1;
      read(ch, chunk.path(), chunk.start(), chunk.end(), chunk.textStart());
      if (lineStart >= chunk.start() && lineStart < chunk.end()) {
        lastLine(ch);
      }
    } catch (IOException | TooLong e) {
      throw cannotRead(chunk.path(), e);
    } finally {
      channel = null;
    }
    lines.add(chunkLines);
    // The first chunk also accounts for the byte order mark before it, so progress reaches 100%.
    progress.add(
        chunk.end() - chunk.start() + (chunk.start() == chunk.textStart() ? chunk.textStart() : 0));
  }

  /**
   * A chunk's read failure (an I/O error, a truncated or corrupt gzip file, a line too long) as the
   * line path's file reader says it, so both paths fail alike.
   */
  private static UncheckedIOException cannotRead(Object file, Exception e) {
    IOException io = e instanceof TooLong t ? t.getCause() : (IOException) e;
    return new UncheckedIOException(
        new IOException("cannot read " + file + ": " + io.getMessage(), io));
  }

  /** What {@link #add} returns: the shards of the flushes it made, if any. */
  private TriggerResult<Shard, ByteWordCounts> flushed() {
    List<Shard> out = pending;
    pending = null;
    return out == null ? keep : TriggerResult.of(out, this);
  }

  /**
   * Counts the words of a chunk read to its end: a gzip file's decompressed bytes, or a plain file
   * of unknown size ({@link FileChunk#toEnd}): {@link #read} over them from after the byte order
   * mark to the end, reading them in order ({@link #fill}). As the plain chunk that ends a file, it
   * adds the last line when the text does not end with a newline, and checks that line. Progress is
   * told the file's bytes as they are read (a gzip file's compressed ones).
   */
  private void addWhole(FileChunk chunk) {
    compressedTold = 0;
    try (FileChannel ch = FileChannel.open(chunk.path(), StandardOpenOption.READ);
        InputStream in = chunk.gzip() ? gunzip(ch, chunk.path()) : Channels.newInputStream(ch)) {
      channel = ch;
      source = chunk.path();
      in.skipNBytes(chunk.textStart());
      readStream(in, chunk.textStart());
      if (chunk.gzip()) {
        progress.add(ch.size() - compressedTold); // the end of the file the inflater did not need
      }
    } catch (IOException | TooLong e) {
      throw cannotRead(chunk.path(), e);
    } finally {
      channel = null;
      stream = null;
    }
    lines.add(chunkLines);
  }

  /**
   * Counts a whole stream's words (standard input), as a gzip file's: in order, to its end, from
   * after the byte order mark of the charset it is read in (the file source's rule when the mark
   * does not choose the charset: only UTF-8's can match). Progress is told the bytes as they are
   * read, the mark's too. The stream is not closed: it is the chunk's maker's.
   */
  private void addStream(StreamChunk chunk) {
    reserve(Long.MAX_VALUE);
    source = chunk.name();
    try {
      // The mark is known only once read; the bytes that are not one go back to be counted.
      PushbackInputStream in = new PushbackInputStream(chunk.in(), 4);
      byte[] head = in.readNBytes(4);
      int mark = STREAM_MARK.charset(head, charset).bom();
      in.unread(head, mark, head.length - mark);
      progress.add(mark);
      readStream(in, mark);
    } catch (IOException | TooLong e) {
      throw cannotRead(chunk.name(), e);
    } finally {
      stream = null;
    }
    lines.add(chunkLines);
  }

  /** The file source's mark rule for a stream: only the mark of the charset it is read in. */
  private static final FileSelection STREAM_MARK =
      new FileSelection(FileOptions.defaults().charsetFromBom(false));

  /**
   * Counts the words of {@code in}, read in order from offset {@code textStart} (after the byte
   * order mark) to its end. As the plain chunk that ends a file, it adds the last line when the
   * text does not end with a newline, and checks that line.
   */
  private void readStream(InputStream in, int textStart) throws IOException {
    stream = in;
    streamed = textStart;
    lastStreamed = '\n';
    lineStart = textStart;
    read(null, source, textStart, Long.MAX_VALUE, textStart);
    if (streamed > textStart && lastStreamed != '\n') {
      chunkLines++; // the last line has no newline: the line reader still reads it
      if (lineStart >= 0 && streamed - lineStart > maxLine) {
        checkLine(streamed); // its last word ended before the end, so no newline checked it
      }
    }
  }

  /**
   * A gzip file's decompressed bytes: read ahead on a thread of its own ({@link ReadAhead}) when
   * the file is larger than one read, so inflating overlaps counting; a smaller one is inflated in
   * turn, with no thread or blocks of its own (a directory of small logs keeps every stage busy
   * anyway).
   */
  private InputStream gunzip(FileChannel ch, Path file) throws IOException {
    InputStream gz = FileSelection.gunzipped(Channels.newInputStream(ch), true);
    return ch.size() > bufferBytes ? new ReadAhead(gz, file) : gz;
  }

  /**
   * Counts the words starting in {@code [start, end)}: a word belongs to the chunk holding its
   * first byte. A chunk that starts inside a word skips only that word (to the first delimiter at
   * or after {@code start - 1}), and the last word of a chunk is read up to its delimiter past
   * {@code end}; lines are never looked for, so a long line costs no more than short ones and only
   * the unfinished word is carried between reads. Each chunk counts the newlines it reads, and the
   * chunk that ends the file adds the last line when the file does not end with a newline.
   */
  private void read(FileChannel channel, Object path, long start, long end, int textStart)
      throws IOException {
    // A gzip chunk (no channel) learns whether its text ends with a newline at its end: addWhole.
    long size = channel == null ? -1 : channel.size();
    if (end >= size && size > 0 && end > start) {
      ByteBuffer one = ByteBuffer.allocate(1);
      if (channel.read(one, size - 1) == 1 && one.get(0) != '\n') {
        chunkLines++; // the last line has no newline: the line reader still reads it
      }
    }
    long at = start; // file offset of buf[0]
    int pos = 0;
    int lim = 0;
    if (start > textStart) {
      // Skip the end of the word that started before the chunk: it belongs to the previous one.
      at = start - 1;
      while (true) {
        lim = fill(channel, at, 0, end);
        if (lim <= 0) {
          return;
        }
        int d = indexOfDelimiter(0, lim);
        if (d >= 0) {
          pos = d + 1;
          if (buf[d] == '\n') {
            lineStart = at + pos; // the line after it starts in this chunk
          }
          break;
        }
        at += lim;
      }
      if (at + pos >= end) {
        return; // that word ran past the chunk: no word starts in it
      }
    }
    while (true) { // buf[pos, lim) is unread, at file offset at + pos; a word starts at pos
      // The first delimiter at or after offset end - 1 ends the chunk's last word.
      int from = (int) Math.max(pos, Math.min(lim, end - 1 - at));
      int stop = indexOfDelimiter(from, lim);
      bufAt = at;
      if (stop >= 0) {
        count(pos, stop);
        return;
      }
      int last = lastDelimiter(pos, lim);
      if (last >= 0) {
        count(pos, last);
        pos = last + 1;
      }
      // Keep the unfinished word, growing the buffer only for a word longer than it, and read on.
      if (pos > 0) {
        beforeBuf = buf[pos - 1];
      }
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      at += pos;
      lim -= pos;
      pos = 0;
      if (lim == buf.length - SLACK) {
        if (lim >= MAX_WORD) {
          throw new IOException(
              "a word longer than " + MAX_WORD + " bytes at offset " + at + " of " + path);
        }
        buf = Arrays.copyOf(buf, (int) Math.min((buf.length - SLACK) * 2L, MAX_WORD) + SLACK);
      }
      int r = fill(channel, at, lim, end);
      if (r < 0) {
        if (lim > 0) { // the last word of the file, ended as the line reader ends the last line
          bufAt = at;
          buf[lim] = '\n';
          count(0, lim);
          chunkLines--; // not a newline of the file: the last line was counted above
        }
        return;
      }
      lim += r;
    }
  }

  /**
   * Notes a newline at {@code buf[i]}: the line before it ends, and the next starts after it, in
   * this chunk. Called for every newline, so it only compares unless the line is long.
   */
  private void newline(int i) {
    long off = bufAt + i;
    if (off - lineStart > maxLine && lineStart >= 0) {
      checkLine(off);
    }
    lineStart = off + 1;
  }

  /**
   * Fails if the line from {@link #lineStart} to the newline (or end of file) at {@code end} is too
   * long.
   */
  private void checkLine(long end) {
    long len = end - lineStart;
    if (len == maxLine + 1) { // fits if its last byte is a \r, which the line path drops
      try {
        if (byteAt(end - 1) == '\r') {
          return;
        }
      } catch (IOException e) {
        throw new TooLong(e);
      }
    }
    // A gzip file's offsets are in decompressed bytes (a stream chunk has no file: no channel).
    String where =
        "at offset " + lineStart + (stream != null && channel != null ? " (decompressed)" : "");
    throw new TooLong(Lines.tooLong((int) Math.min(maxLine, Integer.MAX_VALUE), where, source));
  }

  /**
   * The byte at {@code offset}, the last of a line: re-read from a plain file; from a gzip chunk or
   * a stream, which cannot be re-read, it is in the buffer, just before it or the last one read.
   */
  private byte byteAt(long offset) throws IOException {
    if (stream == null) {
      ByteBuffer one = ByteBuffer.allocate(1);
      return channel.read(one, offset) == 1 ? one.get(0) : 0;
    }
    if (offset == streamed - 1) {
      return lastStreamed;
    }
    return offset >= bufAt ? buf[(int) (offset - bufAt)] : beforeBuf;
  }

  /**
   * Checks the last line starting in this chunk, which goes on past the words it read: looks for
   * its end at most {@code maxLine + 2} bytes far (a longer line is too long whatever follows).
   */
  private void lastLine(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size - lineStart <= maxLine) {
      return; // too short to be too long, wherever it ends
    }
    long limit = Math.min(size, lineStart + maxLine + 2);
    ByteBuffer block =
        ByteBuffer.allocate((int) Math.min(READ_AHEAD, Math.max(1, limit - lineStart)));
    for (long at = lineStart; at < limit; ) {
      block.clear();
      block.limit((int) Math.min(block.capacity(), limit - at));
      int r = ch.read(block, at);
      if (r <= 0) {
        break;
      }
      for (int i = 0; i < r; i++) {
        if (block.get(i) == '\n') {
          if (at + i - lineStart > maxLine) {
            checkLine(at + i);
          }
          return;
        }
      }
      at += r;
    }
    if (limit - lineStart > maxLine) { // no newline in reach: the end of file, or too long
      checkLine(limit == size ? size : limit);
    }
  }

  /** A line longer than the bound, thrown out of the counting loops to {@link #add}. */
  private static final class TooLong extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLong(IOException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    @Override
    public synchronized IOException getCause() {
      return (IOException) super.getCause();
    }
  }

  /**
   * Reads at {@code buf[from]} the bytes at file offset {@code at + from}; -1 at end of file, which
   * fails the read if it comes before the chunk's {@code end} ({@link Lines#shrank}). Stops the
   * read of an abandoned run: a stage thread is interrupted when its run is cancelled or fails
   * elsewhere, and a chunk (a whole gzip file, or a word longer than a buffer) can take many reads,
   * so each read first checks, and the stage ends within a buffer instead of at the chunk's end.
   */
  private int fill(FileChannel channel, long at, int from, long end) throws IOException {
    Consumer<Object> hook = beforeRead;
    if (hook != null) {
      hook.accept(source);
    }
    if (Thread.currentThread().isInterrupted()) {
      throw new InterruptedIOException("interrupted: the run was cancelled or failed");
    }
    if (stream != null) {
      return fillFromStream(from);
    }
    int room = buf.length - SLACK - from;
    long wanted = Math.max(end - (at + from), READ_AHEAD);
    ByteBuffer target = ByteBuffer.wrap(buf, from, (int) Math.min(room, wanted));
    int total = 0;
    while (target.hasRemaining()) {
      int r = channel.read(target, at + from + total);
      if (r < 0) {
        if (at + from + total < end) {
          // A chunk ends at most at the size its file was listed at: the file shrank since.
          throw Lines.shrank(end, at + from + total);
        }
        return total == 0 ? -1 : total;
      }
      total += r;
    }
    return total;
  }

  /**
   * Fills {@code buf[from..]} from the stream, which the read loop asks for in order (the offset it
   * wants is always {@link #streamed}), and tells progress the bytes consumed: of a gzip file, the
   * compressed ones.
   */
  private int fillFromStream(int from) throws IOException {
    STREAM_READS.increment();
    int total = stream.readNBytes(buf, from, buf.length - SLACK - from);
    if (channel != null) {
      long consumed = channel.position();
      progress.add(consumed - compressedTold);
      compressedTold = consumed;
    } else {
      progress.add(total);
    }
    if (total == 0) {
      return -1;
    }
    streamed += total;
    lastStreamed = buf[from + total - 1];
    return total;
  }

  /** The first byte in {@code buf[from, to)} that no word holds (a space or newline for SPACE). */
  private int indexOfDelimiter(int from, int to) {
    byte[] b = buf;
    if (words) {
      for (int i = from; i < to; i++) {
        if (CLASS[b[i] & 0xff] == OTHER) {
          return i;
        }
      }
    } else {
      for (int i = from; i < to; i++) {
        byte c = b[i];
        if (c == ' ' || c == '\n') {
          return i;
        }
      }
    }
    return -1;
  }

  private int lastDelimiter(int from, int to) {
    byte[] b = buf;
    if (words) {
      for (int i = to - 1; i >= from; i--) {
        if (CLASS[b[i] & 0xff] == OTHER) {
          return i;
        }
      }
    } else {
      for (int i = to - 1; i >= from; i--) {
        byte c = b[i];
        if (c == ' ' || c == '\n') {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * Counts the words in {@code buf[from..last]}: {@code buf[last]} is a delimiter, and no word
   * starts before {@code from}.
   */
  private void count(int from, int last) {
    if (words) {
      countWords(from, last);
      return;
    }
    byte[] b = buf;
    int i = from;
    while (i <= last) {
      i = scan(b, i, last);
      countBatch(b, batched);
      flushIfFull();
    }
  }

  /**
   * Counts the {@code n} words in the token arrays, whose bytes are in {@code b}. Touches every
   * word's slot first: the loads are independent, so their cache misses overlap instead of being
   * paid one after the other by the lookups.
   */
  private void countBatch(byte[] b, int n) {
    long touched = 0;
    long[] st = shortTable;
    long[] mt = mediumTable;
    long[] t = slots;
    for (int k = 0; k < n; k++) {
      int h = tokHash[k];
      int len = tokLen[k];
      touched +=
          len <= 8
              ? st[((h & shortMask) << 1) + 1]
              : len <= 16 ? mt[(h & mediumMask) * 3] + mt[(h & mediumMask) * 3 + 2] : t[h & mask];
    }
    // Then the arena entries of the longer words, whose slots are now cached.
    byte[] a = arena;
    for (int k = 0; k < n; k++) {
      if (tokLen[k] > 16) {
        long slot = t[tokHash[k] & mask];
        if (slot != 0) {
          touched += a[(int) slot & Integer.MAX_VALUE];
        }
      }
    }
    sink += touched;
    for (int k = 0; k < n; k++) {
      int len = tokLen[k];
      if (len <= 8) {
        addShort(tokKey[k], len, tokHash[k]);
      } else if (len <= 16) {
        addMedium(tokKey[k], tokKey2[k], len, tokHash[k]);
      } else {
        add(b, tokStart[k], len, tokHash[k]);
      }
    }
  }

  private void flushIfFull() {
    if (distinct() >= flushAt || used >= arenaLimit) {
      if (pending == null) {
        pending = new ArrayList<>();
      }
      pending.addAll(drain());
    }
  }

  // Byte classes for WORDS: ASCII letters and digits, the apostrophe, bytes of non-ASCII text,
  // and everything else, which ends a word wherever it stands (no word joins across it).
  private static final byte OTHER = 0;
  private static final byte ALNUM = 1;
  private static final byte APOSTROPHE = 2;
  private static final byte NON_ASCII = 3;
  private static final byte[] CLASS = new byte[256];

  static {
    for (int c = 0; c < 256; c++) {
      CLASS[c] =
          c >= 0x80
              ? NON_ASCII
              : c == '\'' ? APOSTROPHE : Character.isLetterOrDigit(c) ? ALNUM : OTHER;
    }
  }

  /**
   * Counts the {@link Tokenizer#WORDS} words in {@code buf[from..last]} (ending in a delimiter).
   * The line is cut into segments at ASCII bytes that are neither letters, digits nor apostrophes:
   * no word spans one, and no decoder replacement does, so each segment can be tokenized alone. An
   * ASCII segment is tokenized and lowercased in place, in bytes; a segment with other bytes is
   * decoded and given to {@link Tokenizer#WORDS} itself, its words counted by their UTF-8 bytes.
   */
  private void countWords(int from, int last) {
    byte[] b = buf;
    int i = from;
    batched = 0;
    while (i <= last) {
      byte c = b[i];
      if (c == '\n') {
        chunkLines++;
        newline(i);
        i++;
        continue;
      }
      if (CLASS[c & 0xff] == OTHER) {
        i++;
        continue;
      }
      int start = i;
      boolean ascii = true;
      int cls;
      while ((cls = CLASS[b[i] & 0xff]) != OTHER) { // '\n' is OTHER: a segment never passes it
        ascii &= cls != NON_ASCII;
        i++;
      }
      if (ascii) {
        asciiWords(b, start, i);
      } else {
        unicodeWords(b, start, i);
        flushIfFull();
      }
    }
    countBatch(b, batched);
    batched = 0;
    flushIfFull();
  }

  /** Words of a segment of ASCII letters, digits and apostrophes, as {@link Tokenizer#WORDS}. */
  private void asciiWords(byte[] b, int from, int to) {
    int j = from;
    while (j < to) {
      if (b[j] == '\'') { // not inside a word: skipped
        j++;
        continue;
      }
      int start = j;
      while (j < to) {
        byte c = b[j];
        if (c != '\'') {
          if (c >= 'A' && c <= 'Z') {
            b[j] = (byte) (c | 0x20);
          }
          j++;
        } else if (j + 1 < to && b[j + 1] != '\'') { // kept only before a letter or digit
          j++;
        } else {
          break;
        }
      }
      batchWord(b, start, j - start);
    }
  }

  /** Adds a word whose bytes stay in {@code b} to the token arrays, counting them when full. */
  private void batchWord(byte[] b, int from, int len) {
    int n = batched;
    tokStart[n] = from;
    tokLen[n] = len;
    tokHash[n] = hash(b, from, len);
    if (len <= 8) {
      tokKey[n] = (long) LONG.get(b, from) & (-1L >>> (64 - 8 * len));
    } else if (len <= 16) {
      tokKey[n] = (long) LONG.get(b, from);
      tokKey2[n] = (long) LONG.get(b, from + 8) & (-1L >>> (64 - 8 * (len - 8)));
    }
    if (++n == BATCH) {
      countBatch(b, n);
      n = 0;
      flushIfFull();
    }
    batched = n;
  }

  /** Bytes of words found by the tokenizer, with room after them for eight-byte reads. */
  private byte[] scratch = new byte[64];

  private void unicodeWords(byte[] b, int from, int to) {
    String segment = new String(b, from, to - from, charset);
    if (segment.indexOf('\uFFFD') >= 0) {
      malformed.add(countMalformed(b, from, to - from));
    }
    Tokenizer.WORDS.forEachToken(
        segment,
        word -> {
          byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
          if (bytes.length + SLACK > scratch.length) {
            scratch = new byte[bytes.length * 2 + SLACK];
          }
          System.arraycopy(bytes, 0, scratch, 0, bytes.length);
          addWord(scratch, 0, bytes.length);
        });
  }

  /** Counts one occurrence of the word {@code b[from, from + len)}, in the table for its length. */
  private void addWord(byte[] b, int from, int len) {
    int hash = hash(b, from, len);
    if (len <= 8) {
      addShort((long) LONG.get(b, from) & (-1L >>> (64 - 8 * len)), len, hash);
    } else if (len <= 16) {
      addMedium(
          (long) LONG.get(b, from),
          (long) LONG.get(b, from + 8) & (-1L >>> (64 - 8 * (len - 8))),
          len,
          hash);
    } else {
      add(b, from, len, hash);
    }
  }

  private int distinct() {
    return size + shortSize + mediumSize;
  }

  /**
   * Cuts up to {@link #BATCH} words from {@code b[i]} on, not past {@code b[last]}, into the token
   * arrays ({@link #batched} of them). Reads eight bytes at a time: a mask marks the spaces and
   * newlines in them (the exact first one is the lowest marked byte), and the bytes before it are
   * folded into the hash.
   *
   * @return where to go on
   */
  private int scan(byte[] b, int i, int last) {
    int n = 0;
    while (i <= last && n < BATCH) {
      int start = i;
      long h = 0;
      long w;
      long m;
      while (true) {
        w = (long) LONG.get(b, i);
        long s = w ^ SPACES;
        long nl = w ^ NEWLINES;
        m = ((s - ONES) & ~s | (nl - ONES) & ~nl) & HIGHS;
        if (m != 0) {
          break;
        }
        h = mix(h, w);
        i += 8;
      }
      int k = Long.numberOfTrailingZeros(m) >>> 3;
      int end = i + k;
      int len = end - start;
      i = end + 1;
      int hash;
      if (b[end] == '\n') {
        chunkLines++;
        newline(end);
        if (len > 0 && b[end - 1] == '\r') { // the line reader drops a trailing \r
          len--;
          if (len == 0) {
            continue;
          }
          hash = hash(b, start, len);
        } else if (len == 0) {
          continue;
        } else {
          hash = finish(k > 0 ? mix(h, w & (-1L >>> (64 - 8 * k))) : h, len);
        }
      } else if (len == 0) {
        continue;
      } else {
        hash = finish(k > 0 ? mix(h, w & (-1L >>> (64 - 8 * k))) : h, len);
      }
      tokStart[n] = start;
      tokLen[n] = len;
      tokHash[n] = hash;
      if (len <= 8) {
        tokKey[n] = (long) LONG.get(b, start) & (-1L >>> (64 - 8 * len));
      } else if (len <= 16) {
        tokKey[n] = (long) LONG.get(b, start);
        tokKey2[n] = (long) LONG.get(b, start + 8) & (-1L >>> (64 - 8 * (len - 8)));
      }
      n++;
    }
    batched = n;
    return i;
  }

  /**
   * Counts one occurrence of a word of at most eight bytes, held in the table itself: the slot pair
   * is the word's bytes and its count shifted left by four over its length.
   */
  private void addShort(long key, int len, int hash) {
    long[] st = shortTable;
    int j = hash & shortMask;
    while (true) {
      long v = st[(j << 1) + 1];
      if (v == 0) {
        st[j << 1] = key;
        st[(j << 1) + 1] = (1L << 4) | len;
        if (++shortSize * 2 > shortMask + 1) {
          growShort();
        }
        return;
      }
      if (st[j << 1] == key && (v & 15) == len) {
        st[(j << 1) + 1] = v + (1L << 4);
        return;
      }
      j = (j + 1) & shortMask;
    }
  }

  private void growShort() {
    long[] old = shortTable;
    int capacity = (shortMask + 1) * 2;
    long[] st = new long[capacity * 2];
    int m = capacity - 1;
    for (int j = 0; j < old.length; j += 2) {
      long v = old[j + 1];
      if (v != 0) {
        int idx = shortHash(old[j], (int) (v & 15)) & m;
        while (st[(idx << 1) + 1] != 0) {
          idx = (idx + 1) & m;
        }
        st[idx << 1] = old[j];
        st[(idx << 1) + 1] = v;
      }
    }
    shortTable = st;
    shortMask = m;
  }

  /** As {@link #addShort}, for a word of 9 to 16 bytes: its first eight bytes and the rest. */
  private void addMedium(long key, long key2, int len, int hash) {
    long[] mt = mediumTable;
    int j = hash & mediumMask;
    while (true) {
      int at = j * 3;
      long v = mt[at + 2];
      if (v == 0) {
        mt[at] = key;
        mt[at + 1] = key2;
        mt[at + 2] = (1L << 5) | len;
        if (++mediumSize * 4L > (mediumMask + 1) * 3L) { // load up to 3/4: these are many
          growMedium();
        }
        return;
      }
      if (mt[at] == key && mt[at + 1] == key2 && (v & 31) == len) {
        mt[at + 2] = v + (1L << 5);
        return;
      }
      j = (j + 1) & mediumMask;
    }
  }

  private void growMedium() {
    long[] old = mediumTable;
    int capacity = (mediumMask + 1) * 2;
    long[] mt = new long[capacity * 3];
    int m = capacity - 1;
    for (int j = 0; j < old.length; j += 3) {
      long v = old[j + 2];
      if (v != 0) {
        int idx = mediumHash(old[j], old[j + 1], (int) (v & 31)) & m;
        while (mt[idx * 3 + 2] != 0) {
          idx = (idx + 1) & m;
        }
        System.arraycopy(old, j, mt, idx * 3, 3);
      }
    }
    mediumTable = mt;
    mediumMask = m;
  }

  /** The hash {@link #scan} computes for a word of at most eight bytes, from those bytes. */
  static int shortHash(long key, int len) {
    return finish(mix(0, key), len);
  }

  /** The hash {@link #scan} computes for a word of 9 to 16 bytes, from its two blocks. */
  static int mediumHash(long key, long key2, int len) {
    return finish(mix(mix(0, key), key2), len);
  }

  private static long mix(long h, long block) {
    return Long.rotateLeft((h ^ block) * K, 29);
  }

  private static int finish(long h, int len) {
    h = (h ^ len) * K;
    return (int) (h ^ (h >>> 32));
  }

  /**
   * The hash {@link #scan} computes, for a word whose bytes are already known; reads up to seven
   * bytes past the word, which must be inside the array.
   */
  static int hash(byte[] b, int from, int len) {
    long h = 0;
    int j = 0;
    for (; j + 8 <= len; j += 8) {
      h = mix(h, (long) LONG.get(b, from + j));
    }
    if (j < len) {
      h = mix(h, (long) LONG.get(b, from + j) & (-1L >>> (64 - 8 * (len - j))));
    }
    return finish(h, len);
  }

  /**
   * Counts one occurrence of the word {@code b[from, from + len)}, longer than eight bytes, in the
   * arena table.
   */
  private void add(byte[] b, int from, int len, int hash) {
    long[] t = slots;
    int idx = hash & mask;
    while (true) {
      long slot = t[idx];
      if (slot == 0) {
        insert(b, from, len, hash, idx);
        return;
      }
      if ((int) (slot >>> 32) == hash) {
        int off = (int) slot & Integer.MAX_VALUE;
        if ((int) INT.get(arena, off + 8) == len && sameBytes(arena, off + HEADER, b, from, len)) {
          LONG.set(arena, off, (long) LONG.get(arena, off) + 1);
          return;
        }
      }
      idx = (idx + 1) & mask;
    }
  }

  /** Compares eight bytes at a time; both arrays have {@link #SLACK} bytes after the words. */
  static boolean sameBytes(byte[] a, int ai, byte[] b, int bi, int len) {
    int j = 0;
    for (; j + 8 <= len; j += 8) {
      if ((long) LONG.get(a, ai + j) != (long) LONG.get(b, bi + j)) {
        return false;
      }
    }
    if (j == len) {
      return true;
    }
    long diff = (long) LONG.get(a, ai + j) ^ (long) LONG.get(b, bi + j);
    return (diff & (-1L >>> (64 - 8 * (len - j)))) == 0;
  }

  private void insert(byte[] b, int from, int len, int hash, int idx) {
    int off = used;
    long need = (long) off + HEADER + len + SLACK;
    if (need > arena.length) {
      arena = grown(arena, need, 2L * arena.length, "a word of " + len + " bytes");
    }
    used = putEntry(arena, off, 1L, b, from, len);
    slots[idx] = slot(hash, off);
    if (++size * 2 > slots.length) {
      grow();
    }
  }

  /**
   * Writes an arena entry at {@code off}: the count, the length and the word {@code b[from, from +
   * len)}, with room checked by the caller.
   *
   * @return the offset after the entry
   */
  static int putEntry(byte[] arena, int off, long count, byte[] b, int from, int len) {
    LONG.set(arena, off, count);
    INT.set(arena, off + 8, len);
    System.arraycopy(b, from, arena, off + HEADER, len);
    return off + HEADER + len;
  }

  /** The slot of the arena entry at {@code off} of a word with hash {@code hash} (never 0). */
  static long slot(int hash, int off) {
    return ((long) hash << 32) | (off | 0x8000_0000L);
  }

  private void grow() {
    slots = rehashed(slots);
    mask = slots.length - 1;
  }

  /**
   * {@code a} copied into an array of {@code target} bytes, or more if {@code need} is more: the
   * growth of the byte arrays of the word count's tables and shards.
   *
   * @throws IllegalStateException saying that {@code what} does not fit if {@code need} bytes do
   *     not fit an array
   */
  static byte[] grown(byte[] a, long need, long target, String what) {
    if (need > Integer.MAX_VALUE - 16) {
      throw new IllegalStateException(what + " does not fit the table");
    }
    return Arrays.copyOf(a, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, target)));
  }

  /**
   * A table of slots of the form hash << 32 | offset (0: empty) twice the size of {@code old},
   * holding the same slots, each placed by the low bits of its hash.
   */
  static long[] rehashed(long[] old) {
    long[] t = new long[old.length * 2];
    int m = t.length - 1;
    for (long slot : old) {
      if (slot != 0) {
        int idx = (int) (slot >>> 32) & m;
        while (t[idx] != 0) {
          idx = (idx + 1) & m;
        }
        t[idx] = slot;
      }
    }
    return t;
  }

  /**
   * Empties the table into one shard per counting stage that has words; the table keeps its arrays
   * for the words to come. ASCII words go on as their bytes (see {@link Shard}); any other word is
   * decoded, once per flush.
   *
   * @return the shards, in partition order
   */
  public List<Shard> drain() {
    int distinct = distinct();
    if (distinct == 0) {
      return List.of();
    }
    Shard.Builders builders =
        new Shard.Builders(partitions, distinct / partitions + distinct / (4 * partitions) + 16);
    long bad = drainArena(builders) + drainShort(builders) + drainMedium(builders);
    decodedLast(builders, bad);
    Arrays.fill(slots, 0);
    Arrays.fill(shortTable, 0);
    Arrays.fill(mediumTable, 0);
    emptied();
    return builders.build();
  }

  /**
   * Hands the table over at the end of the input: one shard per counting stage, each with the
   * table's ASCII words as they are ({@link FrozenCounts}, the same table in every shard; each
   * counting stage takes its own words from it) and that stage's other words decoded, as {@link
   * #drain} sends them. No word is copied: draining, a pass that packed every word into a shard,
   * then a counting stage's copy of it, was most of the end of a word count, at every stage count
   * (each reading stage holds about the whole vocabulary). The table is empty and small again
   * afterwards.
   *
   * @return one shard per counting stage, in partition order, or none if the table is empty
   */
  public List<Shard> drainLast() {
    if (distinct() == 0) {
      return List.of();
    }
    Shard.Builders builders = new Shard.Builders(partitions, 0);
    long[] bad = new long[1];
    FrozenCounts table =
        new FrozenCounts(
            shortTable,
            shortSize,
            mediumTable,
            mediumSize,
            slots,
            size,
            arena,
            used,
            partitions,
            (b, from, len, count) -> bad[0] += decoded(builders, b, from, len, count));
    decodedLast(builders, bad[0]);
    newTables(INITIAL_CAPACITY);
    arena = new byte[(int) Math.min(arenaLimit + SLACK, 4096)];
    emptied();
    return builders.buildAll(table);
  }

  /**
   * Ends a drain's decoding: adds the words met with replacement characters (merged by their
   * decoded text) and counts the drain's malformed sequences.
   */
  private void decodedLast(Shard.Builders builders, long bad) {
    if (replaced != null) {
      for (Map.Entry<String, Long> e : replaced.entrySet()) {
        builders.add(e.getKey(), e.getValue());
      }
      replaced = null;
    }
    malformed.add(bad);
  }

  /** Sets the tables' word counts to 0 once their words went on. */
  private void emptied() {
    shortSize = 0;
    mediumSize = 0;
    size = 0;
    used = 0;
  }

  // The drain's three loops, each in a method of its own: a flush runs them rarely (a few times a
  // run at most), so they run mostly before the JIT compiled them, and one large method compiled
  // on-stack (with all three loops) kept the compiler busy for most of a drain; small methods
  // compile sooner and cheaper.

  /** Drains the long words (more than 16 bytes) of the arena; returns the malformed count. */
  private long drainArena(Shard.Builders builders) {
    byte[] a = arena;
    long bad = 0;
    for (int off = 0; off < used; ) {
      long n = (long) LONG.get(a, off);
      int len = (int) INT.get(a, off + 8);
      int from = off + HEADER;
      if (Shard.isAscii(a, from, len)) {
        builders.addAscii(a, from, len, hash(a, from, len), n);
      } else {
        bad += decoded(builders, a, from, len, n);
      }
      off = from + len;
    }
    return bad;
  }

  /** Drains the words of at most 8 bytes; returns the malformed count. */
  private long drainShort(Shard.Builders builders) {
    long[] st = shortTable;
    byte[] word8 = null;
    long bad = 0;
    for (int j = 0; j < st.length; j += 2) {
      long v = st[j + 1];
      if (v != 0) {
        int len = (int) (v & 15);
        long n = v >>> 4;
        long key = st[j];
        if (Shard.isAscii(key)) {
          builders.addAscii(key, 0, len, shortHash(key, len), n);
        } else {
          if (word8 == null) {
            word8 = new byte[16 + SLACK];
          }
          LONG.set(word8, 0, key);
          bad += decoded(builders, word8, 0, len, n);
        }
      }
    }
    return bad;
  }

  /** Drains the words of 9 to 16 bytes; returns the malformed count. */
  private long drainMedium(Shard.Builders builders) {
    long[] mt = mediumTable;
    byte[] word8 = null;
    long bad = 0;
    for (int j = 0; j < mt.length; j += 3) {
      long v = mt[j + 2];
      if (v != 0) {
        int len = (int) (v & 31);
        long n = v >>> 5;
        if (Shard.isAscii(mt[j] | mt[j + 1])) {
          builders.addAscii(mt[j], mt[j + 1], len, mediumHash(mt[j], mt[j + 1], len), n);
        } else {
          if (word8 == null) {
            word8 = new byte[16 + SLACK];
          }
          LONG.set(word8, 0, mt[j]);
          LONG.set(word8, 8, mt[j + 1]);
          bad += decoded(builders, word8, 0, len, n);
        }
      }
    }
    return bad;
  }

  /** Words with U+FFFD met by the {@link #drain} under way: distinct bytes may decode alike. */
  private Map<String, Long> replaced;

  /**
   * Decodes a non-ASCII word, {@code b[from, from + len)}, into the shards, or, if it decodes with
   * replacement characters, into {@link #replaced}, to be merged with the words that decode alike.
   *
   * @return the malformed sequences counted, times the word's count
   */
  private long decoded(Shard.Builders builders, byte[] b, int from, int len, long n) {
    String word = new String(b, from, len, keys);
    if (word.indexOf('\uFFFD') < 0) {
      builders.add(word, n);
      return 0;
    }
    if (replaced == null) {
      replaced = new LinkedHashMap<>();
    }
    replaced.merge(word, n, Long::sum);
    return n * countMalformed(b, from, len);
  }

  /** Counts malformed sequences as the line readers do (one definition, in flow-core's Lines). */
  private long countMalformed(byte[] a, int from, int len) {
    if (counter == null) {
      counter = Lines.reportingDecoder(charset);
    }
    return Lines.countMalformed(counter, a, from, len);
  }
}
