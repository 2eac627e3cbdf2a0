package dev.flowstage.stage.internal;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Subscription;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A producer over an iterator: pulls exactly the demand, and finishes ({@code done}) once the
 * iterator is exhausted. GenStage: {@code GenStage.Streamer} ({@code from_enumerable}).
 *
 * @param <E> the event type
 */
public final class IteratorProducer<E> implements Producer<E> {
  private final Iterator<? extends E> iterator;
  private final boolean stopWhenNoConsumers;
  private final AutoCloseable onTerminate;

  /**
   * Creates the producer.
   *
   * @param iterator the source; a blocking iterator blocks the stage until a batch is filled
   * @param stopWhenNoConsumers stop normally when the last consumer cancels (GenStage {@code
   *     on_cancel: :stop})
   * @param onTerminate closed when the stage exits (e.g. the source {@code Stream}), or null
   */
  public IteratorProducer(
      Iterator<? extends E> iterator, boolean stopWhenNoConsumers, AutoCloseable onTerminate) {
    this.iterator = iterator;
    this.stopWhenNoConsumers = stopWhenNoConsumers;
    this.onTerminate = onTerminate;
  }

  @Override
  public void handleDemand(long demand, ProducerContext<E> ctx) {
    int n = (int) Math.min(demand, 1 << 20);
    List<E> batch = new ArrayList<>(Math.min(n, 4096));
    while (batch.size() < n && iterator.hasNext()) {
      batch.add(iterator.next());
    }
    ctx.emit(batch);
    if (!iterator.hasNext()) {
      ctx.done();
    }
  }

  @Override
  public void handleCancel(Subscription subscription, ExitReason reason, ProducerContext<E> ctx) {
    if (stopWhenNoConsumers && ctx.consumers().isEmpty()) {
      ctx.stop(ExitReason.normal());
    }
  }

  @Override
  public void terminate(ExitReason reason) {
    if (onTerminate != null) {
      try {
        onTerminate.close();
      } catch (Exception e) {
        StageLog.get().log(Level.WARNING, "closing the source failed", e);
      }
    }
  }
}
