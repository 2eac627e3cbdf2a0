package dev.flowstage.test;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A consumer probe: a running consumer stage that records every batch, and in manual mode asks only
 * on command (Pekko's {@code TestSink}, GenStage's test consumers). It checks the demand protocol
 * as batches arrive: a batch larger than the subscription's max demand, or (manual mode) more
 * events than were asked for, is a violation that fails the next assertion.
 *
 * {@snippet class=dev.flowstage.test.snippets.KitSnippets region=probes}
 *
 * @param <E> the event type
 */
public final class TestConsumer<E> {
  private final Recorder<E> recorder;
  private final Stage<Void> stage;

  private TestConsumer(StageSystem system, SubscriptionMode mode) {
    this.recorder = new Recorder<>(mode);
    this.stage = system.startConsumer(recorder);
  }

  /**
   * Starts a probe whose subscriptions ask only when {@link #ask} says so.
   *
   * @param system the system to run in
   * @param <E> the event type
   * @return the probe
   */
  public static <E> TestConsumer<E> manual(StageSystem system) {
    return new TestConsumer<>(Objects.requireNonNull(system, "system"), SubscriptionMode.MANUAL);
  }

  /**
   * Starts a probe whose subscriptions ask automatically (max demand, then more at min demand).
   *
   * @param system the system to run in
   * @param <E> the event type
   * @return the probe
   */
  public static <E> TestConsumer<E> automatic(StageSystem system) {
    return new TestConsumer<>(Objects.requireNonNull(system, "system"), SubscriptionMode.AUTOMATIC);
  }

  /**
   * The running stage.
   *
   * @return the stage
   */
  public Stage<Void> stage() {
    return stage;
  }

  /**
   * Subscribes to a producer with demand bounds.
   *
   * @param producer the producer (or producer-consumer) under test
   * @param maxDemand the subscription's max demand
   * @param minDemand the subscription's min demand
   * @return the subscription
   */
  public Subscription subscribeTo(Stage<?> producer, int maxDemand, int minDemand) {
    return subscribeTo(
        producer, SubscriptionOptions.builder().maxDemand(maxDemand).minDemand(minDemand).build());
  }

  /**
   * Subscribes to a producer.
   *
   * @param producer the producer (or producer-consumer) under test
   * @param options the subscription options
   * @return the subscription
   */
  public Subscription subscribeTo(Stage<?> producer, SubscriptionOptions options) {
    Subscription s = stage.subscribeTo(producer, options, Probes.TIMEOUT);
    recorder.asked.putIfAbsent(s, 0L);
    recorder.received.putIfAbsent(s, 0L);
    recorder.subscriptions.add(s);
    return s;
  }

  /**
   * Asks for {@code n} more events on the only subscription (manual mode).
   *
   * @param n the demand, at least 1
   */
  public void ask(long n) {
    ask(only(), n);
  }

  /**
   * Asks for {@code n} more events on a subscription (manual mode). As in GenStage, a producer's
   * demand dispatcher takes the first ask as the consumer's max demand and logs a warning for a
   * larger one later.
   *
   * @param subscription the subscription
   * @param n the demand, at least 1
   */
  public void ask(Subscription subscription, long n) {
    if (recorder.mode != SubscriptionMode.MANUAL) {
      throw new IllegalStateException(
          "ask(...) is for manual probes (TestConsumer.manual); an automatic probe asks by itself");
    }
    // Recorded before asking, so a batch that answers it never looks unasked for.
    recorder.asked.merge(subscription, n, Long::sum);
    stage.ask(subscription, n);
  }

  /** Cancels the only subscription. */
  public void cancel() {
    stage.cancel(only(), ExitReason.normal());
  }

  private Subscription only() {
    if (recorder.subscriptions.size() != 1) {
      throw new IllegalStateException(
          "this probe has "
              + recorder.subscriptions.size()
              + " subscriptions; pass the subscription explicitly");
    }
    return recorder.subscriptions.get(0);
  }

  /**
   * Waits for the next batch.
   *
   * @return the batch's events
   */
  public List<E> awaitBatch() {
    assertNoViolation();
    List<E> b = Probes.take(recorder.batchQueue, Probes.TIMEOUT, "a batch").events();
    assertNoViolation();
    return b;
  }

  /**
   * Waits for the next batch and fails unless it is exactly {@code expected} (same split).
   *
   * @param expected the batch
   */
  public void expectBatch(List<E> expected) {
    List<E> got = awaitBatch();
    if (!got.equals(expected)) {
      throw new AssertionError(
          "expected the batch "
              + expected
              + " but got "
              + got
              + " (batches so far: "
              + batches()
              + ")");
    }
  }

  /**
   * Waits for the next batches and fails unless they are exactly {@code expected}, split as given.
   *
   * @param expected the batches, in order
   */
  public void expectBatches(List<List<E>> expected) {
    for (List<E> b : expected) {
      expectBatch(b);
    }
  }

  /**
   * Waits until {@code n} more events arrived, across batches, and returns them in order; a batch's
   * events beyond {@code n} are kept for the next call.
   *
   * @param n how many events
   * @return the events
   */
  public List<E> awaitEvents(int n) {
    while (recorder.pending.size() < n) {
      recorder.pending.addAll(awaitBatch());
    }
    List<E> out = new ArrayList<>(recorder.pending.subList(0, n));
    recorder.pending.subList(0, n).clear();
    return out;
  }

  /**
   * Waits for exactly {@code expected} as the next events, however they are batched.
   *
   * @param expected the events
   */
  public void expectEvents(List<E> expected) {
    List<E> got = awaitEvents(expected.size());
    if (!got.equals(expected)) {
      throw new AssertionError("expected the events " + expected + " but got " + got);
    }
  }

  /**
   * Fails if a batch arrives within {@code within} (for "nothing more than asked").
   *
   * @param within how long to watch
   */
  public void expectNoBatch(Duration within) {
    assertNoViolation();
    Probes.expectNone(recorder.batchQueue, within, "batch");
  }

  /**
   * Waits for the end of a subscription (the producer finished, failed or cancelled it).
   *
   * @return why it ended
   */
  public ExitReason awaitCancel() {
    assertNoViolation();
    return Probes.take(recorder.cancels, Probes.TIMEOUT, "the end of a subscription");
  }

  /**
   * Every batch received so far, in arrival order (including those already awaited).
   *
   * @return the batches
   */
  public List<List<E>> batches() {
    List<List<E>> out = new ArrayList<>();
    for (Batch<E> b : recorder.batches) {
      out.add(b.events());
    }
    return out;
  }

  /**
   * Total events asked for on a subscription (manual mode).
   *
   * @param subscription the subscription
   * @return the demand given
   */
  public long asked(Subscription subscription) {
    return recorder.asked.getOrDefault(subscription, 0L);
  }

  /**
   * Total events received on a subscription.
   *
   * @param subscription the subscription
   * @return the count
   */
  public long received(Subscription subscription) {
    return recorder.received.getOrDefault(subscription, 0L);
  }

  /**
   * Fails if any batch so far broke the demand protocol: larger than the subscription's max demand,
   * or (manual mode) beyond what was asked.
   */
  public void assertNoViolation() {
    if (!recorder.violations.isEmpty()) {
      throw new AssertionError("demand protocol violated: " + recorder.violations);
    }
  }

  private record Batch<E>(List<E> events, Subscription from) {}

  /** The recording consumer itself, for the kit's own tests of the protocol checks. */
  Consumer<E> consumer() {
    return recorder;
  }

  private static final class Recorder<E> implements Consumer<E> {
    final SubscriptionMode mode;
    final Map<Subscription, Long> asked = new ConcurrentHashMap<>();
    final Map<Subscription, Long> received = new ConcurrentHashMap<>();
    final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    final BlockingQueue<Batch<E>> batchQueue = new LinkedBlockingQueue<>();
    final List<Batch<E>> batches = new CopyOnWriteArrayList<>();
    final BlockingQueue<ExitReason> cancels = new LinkedBlockingQueue<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final List<E> pending = new ArrayList<>();

    Recorder(SubscriptionMode mode) {
      this.mode = mode;
    }

    @Override
    public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
      return mode;
    }

    @Override
    public void handleEvents(List<E> events, Subscription from, StageContext ctx) {
      Batch<E> b = new Batch<>(List.copyOf(events), from);
      int max = from.options().maxDemand();
      if (events.size() > max) {
        violations.add("a batch of " + events.size() + " events exceeds maxDemand " + max);
      }
      long got = received.merge(from, (long) events.size(), Long::sum);
      if (mode == SubscriptionMode.MANUAL) {
        long a = asked.getOrDefault(from, 0L);
        if (got > a) {
          violations.add("received " + got + " events but asked for " + a);
        }
      }
      batches.add(b);
      batchQueue.add(b);
    }

    @Override
    public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
      cancels.add(reason);
    }
  }
}
