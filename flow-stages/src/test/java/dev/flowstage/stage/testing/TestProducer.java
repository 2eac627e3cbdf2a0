package dev.flowstage.stage.testing;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Subscription;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scriptable producer for tests. In {@link Mode#COUNTER} mode it answers each demand with the
 * next consecutive integers (gen_stage's test {@code Counter}); in {@link Mode#SILENT} mode it
 * emits nothing when asked and only records the demand. Either way, a cast of {@link Emit} emits
 * its events, a cast of {@link Done} finishes the producer, a call of {@link Emit} emits and
 * replies {@code "ok"}, and every demand, subscribe and cancel is recorded.
 */
public final class TestProducer implements Producer<Integer> {
  /** How the producer answers demand. */
  public enum Mode {
    /** Emit consecutive integers for every demand. */
    COUNTER,
    /** Emit nothing; record the demand only. */
    SILENT
  }

  /**
   * Cast or call this to make the producer emit {@code events}.
   *
   * @param events the events
   */
  public record Emit(List<Integer> events) {}

  /** Cast this to make the producer finish ({@code ctx.done()}). */
  public record Done() {}

  /**
   * Cast this to make the producer emit events then an ordered info.
   *
   * @param events events to emit first
   * @param info the info
   */
  public record EmitThenInfo(List<Integer> events, Object info) {}

  private final Mode mode;
  private int next;
  private final BlockingQueue<Long> demands = new LinkedBlockingQueue<>();
  private final BlockingQueue<Object> infos = new LinkedBlockingQueue<>();
  private final BlockingQueue<Subscription> subscriptions = new LinkedBlockingQueue<>();
  private final BlockingQueue<ExitReason> cancels = new LinkedBlockingQueue<>();

  /**
   * Creates a producer.
   *
   * @param mode counter or silent
   * @param first the first integer a counter emits
   */
  public TestProducer(Mode mode, int first) {
    this.mode = mode;
    this.next = first;
  }

  /**
   * A counter starting at 0.
   *
   * @return the producer
   */
  public static TestProducer counter() {
    return new TestProducer(Mode.COUNTER, 0);
  }

  /**
   * A silent producer.
   *
   * @return the producer
   */
  public static TestProducer silent() {
    return new TestProducer(Mode.SILENT, 0);
  }

  @Override
  public void handleDemand(long demand, ProducerContext<Integer> ctx) {
    demands.add(demand);
    if (mode == Mode.COUNTER) {
      Integer[] batch = new Integer[(int) demand];
      for (int i = 0; i < demand; i++) {
        batch[i] = next++;
      }
      ctx.emit(List.of(batch));
    }
  }

  @Override
  public void handleSubscribe(Subscription subscription, ProducerContext<Integer> ctx) {
    subscriptions.add(subscription);
  }

  @Override
  public void handleCancel(
      Subscription subscription, ExitReason reason, ProducerContext<Integer> ctx) {
    cancels.add(reason);
  }

  @Override
  public void handleCast(Object message, ProducerContext<Integer> ctx) {
    switch (message) {
      case Emit e -> ctx.emit(e.events());
      case Done d -> ctx.done();
      case EmitThenInfo e -> {
        ctx.emit(e.events());
        ctx.asyncInfo(e.info());
      }
      default -> throw new IllegalArgumentException("unknown cast " + message);
    }
  }

  @Override
  public Object handleCall(Object request, ProducerContext<Integer> ctx) {
    if (request instanceof Emit e) {
      ctx.emit(e.events());
      return "ok";
    }
    throw new IllegalArgumentException("unknown call " + request);
  }

  @Override
  public void handleInfo(Object message, ProducerContext<Integer> ctx) {
    infos.add(message);
  }

  private static <T> T take(BlockingQueue<T> q, String what) {
    try {
      T t = q.poll(RecordingConsumer.TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (t == null) {
        throw new AssertionError("timed out waiting for " + what);
      }
      return t;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /**
   * Waits for the next {@code handleDemand}.
   *
   * @return the demand
   */
  public long awaitDemand() {
    return take(demands, "handleDemand");
  }

  /**
   * Returns whether no demand is recorded and unread (does not wait).
   *
   * @return true if none
   */
  public boolean noDemandPending() {
    return demands.isEmpty();
  }

  /**
   * Waits for the next info delivered to this producer's own handleInfo.
   *
   * @return the info
   */
  public Object awaitInfo() {
    return take(infos, "handleInfo");
  }

  /**
   * Waits for the next consumer subscription.
   *
   * @return the subscription
   */
  public Subscription awaitSubscription() {
    return take(subscriptions, "handleSubscribe");
  }

  /**
   * Waits for the next consumer cancel.
   *
   * @return the reason
   */
  public ExitReason awaitCancel() {
    return take(cancels, "handleCancel");
  }
}
