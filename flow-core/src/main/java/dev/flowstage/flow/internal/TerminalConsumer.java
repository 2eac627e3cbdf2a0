package dev.flowstage.flow.internal;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The consumer stage behind every terminal: subscribes to every stage of the last layer in {@code
 * init} (so before the sources are released, and before any of them can finish), with manual
 * demand, and hands whole batches to the reading thread through a queue. The reader asks for more
 * after taking each batch, so demand comes from the reader and at most {@code maxDemand} events per
 * upstream stage are in flight or queued.
 *
 * <p>The stage callbacks run on the stage's thread; {@link #take()} runs on the reader's thread;
 * they meet only in the blocking queue.
 */
final class TerminalConsumer implements Consumer<Object> {
  /** A batch from one subscription. */
  record Batch(Subscription from, List<Object> events) {}

  /** Every upstream stage ended normally. */
  record End() {}

  /** The terminal stage stopped: the flow failed or was cancelled. */
  record Stopped(ExitReason reason) {}

  private final List<Stage<?>> upstream;
  private final SubscriptionOptions options;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final Map<Subscription, Boolean> live = new IdentityHashMap<>();
  private boolean ended;

  TerminalConsumer(List<Stage<?>> upstream, SubscriptionOptions options) {
    this.upstream = List.copyOf(upstream);
    this.options = options;
  }

  @Override
  public void init(StageContext ctx) {
    // The reader receives how this stage ends (Stopped), and the run watches it, but from the
    // starting thread, possibly after a fast failure (a last layer already gone when it
    // subscribes): asking here, before any message, keeps the runtime from also logging it.
    ctx.self().onExit();
    List<Subscription> subs = new ArrayList<>();
    for (Stage<?> s : upstream) {
      Subscription sub = ctx.subscribeTo(s, options);
      live.put(sub, Boolean.TRUE);
      subs.add(sub);
    }
    for (Subscription sub : subs) {
      ctx.ask(sub, options.maxDemand());
    }
    if (live.isEmpty()) {
      end();
    }
  }

  @Override
  public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
    return SubscriptionMode.MANUAL;
  }

  @Override
  public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {
    queue.add(new Batch(from, events));
  }

  @Override
  public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
    if (live.remove(subscription) != null && !reason.isAbnormal() && live.isEmpty()) {
      end();
    }
  }

  @Override
  public void terminate(ExitReason reason) {
    if (!ended) {
      queue.add(new Stopped(reason));
    }
  }

  private void end() {
    ended = true;
    queue.add(new End());
  }

  /**
   * Takes the next item: a {@link Batch}, {@link End} or {@link Stopped}.
   *
   * @return the item
   * @throws InterruptedException if the reader is interrupted
   */
  Object take() throws InterruptedException {
    return queue.take();
  }
}
