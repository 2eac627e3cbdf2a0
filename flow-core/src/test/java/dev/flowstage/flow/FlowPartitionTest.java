package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code partition} routes by key and hash whatever its number of stages, one included. */
class FlowPartitionTest {
  private static final List<Integer> IN = IntStream.range(0, 100).boxed().toList();
  private static final AtomicInteger KEYS = new AtomicInteger();

  @Test
  void oneStage_hashDrop_dropsThoseEvents() {
    List<Integer> out =
        new ArrayList<>(
            Flow.fromEnumerable(IN)
                .partition(o -> o.stages(1).<Integer>hash(x -> x % 2 == 0 ? 0 : Options.DROP))
                .toList());
    out.sort(null);
    assertEquals(IN.stream().filter(x -> x % 2 == 0).toList(), out);
  }

  @Test
  void oneStage_combiningReduce_hashDrop_dropsThoseEvents() {
    List<Long> sums =
        Flow.fromEnumerable(IN, o -> o.stages(2))
            .partition(o -> o.stages(1).<Integer>hash(x -> x % 2 == 0 ? 0 : Options.DROP))
            .reduce(() -> 0L, (Long a, Integer x) -> a + x, Long::sum)
            .toList();
    assertEquals(List.of(IN.stream().filter(x -> x % 2 == 0).mapToLong(x -> x).sum()), sums);
  }

  @Test
  void oneStage_hashOutOfRange_failsNamingIt() {
    FlowException e =
        assertThrows(
            FlowException.class,
            () ->
                Flow.fromEnumerable(IN).partition(o -> o.stages(1).<Integer>hash(x -> 1)).toList());
    assertTrue(e.getCause().getMessage().contains("returned partition 1"), e.getMessage());
  }

  @Test
  void oneStage_key_isAppliedToEveryEvent() {
    KEYS.set(0);
    List<Integer> out =
        new ArrayList<>(
            Flow.fromEnumerable(IN)
                .partition(
                    o ->
                        o.stages(1)
                            .<Integer>key(
                                x -> {
                                  KEYS.incrementAndGet();
                                  return x % 3;
                                }))
                .toList());
    out.sort(null);
    assertEquals(IN, out);
    assertEquals(IN.size(), KEYS.get());
  }
}
