package dev.flowstage.stage.internal;

import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A {@code java.util.stream.Stream} over the events of producers. GenStage: {@code
 * GenStage.stream/2}.
 *
 * @param <E> the event type
 */
final class StageStream<E> {
  /*
   * A consumer stage with manual subscriptions hands each incoming batch to a queue; the thread
   * that enumerates the stream cuts batches into chunks and asks for more after each chunk exactly
   * as an automatic consumer would (DemandCounter, reference A7.1), so demand follows what the
   * stream's user actually consumed. The stage's own subscriptions are temporary; the cancel mode
   * the user chose is applied here, by the enumerating thread (A12.2, with one change: a permanent
   * subscription that ends normally halts the stream instead of failing it, since a stream has no
   * process to exit and a finite source must not look like an error).
   *
   * Ending: the consumer stage is stopped (so its subscriptions are cancelled) when the stream is
   * exhausted, fails, or is closed, and, for a stream abandoned without close (Java never closes
   * a stream that `limit` or `findFirst` short-circuited), when its spliterator becomes
   * unreachable: a Cleaner watches the spliterator. The cleaning action holds only the consumer's
   * handle (Holder), never the spliterator or this object; the consumer stage refers to this
   * object, and this object does not refer to the spliterator, so an abandoned stream can be
   * collected while its stage is still running.
   */
  private static final Cleaner CLEANER = Cleaner.create();

  /** The consumer's handle, shared with the cleaning action: stops the consumer once. */
  private static final class Holder implements Runnable {
    volatile Stage<Void> consumer;

    @Override
    public void run() {
      Stage<Void> c = consumer;
      if (c != null) {
        c.stop(ExitReason.normal());
      }
    }
  }

  private record Subscribed(StageSubscription sub) {}

  private record Batch(StageSubscription sub, List<Object> events) {}

  private record Ended(StageSubscription sub, ExitReason reason) {}

  private record Terminated(ExitReason reason) {}

  private final StageRuntime runtime;
  private final List<StageCell<?>> producers;
  private final SubscriptionOptions options;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Map<StageSubscription, DemandCounter> demand = new IdentityHashMap<>();
  private final Holder holder = new Holder();
  private Stage<Void> consumer;
  private Cleaner.Cleanable cleanable;
  private int active;
  private boolean finished;
  // enumeration state
  private StageSubscription batchSub;
  private List<Object> batch;
  private int batchOff;
  private List<Object> chunk;
  private int idx;
  private long askAfter;

  StageStream(
      StageRuntime runtime, List<? extends Stage<?>> producers, SubscriptionOptions options) {
    this.runtime = runtime;
    this.options = options;
    this.producers = new ArrayList<>();
    for (Stage<?> p : producers) {
      this.producers.add(StageCell.cellOf(p)); // StageSystem.stream refused consumers already
    }
    this.active = this.producers.size();
  }

  Stream<E> stream() {
    Spliterator<E> sp =
        new Spliterators.AbstractSpliterator<E>(Long.MAX_VALUE, Spliterator.ORDERED) {
          @Override
          public boolean tryAdvance(java.util.function.Consumer<? super E> action) {
            return advance(action);
          }
        };
    cleanable = CLEANER.register(sp, holder);
    return StreamSupport.stream(sp, false).onClose(this::close);
  }

  private final class StreamConsumer implements Consumer<Object> {
    @Override
    public void init(StageContext ctx) {
      SubscriptionOptions temporary = options.toBuilder().cancel(CancelMode.TEMPORARY).build();
      for (StageCell<?> p : producers) {
        ctx.subscribeTo(p, temporary);
      }
    }

    @Override
    public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
      queue.add(new Subscribed((StageSubscription) subscription));
      ctx.ask(subscription, options.maxDemand());
      return SubscriptionMode.MANUAL;
    }

    @Override
    public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {
      queue.add(new Batch((StageSubscription) from, events));
    }

    @Override
    public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
      queue.add(new Ended((StageSubscription) subscription, reason));
    }

    @Override
    public void terminate(ExitReason reason) {
      queue.add(new Terminated(reason));
    }
  }

  @SuppressWarnings("unchecked")
  private boolean advance(java.util.function.Consumer<? super E> action) {
    while (true) {
      if (finished) {
        return false;
      }
      if (chunk != null) {
        if (idx < chunk.size()) {
          action.accept((E) chunk.get(idx++));
          return true;
        }
        if (askAfter > 0) {
          consumer.ask(batchSub, askAfter);
          askAfter = 0;
        }
        chunk = null;
      }
      if (batch != null) {
        if (batchOff < batch.size()) {
          DemandCounter dc = demand.get(batchSub);
          int end = Math.min(batch.size(), batchOff + dc.chunkSize());
          chunk = batch.subList(batchOff, end);
          idx = 0;
          batchOff = end;
          askAfter = dc.consume(chunk.size());
          continue;
        }
        batch = null;
      }
      if (producers.isEmpty()) {
        finished = true;
        return false;
      }
      if (consumer == null) {
        consumer = runtime.startConsumer(null, new StreamConsumer());
        holder.consumer = consumer;
      }
      Object item;
      try {
        item = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new StageException("interrupted while waiting for stream events", e);
      }
      switch (item) {
        case Subscribed s -> demand.put(s.sub(), new DemandCounter(minDemand(), maxDemand()));
        case Batch b -> {
          batchSub = b.sub();
          batch = b.events();
          batchOff = 0;
          demand.get(batchSub).beginMessage();
        }
        case Ended e -> onEnded(e.reason());
        case Terminated t -> {
          if (!finished) {
            finished = true;
            throw new StageException("the stream's consumer stage stopped: " + t.reason());
          }
        }
        default -> throw new IllegalStateException("unexpected " + item);
      }
    }
  }

  private int minDemand() {
    return options.minDemand();
  }

  private int maxDemand() {
    return options.maxDemand();
  }

  private void onEnded(ExitReason reason) {
    active--;
    CancelMode mode = options.cancel();
    if (mode != CancelMode.TEMPORARY && reason.isAbnormal()) {
      close();
      Throwable cause = ((ExitReason.Failure) reason).cause();
      throw new StageException("a producer of the stream failed: " + cause, cause);
    }
    if (mode == CancelMode.PERMANENT || active == 0) {
      close();
    }
  }

  private void close() {
    finished = true;
    cleanable.clean(); // stops the consumer, once, and unregisters the spliterator
  }
}
