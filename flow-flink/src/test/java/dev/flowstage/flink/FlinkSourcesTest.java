package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.RunningFlow;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real sources and sinks: files through Flink's file systems with the local line rules, a Flink
 * {@code DataStream} as the input, and the result handed on as a {@code DataStream}.
 */
final class FlinkSourcesTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final byte[][] PIECES = {
    "a".getBytes(),
    "b c".getBytes(),
    " ".getBytes(),
    "\n".getBytes(),
    "\r\n".getBytes(),
    "\r".getBytes(),
    {(byte) 0xFF},
    {(byte) 0xC3},
    "\u00e9".getBytes(),
    "\n\n".getBytes()
  };

  /** Seeded bytes made of words, every kind of line end, lone {@code \r} and malformed bytes. */
  private static byte[] randomBytes(Random random, int pieces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < pieces; i++) {
      out.writeBytes(PIECES[random.nextInt(PIECES.length)]);
    }
    return out.toByteArray();
  }

  private static StreamExecutionEnvironment env() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  private static <T> List<T> sorted(List<T> events) {
    List<T> s = new ArrayList<>(events);
    s.sort(null);
    return s;
  }

  @Test
  void randomFiles_linesAndMalformedCount_sameAsLocal(@TempDir Path dir) throws Exception {
    Random random = new Random(11);
    for (int f = 0; f < 4; f++) {
      Files.write(dir.resolve((f == 0 ? ".hidden" : "f") + f), randomBytes(random, 200));
    }
    Files.write(dir.resolve("edge"), "a b\rc\r\nlast\r".getBytes());
    RunningFlow<List<String>> local = Flow.fromFiles(dir).map(s -> s).start(Collectors.toList());
    List<String> localLines = sorted(local.await());
    long localMalformed = local.statistics().malformedInput();
    assertTrue(localMalformed > 0, "the generated files hold malformed bytes");
    assertTrue(localLines.contains("a b\rc"), "a lone \\r does not end a line");

    FlinkFlows.Result<String> viaUri =
        FlinkFlows.run(env(), FlinkFlows.fromFiles(List.of(dir.toUri().toString())));
    assertEquals(localLines, sorted(viaUri.events()));
    assertEquals(localMalformed, viaUri.malformedInput());

    FlinkFlows.Result<String> viaPath = FlinkFlows.run(env(), Flow.fromFiles(dir).map(s -> s));
    assertEquals(localLines, sorted(viaPath.events()));
    assertEquals(localMalformed, viaPath.malformedInput());
  }

  @Test
  void byteOrderMarksAndGzip_sameAsLocal(@TempDir Path dir) throws Exception {
    Random random = new Random(12);
    Files.write(
        dir.resolve("utf8bom"),
        concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, randomBytes(random, 100)));
    byte[] utf16 = "bom first\r\nx\ry\n".getBytes(StandardCharsets.UTF_16LE);
    Files.write(dir.resolve("utf16"), concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, utf16));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(
          concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "zipped\r\nlines".getBytes()));
      out.write(randomBytes(random, 100));
    }
    Files.write(dir.resolve("z.gz"), gz.toByteArray());
    RunningFlow<List<String>> local = Flow.fromFiles(dir).map(s -> s).start(Collectors.toList());
    List<String> localLines = sorted(local.await());
    assertTrue(localLines.contains("bom first"), "the UTF-16 mark chose the charset");
    assertTrue(localLines.contains("zipped"), "the .gz file was decompressed");
    assertTrue(localLines.stream().noneMatch(l -> l.startsWith("\uFEFF")), "marks are dropped");

    FlinkFlows.Result<String> flink = FlinkFlows.run(env(), Flow.fromFiles(dir).map(s -> s));
    assertEquals(localLines, sorted(flink.events()));
    assertEquals(local.statistics().malformedInput(), flink.malformedInput());
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void dataStreamInAndOut_wordCountLikeLocal() throws Exception {
    List<String> lines = List.of("a b", "b c", "c c");
    StreamExecutionEnvironment env = env();
    DataStream<String> in = env.fromData(lines, Types.STRING);
    Flow<Map<String, Long>> counts =
        FlinkFlows.fromDataStream(in, o -> o.stages(2))
            .flatMap(l -> List.of(l.split(" ")))
            .partition(o -> o.stages(2))
            .reduce(
                HashMap<String, Long>::new,
                (m, w) -> {
                  m.merge(w, 1L, Long::sum);
                  return m;
                });
    DataStream<Map<String, Long>> out = FlinkFlows.toDataStream(env, counts);
    List<String> flink =
        out.flatMap(
                (Map<String, Long> m, org.apache.flink.util.Collector<String> c) ->
                    m.forEach((w, n) -> c.collect(w + "=" + n)))
            .returns(Types.STRING)
            .executeAndCollect(100);
    assertEquals(List.of("a=1", "b=2", "c=3"), sorted(flink));

    UnsupportedOperationException local =
        assertThrows(UnsupportedOperationException.class, () -> counts.toList());
    assertTrue(local.getMessage().contains("FlinkFlows"), local.getMessage());
  }

  @Test
  void dataStreamOfAnotherEnvironment_rejectedAtBuild() {
    DataStream<String> in = env().fromData(List.of("a"), Types.STRING);
    StreamExecutionEnvironment other = StreamExecutionEnvironment.getExecutionEnvironment();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FlinkFlows.toDataStream(other, FlinkFlows.fromDataStream(in)));
    assertTrue(e.getMessage().contains("another StreamExecutionEnvironment"), e.getMessage());
  }
}
