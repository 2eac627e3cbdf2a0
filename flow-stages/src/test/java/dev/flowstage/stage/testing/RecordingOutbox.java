package dev.flowstage.stage.testing;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.dispatch.Outbox;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Outbox} that records every call in order, so dispatcher tests can assert on sends,
 * infos and upstream demand without threads (gen_stage's dispatcher tests read the mailbox).
 *
 * @param <E> the event type
 */
public final class RecordingOutbox<E> implements Outbox<E> {
  private long buffered;

  /** One recorded outbox call. */
  public sealed interface Call {}

  /**
   * A batch sent on a subscription.
   *
   * @param to the subscription
   * @param events the batch, copied when recorded
   */
  public record Send(Subscription to, List<Object> events) implements Call {}

  /**
   * An info message delivered.
   *
   * @param message the message
   */
  public record Info(Object message) implements Call {}

  /**
   * Demand passed upstream from inside a dispatch.
   *
   * @param demand the demand
   */
  public record AskUpstream(long demand) implements Call {}

  /**
   * Events the dispatcher gave up.
   *
   * @param events the events, copied when recorded
   * @param reason the dispatcher's reason
   */
  public record Discard(List<Object> events, String reason) implements Call {}

  private final List<Call> calls = new ArrayList<>();

  @Override
  public void send(Subscription to, List<E> events) {
    if (events.isEmpty()) {
      throw new AssertionError("dispatcher sent an empty batch to " + to);
    }
    calls.add(new Send(to, List.copyOf(events)));
  }

  @Override
  public void askUpstream(long demand) {
    if (demand < 1) {
      throw new AssertionError("dispatcher passed upstream demand " + demand + ", must be >= 1");
    }
    calls.add(new AskUpstream(demand));
  }

  @Override
  public void info(Object message) {
    calls.add(new Info(message));
  }

  @Override
  public void discard(List<E> events, String reason) {
    if (events.isEmpty()) {
      throw new AssertionError("dispatcher reported an empty discard: " + reason);
    }
    calls.add(new Discard(List.copyOf(events), reason));
  }

  /**
   * Returns every event given up, in order.
   *
   * @return the discarded events
   */
  public List<Object> discarded() {
    List<Object> events = new ArrayList<>();
    for (Call c : calls) {
      if (c instanceof Discard d) {
        events.addAll(d.events());
      }
    }
    return events;
  }

  /**
   * Returns every recorded call in order.
   *
   * @return the calls, a live view
   */
  public List<Call> calls() {
    return calls;
  }

  /**
   * Returns the events sent on a subscription, flattened, in order.
   *
   * @param to the subscription
   * @return the events
   */
  public List<Object> sent(Subscription to) {
    List<Object> events = new ArrayList<>();
    for (Call call : calls) {
      if (call instanceof Send send && send.to() == to) {
        events.addAll(send.events());
      }
    }
    return events;
  }

  /**
   * Returns the batches sent on a subscription, in order.
   *
   * @param to the subscription
   * @return the batches
   */
  public List<List<Object>> batches(Subscription to) {
    List<List<Object>> batches = new ArrayList<>();
    for (Call call : calls) {
      if (call instanceof Send send && send.to() == to) {
        batches.add(send.events());
      }
    }
    return batches;
  }

  /**
   * Returns the info messages delivered, in order.
   *
   * @return the messages
   */
  public List<Object> infos() {
    List<Object> infos = new ArrayList<>();
    for (Call call : calls) {
      if (call instanceof Info info) {
        infos.add(info.message());
      }
    }
    return infos;
  }

  /**
   * Returns the total demand passed upstream through {@link #askUpstream}.
   *
   * @return the sum
   */
  public long askedUpstream() {
    long total = 0;
    for (Call call : calls) {
      if (call instanceof AskUpstream ask) {
        total += ask.demand();
      }
    }
    return total;
  }

  /**
   * Sets what {@link #buffered()} answers: the events a producer's buffer would hold.
   *
   * @param events the number of buffered events, at least 0
   */
  public void setBuffered(long events) {
    buffered = events;
  }

  @Override
  public long buffered() {
    return buffered;
  }

  /** Forgets every recorded call. */
  public void clear() {
    calls.clear();
  }
}
