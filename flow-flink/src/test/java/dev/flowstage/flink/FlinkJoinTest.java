package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.Window;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code boundedJoin} and {@code windowJoin} run flow-core's JoinLogic in a two-input operator. */
final class FlinkJoinTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static List<Integer> ints(long seed, int n) {
    Random r = new Random(seed);
    List<Integer> l = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(r.nextInt(40));
    }
    return l;
  }

  private static void assertSameAsLocal(Flow<?> flow) throws Exception {
    List<String> local = new ArrayList<>();
    flow.toList().forEach(e -> local.add(String.valueOf(e)));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    List<String> flink = new ArrayList<>();
    FlinkFlows.collect(env, flow).forEach(e -> flink.add(String.valueOf(e)));
    local.sort(null);
    flink.sort(null);
    assertFalse(local.isEmpty());
    assertEquals(local, flink);
  }

  @ParameterizedTest
  @EnumSource(JoinMode.class)
  void boundedJoin_everyMode_sameRowsAsLocal(JoinMode mode) throws Exception {
    Flow<Integer> left = Flow.fromEnumerable(ints(1, 80), o -> o.stages(1));
    Flow<Integer> right = Flow.fromEnumerable(ints(2, 60), o -> o.stages(1));
    assertSameAsLocal(
        Flow.boundedJoin(
                mode,
                left,
                right,
                l -> l % 10,
                r -> r % 10,
                (l, r) -> l + "-" + r,
                10_000,
                o -> o.stages(2))
            .map(s -> "row " + s));
  }

  @ParameterizedTest
  @EnumSource(
      value = JoinMode.class,
      names = {"INNER", "FULL_OUTER"})
  void windowJoin_orderedSides_sameRowsAsLocal(JoinMode mode) throws Exception {
    // Event time = the position in each side, so each side is in time order on both runtimes.
    List<Integer> ls = ints(3, 50);
    List<Integer> rs = ints(4, 50);
    List<int[]> left = new ArrayList<>();
    List<int[]> right = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      left.add(new int[] {i, ls.get(i)});
      right.add(new int[] {i, rs.get(i)});
    }
    assertSameAsLocal(
        byTime(
            mode,
            Flow.fromEnumerable(left, o -> o.stages(1)),
            Flow.fromEnumerable(right, o -> o.stages(1))));
  }

  /**
   * A window join of {@code [time, value]} events in 100 ms windows of {@code time * 10} ms, keyed
   * by {@code value % 5}, in two stages.
   */
  private static Flow<String> byTime(JoinMode mode, Flow<int[]> left, Flow<int[]> right) {
    return Flow.windowJoin(
        mode,
        left,
        right,
        Window.fixed(Duration.ofMillis(100), e -> ((int[]) e)[0] * 10L),
        l -> l[1] % 5,
        r -> r[1] % 5,
        (l, r) ->
            (l == null ? "-" : l[0] + ":" + l[1]) + "|" + (r == null ? "-" : r[0] + ":" + r[1]),
        10_000,
        o -> o.stages(2));
  }

  @ParameterizedTest
  @EnumSource(
      value = JoinMode.class,
      names = {"INNER", "FULL_OUTER"})
  void windowJoin_sidesOfInterleavedSources_sameRowsAsLocal(JoinMode mode) throws Exception {
    // Each side has two sources, each in time order: a join subtask gets their events interleaved
    // out of order (in batch mode often one source after the other). A window closes only when
    // every source of both sides has passed it (each an input of its own), as locally.
    List<List<int[]>> left = new ArrayList<>();
    List<List<int[]>> right = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      List<Integer> ls = ints(5 + s, 40);
      List<Integer> rs = ints(7 + s, 40);
      List<int[]> l = new ArrayList<>();
      List<int[]> r = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        l.add(new int[] {i, ls.get(i)});
        r.add(new int[] {i, rs.get(i)});
      }
      left.add(l);
      right.add(r);
    }
    assertSameAsLocal(
        byTime(
            mode,
            Flow.<int[]>fromEnumerables(left, o -> o.stages(1)),
            Flow.<int[]>fromEnumerables(right, o -> o.stages(1))));
  }

  @ParameterizedTest
  @EnumSource(
      value = JoinMode.class,
      names = {"INNER", "FULL_OUTER"})
  void windowJoin_producerOutOfOrderAcrossSubtasks_sameRowsAsLocal(JoinMode mode) throws Exception {
    // Each left source first sends one join subtask an event of window 5, then the other subtask
    // its events of windows 0..3 in time order. Locally that subtask's view of each source is what
    // the source sent it, in order, so nothing is late; a Flink watermark would carry window 5 to
    // it too and close its windows as the right side advances. Each source tracked as an input of
    // its own on Flink, every row is joined as locally.
    int later = 0;
    while (Dispatchers.partitionOf(later, 2) == Dispatchers.partitionOf(0, 2)) {
      later++;
    }
    List<List<int[]>> left = new ArrayList<>();
    for (int s = 0; s < 2; s++) {
      List<int[]> l = new ArrayList<>();
      l.add(new int[] {50, later});
      for (int t = 0; t < 40; t++) {
        l.add(new int[] {t, 5 * s});
      }
      left.add(l);
    }
    List<int[]> right = new ArrayList<>();
    for (int t = 0; t < 40; t++) {
      right.add(new int[] {t, 0});
    }
    right.add(new int[] {50, later});
    Flow<String> flow =
        byTime(
            mode,
            Flow.<int[]>fromEnumerables(left, o -> o.stages(1)),
            Flow.fromEnumerable(right, o -> o.stages(1)));
    assertSameAsLocal(flow);
    // per window of 10 times: 10 * 10 pairs of each left source with the right side, and window 5
    assertEquals(4 * 2 * 100 + 2, flow.toList().size());
  }
}
