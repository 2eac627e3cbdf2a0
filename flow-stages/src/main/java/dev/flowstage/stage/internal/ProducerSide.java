package dev.flowstage.stage.internal;

import dev.flowstage.stage.BufferKeep;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.DiscardListener;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.StageKind;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Outbox;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The producer side of a producer or producer-consumer: its dispatcher, buffer, downstream
 * subscriptions and demand, accumulate mode and ordered infos. A consumer has none. Runs on its
 * stage's thread only, called by the loop ({@link StageCell}) for the messages that concern it.
 */
final class ProducerSide {
  /*
   * Demand goes through the dispatcher, then the buffer, then handleDemand (A7.3). A
   * producer-consumer's downstream demand gates the handling of its queued input (A8): that input
   * belongs to the consumer side, so newDemand hands back to the loop (drainInput).
   */

  private final StageCell<?> cell;
  private final Dispatcher<Object> dispatcher;
  private final EventBuffer<Object> buffer;
  private final boolean discardWhenNoConsumers;
  private final long bufferCapacity;
  private final BufferKeep bufferKeep;
  private final DiscardListener onDiscard;
  private DemandMode demandMode;
  final ArrayList<StageSubscription> downstream = new ArrayList<>();
  final ArrayDeque<Object> accumulated = new ArrayDeque<>();
  private final List<Object> dueInfos = new ArrayList<>();
  private final DispatchOutbox out = new DispatchOutbox();
  long downstreamDemand;
  private long deferredDemand;
  private boolean inDeferred;

  @SuppressWarnings("unchecked")
  ProducerSide(StageCell<?> cell, ProducerOptions<?> options) {
    this.cell = cell;
    Dispatcher<Object> d =
        options.dispatcher() == null
            ? StageRuntime.defaultDispatcher()
            : (Dispatcher<Object>) options.dispatcher().get();
    this.dispatcher = Objects.requireNonNull(d, "the dispatcher supplier returned null");
    long size = options.bufferSize();
    if (size == ProducerOptions.DEFAULT_BUFFER) {
      size =
          cell.kind == StageKind.PRODUCER
              ? ProducerOptions.DEFAULT_PRODUCER_BUFFER
              : ProducerOptions.UNBOUNDED;
    }
    this.bufferCapacity = size;
    this.bufferKeep = options.bufferKeep();
    this.buffer = new EventBuffer<>(size, options.bufferKeep());
    this.discardWhenNoConsumers = options.discardWhenNoConsumers();
    this.onDiscard = options.onDiscard() == null ? DiscardListener.LOG : options.onDiscard();
    this.demandMode = options.demandMode();
  }

  /** Sets the demand mode (producers only) and, back to forward, replays what accumulated. */
  void setDemandMode(DemandMode mode) {
    demandMode = mode;
    while (demandMode == DemandMode.FORWARD && !accumulated.isEmpty() && !cell.exiting) {
      Object item = accumulated.pollFirst();
      switch (item) {
        case Long d -> newDemand(d);
        case StageCell.HeldEvents h -> dispatchEvents(h.events());
        case StageCell.HeldInfo i -> producerOrderedInfo(i.message());
        default -> throw new IllegalStateException("unexpected held item " + item);
      }
    }
  }

  /** Whether events are held back (accumulate mode of a producer). */
  boolean accumulating() {
    return demandMode == DemandMode.ACCUMULATE;
  }

  void onSubscribe(StageSubscription sub) {
    long d;
    try {
      d = dispatcher.subscribe(sub, out);
    } catch (IllegalArgumentException e) {
      cell.refuse(
          sub,
          new StageException("stage " + cell.name + " refused " + sub + ": " + e.getMessage(), e));
      return;
    }
    cell.watchFromInside(sub.consumer, false);
    sub.producerActive = true;
    downstream.add(sub);
    cell.callbacks.handleSubscribe(Peer.CONSUMER, sub, cell.ctx);
    cell.flush();
    sub.accepted.complete(sub);
    newDemand(d);
  }

  void onAsk(StageSubscription sub, long n) {
    if (!sub.producerActive || n <= 0) {
      return;
    }
    cell.counters.add(Counters.ASKS_RECEIVED, 1);
    cell.counters.add(Counters.DEMAND_RECEIVED, n);
    newDemand(dispatcher.ask(sub, n, out));
  }

  void onCancel(StageSubscription sub, ExitReason reason) {
    if (sub.producer != cell || !sub.producerActive) {
      return;
    }
    removeConsumer(sub, reason);
    sub.consumer.deliver(new Message.Cancelled(sub, reason));
  }

  void removeConsumer(StageSubscription sub, ExitReason reason) {
    sub.producerActive = false;
    downstream.remove(sub);
    long d = dispatcher.cancel(sub, out);
    cell.callbacks.handleCancel(Peer.CONSUMER, sub, reason, cell.ctx);
    cell.flush();
    newDemand(d);
  }

  /** Demand reported by the dispatcher: serve it from the buffer, then handleDemand (A7.3). */
  void newDemand(long d) {
    if (d <= 0) {
      return;
    }
    if (cell.kind == StageKind.PRODUCER_CONSUMER) {
      downstreamDemand += d;
      takeFromBuffer(Long.MAX_VALUE);
      if (!inDeferred) {
        // Its input waits for this demand. While demand the dispatcher raised is still being
        // served, its buffer may hold events that demand is for: the input (newer events) is
        // handled once serveDeferredDemand has served all of it, not before.
        cell.consumer.drainInput();
      }
      return;
    }
    if (demandMode == DemandMode.ACCUMULATE) {
      accumulated.addLast(d);
      return;
    }
    long left = takeFromBuffer(d);
    if (left > 0 && !cell.exiting && !cell.doneReached) {
      cell.callbacks.handleDemand(left, cell.ctx);
      cell.flush();
    }
  }

  /**
   * Dispatches buffered events for {@code d} demand (for producer-consumers, for as long as
   * downstream demand lasts); returns the demand the buffer could not serve.
   */
  long takeFromBuffer(long d) {
    while (!buffer.isEmpty()) {
      long want = cell.kind == StageKind.PRODUCER_CONSUMER ? downstreamDemand : d;
      if (want <= 0) {
        break;
      }
      List<Object> taken = buffer.take(want, dueInfos);
      if (cell.kind != StageKind.PRODUCER_CONSUMER) {
        d -= taken.size(); // handed over, sent or not, as before: no new events for unsent ones
      }
      if (!taken.isEmpty()) {
        List<Object> unsent = dispatch(taken);
        if (!unsent.isEmpty()) {
          // The dispatcher could not send them all (a partition without demand): they go back to
          // the head, ahead of the infos the take released, and wait for more demand.
          buffer.putBack(unsent, dueInfos);
          break;
        }
      }
      releaseDueInfos();
      if (taken.isEmpty() && dueInfos.isEmpty()) {
        break;
      }
    }
    if (deferredDemand > 0 && !inDeferred) {
      // Serve after the caller finished with its own demand.
      long own = d;
      serveDeferredDemand();
      return own;
    }
    return d;
  }

  private void releaseDueInfos() {
    if (dueInfos.isEmpty()) {
      return;
    }
    List<Object> due = new ArrayList<>(dueInfos);
    dueInfos.clear();
    for (Object msg : due) {
      dispatcher.info(msg, out);
    }
  }

  void dispatchEvents(List<Object> events) {
    if (events.isEmpty()) {
      return;
    }
    if (cell.kind == StageKind.PRODUCER && demandMode == DemandMode.ACCUMULATE) {
      accumulated.addLast(new StageCell.HeldEvents(events));
      return;
    }
    handToDispatcher(events);
    serveDeferredDemand();
  }

  /** Dispatches newly emitted events and buffers the leftovers at the tail. */
  private void handToDispatcher(List<Object> events) {
    List<Object> left = dispatch(events);
    if (!left.isEmpty()) {
      storeInBuffer(left);
    }
  }

  /**
   * Hands events to the dispatcher; returns those it could not send. A producer-consumer's
   * downstream demand counter drops by every event handed over, sent or not (GenStage {@code
   * dispatch_events}): a dispatcher that queues events internally (partition) has used that demand
   * too.
   */
  private List<Object> dispatch(List<Object> events) {
    if (cell.kind == StageKind.PRODUCER_CONSUMER) {
      downstreamDemand = Math.max(0, downstreamDemand - events.size());
    }
    List<Object> left = dispatcher.dispatch(events, out);
    cell.counters.set(Counters.DROPPED, dispatcher.dropped()); // readable from any thread
    return left;
  }

  /**
   * Demand the dispatcher raised during dispatch (Outbox.askUpstream: selector discards, hash
   * drops) is served like asked demand, after dispatch returned, never re-entrantly.
   */
  private void serveDeferredDemand() {
    if (inDeferred) {
      return;
    }
    boolean served = false;
    inDeferred = true;
    try {
      while (deferredDemand > 0 && !cell.exiting) {
        long d = deferredDemand;
        deferredDemand = 0;
        served = true;
        newDemand(d);
      }
    } finally {
      inDeferred = false;
    }
    if (served && cell.kind == StageKind.PRODUCER_CONSUMER && !cell.exiting) {
      cell.consumer.drainInput(); // what newDemand left for now (it may be draining already)
    }
  }

  private void storeInBuffer(List<Object> events) {
    long discarded;
    if (discardWhenNoConsumers && downstream.isEmpty()) {
      discarded = events.size();
    } else {
      discarded = buffer.store(events, dueInfos);
      cell.counters.max(Counters.BUFFER_HIGH, buffer.size());
    }
    if (discarded > 0) {
      reportDiscarded(
          discarded,
          discardWhenNoConsumers && downstream.isEmpty()
              ? "no consumers"
              : "buffer full (bufferSize " + bufferCapacity + ", keep " + bufferKeep + ")");
    }
    releaseDueInfos();
  }

  /**
   * At a normal exit: counts the events still held (buffer, dispatcher, accumulated) and reports
   * them as discarded for {@code reason}, once; nothing if none is held.
   */
  void discardHeld(String reason) {
    long held = buffer.size() + dispatcher.heldCount();
    for (Object item : accumulated) {
      if (item instanceof StageCell.HeldEvents h) {
        held += h.events().size();
      }
    }
    if (held > 0) {
      reportDiscarded(held, reason);
    }
  }

  /** Counts a discard and reports it: to the producer's listener, then (if it says so) the log. */
  void reportDiscarded(long n, String reason) {
    cell.counters.add(Counters.DISCARDED, n);
    if (onDiscard.discarded(cell.name, n, reason)) {
      StageLog.get()
          .log(
              Level.WARNING,
              () -> "producer " + cell.name + " discarded " + n + " events: " + reason);
    }
  }

  void producerOrderedInfo(Object message) {
    if (!buffer.storeInfo(message)) {
      dispatcher.info(message, out);
    }
  }

  /** The runtime's side of the dispatcher SPI. */
  private final class DispatchOutbox implements Outbox<Object> {
    @Override
    public void send(Subscription to, List<Object> events) {
      StageSubscription s = (StageSubscription) to;
      int n = events.size();
      cell.counters.add(Counters.EVENTS_OUT, n);
      s.consumer.deliver(new Message.Events(s, events));
    }

    @Override
    public void askUpstream(long demand) {
      deferredDemand += demand;
    }

    @Override
    public void discard(List<Object> events, String reason) {
      reportDiscarded(events.size(), reason);
    }

    @Override
    public long buffered() {
      long n = buffer.size();
      if (demandMode == DemandMode.ACCUMULATE) {
        // Demand held back is served from the buffer first when it is replayed: those events are
        // taken already.
        for (Object item : accumulated) {
          if (item instanceof Long d) {
            n -= d;
          }
        }
      }
      return Math.max(0, n);
    }

    @Override
    public void info(Object message) {
      if (message == StageCell.DONE) {
        cell.doneReached = true;
        return;
      }
      for (StageSubscription s : downstream) {
        s.consumer.deliver(new Message.ProducerInfoMessage(s, message));
      }
      cell.readyInfos.addLast(message);
    }
  }

  DemandMode currentDemandMode() {
    return demandMode;
  }

  long bufferedCount() {
    return buffer == null ? 0 : buffer.size() + dispatcher.heldCount();
  }

  List<Subscription> downstreamSubscriptions() {
    return Collections.unmodifiableList(new ArrayList<>(downstream));
  }
}
