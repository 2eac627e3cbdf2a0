package dev.flowstage.test;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A producer probe: a running producer stage that emits only on command and records every demand,
 * subscription and cancel it receives, for stage-level tests of consumers and producer-consumers
 * (Pekko's {@code TestSource}, GenStage's test producers). Commands run on the stage's own thread
 * and return once done, so a test's steps happen in the order written.
 *
 * {@snippet class=dev.flowstage.test.snippets.KitSnippets region=probes}
 *
 * @param <E> the event type
 */
public final class TestProducer<E> {
  private record Emit(List<?> events) {}

  private record Complete() {}

  private record Fail(Throwable cause) {}

  private final Recorder<E> recorder = new Recorder<>();
  private final Stage<E> stage;

  private TestProducer(StageSystem system, ProducerOptions<E> options) {
    this.stage = system.startProducer(recorder, options);
  }

  /**
   * Starts a probe producer with default options.
   *
   * @param system the system to run in
   * @param <E> the event type
   * @return the probe
   */
  public static <E> TestProducer<E> start(StageSystem system) {
    return start(system, ProducerOptions.defaults());
  }

  /**
   * Starts a probe producer.
   *
   * @param system the system to run in
   * @param options the producer's options (dispatcher, buffer, name)
   * @param <E> the event type
   * @return the probe
   */
  public static <E> TestProducer<E> start(StageSystem system, ProducerOptions<E> options) {
    return new TestProducer<>(
        Objects.requireNonNull(system, "system"), Objects.requireNonNull(options, "options"));
  }

  /**
   * The running stage, to subscribe consumers to.
   *
   * @return the stage
   */
  public Stage<E> stage() {
    return stage;
  }

  /**
   * Emits events now (buffered by the producer beyond its demand, as any producer's are).
   *
   * @param events the events
   */
  @SafeVarargs
  public final void emit(E... events) {
    List<E> list = new ArrayList<>();
    for (E e : events) {
      list.add(e);
    }
    emit(list);
  }

  /**
   * Emits events now.
   *
   * @param events the events
   */
  public void emit(List<? extends E> events) {
    stage.call(new Emit(List.copyOf(events)), Probes.TIMEOUT);
    recorder.emitted.addAndGet(events.size());
  }

  /**
   * Finishes the producer normally ({@code ctx.done()}): consumers see the end after the events.
   */
  public void complete() {
    stage.call(new Complete(), Probes.TIMEOUT);
  }

  /**
   * Stops the producer with a failure.
   *
   * @param cause the failure its consumers see
   */
  public void fail(Throwable cause) {
    stage.call(new Fail(Objects.requireNonNull(cause, "cause")), Probes.TIMEOUT);
  }

  /**
   * Waits for the next demand the producer receives.
   *
   * @return the demand
   * @throws AssertionError if none arrives in time
   */
  public long awaitDemand() {
    return Probes.take(recorder.demandQueue, Probes.TIMEOUT, "demand");
  }

  /**
   * Waits for the next demand and fails unless it is {@code expected}.
   *
   * @param expected the demand
   */
  public void expectDemand(long expected) {
    long got = awaitDemand();
    if (got != expected) {
      throw new AssertionError(
          "expected demand "
              + expected
              + " but got "
              + got
              + " (demands so far: "
              + demands()
              + ")");
    }
  }

  /**
   * Fails if any demand arrives within {@code within}.
   *
   * @param within how long to watch
   */
  public void expectNoDemand(Duration within) {
    Probes.expectNone(recorder.demandQueue, within, "demand");
  }

  /**
   * Every demand received so far, in order (including those already awaited). As in GenStage, the
   * producer sees only demand its buffer could not serve: events emitted ahead of demand are sent
   * from the buffer first.
   *
   * @return the demands
   */
  public List<Long> demands() {
    return List.copyOf(recorder.demands);
  }

  /**
   * The sum of all demand received so far.
   *
   * @return the total
   */
  public long totalDemand() {
    long sum = 0;
    for (long d : recorder.demands) {
      sum += d;
    }
    return sum;
  }

  /**
   * Demand received and not yet answered by {@link #emit}: what the consumers may still receive.
   *
   * @return the outstanding demand (negative when more was emitted than asked)
   */
  public long outstandingDemand() {
    return totalDemand() - recorder.emitted.get();
  }

  /**
   * Emits events only if the consumers asked for at least that many: the way a well-behaved
   * producer emits, for tests of what a consumer does with exactly the demand it gave.
   *
   * @param events the events
   * @throws AssertionError if the outstanding demand is smaller
   */
  public void emitWithinDemand(List<? extends E> events) {
    long outstanding = outstandingDemand();
    if (events.size() > outstanding) {
      throw new AssertionError(
          "cannot emit "
              + events.size()
              + " events: only "
              + outstanding
              + " demanded and not yet emitted (demands: "
              + demands()
              + ")");
    }
    emit(events);
  }

  /**
   * Waits for the next subscription to this producer.
   *
   * @return the subscription
   */
  public Subscription awaitSubscription() {
    return Probes.take(recorder.subscriptions, Probes.TIMEOUT, "a subscription");
  }

  /**
   * Waits for the next cancel of a subscription.
   *
   * @return why the subscription ended
   */
  public ExitReason awaitCancel() {
    return Probes.take(recorder.cancels, Probes.TIMEOUT, "a cancel");
  }

  private static final class Recorder<E> implements Producer<E> {
    final BlockingQueue<Long> demandQueue = new LinkedBlockingQueue<>();
    final List<Long> demands = new CopyOnWriteArrayList<>();
    final BlockingQueue<Subscription> subscriptions = new LinkedBlockingQueue<>();
    final BlockingQueue<ExitReason> cancels = new LinkedBlockingQueue<>();
    final AtomicLong emitted = new AtomicLong();

    @Override
    public void handleDemand(long demand, ProducerContext<E> ctx) {
      demands.add(demand);
      demandQueue.add(demand);
    }

    @Override
    public void handleSubscribe(Subscription subscription, ProducerContext<E> ctx) {
      subscriptions.add(subscription);
    }

    @Override
    public void handleCancel(Subscription subscription, ExitReason reason, ProducerContext<E> ctx) {
      cancels.add(reason);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object handleCall(Object request, ProducerContext<E> ctx) {
      switch (request) {
        case Emit e -> ctx.emit(new ArrayList<>((List<E>) e.events()));
        case Complete c -> ctx.done();
        case Fail f -> ctx.stop(ExitReason.failure(f.cause()));
        default -> throw new IllegalArgumentException("unknown probe command: " + request);
      }
      return "ok";
    }
  }
}
