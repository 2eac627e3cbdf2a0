package dev.flowstage.stage.internal;

import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

/**
 * The context handed to every callback of one producer or producer-consumer; forwards to the
 * stage's loop state. A consumer gets {@link #forConsumer()} instead, which is not a {@link
 * ProducerContext}, so no cast can make a consumer emit.
 */
final class CallbackContext implements ProducerContext<Object> {
  private final StageCell<?> cell;
  private final StageContext consumerView = new ConsumerView();

  CallbackContext(StageCell<?> cell) {
    this.cell = cell;
  }

  /** The same stage seen as a consumer: the {@link StageContext} operations only. */
  StageContext forConsumer() {
    return consumerView;
  }

  /** Forwards the stage operations; deliberately not a {@link ProducerContext}. */
  private final class ConsumerView implements StageContext {
    @Override
    public Stage<?> self() {
      return CallbackContext.this.self();
    }

    @Override
    public String name() {
      return CallbackContext.this.name();
    }

    @Override
    public Subscription subscribeTo(Stage<?> producer, SubscriptionOptions options) {
      return CallbackContext.this.subscribeTo(producer, options);
    }

    @Override
    public void ask(Subscription subscription, long n) {
      CallbackContext.this.ask(subscription, n);
    }

    @Override
    public void cancel(Subscription subscription, ExitReason reason) {
      CallbackContext.this.cancel(subscription, reason);
    }

    @Override
    public List<Subscription> producers() {
      return CallbackContext.this.producers();
    }

    @Override
    public void watch(Stage<?> stage) {
      CallbackContext.this.watch(stage);
    }

    @Override
    public ScheduledFuture<?> sendAfter(Object message, Duration delay) {
      return CallbackContext.this.sendAfter(message, delay);
    }

    @Override
    public void stop(ExitReason reason) {
      CallbackContext.this.stop(reason);
    }

    @Override
    public String toString() {
      return "StageContext(" + name() + ")";
    }
  }

  @Override
  public Stage<?> self() {
    return cell;
  }

  @Override
  public String name() {
    return cell.name();
  }

  @Override
  public Subscription subscribeTo(Stage<?> producer, SubscriptionOptions options) {
    return cell.subscribeFromInside(StageCell.cellOf(producer), options);
  }

  @Override
  public void ask(Subscription subscription, long n) {
    cell.ask(subscription, n);
  }

  @Override
  public void cancel(Subscription subscription, ExitReason reason) {
    cell.cancel(subscription, reason);
  }

  @Override
  public List<Subscription> producers() {
    return cell.upstreamSubscriptions();
  }

  @Override
  public void watch(Stage<?> stage) {
    cell.watchFromInside(StageCell.cellOf(stage), true);
  }

  @Override
  public ScheduledFuture<?> sendAfter(Object message, Duration delay) {
    return cell.sendAfter(message, delay);
  }

  @Override
  public void stop(ExitReason reason) {
    cell.stopFromInside(reason);
  }

  @Override
  public void emit(Object event) {
    cell.emitOne(event);
  }

  @Override
  public void emit(List<?> events) {
    cell.emitMany(events);
  }

  @Override
  public void asyncInfo(Object message) {
    cell.asyncInfoFromInside(message);
  }

  @Override
  public void done() {
    cell.doneFromInside();
  }

  @Override
  public void demandMode(DemandMode mode) {
    cell.setDemandMode(mode);
  }

  @Override
  public DemandMode demandMode() {
    return cell.currentDemandMode();
  }

  @Override
  public List<Subscription> consumers() {
    return cell.downstreamSubscriptions();
  }

  @Override
  public long bufferedCount() {
    return cell.bufferedCount();
  }
}
