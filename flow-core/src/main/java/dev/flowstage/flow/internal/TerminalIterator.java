package dev.flowstage.flow.internal;

import dev.flowstage.stage.ExitReason;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The blocking iterator a terminal hands to its caller: the last layer's events, batch by batch, as
 * the {@link TerminalConsumer} queues them. Its demand comes from the reader: a batch is asked for
 * again ({@link Feed#taken}) only when the reader has taken it from the queue. How the run ends is
 * not decided here: the end, a stop and an interrupt are handed to {@link Ends} (the {@link
 * RunCoordinator}), which closes the run and says what to throw.
 *
 * <p>Threading: called on the reader's thread only (the caller of a terminal, or the thread a
 * {@code start} runs the collector on), like any {@link Iterator}; it meets the stage threads only
 * in the terminal consumer's queue.
 */
final class TerminalIterator implements Iterator<Object> {
  /** Where the iterator's items come from: the terminal consumer and its stage. */
  interface Feed {
    /**
     * Blocks for the next item: a {@link TerminalConsumer.Batch}, {@link TerminalConsumer.End} or
     * {@link TerminalConsumer.Stopped}.
     *
     * @return the item
     * @throws InterruptedException if the reader is interrupted
     */
    Object take() throws InterruptedException;

    /**
     * The reader took a batch: ask its subscription for as many again.
     *
     * @param batch the batch taken
     */
    void taken(TerminalConsumer.Batch batch);
  }

  /** How the run ends, decided by its coordinator. */
  interface Ends {
    /**
     * Every upstream stage ended: close the run, and throw if it failed or was cancelled.
     *
     * @throws RuntimeException the run's failure, or a cancellation
     */
    void ended();

    /**
     * The terminal stopped before the end: close the run.
     *
     * @param reason why the terminal stopped
     * @return what the reader throws
     */
    RuntimeException stopped(ExitReason reason);

    /** The reader was interrupted while waiting: cancel the run. */
    void cancel();
  }

  private final Feed feed;
  private final Ends ends;
  private List<Object> batch = List.of();
  private int pos;
  private boolean over;

  /**
   * An iterator over what {@code feed} delivers.
   *
   * @param feed the terminal consumer's queue and demand
   * @param ends the run's coordinator
   */
  TerminalIterator(Feed feed, Ends ends) {
    this.feed = feed;
    this.ends = ends;
  }

  @Override
  public boolean hasNext() {
    while (pos >= batch.size()) {
      if (over) {
        return false;
      }
      Object item;
      try {
        item = feed.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        over = true;
        ends.cancel();
        throw new CancellationException("interrupted while reading the flow");
      }
      switch (item) {
        case TerminalConsumer.Batch b -> {
          batch = b.events();
          pos = 0;
          feed.taken(b);
        }
        case TerminalConsumer.End e -> {
          over = true;
          ends.ended();
          return false;
        }
        case TerminalConsumer.Stopped st -> {
          over = true;
          throw ends.stopped(st.reason());
        }
        default -> throw new IllegalStateException("unexpected " + item);
      }
    }
    return true;
  }

  @Override
  public Object next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return batch.get(pos++);
  }

  /**
   * Takes the rest of the current batch, or the next one, whole: for a terminal that keeps every
   * event ({@code toList}).
   *
   * @return the events, not empty; {@code null} at the end
   */
  List<Object> nextBatch() {
    if (!hasNext()) {
      return null;
    }
    List<Object> rest = pos == 0 ? batch : batch.subList(pos, batch.size());
    pos = batch.size();
    return rest;
  }

  /**
   * A sequential, ordered stream over an iterator; closing it, or dropping it unclosed (once it is
   * garbage collected), runs {@code cancel}. When the stream's action throws (the caller's {@code
   * forEach} lambda, a {@code map} after it, a collector) the run is ended at once through {@code
   * actionFailed}, then the exception is rethrown unchanged: a stream read without
   * try-with-resources must not leave the flow running until it is collected.
   *
   * @param it the iterator
   * @param cancel cancels the run; must not refer to {@code it}, or it is never collected
   * @param actionFailed ends the run after the reader's action threw what it is given; must not
   *     refer to {@code it} either
   * @return the stream
   */
  static Stream<Object> stream(
      TerminalIterator it, Runnable cancel, Consumer<Throwable> actionFailed) {
    // A stream abandoned unclosed (limit, findFirst) cancels once unreachable: `it` is reachable
    // exactly as long as the caller's stream, and the run does not refer to it.
    Unreachable.onUnreachable(it, cancel);
    Spliterator<Object> source = Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED);
    return StreamSupport.stream(new Guarded(source, actionFailed), false).onClose(cancel);
  }

  /**
   * A spliterator whose actions, when they throw, end the run first. Only the action is guarded:
   * what the iterator itself throws (the run's failure, a cancellation) was decided by the run.
   */
  private static final class Guarded implements Spliterator<Object> {
    private final Spliterator<Object> source;
    private final Consumer<Throwable> actionFailed;

    Guarded(Spliterator<Object> source, Consumer<Throwable> actionFailed) {
      this.source = source;
      this.actionFailed = actionFailed;
    }

    private Consumer<Object> guard(Consumer<? super Object> action) {
      return e -> {
        try {
          action.accept(e);
        } catch (Throwable t) {
          actionFailed.accept(t);
          throw t;
        }
      };
    }

    // A stream calls tryAdvance with the same sink for every event: guard it once, not per event.
    private Consumer<? super Object> advancing;
    private Consumer<Object> advancingGuarded;

    @Override
    public boolean tryAdvance(Consumer<? super Object> action) {
      if (action != advancing) {
        advancing = action;
        advancingGuarded = guard(action);
      }
      return source.tryAdvance(advancingGuarded);
    }

    @Override
    public void forEachRemaining(Consumer<? super Object> action) {
      source.forEachRemaining(guard(action));
    }

    @Override
    public Spliterator<Object> trySplit() {
      Spliterator<Object> prefix = source.trySplit(); // a parallel() stream's batches
      return prefix == null ? null : new Guarded(prefix, actionFailed);
    }

    @Override
    public long estimateSize() {
      return source.estimateSize();
    }

    @Override
    public int characteristics() {
      return source.characteristics();
    }
  }
}
