package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code wordcount} reads: hidden and binary files, globs, byte order marks, gzip. */
final class InputSelectionTest {
  @TempDir Path dir;

  /** The stage runtime logs each stage failure; these tests provoke some and check the error. */
  private static final java.util.logging.Logger STAGE_LOG =
      java.util.logging.Logger.getLogger("dev.flowstage");

  private static java.util.logging.Level saved;

  @org.junit.jupiter.api.BeforeAll
  static void quietStageLog() {
    saved = STAGE_LOG.getLevel();
    STAGE_LOG.setLevel(java.util.logging.Level.OFF);
  }

  @org.junit.jupiter.api.AfterAll
  static void restoreStageLog() {
    STAGE_LOG.setLevel(saved);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
    return p;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void tree() throws IOException {
    write("d/a.log", utf8("alpha\n"));
    write("d/b.txt", utf8("beta\n"));
    write("d/.hidden.txt", utf8("hidden\n"));
    write("d/.git/objects/x.txt", utf8("git\n"));
    write("d/tool.bin", new byte[] {'e', 'l', 'f', 0, 0, 1, '\n'});
  }

  @Test
  void directory_skipsHiddenAndBinary_withOneNotePerKindAndCountsInJson() throws IOException {
    tree();
    CliRun r = CliRun.run("wordcount", "--json", dir.resolve("d").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\"files\":2,"), r.out());
    assertTrue(
        r.out().contains("\"skipped\":{\"hidden\":2,\"binary\":1,\"links\":0,\"special\":0}"),
        r.out());
    assertFalse(r.out().contains("git"), r.out());
    assertEquals(
        "flowstage: skipped 2 hidden files and folders (--include-hidden counts them)\n"
            + "flowstage: skipped 1 binary file (--include-binary counts them)\n",
        r.err());
  }

  @Test
  void linksAndPipesInADirectory_areSkippedWithANote_andFollowLinksReadsLinkedFiles()
      throws Exception {
    write("d/a.log", utf8("alpha\n"));
    write("elsewhere/b.log", utf8("beta\n"));
    Path d = dir.resolve("d");
    Files.createSymbolicLink(d.resolve("b-link.log"), dir.resolve("elsewhere/b.log"));
    Files.createSymbolicLink(d.resolve("more"), dir.resolve("elsewhere"));
    Files.createSymbolicLink(d.resolve("up"), d); // loops when followed
    Process mkfifo = new ProcessBuilder("mkfifo", d.resolve("pipe").toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "no mkfifo here");

    CliRun plain = CliRun.run("wordcount", "--json", d.toString());
    assertEquals(0, plain.status(), plain.err());
    assertTrue(plain.out().contains("\"files\":1,"), plain.out());
    assertTrue(
        plain.out().contains("\"skipped\":{\"hidden\":0,\"binary\":0,\"links\":3,\"special\":1}"),
        plain.out());
    assertEquals(
        "flowstage: skipped 3 links found in directories (--follow-links follows them)\n"
            + "flowstage: skipped 1 pipe, socket or device found in directories (name one to read"
            + " it)\n",
        plain.err());

    CliRun followed = CliRun.run("wordcount", "--json", "--follow-links", d.toString());
    assertEquals(0, followed.status(), followed.err());
    // a.log, b-link.log and more/b.log: the linked file is read under each name it is found by.
    assertTrue(followed.out().contains("\"files\":3,"), followed.out());
    assertTrue(followed.out().contains("{\"word\":\"beta\",\"count\":2}"), followed.out());
    assertTrue(followed.out().contains("\"links\":1,\"special\":1"), followed.out());
    assertTrue(
        followed
            .err()
            .contains("skipped 1 link that is broken or loops back to a folder holding it"),
        followed.err());
  }

  @Test
  void aDirectoryOfLinksOnly_isNothingToCount_sayingWhy() throws IOException {
    write("elsewhere/b.log", utf8("beta\n"));
    Path d = Files.createDirectories(dir.resolve("links"));
    Files.createSymbolicLink(d.resolve("b.log"), dir.resolve("elsewhere/b.log"));
    CliRun r = CliRun.run("wordcount", d.toString());
    assertEquals(Main.EXIT_USAGE, r.status());
    assertTrue(
        r.err().contains("nothing to count: skipped 1 link found in directories (--follow-links"),
        r.err());
  }

  @Test
  void includeOptions_countEverything() throws IOException {
    tree();
    CliRun r =
        CliRun.run(
            "wordcount",
            "--json",
            "--include-hidden",
            "--include-binary",
            dir.resolve("d").toString());
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    assertTrue(r.out().contains("\"files\":5,"), r.out());
    assertTrue(r.out().contains("\"word\":\"git\""), r.out());
  }

  @Test
  void globs_repeatedOrCommaSeparated_chooseWalkedFilesByName() throws IOException {
    tree();
    CliRun one = CliRun.run("wordcount", "--json", "--glob", "*.log", dir.resolve("d").toString());
    assertTrue(one.out().contains("\"files\":1,"), one.out());
    assertTrue(one.out().contains("\"word\":\"alpha\""), one.out());
    CliRun two =
        CliRun.run("wordcount", "--json", "--glob", "*.log,*.txt", dir.resolve("d").toString());
    assertTrue(two.out().contains("\"files\":2,"), two.out());
    CliRun repeated =
        CliRun.run(
            "wordcount",
            "--json",
            "--glob",
            "*.log",
            "--glob",
            "*.txt",
            dir.resolve("d").toString());
    assertTrue(repeated.out().contains("\"files\":2,"), repeated.out());
  }

  @Test
  void namedBinaryFile_isSkipped_andNothingLeftIsAUsageError() throws IOException {
    tree();
    CliRun r = CliRun.run("wordcount", dir.resolve("d/tool.bin").toString());
    assertEquals(Main.EXIT_USAGE, r.status());
    assertTrue(r.err().contains("skipped 1 binary file"), r.err());
    assertTrue(r.err().contains("nothing to count"), r.err());
    CliRun included =
        CliRun.run("wordcount", "--include-binary", dir.resolve("d/tool.bin").toString());
    assertEquals(0, included.status(), included.err());
  }

  @Test
  void badGlob_isAUsageError() throws IOException {
    tree();
    CliRun r = CliRun.run("wordcount", "--glob", "a[b", dir.resolve("d").toString());
    assertEquals(Main.EXIT_USAGE, r.status());
    assertTrue(r.errIsOneLine(), r.err());
    assertTrue(r.err().contains("a[b"), r.err());
  }

  private static byte[] marked(int[] bom, String text, Charset charset) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int b : bom) {
      out.write(b);
    }
    out.writeBytes(text.getBytes(charset));
    return out.toByteArray();
  }

  @Test
  void byteOrderMarks_chooseTheCharset_andAreNeverPartOfAWord() throws IOException {
    String text = "hello w\u00f6rld hello\r\n";
    Object[][] cases = {
      {new int[] {0xEF, 0xBB, 0xBF}, StandardCharsets.UTF_8},
      {new int[] {0xFF, 0xFE}, StandardCharsets.UTF_16LE},
      {new int[] {0xFE, 0xFF}, StandardCharsets.UTF_16BE},
      {new int[] {0xFF, 0xFE, 0, 0}, Charset.forName("UTF-32LE")},
      {new int[] {0, 0, 0xFE, 0xFF}, Charset.forName("UTF-32BE")},
    };
    int i = 0;
    for (Object[] c : cases) {
      Path file = write("bom" + i++ + ".txt", marked((int[]) c[0], text, (Charset) c[1]));
      for (String tokenizer : new String[] {"words", "space"}) {
        CliRun r = CliRun.run("wordcount", "--json", "--tokenizer", tokenizer, file.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("{\"word\":\"hello\",\"count\":2}"), c[1] + ": " + r.out());
        assertTrue(r.out().contains("\"distinct\":2,"), c[1] + ": " + r.out());
        assertTrue(r.out().contains("\"malformed\":0,"), c[1] + ": " + r.out());
      }
    }
  }

  @Test
  void explicitCharset_wins_butItsOwnMarkIsStillDropped() throws IOException {
    Path utf16 =
        write("le.txt", marked(new int[] {0xFF, 0xFE}, "hello hello\n", StandardCharsets.UTF_16LE));
    CliRun r = CliRun.run("wordcount", "--json", "--charset", "UTF-16LE", utf16.toString());
    assertTrue(r.out().contains("{\"word\":\"hello\",\"count\":2}"), r.out());
    assertTrue(r.out().contains("\"distinct\":1,"), r.out());
    Path utf8 = write("u.txt", marked(new int[] {0xEF, 0xBB, 0xBF}, "hello hello\n", UTF()));
    r = CliRun.run("wordcount", "--json", "--charset", "UTF-8", utf8.toString());
    assertTrue(r.out().contains("\"distinct\":1,"), r.out());
    // Read as ISO-8859-1, the UTF-8 mark is three characters of text: it is kept.
    r =
        CliRun.run(
            "wordcount",
            "--json",
            "--tokenizer",
            "space",
            "--charset",
            "ISO-8859-1",
            utf8.toString());
    assertTrue(r.out().contains("{\"word\":\"\u00ef\u00bb\u00bfhello\",\"count\":1}"), r.out());
  }

  @Test
  void explicitCharset_decidesWhetherAMarkedFileLooksBinary() throws IOException {
    // UTF-16 text has NUL bytes: read as UTF-16 (its mark, or --charset) it is text; --charset
    // UTF-8 wins over the mark, and as UTF-8 those bytes make it look binary (FileSelection's
    // rule).
    Path utf16 =
        write("le.txt", marked(new int[] {0xFF, 0xFE}, "hello hello\n", StandardCharsets.UTF_16LE));
    CliRun marked = CliRun.run("wordcount", "--json", utf16.toString());
    assertEquals(0, marked.status(), marked.err());
    assertTrue(marked.out().contains("{\"word\":\"hello\",\"count\":2}"), marked.out());
    CliRun utf8 = CliRun.run("wordcount", "--charset", "UTF-8", utf16.toString());
    assertEquals(Main.EXIT_USAGE, utf8.status());
    assertTrue(utf8.err().contains("skipped 1 binary file"), utf8.err());
  }

  private static Charset UTF() {
    return StandardCharsets.UTF_8;
  }

  @Test
  void standardInput_utf8Mark_isDropped() {
    byte[] in = marked(new int[] {0xEF, 0xBB, 0xBF}, "hello hello\n", StandardCharsets.UTF_8);
    CliRun r = CliRun.run(in, false, Long.MAX_VALUE, "wordcount", "--json", "-");
    assertTrue(r.out().contains("\"distinct\":1,"), r.out());
  }

  private Path gzip(String name, byte[] content) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
      out.write(content);
    }
    return p;
  }

  @Test
  void gzipFiles_areDecompressed_inParallelAcrossFiles() throws IOException {
    gzip("logs/a.log.gz", utf8("error disk full\n".repeat(1000)));
    gzip("logs/b.log.gz", utf8("error network\n".repeat(500)));
    write("logs/c.log", utf8("ok\n"));
    CliRun r = CliRun.run("wordcount", "--json", "--stats", dir.resolve("logs").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("{\"word\":\"error\",\"count\":1500}"), r.out());
    assertTrue(r.out().contains("\"lines\":1501,"), r.out());
    assertTrue(r.out().contains("\"files\":3,"), r.out());
  }

  @Test
  void aGzipFileCutShort_isToldApartFromOneThatIsNotGzip() throws IOException {
    byte[] bytes = Files.readAllBytes(gzip("ok.gz", utf8("word ".repeat(200_000) + "\n")));
    Path cut = write("cut.log.gz", Arrays.copyOf(bytes, 20)); // ends inside the first block
    Path plain = write("plain.log.gz", utf8("not gzip\n"));
    CliRun r = CliRun.run("wordcount", cut.toString());
    assertEquals(Main.EXIT_USAGE, r.status(), r.err());
    assertTrue(r.errIsOneLine(), r.err());
    assertTrue(r.err().contains("cut.log.gz") && r.err().contains("cut short"), r.err());
    assertFalse(r.err().contains("must be gzip"), r.err());
    r = CliRun.run("wordcount", plain.toString());
    assertEquals(Main.EXIT_USAGE, r.status(), r.err());
    assertTrue(r.err().contains("plain.log.gz") && r.err().contains("must be gzip"), r.err());
    assertFalse(r.err().contains("cut short"), r.err());
  }

  @Test
  void truncatedNonGzipOrAppendedGzipFile_failsNamingTheFile() throws IOException {
    Path good = gzip("ok.gz", utf8("word ".repeat(200_000) + "\n"));
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = write("truncated.log.gz", Arrays.copyOf(bytes, bytes.length / 2));
    Path notGzip = write("plain.log.gz", utf8("not gzip\n"));
    byte[] appendedBytes = Arrays.copyOf(bytes, bytes.length + 9);
    System.arraycopy(utf8("appended\n"), 0, appendedBytes, bytes.length, 9);
    Path appended = write("appended.log.gz", appendedBytes); // text written after rotation
    for (Path bad : new Path[] {truncated, notGzip, appended}) {
      CliRun r = CliRun.run("wordcount", bad.toString());
      assertEquals(Main.EXIT_USAGE, r.status(), r.err());
      assertTrue(r.errIsOneLine(), r.err());
      assertTrue(r.err().contains(bad.getFileName().toString()), r.err());
    }
  }
}
