package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Flow.fromFiles} of a named file that is not a regular file: a pipe such as bash's {@code
 * <(command)}, a FIFO, {@code /dev/stdin}. It is one range read as a stream, its byte order mark
 * and binary check decided as it is read, with the lines of the same bytes in a regular file. FIFOs
 * made with {@code mkfifo} stand for pipes (skipped where there is none).
 */
final class FromFilesPipeTest {
  @TempDir Path dir;

  private Fifos fifos;

  @BeforeEach
  void fifos() {
    fifos = new Fifos(dir);
  }

  /** Every writer wrote all its bytes: the flow read each FIFO to its end. */
  @AfterEach
  void writersDone() throws Exception {
    fifos.awaitWriters();
  }

  private Path fifo(String name, byte[] bytes) throws IOException, InterruptedException {
    return fifos.make(name, bytes);
  }

  private static List<String> sorted(List<String> lines) {
    List<String> copy = new ArrayList<>(lines);
    copy.sort(null);
    return copy;
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /**
   * A pipe left out as binary is counted in the statistics as a regular file is, though only its
   * reader, as it opens it, can look at its first block.
   */
  @Test
  void aBinaryPipe_leftOutOnRequest_isCountedAmongTheSkippedFiles() throws Exception {
    Path pipe = fifo("image.pipe", new byte[] {'x', 0, 'y', '\n'});
    Path bin = Files.write(dir.resolve("image.bin"), new byte[] {'x', 0, 'y', '\n'});
    Path text = Files.writeString(dir.resolve("a.txt"), "one\n");
    RunningFlow<List<String>> run =
        Flow.fromFiles(List.of(pipe, bin, text), o -> o, f -> f.includeBinary(false))
            .start(java.util.stream.Collectors.toList());
    assertEquals(List.of("one"), run.await());
    assertEquals(java.util.Map.of("binary", 2L), run.statistics().skippedFiles());
  }

  @Test
  void aPipeBesideAFile_givesTheLinesOfTheSameBytesInAFile() throws Exception {
    StringBuilder text = new StringBuilder("\uFEFF"); // a UTF-8 mark, dropped as in a file
    for (int i = 0; i < 50_000; i++) {
      text.append("line ").append(i).append(i % 7 == 0 ? "\r\n" : "\n");
    }
    text.append("last, no newline");
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    Path plain = Files.writeString(dir.resolve("plain.txt"), "one\ntwo\n");
    Path same = Files.write(dir.resolve("same.txt"), bytes);
    Path pipe = fifo("lines.pipe", bytes);

    List<String> fromPipe =
        Flow.fromFiles(List.of(plain, pipe), o -> o.stages(3).splitBytes(4096)).toList();
    List<String> fromFiles =
        Flow.fromFiles(List.of(plain, same), o -> o.stages(3).splitBytes(4096)).toList();

    assertEquals(50_003, fromPipe.size());
    assertEquals(sorted(fromFiles), sorted(fromPipe));
  }

  @Test
  void aPipe_markChoosesItsCharset_gzNameIsGunzipped_andBinaryIsSkipped() throws Exception {
    Path utf16 = fifo("utf16.pipe", "caf\u00e9 au lait\n".getBytes(StandardCharsets.UTF_16));
    assertEquals(List.of("caf\u00e9 au lait"), Flow.fromFiles(utf16).toList());

    Path gz = fifo("text.gz", gzip("a b\nc\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals(List.of("a b", "c"), Flow.fromFiles(gz).toList());

    byte[] binary = {'a', 0, 'b', '\n'};
    Path skipped = fifo("skipped.bin", binary);
    assertEquals(
        List.of(), Flow.fromFiles(List.of(skipped), o -> o, f -> f.includeBinary(false)).toList());
    Path kept = fifo("kept.bin", binary);
    assertEquals(List.of("a\0b"), Flow.fromFiles(kept).toList()); // includeBinary by default
  }

  /** Counted on the plan as written (a pipe's charset is known only once read), same counts. */
  @Test
  void frequenciesOfAPipe_countAsTheSameFileDoes() throws Exception {
    byte[] bytes = "the cat and the dog\nthe end\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    Path pipe = fifo("words.pipe", bytes);
    Path same = Files.write(dir.resolve("words.txt"), bytes);
    Flow<KeyCount<String>> overPipe = Flow.fromFiles(pipe).flatMap(Tokenizer.SPACE).frequencies();
    assertFalse(overPipe.graph().toText().contains("fused word count"), overPipe.graph().toText());
    assertEquals(
        counts(Flow.fromFiles(same).flatMap(Tokenizer.SPACE).frequencies().toList()),
        counts(overPipe.toList()));
  }

  @Test
  void aPipeWithALineOverTheBound_failsNamingIt() throws Exception {
    Path pipe = fifo("long.pipe", ("x".repeat(5000) + "\n").getBytes(StandardCharsets.UTF_8));
    Flow<String> flow = Flow.fromFiles(List.of(pipe), o -> o, f -> f.maxLineBytes(1000));
    FlowException e = assertThrows(FlowException.class, flow::toList);
    StringBuilder m = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      m.append(t.getMessage()).append(" | ");
    }
    assertTrue(m.toString().contains("long.pipe"), m.toString());
    assertTrue(m.toString().contains("longer than 1000 bytes"), m.toString());
  }

  @Test
  void aMissingPath_failsNamingIt() {
    Path missing = dir.resolve("missing.txt");
    RuntimeException e =
        assertThrows(RuntimeException.class, () -> Flow.fromFiles(missing).toList());
    StringBuilder m = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      m.append(t.getMessage()).append(" | ");
    }
    assertTrue(m.toString().contains(missing.toString()), m.toString());
  }

  private static Map<String, Long> counts(List<KeyCount<String>> counts) {
    Map<String, Long> m = new TreeMap<>();
    counts.forEach(kc -> m.put(kc.key(), kc.count()));
    return m;
  }
}
