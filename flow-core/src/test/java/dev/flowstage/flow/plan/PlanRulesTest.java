package dev.flowstage.flow.plan;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of {@link PlanRules}, as a table: for each rule, a plan it accepts and the plans it
 * rejects, with the part of the message that tells the user what to do instead. The rules on which
 * operation may follow which are also run end to end by FlowCompositionTest (the guide's table);
 * this table adds the rules on options, zip sides, joins and whole layers ({@link
 * PlanRules#runnable}, which engines call before they materialize).
 */
final class PlanRulesTest {
  /**
   * A row: a plan built through {@code Flow} (or checked by {@code runnable}), and {@code fix}, the
   * advice its rejection must give, or {@code null} if the rules accept it.
   */
  record Row(String rule, String name, Supplier<Flow<?>> build, boolean runnable, String fix) {
    @Override
    public String toString() {
      return rule + ": " + name + (fix == null ? " (accepted)" : " (rejected)");
    }
  }

  private static Flow<Integer> nums() {
    return Flow.fromEnumerable(List.of(1, 2, 3, 4));
  }

  private static Flow<Integer> sum(Flow<Integer> f) {
    return f.reduce(() -> 0, Integer::sum);
  }

  private static Window fixed() {
    return Window.<Integer>fixed(Duration.ofSeconds(1), x -> x);
  }

  private static Row ok(String rule, String name, Supplier<Flow<?>> build) {
    return new Row(rule, name, build, false, null);
  }

  private static Row no(String rule, String name, Supplier<Flow<?>> build, String fix) {
    return new Row(rule, name, build, false, fix);
  }

  static Stream<Row> table() {
    return Stream.of(
        ok("mapBatch", "first in its layer", () -> nums().mapBatch(l -> l).map(x -> x)),
        no(
            "mapBatch",
            "after a map",
            () -> nums().map(x -> x).mapBatch(l -> l),
            "call partition() before it"),
        ok("reduce", "one per layer", () -> sum(sum(nums()).partition())),
        no(
            "reduce",
            "two in one layer",
            () -> sum(sum(nums())),
            "call partition() or shuffle() between them"),
        ok(
            "onTrigger",
            "right after a reduce",
            () -> sum(nums()).onTrigger((acc, t) -> TriggerResult.none(acc))),
        no(
            "onTrigger",
            "without a reduce",
            () -> nums().onTrigger((acc, t) -> TriggerResult.none(acc)),
            "must follow reduce/groupBy/emitAndReduce"),
        no(
            "onTrigger",
            "twice",
            () ->
                sum(nums())
                    .onTrigger((acc, t) -> TriggerResult.none(acc))
                    .onTrigger((acc, t) -> TriggerResult.none(acc)),
            "put both steps in one function"),
        no(
            "onTrigger",
            "after a map of the reduce",
            () -> sum(nums()).map(x -> x).onTrigger((acc, t) -> TriggerResult.none(acc)),
            "move the map/filter after it"),
        ok("noRouting", "shuffle without a key", () -> nums().shuffle(o -> o.stages(2))),
        no(
            "noRouting",
            "shuffle with a key",
            () -> nums().shuffle(o -> o.key(x -> x)),
            "does not route by key"),
        ok("keyed", "countBy with stages", () -> nums().countBy(x -> x % 2, o -> o.stages(2))),
        no(
            "keyed",
            "countBy with a hash",
            () -> nums().countBy(x -> x % 2, o -> o.<Integer>hash(x -> x)),
            "change the key function instead"),
        ok(
            "zipSide",
            "two single sources with per-event operations",
            () -> Flow.zip(nums().map(x -> x), nums().filter(x -> x > 1), Integer::sum)),
        no(
            "zipSide",
            "a partitioned side",
            () -> Flow.zip(nums().partition(), nums(), Integer::sum),
            "Zip the sides before partitioning"),
        no(
            "zipSide",
            "a reduced side",
            () -> Flow.zip(nums(), sum(nums()), Integer::sum),
            "or reduce after the zip"),
        ok(
            "boundedJoin",
            "a bound and no window",
            () ->
                Flow.boundedJoin(
                    JoinMode.INNER, nums(), nums(), x -> x, x -> x, Integer::sum, 10, o -> o)),
        no(
            "boundedJoin",
            "a bound below 1",
            () ->
                Flow.boundedJoin(
                    JoinMode.INNER, nums(), nums(), x -> x, x -> x, Integer::sum, 0, o -> o),
            "must be at least 1"),
        no(
            "boundedJoin",
            "a window in its options",
            () ->
                Flow.boundedJoin(
                    JoinMode.INNER,
                    nums(),
                    nums(),
                    x -> x,
                    x -> x,
                    Integer::sum,
                    10,
                    o -> o.window(Window.count(2))),
            "call partition(o -> o.window(...)) after boundedJoin"),
        ok(
            "windowJoin",
            "a fixed window",
            () ->
                Flow.windowJoin(
                    JoinMode.INNER,
                    nums(),
                    nums(),
                    fixed(),
                    x -> x,
                    x -> x,
                    Integer::sum,
                    10,
                    o -> o)),
        no(
            "windowJoin",
            "the global window",
            () ->
                Flow.windowJoin(
                    JoinMode.INNER,
                    nums(),
                    nums(),
                    Window.global(),
                    x -> x,
                    x -> x,
                    Integer::sum,
                    10,
                    o -> o),
            "use boundedJoin for the whole input"),
        no(
            "windowJoin",
            "a window with triggers",
            () ->
                Flow.windowJoin(
                    JoinMode.INNER,
                    nums(),
                    nums(),
                    fixed().triggerEvery(2),
                    x -> x,
                    x -> x,
                    Integer::sum,
                    10,
                    o -> o),
            "remove them"),
        no(
            "windowJoin",
            "a window with allowed lateness",
            () ->
                Flow.windowJoin(
                    JoinMode.INNER,
                    nums(),
                    nums(),
                    fixed().allowedLateness(Duration.ofSeconds(1)),
                    x -> x,
                    x -> x,
                    Integer::sum,
                    10,
                    o -> o),
            "remove it"),
        new Row(
            "runnable",
            "a window on a reducing layer",
            () -> sum(nums().partition(o -> o.window(Window.count(2)))),
            true,
            null),
        new Row(
            "runnable",
            "a window on a layer that does not reduce",
            () -> nums().partition(o -> o.window(Window.count(2))).map(x -> x),
            true,
            "add reduce/groupBy/emitAndReduce"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void eachRule_acceptsWhatRuns_andRejectsWithAFix(Row row) {
    Runnable check =
        row.runnable() ? () -> PlanRules.runnable(row.build().get().plan()) : row.build()::get;
    if (row.fix() == null) {
      assertDoesNotThrow(check::run);
    } else {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, check::run);
      assertTrue(
          e.getMessage().contains(row.fix()),
          () -> "the message should say \"" + row.fix() + "\": " + e.getMessage());
    }
  }
}
