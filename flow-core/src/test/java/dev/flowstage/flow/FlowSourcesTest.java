package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** Iterator and stream sources: blocking sources, single use. */
class FlowSourcesTest {
  private static final Integer END = -1;

  /** An iterator over a queue: {@code hasNext()} blocks until the next event (or END) is queued. */
  private static Iterator<Integer> blocking(BlockingQueue<Integer> queue) {
    return new Iterator<>() {
      private Integer next;

      @Override
      public boolean hasNext() {
        if (next == null) {
          try {
            next = queue.take();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
          }
        }
        return !next.equals(END);
      }

      @Override
      public Integer next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Integer n = next;
        next = null;
        return n;
      }
    };
  }

  private static void dispatchesWhatItHas(Function<BlockingQueue<Integer>, Flow<Integer>> flow)
      throws Exception {
    BlockingQueue<Integer> in = new LinkedBlockingQueue<>(List.of(1, 2, 3));
    BlockingQueue<Integer> out = new LinkedBlockingQueue<>();
    try (RunningFlow<Void> run = flow.apply(in).map(x -> x * 10).each(out::add).start()) {
      // the source now blocks in hasNext(); the three events it read must still come through
      for (int expected : List.of(10, 20, 30)) {
        Integer got = out.poll(20, TimeUnit.SECONDS);
        in.add(END); // unblock the source in any case, so a failing run still ends
        assertNotNull(got, "an event the source had read was held back while it blocked");
        assertEquals(expected, got);
      }
      run.await();
    }
  }

  @Test
  void iteratorSource_blockingInHasNext_dispatchesWhatItRead() throws Exception {
    dispatchesWhatItHas(in -> Flow.fromEnumerable(blocking(in), o -> o.stages(1)));
  }

  @Test
  void streamSource_blockingInHasNext_dispatchesWhatItRead() throws Exception {
    dispatchesWhatItHas(
        in ->
            Flow.fromEnumerable(
                StreamSupport.stream(
                    Spliterators.spliteratorUnknownSize(blocking(in), Spliterator.ORDERED), false),
                o -> o.stages(1)));
  }

  @Test
  void streamSource_secondTerminal_failsNamingTheCause() {
    Flow<Integer> f = Flow.fromEnumerable(Stream.of(1, 2, 3)).map(x -> x + 1);
    assertEquals(List.of(2, 3, 4), sorted(f.toList()));
    IllegalStateException e = assertThrows(IllegalStateException.class, f::toList);
    assertTrue(
        e.getMessage().contains("Stream") && e.getMessage().contains("once"), e.getMessage());
    // a flow derived from the same source is the same single use
    assertThrows(IllegalStateException.class, () -> f.filter(x -> x > 2).toList());
  }

  @Test
  void iteratorSource_secondTerminal_failsInsteadOfReadingNothing() {
    Flow<Integer> f = Flow.fromEnumerable(List.of(1, 2, 3).iterator());
    assertEquals(List.of(1, 2, 3), sorted(f.toList()));
    IllegalStateException e = assertThrows(IllegalStateException.class, f::toList);
    assertTrue(
        e.getMessage().contains("Iterator") && e.getMessage().contains("once"), e.getMessage());
  }

  @Test
  void iterableSource_runsAgain() {
    Flow<Integer> f = Flow.fromEnumerable(List.of(1, 2, 3));
    assertEquals(f.toList().size(), f.toList().size());
    Iterable<Integer> lazy = () -> List.of(4, 5).iterator();
    Flow<Integer> g = Flow.fromEnumerable(lazy);
    assertEquals(List.of(4, 5), sorted(g.toList()));
    assertEquals(List.of(4, 5), sorted(g.toList()));
  }

  @Test
  void iteratorSource_failure_failsTheFlow() {
    Iterator<Integer> bad =
        new Iterator<>() {
          int n;

          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Integer next() {
            if (++n == 5) {
              throw new IllegalArgumentException("bad source");
            }
            return n;
          }
        };
    FlowException e =
        assertThrows(FlowException.class, () -> Flow.fromEnumerable(bad).map(x -> x).toList());
    assertEquals("bad source", e.getCause().getMessage());
  }

  private static List<Integer> sorted(List<Integer> l) {
    return l.stream().sorted().toList();
  }
}
