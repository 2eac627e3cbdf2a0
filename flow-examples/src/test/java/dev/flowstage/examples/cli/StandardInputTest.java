package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.examples.wordcount.WordCountEngine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code flowstage wordcount -}: standard input in UTF-8, US-ASCII or ISO-8859-1 is counted on the
 * byte path, as one stream, with the results of the same bytes in a file (words, lines, bytes,
 * malformed input, the byte order mark); other charsets read it as lines; a read error is one line
 * naming standard input.
 */
final class StandardInputTest {
  private static final String[] FRAGMENTS = {
    "the", "The", "a", "stage", "abcdefghi", "long-word-of-many-blocks", " ", "  ", "\t", "\r",
    "\r\n", "\n", "\n\n", "caf\u00e9", "\u20ac", "\ud83d\ude00", "Don't", "'x'", ", ", "42",
  };

  @TempDir Path dir;

  static Stream<Arguments> seeds() {
    return IntStream.range(0, 16).mapToObj(Arguments::of);
  }

  /**
   * Seeded random bytes (multi-byte UTF-8, malformed bytes, {@code \r\n}, a byte order mark, maybe
   * no last newline), both tokenizers, the three byte-path charsets: {@code wordcount --json -}
   * prints what {@code wordcount --json FILE} prints for the same bytes, but the time.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void wordcountDash_randomBytes_printsWhatTheSameFilePrints(int seed) throws IOException {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] text = randomText(random);
    Path file = Files.write(dir.resolve("in.txt"), text);
    String tokenizer = random.nextBoolean() ? "space" : "words";
    String charset =
        switch (random.nextInt(4)) {
          case 0 -> "US-ASCII";
          case 1 -> "ISO-8859-1";
          default -> "UTF-8";
        };
    String stages = Integer.toString(1 + random.nextInt(3));
    String[] options = {
      "wordcount",
      "--json",
      "--top",
      "100000",
      "--tokenizer",
      tokenizer,
      "--charset",
      charset,
      "--stages",
      stages
    };

    CliRun fromStdin = CliRun.run(text, false, Long.MAX_VALUE, with(options, "-"));
    CliRun fromFile = CliRun.run(with(options, file.toString()));

    String context = "seed " + seed + ", " + tokenizer + ", " + charset;
    assertEquals(0, fromStdin.status(), fromStdin.err());
    assertEquals(0, fromFile.status(), fromFile.err());
    assertEquals(withoutTime(fromFile.out()), withoutTime(fromStdin.out()), context);
    assertTrue(fromStdin.out().contains("\"bytes\":" + text.length + ","), context);
  }

  /** Standard input beside files: one stream among the files' chunks, the same totals. */
  @Test
  void wordcountDash_besideFiles_countsAllAsOneText() throws IOException {
    Path a = Files.writeString(dir.resolve("a.txt"), "alpha beta\nbeta\n".repeat(300));
    Path b = Files.writeString(dir.resolve("b.txt"), "gamma alpha");
    byte[] in = "beta gamma\r\nalpha".getBytes(StandardCharsets.UTF_8);
    Path same = Files.write(dir.resolve("stdin.txt"), in);

    CliRun withStdin =
        CliRun.run(
            in, false, Long.MAX_VALUE, "wordcount", "--json", a.toString(), "-", b.toString());
    CliRun files = CliRun.run("wordcount", "--json", a.toString(), same.toString(), b.toString());

    assertEquals(0, withStdin.status(), withStdin.err());
    assertEquals(withoutTime(files.out()), withoutTime(withStdin.out()));
    assertTrue(withStdin.out().contains("{\"word\":\"beta\",\"count\":601}"), withStdin.out());
  }

  /**
   * The text summary and {@code --stats} of standard input: bytes, lines, words and malformed input
   * as for a file; one stage reads it (the byte path's reading layer, without the line path's
   * {@code map}).
   */
  @Test
  void wordcountDash_stats_summaryAndOneReadingStage() {
    byte[] in = {'o', 'k', ' ', (byte) 0xFF, '\r', '\n', 'o', 'k'};
    CliRun r = CliRun.run(in, false, Long.MAX_VALUE, "wordcount", "--stats", "--stages", "3", "-");
    assertEquals(0, r.status(), r.err());
    assertTrue(
        r.out()
            .contains(
                "1 file, 8 bytes, 2 lines, 2 words (1 distinct), 1 malformed byte sequence"
                    + " replaced by U+FFFD in "),
        r.out());
    assertTrue(r.out().contains("map-reduce x1: emitAndReduce, onTrigger"), r.out());
    assertFalse(r.out().contains("map, "), r.out());
  }

  /** {@code --output} writes every word of standard input, with the summary of its bytes. */
  @Test
  void wordcountDash_output_writesEveryWord() throws IOException {
    Path out = dir.resolve("counts");
    byte[] in = "the cat and the dog\r\nthe end".getBytes(StandardCharsets.UTF_8);
    CliRun r =
        CliRun.run(
            in, false, Long.MAX_VALUE, "wordcount", "--top", "1", "--output", out.toString(), "-");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("1 file, 28 bytes, 2 lines, 7 words (5 distinct) in "), r.out());
    assertTrue(Files.exists(out.resolve("_SUCCESS")));
    List<String> rows = new ArrayList<>();
    try (Stream<Path> parts = Files.list(out)) {
      for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
        List<String> lines = Files.readAllLines(part);
        rows.addAll(lines.subList(1, lines.size()));
      }
    }
    rows.sort(null);
    assertEquals(List.of("and,1", "cat,1", "dog,1", "end,1", "the,3"), rows);
  }

  /** {@code --graph} describes the stages and reads nothing: standard input is left unread. */
  @Test
  void wordcountDash_graph_readsNothing() {
    Failing in = new Failing();
    CliRun r = run(in, "wordcount", "--graph", "-");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("map-reduce x1: emitAndReduce, onTrigger"), r.out());
    assertEquals(0, in.reads);
  }

  /** Charsets the byte path does not read take the line path on standard input, as before. */
  @Test
  void wordcountDash_utf16_takesTheLinePathWithTheSameCounts() throws IOException {
    String text = "\ufeffhello world\r\nhello\n";
    byte[] in = text.getBytes(StandardCharsets.UTF_16LE);
    Path file = Files.write(dir.resolve("le.txt"), in);
    String[] options = {"wordcount", "--json", "--stats", "--charset", "UTF-16LE"};

    CliRun fromStdin = CliRun.run(in, false, Long.MAX_VALUE, with(options, "-"));
    CliRun fromFile = CliRun.run(with(options, file.toString()));

    assertEquals(0, fromStdin.status(), fromStdin.err());
    assertTrue(
        fromStdin.out().contains("{\"word\":\"hello\",\"count\":2},{\"word\":\"world\""),
        fromStdin.out());
    assertTrue(fromStdin.out().contains(": map, emitAndReduce, onTrigger"), fromStdin.out());
    assertEquals(head(fromFile.out()), head(fromStdin.out()));
  }

  /**
   * A read error on standard input fails the run with one line naming it, on the byte path and on
   * the line path alike, and standard input is not closed.
   */
  @Test
  void wordcountDash_readError_isOneLineNamingStandardInput() {
    for (String charset : List.of("UTF-8", "UTF-16")) {
      Failing in = new Failing();
      CliRun r = run(in, "wordcount", "--charset", charset, "-");

      assertEquals(Main.EXIT_USAGE, r.status(), charset + ": " + r.err());
      assertTrue(r.errIsOneLine(), charset + ": " + r.err());
      assertEquals("flowstage: cannot read standard input: broken pipe\n", r.err(), charset);
      assertEquals(0, in.closes, charset);
    }
  }

  /** A few words, then a failing read; counts its closes. */
  private static final class Failing extends InputStream {
    private int reads;
    int closes;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (reads++ > 0) {
        throw new IOException("broken pipe");
      }
      byte[] words = "a b c\n".getBytes(StandardCharsets.UTF_8);
      int n = Math.min(len, words.length);
      System.arraycopy(words, 0, b, off, n);
      return n;
    }

    @Override
    public void close() {
      closes++;
    }
  }

  /** The command line in-process with {@code stdin} as standard input. */
  private static CliRun run(InputStream stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliEnvironment env =
        new CliEnvironment(
            stdin,
            new PrintWriter(out),
            new PrintWriter(err),
            false,
            Long.MAX_VALUE,
            WordCountEngine.standard(),
            () -> CliRun.SMALL_SAMPLE);
    int status = Main.run(env, args);
    return new CliRun(status, out.toString(), err.toString());
  }

  private static String[] with(String[] options, String path) {
    List<String> all = new ArrayList<>(List.of(options));
    all.add(path);
    return all.toArray(String[]::new);
  }

  /** The JSON result without the time it took and the stages (their busy times vary). */
  private static String withoutTime(String json) {
    return json.replaceAll("\"elapsedMs\":\\d+", "");
  }

  /** The JSON result up to the time it took: the counts and the top words. */
  private static String head(String json) {
    return json.substring(0, json.indexOf("\"elapsedMs\""));
  }

  private static byte[] randomText(SplittableRandom random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (random.nextInt(8) == 0) {
      return out.toByteArray();
    }
    if (random.nextInt(4) == 0) {
      out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    }
    for (int p = random.nextInt(300); p > 0; p--) {
      switch (random.nextInt(24)) {
        case 0 -> out.write(0xFF);
        case 1 -> out.writeBytes(new byte[] {(byte) 0xE2, (byte) 0x82}); // a truncated sequence
        case 2 -> out.write(0xC3); // a lead byte without its continuation
        default ->
            out.writeBytes(
                FRAGMENTS[random.nextInt(FRAGMENTS.length)].getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }
}
