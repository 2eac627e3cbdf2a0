package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class WordCountCommandTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file;
  }

  /** The "count word" rows of the text output, as "word=count". */
  private static List<String> rows(String out) {
    return out.lines()
        .takeWhile(l -> !l.isEmpty())
        .skip(1)
        .map(l -> l.strip().split("\\s+", 2))
        .map(p -> p[1] + "=" + p[0])
        .toList();
  }

  @Nested
  final class Counting {
    @Test
    void wordcount_noPath_countsTheSample() {
      CliRun r = CliRun.run("wordcount");
      assertEquals(0, r.status(), r.err());
      assertEquals("", r.err());
      assertTrue(r.out().startsWith("count  word\n") || r.out().contains(" count  word\n"));
      assertEquals(10, rows(r.out()).size());
      assertTrue(rows(r.out()).get(0).startsWith("the="), r.out());
      assertTrue(
          r.out().contains("1 file, " + CliRun.SMALL_SAMPLE.totalBytes() + " bytes, 3000 lines"),
          r.out());
    }

    @Test
    void wordcount_file_printsTopWordsAndSummary() throws IOException {
      Path file = write("a.txt", "The cat, the dog.\nTHE END\n");
      CliRun r = CliRun.run("wordcount", file.toString());
      assertEquals(0, r.status(), r.err());
      assertEquals(List.of("the=3", "cat=1", "dog=1", "end=1"), rows(r.out()));
      assertTrue(r.out().contains("1 file, 26 bytes, 2 lines, 6 words (4 distinct) in "), r.out());
    }

    @Test
    void wordcount_directory_walksEveryFileRecursively() throws IOException {
      write("d/one.txt", "alpha beta\n");
      write("d/sub/two.txt", "alpha\n");
      write("d/sub/deeper/three.md", "alpha gamma\n");
      CliRun r = CliRun.run("wordcount", dir.resolve("d").toString());
      assertEquals(0, r.status(), r.err());
      assertEquals(List.of("alpha=3", "beta=1", "gamma=1"), rows(r.out()));
      assertTrue(r.out().contains("3 files, "), r.out());
    }

    @Test
    void wordcount_dash_readsStandardInput() {
      byte[] stdin = "b a\nb\n".getBytes(StandardCharsets.UTF_8);
      CliRun r = CliRun.run(stdin, false, Long.MAX_VALUE, "wordcount", "-");
      assertEquals(0, r.status(), r.err());
      assertEquals(List.of("b=2", "a=1"), rows(r.out()));
    }

    @Test
    void wordcount_dashWithMalformedBytes_replacesAndCountsThem() {
      byte[] stdin = {'o', 'k', ' ', (byte) 0xFF, (byte) 0xFE, ' ', 'o', 'k', '\n'};
      CliRun r = CliRun.run(stdin, false, Long.MAX_VALUE, "wordcount", "--json", "-");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().contains("\"malformed\":2,"), r.out());
      assertTrue(r.out().contains("{\"word\":\"ok\",\"count\":2}"), r.out());
    }

    @Test
    void wordcount_top_limitsTheList() throws IOException {
      Path file = write("a.txt", "a a a b b c\n");
      CliRun r = CliRun.run("wordcount", "--top", "2", file.toString());
      assertEquals(List.of("a=3", "b=2"), rows(r.out()));
    }

    @Test
    void wordcount_ties_areBrokenByWordAscending() throws IOException {
      Path file = write("a.txt", "pear fig apple zebra\n");
      CliRun r = CliRun.run("wordcount", "--top", "3", file.toString());
      assertEquals(List.of("apple=1", "fig=1", "pear=1"), rows(r.out()));
    }

    @Test
    void wordcount_tokenizerSpace_keepsCaseAndPunctuation() throws IOException {
      Path file = write("a.txt", "The cat,  the cat,\n");
      CliRun r = CliRun.run("wordcount", "--tokenizer", "space", file.toString());
      assertEquals(List.of("cat,=2", "The=1", "the=1"), rows(r.out()));
    }

    @Test
    void wordcount_tokenizerSpaceOnADirectory_countsBytesAsTheLinePathWould() throws IOException {
      // The byte path: \r\n, repeated spaces, a final line without newline, a malformed byte
      // (one U+FFFD word, its replacement counted once per occurrence), a walked directory.
      write("d/one.txt", "b a\r\nb c  b\r\n");
      Files.write(
          Files.createDirectories(dir.resolve("d/sub")).resolve("two.txt"),
          new byte[] {'a', ' ', (byte) 0xFF, ' ', 'a', '\n', (byte) 0xFF});
      CliRun r = CliRun.run("wordcount", "--tokenizer", "space", dir.resolve("d").toString());
      assertEquals(0, r.status(), r.err());
      assertEquals(List.of("a=3", "b=3", "\uFFFD=2", "c=1"), rows(r.out()));
      assertTrue(r.out().contains("2 files, 20 bytes, 4 lines, 9 words (4 distinct)"), r.out());
      assertTrue(r.out().contains("2 malformed byte sequences"), r.out());
    }

    @Test
    void wordcount_stagesAndMaxDemand_doNotChangeTheResult() throws IOException {
      Path file = write("a.txt", "x y z x y x\n".repeat(500));
      String expected = rows(CliRun.run("wordcount", file.toString()).out()).toString();
      for (String[] opts :
          List.of(new String[] {"1", "1"}, new String[] {"3", "7"}, new String[] {"8", "1000"})) {
        CliRun r =
            CliRun.run("wordcount", "--stages", opts[0], "--max-demand", opts[1], file.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(expected, rows(r.out()).toString());
      }
    }

    @Test
    void wordcount_charset_decodesWithIt() throws IOException {
      Path file = dir.resolve("latin1.txt");
      Files.write(file, "café café".getBytes(StandardCharsets.ISO_8859_1));
      CliRun r = CliRun.run("wordcount", "--charset", "ISO-8859-1", file.toString());
      assertEquals(List.of("café=2"), rows(r.out()));
    }

    @Test
    void wordcount_malformedBytes_areReplacedAndCountedInSummary() throws IOException {
      Path file = dir.resolve("bad.txt");
      Files.write(file, new byte[] {'o', 'k', ' ', (byte) 0xFF, '\n', 'o', 'k', (byte) 0xC3});
      CliRun r = CliRun.run("wordcount", file.toString());
      assertEquals(0, r.status(), r.err());
      assertEquals(List.of("ok=2"), rows(r.out()));
      assertTrue(r.out().contains("2 malformed byte sequences replaced by U+FFFD"), r.out());
    }
  }

  @Nested
  final class Formats {
    @Test
    void json_printsOneObjectWithEveryField() throws IOException {
      Path file = write("a.txt", "b \"q\" a\nb\n");
      CliRun r = CliRun.run("wordcount", "--json", file.toString());
      assertEquals(0, r.status(), r.err());
      String json = r.out().strip();
      assertFalse(json.contains("\n"), json);
      Pattern shape =
          Pattern.compile(
              "\\{\"tokenizer\":\"words\",\"files\":1,\"bytes\":10,\"lines\":2,\"words\":4,"
                  + "\"distinct\":3,\"malformed\":0,"
                  + "\"top\":\\[\\{\"word\":\"b\",\"count\":2},\\{\"word\":\"a\",\"count\":1},"
                  + "\\{\"word\":\"q\",\"count\":1}],\"elapsedMs\":\\d+,"
                  + "\"skipped\":\\{\"hidden\":0,\"binary\":0,\"links\":0,\"special\":0}}");
      assertTrue(shape.matcher(json).matches(), json);
    }

    @Test
    void json_escapesQuotesAndBackslashes() throws IOException {
      Path file = write("a.txt", "say\"hi\\ there\n");
      CliRun r = CliRun.run("wordcount", "--json", "--tokenizer", "space", file.toString());
      assertTrue(r.out().contains("{\"word\":\"say\\\"hi\\\\\",\"count\":1}"), r.out());
    }

    @Test
    void perAsk_belowTen_showsOneDecimal_elseWholeEvents() {
      assertEquals("-", WordCountCommand.perAsk(5, 0));
      assertEquals("0.7", WordCountCommand.perAsk(2, 3));
      assertEquals("9.5", WordCountCommand.perAsk(19, 2));
      assertEquals("497", WordCountCommand.perAsk(100500, 202));
    }

    @Test
    void json_withStats_listsStages() throws IOException {
      Path file = write("a.txt", "a b\n");
      CliRun r = CliRun.run("wordcount", "--json", "--stats", "--stages", "2", file.toString());
      assertTrue(r.out().contains("\"stages\":[{\"name\":"), r.out());
      assertTrue(r.out().contains("\"eventsIn\":"), r.out());
      assertTrue(r.out().contains("\"busyMs\":"), r.out());
    }

    @Test
    void stats_printsATableRowPerStageAfterTheResult() throws IOException {
      Path file = write("a.txt", "a b c\n".repeat(100));
      CliRun r = CliRun.run("wordcount", "--stats", "--stages", "2", file.toString());
      assertEquals(0, r.status(), r.err());
      String out = r.out();
      int table = out.indexOf("\nstage ");
      assertTrue(table > out.indexOf(" words ("), out);
      List<String> lines = out.substring(table + 1).lines().toList();
      assertTrue(lines.get(0).contains("events in"), out);
      // one row per stage, each with its counters
      assertTrue(lines.size() > 3, out);
      for (String line : lines.subList(1, lines.size())) {
        assertTrue(line.matches("\\S+(\\s+(\\d+(\\.\\d)?|-)){7}\\s+\\S.*"), line);
      }
    }

    @Test
    void graph_printsMermaidAndDoesNotCount() {
      CliRun r = CliRun.run("wordcount", "--graph", "--stages", "3");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().startsWith("flowchart LR\n"), r.out());
      assertFalse(r.out().contains("distinct"), r.out());
      assertTrue(r.out().contains("-->"), r.out());
    }
  }

  @Nested
  final class Errors {
    @Test
    void missingFile_oneLineNamingIt_exit2() {
      Path missing = dir.resolve("nope.txt");
      CliRun r = CliRun.run("wordcount", missing.toString());
      assertEquals(2, r.status());
      assertTrue(r.errIsOneLine(), r.err());
      assertTrue(r.err().contains(missing.toString()), r.err());
      assertEquals("", r.out());
    }

    /** A device is read as a stream, as {@code wc /dev/null} reads it: nothing to count. */
    @Test
    void characterDevice_readAsAStream_devNullCountsNothing() {
      assumeTrue(Files.exists(Path.of("/dev/null")));
      CliRun r = CliRun.run("wordcount", "--json", "/dev/null");
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().contains("\"files\":1,\"bytes\":0,\"lines\":0,\"words\":0,"), r.out());
    }

    @Test
    void unreadableFile_oneLineNamingIt_exit2() throws IOException {
      Path file = write("secret.txt", "x\n");
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
      assumeFalse(Files.isReadable(file), "running as root: every file is readable");
      CliRun r = CliRun.run("wordcount", file.toString());
      assertEquals(2, r.status());
      assertTrue(r.errIsOneLine(), r.err());
      assertTrue(r.err().contains("cannot read " + file), r.err());
    }

    @Test
    void goodFileThenMissingFile_countsNothing_exit2() throws IOException {
      Path good = write("good.txt", "x\n");
      CliRun r = CliRun.run("wordcount", good.toString(), dir.resolve("gone").toString());
      assertEquals(2, r.status());
      assertEquals("", r.out());
    }

    @Test
    void emptyDirectory_oneLineNamingIt_exit2() throws IOException {
      Path empty = Files.createDirectories(dir.resolve("empty"));
      CliRun r = CliRun.run("wordcount", empty.toString());
      assertEquals(2, r.status());
      assertTrue(r.errIsOneLine(), r.err());
      assertTrue(r.err().contains("no regular files under directory " + empty), r.err());
    }

    @Test
    void emptyFile_countsNothing_exit0() throws IOException {
      Path file = write("empty.txt", "");
      CliRun r = CliRun.run("wordcount", file.toString());
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().contains("1 file, 0 bytes, 0 lines, 0 words (0 distinct)"), r.out());
    }

    @Test
    void dashTwice_isRejected() {
      CliRun r = CliRun.run("wordcount", "-", "-");
      assertEquals(2, r.status());
      assertTrue(r.errIsOneLine(), r.err());
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "--top=0",
          "--top=x",
          "--stages=0",
          "--max-demand=-1",
          "--tokenizer=letters",
          "--charset=no-such-charset",
          "--frobnicate",
          "--top"
        })
    void badOption_oneLine_exit2(String option) {
      CliRun r = CliRun.run("wordcount", option);
      assertEquals(2, r.status(), r.out() + r.err());
      assertTrue(r.errIsOneLine(), r.err());
      assertTrue(r.err().startsWith("flowstage: "), r.err());
      assertTrue(r.err().contains("flowstage wordcount --help"), r.err());
      assertEquals("", r.out());
    }
  }

  @Nested
  final class Progress {
    @Test
    void pipe_neverDrawsProgress() throws IOException {
      Path file = write("a.txt", "a b c\n".repeat(1000));
      CliRun r = CliRun.run(new byte[0], false, 0, "wordcount", file.toString());
      assertEquals("", r.err());
    }

    @Test
    void shouldShow_onlyOnTerminalAndForLargeInput() {
      assertTrue(ProgressBar.shouldShow(false, true, 100, 100));
      assertTrue(ProgressBar.shouldShow(false, true, -1, 100));
      assertFalse(ProgressBar.shouldShow(false, true, 99, 100));
      assertFalse(ProgressBar.shouldShow(false, false, 1_000, 100));
      assertFalse(ProgressBar.shouldShow(true, true, 1_000, 100));
    }

    @Test
    void terminal_largeInput_erasesItsLineBeforeTheResult() throws IOException {
      Path file = write("a.txt", "a b c\n".repeat(1000));
      CliRun r = CliRun.run(new byte[0], true, 0, "wordcount", file.toString());
      assertEquals(0, r.status());
      // The bar draws only after half a second; if it drew, it must have erased itself.
      assertTrue(r.err().isEmpty() || r.err().endsWith("\r"), r.err());
    }
  }
}
