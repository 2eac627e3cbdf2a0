package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.FileOptions;
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

  private static List<String> opened(byte[] bytes, String name, FileOptions options)
      throws IOException {
    List<String> out = new ArrayList<>();
    try (Lines lines =
        Lines.open(new ByteArrayInputStream(bytes), name, StandardCharsets.UTF_8, options)) {
      for (String l = lines.next(); l != null; l = lines.next()) {
        out.add(l);
      }
    }
    return out;
  }

  @Test
  void open_appliesTheFileOptionsAsTheLocalSource() throws IOException {
    byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', '\n', 'b'};
    FileOptions defaults = FileOptions.defaults();
    assertEquals(List.of("a", "b"), opened(bom, "f.txt", defaults));
    // Without detection the UTF-8 mark is still this charset's own: skipped.
    assertEquals(List.of("a", "b"), opened(bom, "f.txt", defaults.charsetFromBom(false)));
    byte[] binary = {'a', 0, '\n', 'b'};
    assertEquals(List.of("a\0", "b"), opened(binary, "f.bin", defaults));
    assertEquals(List.of(), opened(binary, "f.bin", defaults.includeBinary(false)));
    byte[] notGzip = "plain\n".getBytes(StandardCharsets.UTF_8);
    assertEquals(List.of("plain"), opened(notGzip, "f.gz", defaults.decompress(false)));
    assertThrows(IOException.class, () -> opened(notGzip, "f.gz", defaults));
  }

  @Test
  void open_lineLongerThanMaxLineBytes_failsWithTheOffset() throws IOException {
    byte[] bytes = ("ok\n" + "x".repeat(100) + "\r\nend").getBytes(StandardCharsets.UTF_8);
    // The bound is on the line without its terminator: 100 bytes fit in 100.
    assertEquals(
        List.of("ok", "x".repeat(100), "end"),
        opened(bytes, "f.txt", FileOptions.defaults().maxLineBytes(100)));
    IOException e =
        assertThrows(
            IOException.class,
            () -> opened(bytes, "f.txt", FileOptions.defaults().maxLineBytes(99)));
    assertEquals(
        "a line longer than 99 bytes at offset 3 of f.txt; raise FileOptions.maxLineBytes (up to "
            + FileOptions.MAX_LINE_BYTES
            + ") if such lines are expected",
        e.getMessage());
  }

  /** Positional reads of {@code bytes}, as a file channel gives them: each at the offset asked. */
  private static Lines range(byte[] bytes, long offset, int maxLineBytes) {
    Lines.Source source =
        (into, from, len, at) -> {
          if (at >= bytes.length) {
            return -1;
          }
          int n = (int) Math.min(len, bytes.length - at);
          System.arraycopy(bytes, (int) at, into, from, n);
          return n;
        };
    return Lines.ofRange(source, () -> {}, StandardCharsets.UTF_8, "f.txt", maxLineBytes, offset);
  }

  @Test
  void ofRange_readsFromItsOffset_skipLineLeavesTheLineItStartsIn() throws IOException {
    byte[] bytes = "aa\nbbb\ncc".getBytes(StandardCharsets.UTF_8);
    try (Lines lines = range(bytes, 4, 100)) { // inside "bbb"
      assertTrue(lines.skipLine(1000));
      assertEquals(7, lines.position());
      assertEquals("cc", lines.next());
      assertNull(lines.next());
    }
    try (Lines lines = range(bytes, 2, 100)) { // on the \n before "bbb": that line is the next
      assertTrue(lines.skipLine(1000));
      assertEquals(3, lines.position());
      assertEquals("bbb", lines.next());
      assertEquals(7, lines.position());
    }
    try (Lines lines = range(bytes, 9, 100)) { // inside the last line: nothing left
      assertFalse(lines.skipLine(1000));
      assertNull(lines.next());
    }
  }

  @Test
  void skipLine_readsNoFurtherThanItsLimit() throws IOException {
    // Longer than the 64 KiB buffer: the \n is not in the first read.
    byte[] bytes = ("x".repeat(200_000) + "\nnext").getBytes(StandardCharsets.UTF_8);
    try (Lines lines = range(bytes, 1, 1000)) {
      assertFalse(lines.skipLine(1000));
    }
    try (Lines lines = range(bytes, 1, 1000)) {
      assertTrue(lines.skipLine(300_000));
      assertEquals("next", lines.next());
    }
  }

  @Test
  void ofRange_refusesACharsetWhereNewlineIsNotOneByte() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Lines.ofRange(
                    (into, from, len, at) -> -1,
                    () -> {},
                    StandardCharsets.UTF_16LE,
                    "f.txt",
                    100,
                    0));
    assertTrue(e.getMessage().contains("UTF-16LE"), e.getMessage());
  }

  @Test
  void utf16_lineLongerThanTheCharBuffer_comesBackWhole_andTheBoundCountsAcrossBuffers()
      throws IOException {
    String longLine = "y".repeat(70_000); // more than one 64 Ki-char read
    byte[] bytes = ("ok\n" + longLine + "\r\nend").getBytes(StandardCharsets.UTF_16LE);
    List<String> out = new ArrayList<>();
    try (Lines lines =
        Lines.ofStream(
            new ByteArrayInputStream(bytes),
            StandardCharsets.UTF_16LE,
            "f.txt",
            1 << 20,
            0,
            false)) {
      for (String l = lines.next(); l != null; l = lines.next()) {
        out.add(l);
      }
    }
    assertEquals(List.of("ok", longLine, "end"), out);
    IOException e =
        assertThrows(
            IOException.class,
            () -> {
              try (Lines lines =
                  Lines.ofStream(
                      new ByteArrayInputStream(bytes),
                      StandardCharsets.UTF_16LE,
                      "f.txt",
                      100_000,
                      0,
                      false)) {
                while (lines.next() != null) {
                  // read to the too long line
                }
              }
            });
    assertTrue(
        e.getMessage().startsWith("a line longer than 100000 bytes (line 2) of f.txt"),
        e.getMessage());
  }

  private static Lines readAll(byte[] bytes, String name) throws IOException {
    Lines lines =
        Lines.open(
            new ByteArrayInputStream(bytes), name, StandardCharsets.UTF_8, FileOptions.defaults());
    while (lines.next() != null) {
      // read to the end
    }
    return lines;
  }

  /** A whole file read to its end is checked against the size it was listed at. */
  @Test
  void checkListedSize_endedBeforeTheListedSize_failsAsShrank() throws IOException {
    byte[] text = "one two\nthree\n".getBytes(StandardCharsets.UTF_8);
    try (Lines lines = readAll(text, "a.txt")) {
      lines.checkListedSize(text.length); // as listed: fine
      lines.checkListedSize(text.length - 1); // grew since: read to its end, fine
      IOException e = assertThrows(IOException.class, () -> lines.checkListedSize(100));
      assertTrue(e.getMessage().contains("shrank while being read"), e.getMessage());
      assertTrue(e.getMessage().contains("byte 100"), e.getMessage());
    }
  }

  /** A file skipped as binary reads nothing on purpose: not a shrunk file. */
  @Test
  void checkListedSize_binaryFileSkipped_isNotShrank() throws IOException {
    byte[] binary = {'a', 0, 'b', '\n'};
    try (Lines lines = readAll(binary, "b.bin")) {
      lines.checkListedSize(binary.length);
    }
  }
}
