package dev.flowstage.stage.internal;

import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import java.time.Duration;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A producer that polls an external source while consumers' demand is pending: at once when demand
 * arrives, then every {@code interval} until the demand is met. The request GenStage users made in
 * gen_stage#56, built on the "remember pending demand" pattern.
 *
 * @param <E> the event type
 */
public final class PollingProducer<E> implements Producer<E> {
  static final Object TICK = new Object(); // package-private for its test

  private final LongFunction<? extends List<? extends E>> source;
  private final Duration interval;
  private long pendingDemand;
  private boolean tickScheduled;

  /** The source returned null: it is never asked again (demand or a tick may still arrive). */
  private boolean exhausted;

  /**
   * Creates the producer.
   *
   * @param source given the pending demand, returns up to that many events (more are buffered), an
   *     empty list when it has none now, or null when it is exhausted (the producer finishes)
   * @param interval how long to wait before polling again while demand is pending
   */
  public PollingProducer(LongFunction<? extends List<? extends E>> source, Duration interval) {
    this.source = source;
    this.interval = interval;
  }

  @Override
  public void handleDemand(long demand, ProducerContext<E> ctx) {
    pendingDemand += demand;
    poll(ctx);
  }

  @Override
  public void handleInfo(Object message, ProducerContext<E> ctx) {
    if (message == TICK) {
      tickScheduled = false;
      if (pendingDemand > 0) {
        poll(ctx);
      }
    }
  }

  private void poll(ProducerContext<E> ctx) {
    if (exhausted) {
      return;
    }
    List<? extends E> got = source.apply(pendingDemand);
    if (got == null) {
      exhausted = true;
      ctx.done();
      return;
    }
    if (!got.isEmpty()) {
      ctx.emit(got);
      pendingDemand = Math.max(0, pendingDemand - got.size());
    }
    if (pendingDemand > 0 && !tickScheduled) {
      tickScheduled = true;
      ctx.sendAfter(TICK, interval);
    }
  }
}
