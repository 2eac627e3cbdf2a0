package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Fifos;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowstage wordcount} over named files that are not regular files: pipes such as bash's
 * {@code <(zcat a.gz)}, FIFOs. Each is read once, as standard input is, with the results of the
 * same bytes in a regular file. FIFOs made with {@code mkfifo} stand for them (skipped where there
 * is no {@code mkfifo}).
 */
final class NamedStreamTest {
  @TempDir Path dir;

  private Fifos fifos;

  @BeforeEach
  void fifos() {
    fifos = new Fifos(dir);
  }

  private Path fifo(String name, byte[] bytes) throws IOException, InterruptedException {
    return fifos.make(name, bytes);
  }

  private void writersDone() throws Exception {
    fifos.awaitWriters();
  }

  private static String withoutTime(String json) {
    return json.replaceAll("\"elapsedMs\":\\d+", "");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void pipesBesideAFile_countAsTheSameBytesInFiles_onTheBytePath() throws Exception {
    byte[] a = utf8("alpha beta\nbeta\n".repeat(20_000));
    byte[] b = utf8("gamma alpha\r\nbeta caf\u00e9");
    byte[] c = utf8("delta\n");
    Path file = Files.write(dir.resolve("c.txt"), c);
    Path pipeA = fifo("a.pipe", a);
    Path pipeB = fifo("b.pipe", b);

    CliRun pipes =
        CliRun.run(
            "wordcount",
            "--json",
            "--stages",
            "2",
            pipeA.toString(),
            file.toString(),
            pipeB.toString());
    writersDone();
    CliRun files =
        CliRun.run(
            "wordcount",
            "--json",
            "--stages",
            "2",
            Files.write(dir.resolve("a.txt"), a).toString(),
            file.toString(),
            Files.write(dir.resolve("b.txt"), b).toString());

    assertEquals(0, pipes.status(), pipes.err());
    assertEquals(withoutTime(files.out()), withoutTime(pipes.out()));
    assertTrue(pipes.out().contains("{\"word\":\"beta\",\"count\":40001}"), pipes.out());
  }

  @Test
  void aPipeAlone_inACharsetOfTheLinePath_andGunzippedWhenNamedGz() throws Exception {
    String text = "one two\ntwo three three\n";
    Path utf16 = fifo("text.pipe", text.getBytes(StandardCharsets.UTF_16));
    CliRun lines = CliRun.run("wordcount", "--json", "--charset", "UTF-16", utf16.toString());
    Path gz = fifo("text.gz", gzip(utf8(text)));
    CliRun gunzipped = CliRun.run("wordcount", "--json", gz.toString());
    writersDone();

    for (CliRun r : List.of(lines, gunzipped)) {
      assertEquals(0, r.status(), r.err());
      assertTrue(r.out().contains("{\"word\":\"three\",\"count\":2}"), r.out());
      assertTrue(r.out().contains("\"words\":5,"), r.out());
    }
  }

  @Test
  void aPipeNamedGz_thatIsNotGzip_failsNamingIt() throws Exception {
    Path bad = fifo("bad.gz", utf8("plain text, not gzip\n"));
    CliRun r = CliRun.run("wordcount", bad.toString());
    writersDone();
    assertEquals(Main.EXIT_USAGE, r.status(), r.out());
    assertTrue(r.errIsOneLine(), r.err());
    assertTrue(r.err().contains(bad.toString()), r.err());
    assertTrue(r.err().contains("not in gzip format"), r.err());
  }
}
