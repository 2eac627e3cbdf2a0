package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** windowJoin (Elixir's window_join): both sides windowed, joined per window. */
final class FlowWindowJoinTest {
  /** An event with a key and an event time in ms. */
  record E(String key, long t) {
    @Override
    public String toString() {
      return key + t;
    }
  }

  private static final List<E> LEFT = List.of(new E("a", 5), new E("b", 15), new E("a", 25));
  private static final List<E> RIGHT =
      List.of(new E("a", 8), new E("b", 12), new E("a", 18), new E("c", 27));

  private static List<String> join(JoinMode mode) {
    List<String> out =
        new ArrayList<>(
            Flow.windowJoin(
                    mode,
                    Flow.fromEnumerable(LEFT),
                    Flow.fromEnumerable(RIGHT),
                    Window.<E>fixed(Duration.ofMillis(10), E::t),
                    E::key,
                    E::key,
                    (l, r) -> l + "-" + r,
                    100,
                    o -> o.stages(2))
                .toList());
    out.sort(null);
    return out;
  }

  @Test
  void inner_joinsOnlyEventsOfTheSameWindow() {
    assertEquals(List.of("a5-a8", "b15-b12"), join(JoinMode.INNER));
  }

  @Test
  void fullOuter_emitsEachWindowsUnmatchedEvents() {
    assertEquals(
        List.of("a25-null", "a5-a8", "b15-b12", "null-a18", "null-c27"), join(JoinMode.FULL_OUTER));
  }

  @Test
  void windowJoin_windowWithTriggersOrLateness_isRejectedWhenBuilt() {
    // Elixir's window_join accepts triggers (those before done emit no outer rows); here its
    // window takes none, nor lateness (flow.md, "Zip and joins"), and the plan says so when built.
    for (Window w :
        List.of(
            Window.<E>fixed(Duration.ofMillis(10), E::t).triggerEvery(1),
            Window.<E>fixed(Duration.ofMillis(10), E::t).triggerPeriodically(Duration.ofSeconds(1)),
            Window.<E>fixed(Duration.ofMillis(10), E::t).allowedLateness(Duration.ofSeconds(1)))) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  Flow.windowJoin(
                      JoinMode.FULL_OUTER,
                      Flow.fromEnumerable(LEFT),
                      Flow.fromEnumerable(RIGHT),
                      w,
                      E::key,
                      E::key,
                      (l, r) -> l + "-" + r,
                      100,
                      o -> o));
      assertEquals(true, e.getMessage().contains("windowJoin"), e.getMessage());
    }
  }

  @Test
  void windowJoin_manyWindows_joinsEachWindowOnce() {
    // 20 000 events per side, 10 per window; a boundedJoin would pair every equal key across the
    // whole input. (How many events a stage holds depends on how far one side runs ahead.)
    List<E> left = IntStream.range(0, 20_000).mapToObj(i -> new E("k" + i % 5, i)).toList();
    List<E> right = IntStream.range(0, 20_000).mapToObj(i -> new E("k" + i % 5, i)).toList();
    long pairs =
        Flow.windowJoin(
                JoinMode.INNER,
                Flow.fromEnumerable(left),
                Flow.fromEnumerable(right),
                Window.<E>fixed(Duration.ofMillis(10), E::t),
                E::key,
                E::key,
                (l, r) -> 1,
                100_000,
                o -> o.stages(1))
            .toList()
            .size();
    assertEquals(20_000 / 10 * 5 * 4, pairs); // per window: 5 keys, 2 events per side each
  }

  @Test
  void windowJoin_rejectsWindowsItCannotClose() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Flow.windowJoin(
                    JoinMode.INNER,
                    Flow.fromEnumerable(LEFT),
                    Flow.fromEnumerable(RIGHT),
                    Window.count(3),
                    E::key,
                    E::key,
                    (l, r) -> l,
                    100,
                    o -> o));
    assertEquals(true, e.getMessage().contains("use boundedJoin"), e.getMessage());
  }
}
