package dev.flowstage.stage.internal;

import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.ProducerInfo;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.StageKind;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The consumer side of a consumer or producer-consumer: its upstream subscriptions, demand counting
 * ({@link DemandCounter}, A7.1), cancel modes, and a producer-consumer's input queue. A producer
 * has none. Runs on its stage's thread only, called by the loop ({@link StageCell}) for the
 * messages that concern it.
 */
final class ConsumerSide {
  /*
   * A producer-consumer queues its input and handles it only while downstream demand is pending
   * (A8), so upstream asks stop when downstream stops asking; upstream ends and infos wait behind
   * the input that arrived before them.
   */

  private record UpstreamEnd(StageSubscription sub, ExitReason reason, boolean applyMode) {}

  private final StageCell<?> cell;
  final ArrayList<StageSubscription> upstream = new ArrayList<>();
  final ArrayDeque<Object> input = new ArrayDeque<>();
  private boolean draining;

  ConsumerSide(StageCell<?> cell) {
    this.cell = cell;
  }

  List<Subscription> upstreamSubscriptions() {
    return Collections.unmodifiableList(new ArrayList<>(upstream));
  }

  void onSubscribeRequest(Message.SubscribeRequest r) {
    StageSubscription sub;
    try {
      sub = doSubscribe(r.producer(), r.options());
    } catch (Throwable t) {
      // handleSubscribe threw, which fails the stage: a subscribeTo caller gets it now rather
      // than a timeout, and owns it
      if (r.awaited() && r.result().completeExceptionally(t)) {
        cell.thrownToCaller(t);
      }
      throw t;
    }
    sub.accepted.whenComplete(
        (s, e) -> {
          if (e != null) {
            r.result().completeExceptionally(e);
          } else {
            r.result().complete(s);
          }
        });
  }

  Subscription subscribeFromInside(StageCell<?> producer, SubscriptionOptions options) {
    return doSubscribe(producer, options);
  }

  private StageSubscription doSubscribe(StageCell<?> producer, SubscriptionOptions options) {
    Objects.requireNonNull(options, "options");
    StageSubscription sub = new StageSubscription(producer, cell, options);
    cell.watchFromInside(producer, false);
    sub.consumerActive = true;
    upstream.add(sub);
    producer.deliver(new Message.Subscribe(sub));
    SubscriptionMode mode = cell.callbacks.handleSubscribe(Peer.PRODUCER, sub, cell.ctx);
    cell.flush();
    sub.mode = mode;
    if (mode == SubscriptionMode.AUTOMATIC && sub.consumerActive) {
      sub.demand = new DemandCounter(options.minDemand(), options.maxDemand());
      sendAsk(sub, options.maxDemand());
    }
    return sub;
  }

  private void sendAsk(StageSubscription sub, long n) {
    cell.counters.add(Counters.ASKS_SENT, 1);
    sub.producer.deliver(new Message.Ask(sub, n));
  }

  void onEvents(Message.Events e) {
    if (cell.kind == StageKind.PRODUCER_CONSUMER) {
      input.addLast(e);
      drainInput();
    } else {
      consumeEvents(e.sub(), e.events());
    }
  }

  @SuppressWarnings("unchecked")
  private void consumeEvents(StageSubscription sub, List<?> raw) {
    if (!sub.consumerActive) {
      return; // a subscription this stage no longer has (GenStage ignores such events too)
    }
    List<Object> events = (List<Object>) raw;
    int n = events.size();
    cell.counters.add(Counters.EVENTS_IN, n);
    if (sub.mode == SubscriptionMode.MANUAL || sub.demand == null) {
      cell.callbacks.handleEvents(events, sub, cell.ctx);
      cell.flush();
      return;
    }
    DemandCounter dc = sub.demand;
    long excessBefore = dc.excess();
    dc.beginMessage();
    int chunk = dc.chunkSize();
    for (int off = 0; off < n; off += chunk) {
      int end = Math.min(n, off + chunk);
      List<Object> c = off == 0 && end == n ? events : events.subList(off, end);
      long ask = dc.consume(c.size());
      cell.callbacks.handleEvents(c, sub, cell.ctx);
      cell.flush();
      if (ask > 0 && sub.consumerActive) {
        sendAsk(sub, ask);
      }
      if (cell.pendingStop != null) {
        break;
      }
    }
    if (dc.excess() != excessBefore) {
      StageLog.get()
          .log(
              Level.ERROR,
              "stage "
                  + cell.name
                  + " received "
                  + (dc.excess() - excessBefore)
                  + " events in excess on "
                  + sub);
    }
  }

  void onProducerInfo(Message.ProducerInfoMessage pi) {
    if (cell.kind == StageKind.PRODUCER_CONSUMER && !input.isEmpty()) {
      input.addLast(pi);
      return;
    }
    cell.callbacks.handleInfo(new ProducerInfo(pi.sub(), pi.message()), cell.ctx);
    cell.flush();
  }

  void onUpstreamEnded(StageSubscription sub, ExitReason reason, boolean applyMode) {
    if (cell.kind == StageKind.PRODUCER_CONSUMER && !input.isEmpty()) {
      input.addLast(new UpstreamEnd(sub, reason, applyMode));
      return;
    }
    upstreamEnded(sub, reason, applyMode);
  }

  private void upstreamEnded(StageSubscription sub, ExitReason reason, boolean applyMode) {
    if (!sub.consumerActive) {
      return;
    }
    sub.consumerActive = false;
    upstream.remove(sub);
    if (!sub.accepted.isDone()) {
      // Most subscriptions end long after they were accepted: no exception (and its stack trace
      // and message) is made for a future that would ignore it.
      sub.accepted.completeExceptionally(
          new StageException("subscription " + sub + " ended before it was accepted: " + reason));
    }
    Peer peer = Peer.PRODUCER;
    cell.callbacks.handleCancel(peer, sub, reason, cell.ctx);
    cell.flush();
    CancelMode mode = sub.options().cancel();
    boolean stop =
        applyMode
            && switch (mode) {
              case PERMANENT -> true;
              case TRANSIENT -> reason.isAbnormal();
              case TEMPORARY -> false;
            };
    if (stop && cell.pendingStop == null) {
      StageLog.get()
          .log(
              Level.DEBUG,
              () ->
                  "stage "
                      + cell.name
                      + " stops after "
                      + sub
                      + " ended with "
                      + reason
                      + " ("
                      + mode
                      + ")");
      cell.requestStop(
          reason,
          "its "
              + mode
              + " subscription to "
              + sub.producer.name
              + (reason instanceof ExitReason.Normal ? " ended normally" : " ended: " + reason));
      cell.stoppedByCancelMode = true;
    }
  }

  /**
   * Counts the events queued in a producer-consumer's input that it has not handled, on
   * subscriptions it still has (events of a subscription it cancelled are ignored when they come,
   * as GenStage does); the exit reports them as discarded.
   */
  long unhandledInput() {
    long n = 0;
    for (Object item : input) {
      if (item instanceof Message.Events e && e.sub().consumerActive) {
        n += e.events().size();
      }
    }
    return n;
  }

  void drainInput() {
    if (draining) {
      return;
    }
    draining = true;
    try {
      while (!input.isEmpty() && cell.pendingStop == null) {
        Object head = input.peekFirst();
        if (head instanceof Message.Events e) {
          if (cell.producer.downstreamDemand <= 0) {
            break;
          }
          input.pollFirst();
          consumeEvents(e.sub(), e.events());
        } else if (head instanceof UpstreamEnd u) {
          input.pollFirst();
          upstreamEnded(u.sub(), u.reason(), u.applyMode());
        } else if (head instanceof Message.ProducerInfoMessage pi) {
          input.pollFirst();
          cell.callbacks.handleInfo(new ProducerInfo(pi.sub(), pi.message()), cell.ctx);
          cell.flush();
        } else if (head instanceof StageCell.HeldInfo hi) {
          input.pollFirst();
          cell.producer.producerOrderedInfo(hi.message());
        }
      }
    } finally {
      draining = false;
    }
  }
}
