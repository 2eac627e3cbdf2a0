package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every plan-time misuse fails at once with a message that says how to fix it. */
final class FlowErrorsTest {
  private static final Flow<Integer> NUMBERS = Flow.fromEnumerable(List.of(1, 2, 3));

  private static void fails(Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks " + f);
    }
  }

  @Test
  void onTrigger_withoutReduce_explainsItNeedsAccumulatedState() {
    fails(
        () -> NUMBERS.onTrigger((acc, t) -> TriggerResult.none(acc)),
        "onTrigger(...) must follow reduce/groupBy/emitAndReduce");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void onTrigger_afterAKeyedAggregation_saysWhatToDoInstead() {
    List<Flow<?>> keyed =
        List.of(
            NUMBERS.countBy(x -> x % 2),
            NUMBERS.sumBy(x -> x % 2, x -> x),
            NUMBERS.reduceByKey(x -> x % 2, x -> x, Integer::sum),
            NUMBERS.aggregateByKey(x -> x % 2, () -> 0, (a, x) -> a + x, Integer::sum));
    List<String> names = List.of("countBy", "sumBy", "reduceByKey", "aggregateByKey");
    for (int i = 0; i < keyed.size(); i++) {
      Flow f = keyed.get(i);
      fails(
          () -> f.onTrigger((acc, t) -> TriggerResult.none(acc)),
          "onTrigger(...) cannot follow " + names.get(i) + "(...)",
          "map/flatMap/filter",
          "partition(o -> o.key(key)).reduce(init, reducer, combiner).onTrigger(...)");
    }
  }

  @Test
  void onTrigger_twice_saysOncePerReduce() {
    Flow<Integer> r =
        NUMBERS
            .reduce(() -> 0, Integer::sum)
            .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), acc));
    fails(() -> r.onTrigger((acc, t) -> TriggerResult.none(acc)), "once per reduce");
    Flow<Integer> once = NUMBERS.reduce(() -> 0, Integer::sum);
    Flow<Integer> twice = once.onTrigger((acc, t) -> TriggerResult.of(List.of(acc), acc));
    fails(() -> twice.reduce(() -> 0, Integer::sum), "call partition() or shuffle() between");
  }

  @Test
  void onTrigger_afterMapperAfterReduce_asksToMoveTheMapper() {
    Flow<Integer> r = NUMBERS.reduce(() -> 0, Integer::sum).map(x -> x);
    fails(() -> r.onTrigger((acc, t) -> TriggerResult.none(acc)), "directly follow");
  }

  @Test
  void secondReduce_inOneLayer_asksForPartition() {
    Flow<Integer> r = NUMBERS.reduce(() -> 0, Integer::sum);
    fails(() -> r.groupBy(x -> x), "call partition() or shuffle() between them");
  }

  @Test
  void nonPositiveStages_saysAtLeastOne() {
    fails(() -> Flow.fromEnumerable(List.of(1), o -> o.stages(0)), "stages must be at least 1");
    fails(() -> NUMBERS.partition(o -> o.stages(-2)), "stages must be at least 1");
  }

  @Test
  void minDemandNotBelowMaxDemand_explainsTheBounds() {
    fails(
        () -> Flow.fromEnumerable(List.of(1), o -> o.maxDemand(10).minDemand(10)),
        "minDemand must be >= 0 and < maxDemand (10)");
    fails(
        () -> NUMBERS.partition(o -> o.minDemand(50).maxDemand(10)),
        "minDemand must be >= 0 and < maxDemand");
    fails(() -> NUMBERS.partition(o -> o.maxDemand(0)), "maxDemand must be at least 1");
  }

  @Test
  void zip_onPartitionedOrMultiSourceFlow_explainsWhichOrderItNeeds() {
    fails(
        () -> Flow.zip(NUMBERS.partition(), NUMBERS, (a, b) -> a + b),
        "zip pairs events by position",
        "left side must be a single source");
    fails(
        () ->
            Flow.zip(
                NUMBERS, Flow.fromEnumerables(List.of(List.of(1), List.of(2))), (a, b) -> a + b),
        "right side must be a single source");
    fails(
        () -> Flow.zip(NUMBERS.reduce(() -> 0, Integer::sum), NUMBERS, (a, b) -> a + b),
        "without partition/shuffle/merge/reduce");
  }

  @Test
  void nullFunctions_areNamed() {
    fails(() -> NUMBERS.map(null), "mapper must not be null");
    fails(() -> NUMBERS.filter(null), "predicate must not be null");
    fails(() -> NUMBERS.flatMap(null), "mapper must not be null");
    fails(() -> NUMBERS.reduce(null, Integer::sum), "init must not be null");
    fails(() -> NUMBERS.reduce(() -> 0, null), "reducer must not be null");
    fails(() -> Flow.fromEnumerable((List<Integer>) null), "source must not be null");
    fails(() -> Flow.zip(NUMBERS, NUMBERS, null), "combiner must not be null");
  }

  @Test
  void mapBatch_afterMap_mustComeFirst() {
    fails(() -> NUMBERS.map(x -> x).mapBatch(b -> b), "mapBatch(...) must come first");
  }

  @Test
  void takeSort_nonPositive_needsN() {
    fails(() -> NUMBERS.takeSort(0, Integer::compare), "takeSort(n, ...) needs n >= 1");
  }

  @Test
  void windows_badArguments_teach() {
    fails(() -> Window.count(0), "Window.count(n) needs n >= 1");
    fails(() -> Window.global().triggerEvery(0), "triggerEvery(n) needs n >= 1");
    fails(() -> Window.global().triggerEvery(2).triggerEvery(3), "one triggerEvery");
    fails(() -> Window.count(3).allowedLateness(Duration.ofSeconds(1)), "fixed windows only");
    fails(() -> Window.periodic(Duration.ZERO), "at least 1 ms");
  }

  @Test
  void keyOnShuffle_isRejected() {
    fails(() -> NUMBERS.shuffle(o -> o.key(x -> x)), "does not route by key");
    fails(() -> Options.defaults().key(x -> x).hash(x -> 0), "not both");
  }

  @Test
  void windowOnLayerWithoutReduce_failsBeforeRunning() {
    Flow<Integer> f = NUMBERS.partition(o -> o.window(Window.count(2))).map(x -> x);
    fails(f::toList, "window was set on a layer that does not reduce");
  }

  /**
   * Found by flow-test's FlowFuzzProperties: a departition (or any new layer) after a windowed
   * layer that does not reduce was accepted when built, although nothing can be added to that layer
   * any more, and failed only at the terminal.
   */
  @Test
  void windowOnLayerWithoutReduce_isRejectedWhenBuilt_onceALaterLayerClosesIt() {
    Flow<Integer> windowed =
        NUMBERS.partition(o -> o.stages(2).window(Window.periodic(Duration.ofMillis(18))));
    String fix = "add reduce/groupBy/emitAndReduce (or uniq, per window) before ";
    fails(
        () ->
            windowed.departition(
                ArrayList<Integer>::new,
                (l, x) -> {
                  l.add(x);
                  return l;
                },
                l -> l),
        "PERIODIC window was set on a layer that does not reduce",
        fix + "departition");
    fails(() -> windowed.map(x -> x).partition(), fix + "partition");
    fails(() -> windowed.shuffle(), fix + "shuffle");
    fails(() -> Flow.<Integer>merge(List.of(NUMBERS, windowed), o -> o), fix + "merge");
    fails(() -> windowed.countBy(x -> x), fix + "countBy");
    // A window on a layer that still can reduce is no error yet, nor uniq per window.
    windowed.reduce(() -> 0, Integer::sum).departition(() -> 0, Integer::sum, x -> x);
    windowed.uniq().partition();
    windowed.takeSort(3, Integer::compare).partition();
  }

  @Test
  void emptySourceLists_areRejected() {
    fails(() -> Flow.fromEnumerables(List.<List<Integer>>of()), "at least one source");
    fails(() -> Flow.fromFiles(List.of(), o -> o), "at least one file");
    fails(() -> Flow.merge(List.of(), o -> o), "at least one flow");
  }

  @Test
  void boundedJoin_nonPositiveBound_isRejected() {
    fails(
        () ->
            Flow.boundedJoin(
                JoinMode.INNER, NUMBERS, NUMBERS, x -> x, x -> x, (a, b) -> a, 0, o -> o),
        "maxHeld must be at least 1");
  }

  // Found by flow-test's BuildOrRunProperties (arbitrary chains): each rejection names the call.

  @Test
  void nullArguments_nameTheOperationTheyWerePassedTo() {
    fails(() -> NUMBERS.partition(null), "partition(...): options must not be null", "o -> o");
    fails(
        () -> NUMBERS.departition(null, (Integer a, Integer e) -> a, (Integer a) -> a),
        "departition(...): init must not be null");
    fails(() -> NUMBERS.countBy(null), "countBy(...): key must not be null");
    fails(() -> NUMBERS.map(null), "map(...): mapper must not be null");
    fails(
        () ->
            Flow.fromStages(
                java.util.Arrays.asList((dev.flowstage.stage.Stage<Integer>) null), o -> o),
        "fromStages(...): producers element must not be null");
  }

  @Test
  void secondReduce_namesTheCallMade_notTheReduceItIsBuiltOn() {
    Flow<java.util.Map.Entry<Integer, Integer>> entries =
        NUMBERS.reduceByKey(x -> x % 2, x -> x, Integer::sum).map(e -> e);
    fails(() -> entries.groupByKey(), "groupByKey(...) cannot follow another reduce");
    fails(() -> NUMBERS.reduce(() -> 0, Integer::sum).groupBy(x -> x), "groupBy(...) cannot");
  }

  @Test
  void frequencies_afterAWindowWithoutReduce_namesFrequencies() {
    Flow<Integer> windowed = Flow.fromEnumerable(List.of(1, 2), o -> o.window(Window.count(2)));
    fails(() -> windowed.frequencies(), "before frequencies");
  }

  @Test
  void routingOptionsWhereNothingRoutes_sayHowToFixThem() {
    fails(
        () -> NUMBERS.shuffle(o -> o.hash(x -> 0)),
        "shuffle does not route by key",
        "remove them from its options");
  }

  @Test
  void windowJoin_badBoundOrWindowedOptions_nameWindowJoin() {
    fails(
        () ->
            Flow.windowJoin(
                JoinMode.INNER,
                NUMBERS,
                NUMBERS,
                Window.fixed(Duration.ofMillis(10), (Integer x) -> x),
                x -> x,
                x -> x,
                (a, b) -> a,
                0,
                o -> o),
        "windowJoin maxHeld must be at least 1");
    fails(
        () ->
            Flow.windowJoin(
                JoinMode.INNER,
                NUMBERS,
                NUMBERS,
                Window.fixed(Duration.ofMillis(10), (Integer x) -> x),
                x -> x,
                x -> x,
                (a, b) -> a,
                10,
                o -> o.window(Window.count(2))),
        "windowJoin joins per the window it is given");
  }

  @Test
  void toPublisherAndStream_ofAWindowWithoutReduce_areRejectedWhenCalled() {
    Flow<Integer> windowed = Flow.fromEnumerable(List.of(1, 2), o -> o.window(Window.count(2)));
    // Before: accepted, then the run a subscriber (or the first pull) started failed in a stage.
    fails(windowed::toPublisher, "COUNT window was set on a layer that does not reduce");
    fails(windowed::stream, "COUNT window was set on a layer that does not reduce");
  }

  @Test
  void aPublisherOfAFlowReadingAStream_isReadOnce_rejectedWhenBuiltOrStarted() {
    // Found by BuildOrRunProperties: such a publisher, read twice, failed inside a stage of the
    // reading flow (the publisher's onError), since the plan could not see through it.
    Flow<Integer> once = Flow.fromPublisher(Flow.fromEnumerable(Stream.of(1, 2, 3)).toPublisher());
    fails(
        () -> Flow.merge(List.of(once, once.map(x -> x)), o -> o),
        "merge reads the same publisher",
        "read from a List");
    assertEquals(List.of(1, 2, 3), once.toList().stream().sorted().toList());
    IllegalStateException again = assertThrows(IllegalStateException.class, once::toList);
    assertTrue(again.getMessage().contains("an earlier run consumed"), again.getMessage());
  }
}
