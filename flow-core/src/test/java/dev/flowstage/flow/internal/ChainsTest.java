package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.flow.Flow;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class ChainsTest {
  private static final List<Integer> ONE_TO_SIX = List.of(1, 2, 3, 4, 5, 6);

  @Test
  void mappers_inDeclarationOrder_applyFilterThenMaps() {
    Flow<Integer> f =
        Flow.fromEnumerable(ONE_TO_SIX).filter(x -> x % 2 == 1).map(x -> x + 1).map(x -> x * 2);
    assertEquals(List.of(4, 8, 12), Logic.of(f).events(ONE_TO_SIX));
  }

  @Test
  void flatMapRejectEach_oneBatch_emitsFlattenedAndCallsEachInOrder() {
    List<Object> seen = new ArrayList<>();
    Flow<Integer> f =
        Flow.fromEnumerable(ONE_TO_SIX)
            .flatMap(x -> List.of(x, x * 10))
            .reject(x -> x % 3 == 0)
            .each(seen::add);
    List<Object> out = Logic.of(f).events(ONE_TO_SIX);
    assertEquals(List.of(1, 10, 2, 20, 4, 40, 5, 50), out);
    assertEquals(out, seen);
  }

  @Test
  void uniq_acrossBatches_passesFirstOfEachKeyOnce() {
    Flow<Integer> f = Flow.fromEnumerable(ONE_TO_SIX).uniqBy(x -> x % 3);
    Logic l = Logic.of(f);
    assertEquals(List.of(1, 2), l.events(List.of(1, 2, 4)));
    assertEquals(List.of(3), l.events(List.of(5, 3, 6)));
  }

  @Test
  void mapBatch_atLayerStart_seesWholeBatchBeforeMappers() {
    Flow<Integer> f =
        Flow.fromEnumerable(ONE_TO_SIX).<Integer>mapBatch(b -> List.of(b.size())).map(n -> n * 100);
    assertEquals(List.of(600), Logic.of(f).events(ONE_TO_SIX));
  }

  @Test
  void mapperOnlyLayer_finish_emitsNothing() {
    Logic l = Logic.of(Flow.fromEnumerable(ONE_TO_SIX).map(x -> x));
    l.events(ONE_TO_SIX);
    assertEquals(List.of(), l.finish());
  }

  @Test
  void longChain_largeBatch_matchesStreamOracle() {
    List<Integer> in = IntStream.range(0, 10_000).boxed().toList();
    Flow<String> f =
        Flow.fromEnumerable(in)
            .map(x -> x * 3)
            .filter(x -> x % 2 == 0)
            .flatMap(x -> List.of(x, -x))
            .map(String::valueOf);
    List<String> expected =
        in.stream()
            .map(x -> x * 3)
            .filter(x -> x % 2 == 0)
            .flatMap(x -> java.util.stream.Stream.of(x, -x))
            .map(String::valueOf)
            .toList();
    assertEquals(expected, Logic.of(f).events(in));
  }
}
