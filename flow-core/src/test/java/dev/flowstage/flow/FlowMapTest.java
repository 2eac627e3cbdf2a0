package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

final class FlowMapTest {
  private static final List<Integer> ONE_TO_1000 = IntStream.rangeClosed(1, 1000).boxed().toList();

  private static <T extends Comparable<T>> List<T> sorted(List<T> l) {
    List<T> c = new ArrayList<>(l);
    c.sort(null);
    return c;
  }

  @Test
  void map_iterable_emitsEveryMappedEventOnce() {
    List<Integer> out = Flow.fromEnumerable(ONE_TO_1000).map(x -> x * 2).toList();
    assertEquals(ONE_TO_1000.stream().map(x -> x * 2).toList(), sorted(out));
  }

  @Test
  void noOperations_source_isTheLayer() {
    assertEquals(ONE_TO_1000, sorted(Flow.fromEnumerable(ONE_TO_1000).toList()));
  }

  @Test
  void emptySource_toList_isEmpty() {
    assertEquals(List.of(), Flow.fromEnumerable(List.<Integer>of()).map(x -> x).toList());
  }

  @Test
  void streamAndIterator_sources_areReadOnce() {
    assertEquals(
        List.of(1, 2, 3), sorted(Flow.fromEnumerable(Stream.of(1, 2, 3)).map(x -> x).toList()));
    assertEquals(
        List.of(4, 5), sorted(Flow.fromEnumerable(List.of(4, 5).iterator()).map(x -> x).toList()));
  }

  @Test
  void oneStage_singleSource_keepsSourceOrder() {
    List<Integer> out =
        Flow.fromEnumerable(ONE_TO_1000, o -> o.stages(1).maxDemand(7))
            .filter(x -> x % 3 != 0)
            .map(x -> x + 1)
            .toList();
    assertEquals(ONE_TO_1000.stream().filter(x -> x % 3 != 0).map(x -> x + 1).toList(), out);
  }

  @Test
  void flatMapFilterRejectEach_manySources_matchStream() {
    ConcurrentLinkedQueue<Integer> seen = new ConcurrentLinkedQueue<>();
    List<Integer> out =
        Flow.fromEnumerables(List.of(ONE_TO_1000, ONE_TO_1000), o -> o.stages(3).maxDemand(10))
            .flatMap(x -> List.of(x, -x))
            .filter(x -> x % 2 == 0)
            .reject(x -> x % 4 == 0)
            .each(seen::add)
            .toList();
    List<Integer> expected =
        Stream.concat(ONE_TO_1000.stream(), ONE_TO_1000.stream())
            .flatMap(x -> Stream.of(x, -x))
            .filter(x -> x % 2 == 0)
            .filter(x -> x % 4 != 0)
            .toList();
    assertEquals(sorted(expected), sorted(out));
    assertEquals(sorted(expected), sorted(new ArrayList<>(seen)));
  }

  @Test
  void mapBatch_seesBatchesNoLargerThanMaxDemand() {
    List<Integer> sizes =
        Flow.fromEnumerable(ONE_TO_1000, o -> o.stages(2).maxDemand(50))
            .<Integer>mapBatch(b -> List.of(b.size()))
            .toList();
    assertEquals(1000, sizes.stream().mapToInt(Integer::intValue).sum());
    assertTrue(sizes.stream().allMatch(s -> s >= 1 && s <= 50), sizes.toString());
  }

  @Test
  void start_await_returnsCollectedResultAndLeavesNoThread() {
    RunningFlow<List<Integer>> run =
        Flow.fromEnumerable(ONE_TO_1000)
            .map(x -> x + 1)
            .start(java.util.stream.Collectors.toList());
    assertEquals(1000, run.await().size());
    assertTrue(run.isTerminated());
    assertTrue(run.statistics().stages().size() >= 2);
  }
}
