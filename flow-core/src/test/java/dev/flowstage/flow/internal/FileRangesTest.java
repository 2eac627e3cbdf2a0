package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

final class FileRangesTest {
  @TempDir Path dir;

  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 40));
  }

  private static List<Object> readAll(List<FileRanges.Range> ranges, Charset cs, long[] malformed)
      throws IOException {
    List<Object> lines = new ArrayList<>();
    for (FileRanges.Range r : ranges) {
      try (LineReader reader = new LineReader(r)) {
        while (!reader.done()) {
          reader.read(lines, 7);
        }
        malformed[0] += reader.malformed();
      }
    }
    return lines;
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void split_randomFileAndRangeSize_readsEveryLineOnceInOrder(long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    StringBuilder sb = new StringBuilder();
    List<String> expected = new ArrayList<>();
    int lines = rnd.nextInt(0, 300);
    for (int i = 0; i < lines; i++) {
      int len = rnd.nextInt(0, rnd.nextBoolean() ? 5 : 200);
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < len; c++) {
        line.append(rnd.nextInt(10) == 0 ? 'é' : (char) ('a' + rnd.nextInt(26)));
      }
      expected.add(line.toString());
      sb.append(line).append(rnd.nextInt(5) == 0 ? "\r\n" : "\n");
    }
    if (lines > 0 && !expected.get(lines - 1).isEmpty() && rnd.nextBoolean()) {
      sb.setLength(sb.length() - 1); // no final newline
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\r') {
        sb.setLength(sb.length() - 1);
      }
    }
    Path file = Files.writeString(dir.resolve("f" + seed + ".txt"), sb, StandardCharsets.UTF_8);
    long split = rnd.nextLong(1, 2_000);
    List<FileRanges.Range> ranges =
        FileRanges.split(List.of(file.toString()), split, StandardCharsets.UTF_8);
    long[] malformed = new long[1];
    List<Object> actual = readAll(ranges, StandardCharsets.UTF_8, malformed);
    assertTrue(expected.equals(actual), "seed " + seed + ": lines differ, split " + split);
    assertEquals(0, malformed[0]);
  }

  @Test
  void malformedUtf8_isReplacedAndCounted() throws IOException {
    byte[] bytes = {'a', (byte) 0xC3, '\n', (byte) 0xFF, (byte) 0xFE, 'b', '\n', 'c', '\n'};
    Path file = Files.write(dir.resolve("bad.txt"), bytes);
    long[] malformed = new long[1];
    List<FileRanges.Range> ranges =
        FileRanges.split(List.of(file.toString()), 3, StandardCharsets.UTF_8);
    List<Object> lines = readAll(ranges, StandardCharsets.UTF_8, malformed);
    assertEquals(List.of("a\uFFFD", "\uFFFD\uFFFDb", "c"), lines);
    assertEquals(3, malformed[0]);
  }

  @Test
  void utf16_isNotSplitAndDecodes() throws IOException {
    Path file = Files.writeString(dir.resolve("u16.txt"), "x\ny\nzz\n", StandardCharsets.UTF_16);
    List<FileRanges.Range> ranges =
        FileRanges.split(List.of(file.toString()), 2, StandardCharsets.UTF_16);
    assertEquals(1, ranges.size());
    assertEquals(List.of("x", "y", "zz"), readAll(ranges, StandardCharsets.UTF_16, new long[1]));
  }

  @Test
  void directory_isWalkedInPathOrderAndEmptyFilesSkipped() throws IOException {
    Path sub = Files.createDirectories(dir.resolve("d/sub"));
    Files.writeString(dir.resolve("d/b.txt"), "b1\nb2\n");
    Files.writeString(sub.resolve("a.txt"), "a1\n");
    Files.writeString(dir.resolve("d/empty.txt"), "");
    List<FileRanges.Range> ranges =
        FileRanges.split(
            List.of(dir.resolve("d").toString()), 1 << 20, StandardCharsets.ISO_8859_1);
    assertEquals(2, ranges.size());
    assertEquals(
        List.of("b1", "b2", "a1"), readAll(ranges, StandardCharsets.ISO_8859_1, new long[1]));
  }

  @Test
  void lineLongerThanBuffer_isReadWhole() throws IOException {
    String longLine = "x".repeat(200_000);
    Path file = Files.writeString(dir.resolve("long.txt"), "a\n" + longLine + "\nb\n");
    List<FileRanges.Range> ranges =
        FileRanges.split(List.of(file.toString()), 50_000, StandardCharsets.UTF_8);
    assertTrue(ranges.size() > 1);
    assertEquals(List.of("a", longLine, "b"), readAll(ranges, StandardCharsets.UTF_8, new long[1]));
  }

  /** A range whose file is cut short between two reads fails naming the file. */
  @Test
  void lineReader_fileTruncatedBetweenReads_failsNamingIt() throws IOException {
    Path file = dir.resolve("cut.log");
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 20_000; i++) {
      text.append("line ").append(i).append('\n');
    }
    Files.writeString(file, text); // larger than one 64 KiB read
    long size = Files.size(file);
    try (LineReader reader =
        new LineReader(new FileRanges.Range(file, 0, size, StandardCharsets.UTF_8))) {
      List<Object> lines = new ArrayList<>();
      reader.read(lines, 10);
      try (var ch =
          java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(size / 2);
      }
      IOException e =
          org.junit.jupiter.api.Assertions.assertThrows(
              IOException.class,
              () -> {
                while (!reader.done()) {
                  reader.read(lines, 1000);
                }
              });
      assertTrue(e.getMessage().contains("the file shrank while being read"), e.getMessage());
    }
  }

  /** A range of a file that did not change reads to its end without a complaint. */
  @Test
  void lineReader_unchangedFileWithoutLastNewline_readsToTheEnd() throws IOException {
    Path file = dir.resolve("whole.log");
    Files.writeString(file, "a\nb\nlast without newline");
    List<Object> lines = new ArrayList<>();
    try (LineReader reader =
        new LineReader(new FileRanges.Range(file, 0, Files.size(file), StandardCharsets.UTF_8))) {
      while (!reader.done()) {
        reader.read(lines, 1000);
      }
    }
    assertEquals(List.of("a", "b", "last without newline"), lines);
  }
}
