package dev.flowstage.flow.logic.words;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte path's reading stages: their settings, counters and functions, also serialized. */
final class ByteReadingTest {
  @TempDir Path dir;

  private static ByteReading reading(
      String charset, int flushAt, LongAdder lines, LongAdder malformed, LongAdder progress) {
    return new ByteReading(
        charset,
        Tokenizer.SPACE,
        2,
        flushAt,
        5,
        ByteWordCounts.NO_LINE_BOUND,
        lines,
        malformed,
        progress);
  }

  /** Runs the three functions over the chunks of a file as a reading stage does. */
  private static Map<String, Long> count(
      ByteReading reading,
      SerializableBiFunction<ByteChunk, ByteWordCounts, TriggerResult<Shard, ByteWordCounts>> read,
      SerializableBiFunction<ByteWordCounts, Trigger, TriggerResult<Shard, ByteWordCounts>> drain,
      Path file) {
    List<Shard> shards = new ArrayList<>();
    ByteWordCounts counts = reading.get();
    for (FileChunk chunk : FileChunk.split(List.of(file), 7)) {
      TriggerResult<Shard, ByteWordCounts> r = read.apply(chunk, counts);
      shards.addAll(r.events());
      counts = r.accumulator();
    }
    shards.addAll(
        drain.apply(counts, new Trigger(Trigger.DONE, Window.Kind.GLOBAL, 0, 0, 1)).events());
    Map<String, Long> seen = new HashMap<>();
    for (Shard shard : shards) {
      shard.forEach((word, n) -> seen.merge(word, n, Long::sum));
    }
    return seen;
  }

  private Path text() throws IOException {
    Path file = dir.resolve("text.txt");
    Files.write(
        file,
        "a bb a ccc\nbb a \u00e9t\u00e9 x\n"
            .concat("\u00e9t\u00e9 x ok")
            .getBytes(StandardCharsets.UTF_8));
    Files.write(file, new byte[] {' ', (byte) 0xFF, '\n'}, java.nio.file.StandardOpenOption.APPEND);
    return file;
  }

  private static final Map<String, Long> EXPECTED =
      Map.of("a", 3L, "bb", 2L, "ccc", 1L, "\u00e9t\u00e9", 2L, "x", 2L, "ok", 1L, "\ufffd", 1L);

  @Test
  void functions_givenCounters_countTheWordsLinesBytesAndMalformedInput() throws IOException {
    Path file = text();
    LongAdder lines = new LongAdder();
    LongAdder malformed = new LongAdder();
    LongAdder progress = new LongAdder();
    ByteReading reading = reading("UTF-8", 2, lines, malformed, progress);

    assertEquals(EXPECTED, count(reading, ByteReading.reducer(), ByteReading.onTrigger(), file));
    assertEquals(3, lines.sum());
    assertEquals(1, malformed.sum());
    assertEquals(Files.size(file), progress.sum());
  }

  @Test
  void functions_absentCounters_countTheSameWords() throws IOException {
    ByteReading reading = reading("UTF-8", 2, null, null, null);

    assertEquals(EXPECTED, count(reading, ByteReading.reducer(), ByteReading.onTrigger(), text()));
  }

  @Test
  void serialized_countsAsTheOriginalAndKeepsTheSameFunctions() throws Exception {
    LongAdder malformed = new LongAdder();
    ByteReading copy = roundTrip(reading("ISO-8859-1", 1, null, malformed, null));
    Object read = roundTrip(ByteReading.reducer());
    Object drain = roundTrip(ByteReading.onTrigger());

    assertEquals("ISO-8859-1", copy.charset());
    assertSame(ByteReading.reducer(), read);
    assertSame(ByteReading.onTrigger(), drain);
    Path file = dir.resolve("latin1.txt");
    Files.write(file, "caf\u00e9 caf\u00e9 a\n".getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(
        Map.of("caf\u00e9", 2L, "a", 1L),
        count(copy, ByteReading.reducer(), ByteReading.onTrigger(), file));
  }

  @Test
  void new_unsupportedCharsetOrBound_isRejectedWhenThePlanIsBuilt() {
    IllegalArgumentException charset =
        assertThrows(IllegalArgumentException.class, () -> reading("UTF-16", 1, null, null, null));
    assertTrue(charset.getMessage().contains("UTF-8"), charset.getMessage());
    IllegalArgumentException flush =
        assertThrows(IllegalArgumentException.class, () -> reading("UTF-8", 0, null, null, null));
    assertTrue(flush.getMessage().contains("flushAt"), flush.getMessage());
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }
}
