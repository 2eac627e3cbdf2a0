package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class SampleTextTest {

  private static List<String> read(SampleText text, AtomicLong bytes) throws IOException {
    List<String> lines = new ArrayList<>();
    try (LineSource source = text.lines(bytes::addAndGet)) {
      for (String line = source.nextLine(); line != null; line = source.nextLine()) {
        lines.add(line);
      }
    }
    return lines;
  }

  @Test
  void lines_twice_areIdentical() throws IOException {
    SampleText text = SampleText.ofLines(500);
    assertEquals(read(text, new AtomicLong()), read(SampleText.ofLines(500), new AtomicLong()));
  }

  @Test
  void totalBytes_equalsUtf8SizeOfEveryLineWithNewline() throws IOException {
    SampleText text = SampleText.ofLines(1_000);
    AtomicLong reported = new AtomicLong();
    List<String> lines = read(text, reported);
    long expected = 0;
    for (String line : lines) {
      expected += line.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    assertEquals(1_000, lines.size());
    assertEquals(expected, text.totalBytes());
    assertEquals(expected, reported.get());
  }

  @Test
  void standard_isLargeEnoughToKeepCoresBusy() {
    assertTrue(SampleText.standard().totalBytes() > 10_000_000);
  }

  @Test
  void ofLines_zero_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> SampleText.ofLines(0));
  }
}
