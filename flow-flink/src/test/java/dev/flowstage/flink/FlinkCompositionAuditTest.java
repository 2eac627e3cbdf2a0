package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.AuditFlows;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compositions of flow-core's audit (edge inputs, windows x triggers x emit modes, several layers)
 * run on Flink and locally: the same events as multisets (order is not defined across stages), and
 * for the ones with one stage a layer over one ordered source, in the same order.
 */
final class FlinkCompositionAuditTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  private static List<Integer> range(int from, int toInclusive) {
    return IntStream.rangeClosed(from, toInclusive).boxed().toList();
  }

  static Stream<Arguments> flows() {
    List<Arguments> all = new ArrayList<>();
    add(
        all,
        "count window over one stage, final empty window",
        () ->
            Flow.fromEnumerable(range(1, 100), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.count(10)))
                .reduce(() -> 0L, (s, e) -> s + e));
    add(
        all,
        "count window x triggerEvery x onTrigger reset",
        () ->
            Flow.fromEnumerable(range(1, 25), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.count(10).triggerEvery(4)))
                .reduce(() -> 0, Integer::sum)
                .onTrigger(
                    (acc, t) ->
                        TriggerResult.of(List.of(t.windowId() + ":" + t.name() + ":" + acc), 0)));
    add(
        all,
        "empty input, partitions emit their initial accumulator",
        () ->
            Flow.fromEnumerable(List.<Integer>of(), o -> o.stages(1))
                .partition(o -> o.stages(3))
                .reduce(() -> 0, Integer::sum));
    add(
        all,
        "empty input, departition emits done(init) once",
        () ->
            Flow.fromEnumerable(List.<Integer>of())
                .partition(o -> o.stages(3))
                .reduce(() -> 0, Integer::sum)
                .departition(() -> 0, Integer::sum, x -> x));
    add(
        all,
        "empty input, takeSort emits one empty list",
        () ->
            Flow.fromEnumerable(List.<Integer>of())
                .partition(o -> o.stages(2))
                .takeSort(3, Integer::compare));
    add(
        all,
        "groupBy x triggerEvery without onTrigger: cumulative snapshots",
        () ->
            Flow.fromEnumerable(range(1, 6), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.global().triggerEvery(2)))
                .groupBy(x -> x % 2));
    add(
        all,
        "emitAndReduce x triggerEvery: nothing at triggers",
        () ->
            Flow.fromEnumerable(range(1, 10), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.global().triggerEvery(3)))
                .<Integer, Integer>emitAndReduce(
                    () -> 0, (e, acc) -> TriggerResult.of(List.of(acc + e), acc + e)));
    add(
        all,
        "emitAndReduce with onTrigger in count windows",
        () ->
            Flow.fromEnumerable(range(1, 7), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.count(3)))
                .<Integer, String>emitAndReduce(
                    () -> 0,
                    (e, acc) -> TriggerResult.of(List.of("e" + (acc + e)), acc + e),
                    (acc, t) -> TriggerResult.of(List.of("t" + t.windowId() + "=" + acc), acc)));
    add(
        all,
        "uniq per count window, no reduce",
        () ->
            Flow.fromEnumerable(List.of(1, 1, 2, 1, 2, 3, 3, 1), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.count(3)))
                .uniq());
    add(
        all,
        "uniq per count window, then departition per window",
        () ->
            Flow.fromEnumerable(List.of(1, 1, 2, 2, 1, 3, 3, 1, 2), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.count(4)))
                .uniq()
                .departition(() -> 0, (n, e) -> n + 1, n -> n));
    add(
        all,
        "uniq per count window, then takeSort per window",
        () ->
            Flow.fromEnumerable(List.of(5, 1, 5, 2, 9, 9, 0, 7), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.count(4)))
                .uniq()
                .takeSort(2, Integer::compare));
    add(
        all,
        "triggerEvery counts raw events before a filter",
        () ->
            Flow.fromEnumerable(range(1, 20), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.global().triggerEvery(5)))
                .filter(x -> x % 2 == 0)
                .reduce(() -> 0, Integer::sum)
                .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), 0)));
    add(all, "punctuation trigger on a count window", AuditFlows::punctuationOnCountWindow);
    add(
        all,
        "two partitions in a row, combining reduce, departition",
        () ->
            Flow.fromEnumerable(range(1, 3000), o -> o.stages(2))
                .partition(o -> o.stages(3))
                .partition(o -> o.stages(2).<Integer>key(x -> x % 7))
                .reduce(() -> 0L, (s, e) -> s + e, Long::sum)
                .departition(() -> 0L, Long::sum, x -> x));
    add(
        all,
        "merge of three flows (one empty), reduceByKey",
        () ->
            Flow.<Integer>merge(
                    List.of(
                        Flow.fromEnumerable(range(1, 500)).map(x -> x),
                        Flow.fromEnumerable(range(200, 900), o -> o.stages(1)),
                        Flow.fromEnumerable(List.<Integer>of())),
                    o -> o.stages(3).<Integer>key(x -> x % 10))
                .reduceByKey(x -> x % 10, x -> (long) x, Long::sum));
    add(
        all,
        "countBy then takeSort",
        () ->
            Flow.fromEnumerable(
                    IntStream.range(0, 2000).mapToObj(i -> "w" + (i * i % 37)).toList(),
                    o -> o.stages(2))
                .countBy(w -> w, o -> o.stages(3))
                .takeSort(
                    5,
                    (a, b) ->
                        a.count() != b.count()
                            ? Long.compare(b.count(), a.count())
                            : a.key().compareTo(b.key())));
    add(
        all,
        "fixed windows x triggerEvery x reset, departition per window",
        () ->
            Flow.fromEnumerable(range(0, 99), o -> o.stages(1))
                .partition(
                    o ->
                        o.stages(3)
                            .window(
                                Window.<Integer>fixed(Duration.ofMillis(10), x -> x)
                                    .triggerEvery(3)))
                .reduce(() -> 0, Integer::sum)
                .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), 0))
                .departition(() -> 0, Integer::sum, x -> x));
    add(
        all,
        "departition per fixed window, done given the window's id",
        () ->
            Flow.fromEnumerable(range(0, 99), o -> o.stages(1))
                .partition(
                    o -> o.stages(3).window(Window.<Integer>fixed(Duration.ofMillis(10), x -> x)))
                .reduce(() -> 0, Integer::sum)
                .departition(() -> 0, Integer::sum, (sum, window) -> window + "=" + sum));
    add(
        all,
        "departition per count window and in the global window, done given the window's id",
        () ->
            Flow.fromEnumerable(range(1, 40), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.count(7)))
                .reduce(() -> 0, Integer::sum)
                .departition(() -> 0, Integer::sum, (sum, window) -> (int) (window * 1000 + sum))
                .partition(o -> o.stages(2))
                .reduce(() -> 0, Integer::sum)
                .departition(() -> 0, Integer::sum, (sum, window) -> window + ":" + sum));
    add(
        all,
        "fixed windows over two ordered sources",
        () ->
            Flow.fromEnumerables(List.of(range(0, 99), range(0, 9)), o -> o.stages(2))
                .partition(
                    o -> o.stages(1).window(Window.<Integer>fixed(Duration.ofMillis(10), x -> x)))
                .reduce(() -> 0, (n, e) -> n + 1));
    add(
        all,
        "partition(stages 1) with a dropping hash, combining reduce",
        () ->
            Flow.fromEnumerable(range(1, 100))
                .partition(o -> o.stages(1).<Integer>hash(x -> x % 2 == 0 ? 0 : Options.DROP))
                .reduce(() -> 0L, (s, e) -> s + e, Long::sum));
    add(
        all,
        "departition, flatMap, windowed partition, departition",
        () ->
            Flow.fromEnumerable(range(1, 40))
                .partition(o -> o.stages(3))
                .reduce(() -> 0, Integer::sum)
                .departition(() -> 0, Integer::sum, x -> x)
                .flatMap(total -> List.of(total, 1, 2, 3))
                .partition(o -> o.stages(2).window(Window.count(2)))
                .reduce(() -> 0, Integer::sum)
                .departition(() -> 0, Integer::sum, x -> x));
    add(
        all,
        "takeSort after a reduce with triggerEvery",
        () ->
            Flow.fromEnumerable(range(1, 4), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.global().triggerEvery(2)))
                .reduce(() -> 0, Integer::sum)
                .takeSort(5, Integer::compare));
    add(
        all,
        "single event through every kind of layer",
        () ->
            Flow.fromEnumerable(List.of(7), o -> o.stages(3))
                .map(x -> x * 2)
                .shuffle(o -> o.stages(3))
                .partition(o -> o.stages(3))
                .reduce(() -> 0, Integer::sum)
                .departition(() -> 0, Integer::sum, x -> x)
                .partition(o -> o.stages(2))
                .map(x -> x + 1));
    add(
        all,
        "boundedJoin after windowed reduces, then takeSort",
        () ->
            Flow.boundedJoin(
                    JoinMode.FULL_OUTER,
                    Flow.fromEnumerable(range(1, 30), o -> o.stages(1))
                        .partition(o -> o.stages(2).window(Window.count(4)))
                        .reduce(() -> 0, Integer::sum),
                    Flow.fromEnumerable(range(1, 12), o -> o.stages(1)).map(x -> x * 10),
                    x -> x % 5,
                    x -> x % 5,
                    (l, r) -> l + "/" + r,
                    10_000,
                    o -> o.stages(2))
                .takeSort(1000, String::compareTo));
    add(
        all,
        "null events through a partition, uniq per window, takeSort",
        () ->
            Flow.fromEnumerable(
                    java.util.Arrays.asList("a", null, "b", null, "c"), o -> o.stages(1))
                .partition(o -> o.stages(1).window(Window.count(2)))
                .uniq()
                .takeSort(
                    3,
                    (x, y) -> x == null ? (y == null ? 0 : -1) : y == null ? 1 : x.compareTo(y)));
    add(
        all,
        "null accumulators in a combining reduce",
        () ->
            Flow.fromEnumerable(java.util.Arrays.asList("", "x", "", "y"), o -> o.stages(2))
                .partition(o -> o.stages(3).<String>key(e -> e))
                .reduce(
                    () -> (String) null,
                    (acc, e) -> e.isEmpty() ? acc : e,
                    (a, b) -> a == null ? b : a));
    return all.stream();
  }

  private static void add(List<Arguments> all, String name, Supplier<Flow<?>> flow) {
    all.add(Arguments.of(name, flow));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("flows")
  void sameEventsOnFlinkAsLocally(String name, Supplier<Flow<?>> flow) throws Exception {
    List<?> local = flow.get().toList();
    List<?> flink = FlinkFlowsTest.onFlink(flow.get());
    assertEquals(
        FlinkFlowsTest.multiset(local),
        FlinkFlowsTest.multiset(flink),
        name + ": local " + local + ", flink " + flink);
  }

  @Test
  void aPublisherSource_isRejectedWhenTheJobIsBuilt_sayingWhatToDo() {
    java.util.concurrent.SubmissionPublisher<Integer> p =
        new java.util.concurrent.SubmissionPublisher<>();
    Flow<Integer> f = Flow.fromPublisher(p, o -> o).map(x -> x + 1);
    RuntimeException e =
        assertThrows(
            RuntimeException.class,
            () -> FlinkFlows.toDataStream(StreamExecutionEnvironment.getExecutionEnvironment(), f));
    assertTrue(
        e instanceof IllegalArgumentException || e instanceof UnsupportedOperationException,
        e.toString());
    assertTrue(e.getMessage().contains("fromPublisher"), e.getMessage());
    p.close();
  }
}
