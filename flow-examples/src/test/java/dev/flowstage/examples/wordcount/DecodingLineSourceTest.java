package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class DecodingLineSourceTest {

  private static List<String> lines(byte[] bytes, Charset charset, long[] malformed)
      throws IOException {
    List<String> out = new ArrayList<>();
    try (DecodingLineSource source =
        new DecodingLineSource(new ByteArrayInputStream(bytes), charset, n -> {})) {
      for (String line = source.nextLine(); line != null; line = source.nextLine()) {
        out.add(line);
      }
      malformed[0] = source.malformed();
    }
    return out;
  }

  @Test
  void nextLine_mixedTerminators_splitsOnNewlineAndDropsCarriageReturn() throws IOException {
    long[] malformed = new long[1];
    byte[] text = "one\r\ntwo\n\nthree".getBytes(StandardCharsets.UTF_8);
    assertEquals(
        List.of("one", "two", "", "three"), lines(text, StandardCharsets.UTF_8, malformed));
    assertEquals(0, malformed[0]);
  }

  @Test
  void nextLine_emptyInput_hasNoLines() throws IOException {
    assertEquals(List.of(), lines(new byte[0], StandardCharsets.UTF_8, new long[1]));
  }

  /** A byte order mark is not text: alone it makes no line, as a file that is only a mark. */
  @Test
  void nextLine_onlyAByteOrderMark_hasNoLines() throws IOException {
    byte[] mark = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    assertEquals(List.of(), lines(mark, StandardCharsets.UTF_8, new long[1]));
    byte[] markAndNewline = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '\n'};
    assertEquals(List.of(""), lines(markAndNewline, StandardCharsets.UTF_8, new long[1]));
  }

  @Test
  void nextLine_byteOrderMarkOnlyAtTheStart_isDropped() throws IOException {
    byte[] text = "\uFEFFa \uFEFFb\n\uFEFFc".getBytes(StandardCharsets.UTF_8);
    assertEquals(List.of("a \uFEFFb", "\uFEFFc"), lines(text, StandardCharsets.UTF_8, new long[1]));
  }

  @Test
  void nextLine_malformedBytes_areReplacedAndCounted() throws IOException {
    long[] malformed = new long[1];
    byte[] text = {'a', (byte) 0xFF, 'b', '\n', (byte) 0xC3, '\n', 'c', (byte) 0xE2, (byte) 0x82};
    assertEquals(
        List.of("a\uFFFDb", "\uFFFD", "c\uFFFD"), lines(text, StandardCharsets.UTF_8, malformed));
    assertEquals(3, malformed[0]);
  }

  @Test
  void nextLine_multiByteCharAcrossChunkBoundary_isDecodedWhole() throws IOException {
    // 65 535 ASCII bytes put the 3-byte '€' across the 64 KiB read boundary.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    String head = "x".repeat(65_535);
    bytes.writeBytes(head.getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes("€€€\nend".getBytes(StandardCharsets.UTF_8));
    long[] malformed = new long[1];
    assertEquals(
        List.of(head + "€€€", "end"),
        lines(bytes.toByteArray(), StandardCharsets.UTF_8, malformed));
    assertEquals(0, malformed[0]);
  }

  @Test
  void nextLine_latin1_decodesEveryByte() throws IOException {
    byte[] text = {'c', 'a', 'f', (byte) 0xE9};
    assertEquals(List.of("café"), lines(text, StandardCharsets.ISO_8859_1, new long[1]));
  }

  @Test
  void bytesRead_reportsEveryByte() throws IOException {
    byte[] text = "a\n".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    AtomicLong read = new AtomicLong();
    try (DecodingLineSource source =
        new DecodingLineSource(
            new ByteArrayInputStream(text), StandardCharsets.UTF_8, read::addAndGet)) {
      while (source.nextLine() != null) {
        // drain
      }
    }
    assertEquals(text.length, read.get());
  }
}
