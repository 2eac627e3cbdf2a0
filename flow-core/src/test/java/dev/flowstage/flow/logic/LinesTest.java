package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The line rules of {@link Lines}, the same in one-byte-newline charsets and in UTF-16. */
class LinesTest {
  private static List<String> lines(byte[] bytes, Charset cs, long[] malformed) throws IOException {
    List<String> out = new ArrayList<>();
    try (Lines lines = new Lines(new ByteArrayInputStream(bytes), cs)) {
      for (String l = lines.next(); l != null; l = lines.next()) {
        out.add(l);
      }
      malformed[0] = lines.malformed();
    }
    return out;
  }

  @Test
  void onlyNewlineEndsALineAndOneTrailingCarriageReturnIsDropped() throws IOException {
    String text = "a\rb\r\n\r\r\n\nlast";
    List<String> expected = List.of("a\rb", "\r", "", "last");
    for (Charset cs :
        List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1, StandardCharsets.UTF_16LE)) {
      long[] malformed = new long[1];
      assertEquals(expected, lines(text.getBytes(cs), cs, malformed), cs.name());
      assertEquals(0, malformed[0], cs.name());
    }
  }

  @Test
  void malformedSequencesAreReplacedAndCounted() throws IOException {
    byte[] bytes = {'a', (byte) 0xFF, 'b', '\n', (byte) 0xC3, '\r', '\n', 'c', (byte) 0xE2};
    long[] malformed = new long[1];
    assertEquals(
        List.of("a\uFFFDb", "\uFFFD", "c\uFFFD"), lines(bytes, StandardCharsets.UTF_8, malformed));
    assertEquals(3, malformed[0]);
  }
}
