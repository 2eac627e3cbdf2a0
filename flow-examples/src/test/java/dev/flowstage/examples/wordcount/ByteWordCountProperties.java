package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.logic.words.ByteReading;
import dev.flowstage.flow.logic.words.ByteWordCounts;
import dev.flowstage.flow.logic.words.FileChunk;
import dev.flowstage.flow.logic.words.Shard;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The byte path of the word count ({@link ByteWordCounts}) against the line path ({@code
 * Flow.fromFiles} and the tokenizer) and a sequential reference that follows the line reader's
 * rules, for both tokenizers, over seeded random byte texts: multi-byte UTF-8, malformed bytes,
 * {@code \r}, {@code \r\n}, repeated spaces, tabs, empty lines and files, a byte order mark, no
 * final newline, lines many times longer than a chunk, tiny chunks and tiny flush thresholds; and
 * standard input, alone or among the files, read a few bytes at a time.
 */
final class ByteWordCountProperties {
  private static final byte[][] FRAGMENTS = {
    bytes("the"),
    bytes("a"),
    bytes("b"),
    bytes("The"),
    bytes("stage"),
    bytes("abcdefgh"), // exactly one eight-byte block
    bytes("abcdefghi"),
    bytes("quite-a-long-word-of-many-blocks"),
    bytes(" "),
    bytes("  "),
    bytes("\t"),
    bytes("\r"),
    bytes("\r\n"),
    bytes("\n"),
    bytes("\n\n"),
    bytes("caf\u00e9"),
    bytes("\u20ac"),
    bytes("\ud83d\ude00"),
    bytes("\ufffd"), // a real replacement character, not malformed
    {(byte) 0xff},
    {(byte) 0x80},
    {(byte) 0xc3}, // a lead byte without its continuation
    {(byte) 0xe2, (byte) 0x82}, // a truncated three-byte sequence
    {(byte) 0xf0, (byte) 0x9f}, // a truncated four-byte sequence
    {(byte) 0xe0, (byte) 0x80}, // an overlong lead
    {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // a surrogate
    {0},
    bytes("Don't"),
    bytes("don\u2019t"),
    bytes("'quoted'"),
    bytes("a''b"),
    bytes("x'"),
    bytes(", "),
    bytes("-- "),
    bytes("42"),
    bytes("\u00c9COLE"),
    bytes("\u0130stanbul"), // lowercases to two chars
    bytes("\u039f\u0394\u039f\u03a3"), // final sigma
    bytes("STRASSE\u00df"),
  };

  @TempDir Path dir;

  static Stream<Arguments> seeds() {
    int tries = Integer.getInteger("properties.tries", 60);
    return IntStream.range(0, tries).mapToObj(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void run_randomByteTexts_bytePathMatchesLinePathAndReference(int seed) throws IOException {
    randomByteTexts(seed, false);
  }

  /**
   * As above with {@code .gz} files among the plain ones (one to three gzip members each), read on
   * the byte path in buffers as small as the chunks; the line path reads them through the file
   * source. Bytes are file sizes (compressed), and so is the progress of the byte path.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void run_randomByteTextsSomeGzipped_bytePathMatchesLinePathAndReference(int seed)
      throws IOException {
    randomByteTexts(seed + 10_000, true);
  }

  /**
   * As above with standard input among the files (or alone), read on the byte path as one stream
   * and on the line path through its line source; the stream gives its bytes a few at a time, so
   * multi-byte sequences, {@code \r\n} and the byte order mark are cut at read and buffer edges.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void run_randomByteTextsWithStandardInput_bytePathMatchesLinePathAndReference(int seed)
      throws IOException {
    randomByteTexts(seed + 20_000, seed % 2 == 0, true);
  }

  private void randomByteTexts(int seed, boolean gzip) throws IOException {
    randomByteTexts(seed, gzip, false);
  }

  private void randomByteTexts(int seed, boolean gzip, boolean withStdin) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    Tokenizer tokenizer = random.nextBoolean() ? Tokenizer.SPACE : Tokenizer.WORDS;
    Charset charset =
        switch (random.nextInt(6)) {
          case 0 -> StandardCharsets.US_ASCII;
          case 1 -> StandardCharsets.ISO_8859_1;
          default -> StandardCharsets.UTF_8;
        };
    int files = withStdin ? random.nextInt(3) : 1 + random.nextInt(3);
    List<Input> inputs = new ArrayList<>();
    List<byte[]> texts = new ArrayList<>();
    long fileBytes = 0;
    for (int f = 0; f < files; f++) {
      byte[] text = randomText(random);
      boolean gz = gzip && random.nextInt(3) != 0;
      Path file = dir.resolve("f" + f + (gz ? ".txt.gz" : ".txt"));
      Files.write(file, gz ? gzipped(text, random) : text);
      texts.add(text);
      inputs.add(new Input.FileInput(file, Files.size(file)));
      fileBytes += Files.size(file);
    }
    // Standard input at a random place among the files; each run reads its own copy of it.
    byte[] stdinText = withStdin ? randomText(random) : null;
    int stdinAt = random.nextInt(inputs.size() + 1);
    int maxRead = random.nextBoolean() ? 1 + random.nextInt(8) : 1 << 16;
    long stdinSeed = random.nextLong();
    if (withStdin) {
      texts.add(stdinText);
      fileBytes += stdinText.length;
    }
    int stages = 1 + random.nextInt(3);
    int maxDemand = 1 + random.nextInt(20);
    java.util.function.Supplier<WordCountJob> jobs =
        () -> {
          List<Input> all = new ArrayList<>(inputs);
          if (withStdin) {
            all.add(
                stdinAt,
                new Input.StdinInput(
                    new Trickle(stdinText, maxRead, new SplittableRandom(stdinSeed))));
          }
          return new WordCountJob(
              all, tokenizer, 100_000, // every word, so the whole count is compared
              stages, maxDemand, charset);
        };
    WordCountJob job = jobs.get();
    int chunk = random.nextBoolean() ? 1 + random.nextInt(40) : FileChunk.DEFAULT_BYTES;
    int flushAt = random.nextBoolean() ? 1 + random.nextInt(6) : 0;

    LongAdder progress = new LongAdder();
    WordCountResult bytePath = new FlowWordCountEngine(flushAt, chunk, true).run(job, progress);
    WordCountResult linePath =
        new FlowWordCountEngine(flushAt, chunk, false).run(jobs.get(), new LongAdder());
    Reference reference = Reference.of(texts, charset, tokenizer);

    String context = "seed " + seed + ", chunk " + chunk + ", flushAt " + flushAt + ", " + job;
    assertEquals(reference.top(), bytePath.top(), context);
    assertEquals(reference.words, bytePath.words(), context);
    assertEquals(reference.counts.size(), bytePath.distinct(), context);
    assertEquals(reference.lines, bytePath.lines(), context);
    assertEquals(reference.malformed, bytePath.malformed(), context);
    assertEquals(fileBytes, bytePath.bytes(), context);
    // Every file takes the byte path (a mark of another charset is read as text: no
    // charsetFromBom).
    assertEquals(fileBytes, progress.sum(), "progress: " + context);
    assertEquals(linePath.top(), bytePath.top(), context);
    assertEquals(linePath.words(), bytePath.words(), context);
    assertEquals(linePath.distinct(), bytePath.distinct(), context);
    assertEquals(linePath.lines(), bytePath.lines(), context);
    assertEquals(linePath.malformed(), bytePath.malformed(), context);
    assertEquals(linePath.bytes(), bytePath.bytes(), context);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void add_chunksOfOneFile_countEveryLineOnceWhateverTheChunkSize(int seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] text = randomText(random);
    Path file = dir.resolve("one.txt");
    Files.write(file, text);
    int chunk = 1 + random.nextInt(64);
    LongAdder lines = new LongAdder();
    LongAdder malformed = new LongAdder();
    LongAdder progress = new LongAdder();
    int partitions = 1 + random.nextInt(3);
    ByteWordCounts counts =
        new ByteReading(
                "UTF-8",
                Tokenizer.SPACE,
                partitions,
                Integer.MAX_VALUE,
                1 + random.nextInt(16),
                ByteWordCounts.NO_LINE_BOUND,
                lines,
                malformed,
                progress)
            .get();
    List<Shard> shards = new ArrayList<>();
    int mark = text.length >= 3 && (text[0] & 0xff) == 0xEF && (text[1] & 0xff) == 0xBB ? 3 : 0;
    for (FileChunk c : FileChunk.split(List.of(file), List.of(mark), chunk)) {
      shards.addAll(counts.add(c).events());
    }
    shards.addAll(counts.drain());

    Map<String, Long> seen = new HashMap<>();
    for (Shard shard : shards) {
      shard.forEach(
          (word, count) -> {
            assertEquals(Shard.partitionOf(word, partitions), shard.partition(), word);
            seen.merge(word, count, Long::sum);
          });
    }
    Reference reference = Reference.of(List.of(text), StandardCharsets.UTF_8, Tokenizer.SPACE);
    assertEquals(reference.counts, seen, "seed " + seed + ", chunk " + chunk);
    assertEquals(reference.lines, lines.sum(), "seed " + seed);
    assertEquals(reference.malformed, malformed.sum(), "seed " + seed);
    assertEquals(text.length, progress.sum(), "seed " + seed);
  }

  /**
   * Standard input as a pipe gives it: the bytes of {@code text}, at most {@code maxRead} a read (a
   * seeded random number of them), never closed by the count.
   */
  private static final class Trickle extends java.io.InputStream {
    private final byte[] text;
    private final int maxRead;
    private final SplittableRandom random;
    private int at;

    Trickle(byte[] text, int maxRead, SplittableRandom random) {
      this.text = text;
      this.maxRead = maxRead;
      this.random = random;
    }

    @Override
    public int read() {
      return at < text.length ? text[at++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (at == text.length) {
        return -1;
      }
      int n = Math.min(Math.min(len, text.length - at), 1 + random.nextInt(maxRead));
      System.arraycopy(text, at, b, off, n);
      at += n;
      return n;
    }

    @Override
    public void close() {
      throw new AssertionError("standard input was closed");
    }
  }

  private static byte[] randomText(SplittableRandom random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (random.nextInt(8) == 0) {
      return out.toByteArray(); // an empty file
    }
    if (random.nextInt(6) == 0) {
      out.writeBytes(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}); // a byte order mark
    }
    int pieces = random.nextInt(400);
    // One text in four is a few long lines: its newlines become spaces but for one in a hundred.
    boolean longLines = random.nextInt(4) == 0;
    for (int p = 0; p < pieces; p++) {
      if (random.nextInt(100) == 0) {
        out.writeBytes(bytes("long".repeat(random.nextInt(1, 40)))); // longer than any chunk
      }
      byte[] fragment = FRAGMENTS[random.nextInt(FRAGMENTS.length)];
      if (longLines && fragment[fragment.length - 1] == '\n' && random.nextInt(100) != 0) {
        fragment = bytes(" ");
      }
      out.writeBytes(fragment);
    }
    if (random.nextBoolean()) {
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** {@code text} gzipped in one to three members, cut at random places. */
  private static byte[] gzipped(byte[] text, SplittableRandom random) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int members = random.nextInt(3) == 0 ? random.nextInt(2, 4) : 1;
    int from = 0;
    for (int m = 1; m <= members; m++) {
      int to = m == members ? text.length : random.nextInt(from, text.length + 1);
      ByteArrayOutputStream member = new ByteArrayOutputStream();
      try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(member)) {
        gz.write(text, from, to - from);
      }
      out.writeBytes(member.toByteArray());
      from = to;
    }
    return out.toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The sequential count, following the line reader's rules byte by byte. */
  private static final class Reference {
    final Map<String, Long> counts = new HashMap<>();
    long words;
    long lines;
    long malformed;
    long bytes;

    static Reference of(List<byte[]> texts, Charset charset, Tokenizer tokenizer) {
      Reference r = new Reference();
      for (byte[] text : texts) {
        r.bytes += text.length;
        int from = 0;
        if (charset.equals(StandardCharsets.UTF_8)
            && text.length >= 3
            && (text[0] & 0xff) == 0xEF
            && (text[1] & 0xff) == 0xBB
            && (text[2] & 0xff) == 0xBF) {
          from = 3; // the byte order mark of the files' charset is never part of a word
        }
        while (from < text.length) {
          int nl = from;
          while (nl < text.length && text[nl] != '\n') {
            nl++;
          }
          int to = nl;
          if (to > from && text[to - 1] == '\r') {
            to--;
          }
          byte[] line = Arrays.copyOfRange(text, from, to);
          String decoded = new String(line, charset);
          r.malformed += malformedIn(line, charset);
          r.lines++;
          List<String> words =
              tokenizer == Tokenizer.SPACE
                  ? Arrays.stream(decoded.split(" ")).filter(w -> !w.isEmpty()).toList()
                  : tokenizer.tokens(decoded); // the WORDS rules are the tokenizer's own
          for (String word : words) {
            r.counts.merge(word, 1L, Long::sum);
            r.words++;
          }
          from = nl + 1;
        }
      }
      return r;
    }

    List<WordFrequency> top() {
      return counts.entrySet().stream()
          .map(e -> new WordFrequency(e.getKey(), e.getValue()))
          .sorted(WordFrequency.BY_COUNT_THEN_WORD)
          .toList();
    }

    private static long malformedIn(byte[] line, Charset charset) {
      CharsetDecoder d =
          charset
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT);
      ByteBuffer in = ByteBuffer.wrap(line);
      CharBuffer out = CharBuffer.allocate(line.length * 2 + 16);
      long count = 0;
      while (true) {
        CoderResult r = d.decode(in, out, true);
        if (r.isError()) {
          count++;
          in.position(in.position() + r.length());
        } else if (r.isOverflow()) {
          out.clear();
        } else {
          return count;
        }
      }
    }
  }
}
