package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.ExitReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The terminal iterator on its own, without a running flow: its items come from a queue and its
 * ends go to a recording coordinator.
 */
final class TerminalIteratorTest {
  /** What the iterator asked of the feed and the coordinator. */
  private final List<Integer> asked = new ArrayList<>();

  private final List<String> ends = new ArrayList<>();

  private TerminalIterator over(Object... items) {
    Deque<Object> queue = new ArrayDeque<>(List.of(items));
    return new TerminalIterator(
        new TerminalIterator.Feed() {
          @Override
          public Object take() {
            return queue.remove(); // an empty queue fails the test: the iterator read too far
          }

          @Override
          public void taken(TerminalConsumer.Batch batch) {
            asked.add(batch.events().size());
          }
        },
        recording(null));
  }

  private TerminalIterator.Ends recording(RuntimeException atEnd) {
    return new TerminalIterator.Ends() {
      @Override
      public void ended() {
        ends.add("ended");
        if (atEnd != null) {
          throw atEnd;
        }
      }

      @Override
      public RuntimeException stopped(ExitReason reason) {
        ends.add("stopped " + reason);
        return new IllegalStateException("stopped: " + reason);
      }

      @Override
      public void cancel() {
        ends.add("cancel");
      }
    };
  }

  private static TerminalConsumer.Batch batch(Object... events) {
    return new TerminalConsumer.Batch(null, List.of(events));
  }

  @Test
  void batches_areReadInOrder_andEachTakenBatchIsAskedForAgain() {
    TerminalIterator it = over(batch(1, 2), batch(), batch(3), new TerminalConsumer.End());
    List<Object> read = new ArrayList<>();
    it.forEachRemaining(read::add);
    assertEquals(List.of(1, 2, 3), read);
    assertEquals(List.of(2, 0, 1), asked, "demand follows the reader, one ask per batch taken");
    assertEquals(List.of("ended"), ends);
    assertFalse(it.hasNext(), "after the end, nothing more is taken or ended");
    assertThrows(NoSuchElementException.class, it::next);
    assertEquals(List.of("ended"), ends);
  }

  @Test
  void itemsAreTakenOnlyWhenTheReaderNeedsThem() {
    TerminalIterator it = over(batch("a"), batch("b"), new TerminalConsumer.End());
    assertEquals("a", it.next());
    assertEquals(List.of(1), asked, "the second batch stays queued until the first is read");
    assertEquals("b", it.next());
    assertFalse(it.hasNext());
  }

  @Test
  void stopped_throwsWhatTheCoordinatorReturns_once() {
    ExitReason reason = ExitReason.shutdown("test");
    TerminalIterator it = over(batch(1), new TerminalConsumer.Stopped(reason));
    assertEquals(1, it.next());
    IllegalStateException e = assertThrows(IllegalStateException.class, it::hasNext);
    assertEquals("stopped: " + reason, e.getMessage());
    assertFalse(it.hasNext(), "a stopped iterator is over, not stopped again");
    assertEquals(List.of("stopped " + reason), ends);
  }

  @Test
  void aFailureAtTheEnd_reachesTheReader() {
    RuntimeException failure = new IllegalStateException("boom");
    TerminalIterator it =
        new TerminalIterator(
            new TerminalIterator.Feed() {
              @Override
              public Object take() {
                return new TerminalConsumer.End();
              }

              @Override
              public void taken(TerminalConsumer.Batch batch) {}
            },
            recording(failure));
    assertSame(failure, assertThrows(IllegalStateException.class, it::hasNext));
    assertFalse(it.hasNext());
  }

  @Test
  void anInterruptedReader_cancelsTheRun_andKeepsItsInterrupt() {
    LinkedBlockingQueue<Object> empty = new LinkedBlockingQueue<>();
    TerminalIterator it =
        new TerminalIterator(
            new TerminalIterator.Feed() {
              @Override
              public Object take() throws InterruptedException {
                return empty.take();
              }

              @Override
              public void taken(TerminalConsumer.Batch batch) {}
            },
            recording(null));
    Thread.currentThread().interrupt();
    try {
      assertThrows(CancellationException.class, it::hasNext);
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
    assertEquals(List.of("cancel"), ends);
    assertFalse(it.hasNext());
  }

  @Test
  void closingTheStream_cancels() {
    List<String> cancels = new ArrayList<>();
    TerminalIterator it = over(batch(1, 2, 3), new TerminalConsumer.End());
    try (Stream<Object> s =
        TerminalIterator.stream(it, () -> cancels.add("cancel"), t -> cancels.add("failed"))) {
      assertEquals(List.of(1, 2), s.limit(2).toList());
    }
    assertEquals(List.of("cancel"), cancels);
    assertEquals(List.of(), ends, "the end was never read");
  }

  @Test
  void anActionThrowing_endsTheRunFirst_andTheExceptionArrivesUnchanged() {
    List<Object> failed = new ArrayList<>();
    RuntimeException boom = new IllegalStateException("the reader's own");
    TerminalIterator it = over(batch(1, 2, 3), new TerminalConsumer.End());
    Stream<Object> s = TerminalIterator.stream(it, () -> failed.add("cancel"), failed::add);
    RuntimeException thrown =
        assertThrows(
            RuntimeException.class,
            () ->
                s.forEach(
                    x -> {
                      if (x.equals(2)) {
                        throw boom;
                      }
                    }));
    assertSame(boom, thrown);
    assertEquals(List.of(boom), failed);
  }

  @Test
  void aShortCircuitingActionThrowing_endsTheRunFirst() {
    List<Object> failed = new ArrayList<>();
    RuntimeException boom = new IllegalStateException("in anyMatch");
    TerminalIterator it = over(batch(1, 2, 3), new TerminalConsumer.End());
    Stream<Object> s = TerminalIterator.stream(it, () -> failed.add("cancel"), failed::add);
    assertSame(
        boom,
        assertThrows(
            RuntimeException.class,
            () ->
                s.anyMatch(
                    x -> {
                      throw boom;
                    })));
    assertEquals(List.of(boom), failed);
  }

  @Test
  void theIteratorsOwnFailure_isNotTheReaders() {
    List<Object> failed = new ArrayList<>();
    RuntimeException atEnd = new IllegalStateException("the run failed");
    TerminalIterator it =
        new TerminalIterator(
            new TerminalIterator.Feed() {
              final Deque<Object> queue =
                  new ArrayDeque<>(List.of(batch(1), new TerminalConsumer.End()));

              @Override
              public Object take() {
                return queue.remove();
              }

              @Override
              public void taken(TerminalConsumer.Batch batch) {}
            },
            recording(atEnd));
    Stream<Object> s = TerminalIterator.stream(it, () -> {}, failed::add);
    assertSame(atEnd, assertThrows(RuntimeException.class, () -> s.forEach(x -> {})));
    assertEquals(List.of(), failed, "the run decided that failure itself");
  }
}
