package dev.flowstage.stage.testing;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A consumer that records everything it sees in blocking queues, so tests wait for what they expect
 * instead of sleeping (gen_stage's {@code assert_receive}). Thread-safe to read from the test
 * thread.
 *
 * @param <E> the event type
 */
public final class RecordingConsumer<E> implements Consumer<E> {
  /** How long the {@code await*} methods wait before failing. */
  public static final long TIMEOUT_SECONDS = 20;

  /**
   * One {@code handleEvents} call.
   *
   * @param events a copy of the batch
   * @param from the subscription
   * @param <E> the event type
   */
  public record Batch<E>(List<E> events, Subscription from) {}

  /**
   * One {@code handleCancel} call.
   *
   * @param subscription the ended subscription
   * @param reason why
   */
  public record Cancel(Subscription subscription, ExitReason reason) {}

  private final SubscriptionMode mode;
  private final BlockingQueue<Batch<E>> batches = new LinkedBlockingQueue<>();
  private final BlockingQueue<Subscription> subscriptions = new LinkedBlockingQueue<>();
  private final BlockingQueue<Cancel> cancels = new LinkedBlockingQueue<>();
  private final BlockingQueue<Object> infos = new LinkedBlockingQueue<>();
  private final BlockingQueue<ExitReason> terminations = new LinkedBlockingQueue<>();
  private final BlockingQueue<Object> timeline = new LinkedBlockingQueue<>();
  private final List<E> pendingEvents = new ArrayList<>();

  /** Creates a consumer with automatic demand. */
  public RecordingConsumer() {
    this(SubscriptionMode.AUTOMATIC);
  }

  /**
   * Creates a consumer.
   *
   * @param mode the demand mode of every subscription
   */
  public RecordingConsumer(SubscriptionMode mode) {
    this.mode = mode;
  }

  @Override
  public void handleEvents(List<E> events, Subscription from, StageContext ctx) {
    Batch<E> b = new Batch<>(List.copyOf(events), from);
    timeline.add(b);
    batches.add(b);
  }

  @Override
  public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
    subscriptions.add(subscription);
    return mode;
  }

  @Override
  public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
    Cancel c = new Cancel(subscription, reason);
    timeline.add(c);
    cancels.add(c);
  }

  @Override
  public void handleInfo(Object message, StageContext ctx) {
    timeline.add(message);
    infos.add(message);
  }

  @Override
  public void terminate(ExitReason reason) {
    terminations.add(reason);
  }

  private static <T> T take(BlockingQueue<T> q, String what) {
    try {
      T t = q.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (t == null) {
        throw new AssertionError("timed out waiting for " + what);
      }
      return t;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted waiting for " + what, e);
    }
  }

  /**
   * Waits for the next batch.
   *
   * @return the batch
   */
  public Batch<E> awaitBatch() {
    return take(batches, "a batch of events");
  }

  /**
   * Waits for the next batch and returns its events.
   *
   * @return the events
   */
  public List<E> awaitBatchEvents() {
    return awaitBatch().events();
  }

  /**
   * Waits until {@code n} more events arrived (across batches) and returns them; events of a batch
   * beyond {@code n} are kept for the next call.
   *
   * @param n how many
   * @return the events in arrival order
   */
  public synchronized List<E> awaitEvents(int n) {
    while (pendingEvents.size() < n) {
      pendingEvents.addAll(awaitBatch().events());
    }
    List<E> out = new ArrayList<>(pendingEvents.subList(0, n));
    pendingEvents.subList(0, n).clear();
    return out;
  }

  /**
   * Waits for exactly {@code expected} as the next events and fails otherwise.
   *
   * @param expected the events
   */
  public void awaitEvents(List<E> expected) {
    List<E> got = awaitEvents(expected.size());
    if (!got.equals(expected)) {
      throw new AssertionError("expected events " + expected + " but got " + got);
    }
  }

  /**
   * Waits for the next subscription (handleSubscribe).
   *
   * @return the subscription
   */
  public Subscription awaitSubscription() {
    return take(subscriptions, "a subscription");
  }

  /**
   * Waits for the next handleCancel.
   *
   * @return the cancel
   */
  public Cancel awaitCancel() {
    return take(cancels, "a cancel");
  }

  /**
   * Waits for the next info message.
   *
   * @return the message
   */
  public Object awaitInfo() {
    return take(infos, "an info message");
  }

  /**
   * Waits for terminate.
   *
   * @return the exit reason
   */
  public ExitReason awaitTerminate() {
    return take(terminations, "terminate");
  }

  /**
   * Waits for the next item of the timeline: a {@link Batch}, a {@link Cancel} or an info.
   *
   * @return the item
   */
  public Object awaitTimeline() {
    return take(timeline, "the next callback");
  }

  /**
   * Returns whether no batch is waiting to be read now (does not wait).
   *
   * @return true if none
   */
  public boolean noBatchPending() {
    return batches.isEmpty();
  }

  /**
   * Returns the batches recorded and not yet read, without waiting.
   *
   * @return the batches
   */
  public List<Batch<E>> drainBatches() {
    List<Batch<E>> out = new ArrayList<>();
    batches.drainTo(out);
    return out;
  }
}
