package dev.flowstage.stage.internal;

import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageDown;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.StageKind;
import dev.flowstage.stage.StageNotAliveException;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One running stage's loop: its virtual thread, mailbox loop, fairness, exit, and the callbacks'
 * context operations. The producer side (dispatcher, buffer, downstream demand, accumulate mode,
 * ordered infos) is a {@link ProducerSide}, absent for a consumer; the consumer side (upstream
 * subscriptions, demand counting, cancel modes, a producer-consumer's input) is a {@link
 * ConsumerSide}, absent for a producer. What other threads call (the {@link Stage} handle, {@code
 * deliver}, watching) is in {@link StageHandle}, its superclass.
 *
 * <p>Everything in this file runs on the stage's virtual thread only (besides construction and
 * {@link #start}). Nothing on the event path is synchronized.
 *
 * @param <E> the type of emitted events
 */
public final class StageCell<E> extends StageHandle<E> {
  /*
   * Design (gen_stage lib/gen_stage.ex, reference A7-A10): one loop takes one message at a time
   * and runs the matching callback. Producer-side demand goes through the dispatcher, then the
   * buffer, then handleDemand (ProducerSide). Consumer-side demand follows DemandCounter (A7.1). A
   * producer-consumer queues its input and handles it only while downstream demand is pending
   * (A8), so upstream asks stop when downstream stops asking. Infos released by the dispatcher are
   * sent to consumers at once (keeping their order with events) and delivered to this stage's own
   * handleInfo after the current step, so user callbacks never run re-entrantly inside a
   * dispatcher call.
   *
   * Exit: the loop closes the mailbox (later senders drain and reject their own messages), tells
   * watchers (Down), then completes the public exit future, so stage watchers always learn first.
   */
  static final Object DONE = new Object();

  /*
   * Virtual threads are not preempted, and a carrier runs its local task queue until it is empty.
   * Two stages that keep each other busy (an endless producer and a fast consumer) unpark each
   * other onto the same carrier's local queue forever, starving every thread submitted from
   * outside (a stage being started, for example), even though each of them parks between messages.
   * So every stage pauses briefly after each slice of busy time: a timed sleep is resumed by the
   * JDK's timer through an external submission, and meanwhile its partner runs dry and parks, so
   * the carrier's local queue empties and the carrier serves other threads.
   */
  private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /*
   * The slice alone makes a stage woken from outside (see Mailbox) wait up to a slice or more, and
   * with more busy stages than carriers much more (a sleeping stage comes back through the same
   * external queue). So a busy stage also looks for outside wake-ups after every message (one
   * volatile read of OutsideWakeups.epoch()) and, when there is a new one, parks until the stages
   * woken from outside have run (OutsideWakeups.awaitPending): once every busy stage has parked,
   * the carriers' local queues are empty and they must take the woken stage from the external
   * queue, however many stages were busy. At most once per OUTSIDE_PAUSE_EVERY of running, so that
   * a stream of outside wake-ups cannot turn into a stream of pauses; a wake-up seen within that
   * time is answered when it ends, not forgotten.
   */
  private static final long OUTSIDE_PAUSE_EVERY = TimeUnit.MICROSECONDS.toNanos(200);
  private static final Duration PAUSE = Duration.ofNanos(1000);

  /**
   * Messages handled back to back between two clock reads: small enough that a run of large batches
   * still reaches the slice check about every slice.
   */
  private static final int CLOCK_EVERY = 8;

  record HeldEvents(List<Object> events) {}

  record HeldInfo(Object message) {}

  private final StageRuntime runtime;
  final Callbacks callbacks;
  private final CompletableFuture<Void> started = new CompletableFuture<>();

  // ---- stage-thread state ----
  final CallbackContext ctx = new CallbackContext(this);

  /** The producer side; null for a consumer, which has none. */
  final ProducerSide producer;

  /** The consumer side; null for a producer, which has none. */
  final ConsumerSide consumer;

  private final Map<StageCell<?>, Boolean> watching = new IdentityHashMap<>();
  private final Map<StageCell<?>, Boolean> watchingForUser = new IdentityHashMap<>();
  final ArrayDeque<Object> readyInfos = new ArrayDeque<>();
  private List<Object> pending;
  private boolean pendingOwned;
  ExitReason pendingStop;

  /**
   * Why {@link #pendingStop} was set, in words, for the report of events a normal exit leaves
   * behind; null until then.
   */
  String stopCause;

  /** Whether a subscription's cancel mode set {@link #pendingStop} (its report's advice). */
  boolean stoppedByCancelMode;

  private boolean doneRequested;
  boolean doneReached;
  boolean exiting;

  /** What a callback threw to a caller waiting on it, if that failed the stage; stage thread. */
  private Throwable thrownToCaller;

  StageCell(StageRuntime runtime, String name, Callbacks callbacks, ProducerOptions<?> options) {
    super(name, callbacks.kind());
    this.runtime = runtime;
    this.callbacks = callbacks;
    this.producer = kind == StageKind.CONSUMER ? null : new ProducerSide(this, options);
    this.consumer = kind == StageKind.PRODUCER ? null : new ConsumerSide(this);
  }

  // ===================================================================== lifecycle

  void start(Thread.Builder builder) {
    Thread t = builder.name("flowstage-" + name).unstarted(this::run);
    thread = t;
    mailbox.owner(t);
    mailbox.startingFromOutside();
    try {
      t.start();
    } catch (Throwable e) {
      mailbox.running(); // it never will: do not leave busy stages waiting for it
      throw e;
    }
  }

  /** Waits for init; rethrows its failure. */
  void awaitStarted() {
    try {
      started.get();
    } catch (ExecutionException e) {
      throw new StageException("stage " + name + " failed to start: " + e.getCause(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StageException("interrupted while starting stage " + name, e);
    }
  }

  private void run() {
    mailbox.running(); // started from outside: it has a carrier now (before init, which may block)
    try {
      callbacks.init(ctx);
      flush();
    } catch (Throwable t) {
      exitObserved = true; // the start call rethrows it to its caller
      started.completeExceptionally(t);
      finish(ExitReason.failure(t), false);
      return;
    }
    started.complete(null);
    try {
      afterStep();
    } catch (Throwable t) {
      finish(ExitReason.failure(t), true);
      return;
    }
    /*
     * The clock is read once per run of back-to-back messages (and every CLOCK_EVERY messages
     * within a long run), not twice per message: busy time is the time from taking a message with
     * the stage idle until the mailbox is empty again, which is what busy time means, at a fraction
     * of the System.nanoTime calls when messages queue up.
     */
    long busySincePause = 0;
    long runStart = 0; // when the current busy run started; 0 while idle
    int sinceClock = 0;
    long seenOutside = OutsideWakeups.epoch(); // the epoch this stage last looked at
    long lastOutsidePause = 0;
    while (true) {
      ExitReason r = stopRequest;
      if (r != null) {
        stopCause = "kill was called on it";
        stoppedByCancelMode = false;
      } else if (Thread.interrupted()) {
        r = ExitReason.shutdown("interrupted");
      }
      if (r == null) {
        r = pendingStop;
      }
      if (r != null) {
        if (runStart != 0) {
          counters.add(Counters.BUSY_NANOS, System.nanoTime() - runStart);
        }
        finish(r, true);
        return;
      }
      Message m = mailbox.poll();
      if (m == null) {
        if (runStart != 0) {
          // Going idle: close the busy run before parking.
          busySincePause += endBusyRun(runStart);
          runStart = 0;
          sinceClock = 0;
          if (busySincePause > SLICE_NANOS) {
            busySincePause = 0;
            pauseForFairness();
            continue; // messages may have arrived during the pause
          }
        }
        m = mailbox.take();
        if (m == null) {
          continue;
        }
      }
      if (runStart == 0) {
        runStart = System.nanoTime();
      }
      try {
        handle(m);
        afterStep();
      } catch (Throwable t) {
        ExitReason killed = stopRequest;
        if (killed != null) {
          // Killed (e.g. interrupted by close) while in a callback: what it threw is the kill's
          // doing, not a failure of the stage.
          finish(killed, true);
          return;
        }
        finish(ExitReason.failure(t), true); // reported there, once
        return;
      }
      counters.add(Counters.MESSAGES, 1);
      long outside = OutsideWakeups.epoch();
      if (outside != seenOutside) {
        mailbox.running(); // this stage may be one of them, woken just before it took a message
        long now = System.nanoTime();
        if (now - lastOutsidePause >= OUTSIDE_PAUSE_EVERY) {
          counters.add(Counters.BUSY_NANOS, now - runStart);
          busySincePause += now - runStart;
          runStart = now;
          OutsideWakeups.Wait waited = OutsideWakeups.awaitPending(mailbox);
          if (waited != OutsideWakeups.Wait.GAVE_UP) {
            seenOutside = outside; // else try again after the next OUTSIDE_PAUSE_EVERY
          }
          if (waited != OutsideWakeups.Wait.NONE) {
            busySincePause = 0; // the carrier was handed on: this counts as the slice's pause
            runStart = 0;
            sinceClock = 0;
            lastOutsidePause = System.nanoTime();
            continue;
          }
        }
      }
      if (++sinceClock == CLOCK_EVERY) {
        long now = System.nanoTime();
        counters.add(Counters.BUSY_NANOS, now - runStart);
        busySincePause += now - runStart;
        runStart = now;
        sinceClock = 0;
        if (busySincePause > SLICE_NANOS) {
          busySincePause = 0;
          runStart = 0;
          pauseForFairness();
        }
      }
    }
  }

  /** Adds the busy run that started at {@code start} to the counters; returns its length. */
  private long endBusyRun(long start) {
    long busy = System.nanoTime() - start;
    counters.add(Counters.BUSY_NANOS, busy);
    return busy;
  }

  private static void pauseForFairness() {
    try {
      Thread.sleep(PAUSE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the loop turns it into a shutdown
    }
  }

  private void finish(ExitReason reason, boolean callTerminate) {
    exiting = true;
    if (reason instanceof ExitReason.Normal) {
      try {
        discardHeldAtExit();
      } catch (Throwable t) {
        // the user's discard listener: the stage exits all the same, with its reason
        StageLog.get().log(Level.WARNING, "discard listener of stage " + name + " threw", t);
      }
    }
    if (callTerminate) {
      try {
        callbacks.terminate(reason);
      } catch (Throwable t) {
        StageLog.get().log(Level.WARNING, "terminate of stage " + name + " threw", t);
      }
    }
    List<StageCell<?>> toTell;
    boolean observed;
    synchronized (watchLock) {
      exitReason = reason;
      toTell = watchers;
      watchers = null;
      observed = userWatchers > 0;
    }
    if (reason instanceof ExitReason.Failure f) {
      // Consumers of this stage get the reason in handleCancel; watchers in a StageDown.
      reportFailure(
          f,
          observed
              || exitObserved
              || f.cause() == thrownToCaller
              || (producer != null && !producer.downstream.isEmpty()));
    }
    closed = true;
    drainRejected();
    for (StageCell<?> w : toTell) {
      w.deliver(new Message.Down(this, reason));
    }
    runtime.exited(this);
    mailbox.running(); // a wake-up registered while it exited: it will not run for it
    exit.complete(reason);
  }

  /**
   * Counts and reports what a normal exit leaves behind: events in the producer side (buffer,
   * dispatcher, accumulated) its consumers had not asked for, and a producer-consumer's input it
   * had not handled. GenStage drops them without a word (A10.2: a permanent subscription stops its
   * consumer at once); here they go to {@link dev.flowstage.stage.StageStats#discarded()} and the
   * producer's discard listener, so nothing a stage finished with is lost silently. A shutdown or a
   * failure is not reported this way: someone asked for the stop (abandoning what is in flight is
   * what a stop means), or the failure is reported itself. Nor is input left after {@code done()}.
   */
  private void discardHeldAtExit() {
    if (producer == null) {
      return; // a consumer holds no events of its own between messages
    }
    String cause = stopCause == null ? "it stopped" : stopCause;
    String advice;
    if (stoppedByCancelMode) {
      advice =
          "subscribe it with CancelMode.TRANSIENT and call done() once its producers ended, to"
              + " send them first";
    } else {
      advice =
          "call done() to send them first, or stop it with ExitReason.shutdown() to abandon them"
              + " on purpose";
    }
    producer.discardHeld(
        "stopped (normal: " + cause + ") with events its consumers had not asked for; " + advice);
    if (consumer != null && !doneRequested) {
      // After done() the stage has said it is finished: input it leaves unhandled from producers
      // it still listens to is its own choice, like events a consumer ignores (Flow's zip stops at
      // its shorter side that way). Its output is not: done() promised to deliver that.
      long unhandled = consumer.unhandledInput();
      if (unhandled > 0) {
        producer.reportDiscarded(
            unhandled,
            "stopped (normal: "
                + cause
                + ") with events it had received and not handled yet (a producer-consumer handles"
                + " its input while its consumers ask); "
                + advice);
      }
    }
  }

  /**
   * Reports a failure once: where someone receives it (a consumer, a watcher, an {@code onExit}
   * caller, the start call), they own it and it is only logged at DEBUG; otherwise nobody would
   * ever see it, so it is logged at ERROR with its stack trace.
   */
  private void reportFailure(ExitReason.Failure f, boolean received) {
    if (received) {
      StageLog.get().log(Level.DEBUG, () -> "stage " + name + " stopped: " + f, f.cause());
    } else {
      StageLog.get()
          .log(
              Level.ERROR,
              "stage " + name + " failed and nothing watches it (no consumer, watcher or onExit)",
              f.cause());
    }
  }

  // ===================================================================== message handling

  private void handle(Message m) {
    switch (m) {
      case Message.Events e -> {
        if (consumer == null) {
          StageLog.get().log(Level.ERROR, "producer " + name + " received events; ignoring them");
        } else {
          consumer.onEvents(e);
        }
      }
      case Message.Ask a -> {
        if (producer != null) {
          producer.onAsk(a.sub(), a.n());
        }
      }
      case Message.Subscribe s -> {
        if (producer == null) {
          refuse(
              s.sub(),
              new StageException(
                  "stage "
                      + name
                      + " is a consumer; subscribe to a producer or producer-consumer"));
        } else {
          producer.onSubscribe(s.sub());
        }
      }
      case Message.Cancel c -> {
        if (producer != null) {
          producer.onCancel(c.sub(), c.reason());
        }
      }
      case Message.Cancelled c -> {
        if (consumer != null) {
          consumer.onUpstreamEnded(c.sub(), c.reason(), true);
        }
      }
      case Message.Refused c -> {
        if (consumer != null) {
          consumer.onUpstreamEnded(c.sub(), c.reason(), false);
        }
      }
      case Message.SubscribeRequest r -> {
        if (consumer == null) {
          r.result()
              .completeExceptionally(
                  new StageException(
                      "stage " + name + " is a producer and cannot subscribe to another stage"));
        } else {
          consumer.onSubscribeRequest(r);
        }
      }
      case Message.Down d -> onDown(d.stage(), d.reason());
      case Message.Call c -> onCall(c);
      case Message.Cast c -> {
        callbacks.handleCast(c.message(), ctx);
        flush();
      }
      case Message.Info i -> {
        callbacks.handleInfo(i.message(), ctx);
        flush();
      }
      case Message.OrderedInfo oi -> {
        if (oi.queued() != null) {
          oi.queued().complete(null);
        }
        orderedInfo(oi.message());
      }
      case Message.ProducerInfoMessage pi -> {
        if (consumer != null) {
          consumer.onProducerInfo(pi);
        }
      }
      case Message.SetDemandMode sdm -> setDemandMode(sdm.mode());
      case Message.Query q -> q.reply().complete(q.read().apply(this));
      case Message.Stop st -> requestStop(st.reason(), "stop was called on it");
    }
  }

  private void afterStep() {
    while (!readyInfos.isEmpty() && pendingStop == null) {
      Object msg = readyInfos.pollFirst();
      callbacks.handleInfo(msg, ctx);
      flush();
    }
    if (doneReached && pendingStop == null) {
      requestStop(ExitReason.normal(), "it called done()");
    }
  }

  /**
   * Records that {@code t}, which is about to fail this stage, was thrown to a caller waiting on it
   * ({@code call}, {@code subscribeTo}): that caller received the failure, so it is not logged as
   * one nobody receives (a failure is reported once). Stage thread only.
   *
   * @param t what the callback threw
   */
  void thrownToCaller(Throwable t) {
    thrownToCaller = t;
  }

  private void onCall(Message.Call c) {
    Object reply;
    try {
      reply = callbacks.handleCall(c.request(), ctx);
      flush();
    } catch (Throwable t) {
      if (c.reply()
          .completeExceptionally(new StageException("call to stage " + name + " failed", t))) {
        thrownToCaller(t);
      }
      throw t;
    }
    c.reply().complete(reply);
  }

  // ----------------------------------------------------------------- producer side
  void refuse(StageSubscription sub, StageException why) {
    sub.accepted.completeExceptionally(why);
    sub.consumer.deliver(new Message.Refused(sub, ExitReason.failure(why)));
  }

  private void onDown(StageCell<?> who, ExitReason reason) {
    if (watchingForUser.remove(who) != null) {
      callbacks.handleInfo(new StageDown(who, reason), ctx);
      flush();
    }
    if (producer != null) {
      for (StageSubscription s : new ArrayList<>(producer.downstream)) {
        if (s.consumer == who) {
          producer.removeConsumer(s, reason);
        }
      }
    }
    for (StageSubscription s :
        consumer == null ? List.<StageSubscription>of() : new ArrayList<>(consumer.upstream)) {
      if (s.producer == who) {
        ExitReason r = reason;
        boolean accepted = s.accepted.isDone() && !s.accepted.isCompletedExceptionally();
        if (!accepted && !(reason instanceof ExitReason.Normal)) {
          // Never accepted: the producer was gone before it saw the subscription (GenStage noproc).
          // A producer that already finished normally ends the subscription normally instead:
          // nothing more would come from it, and a late subscriber to a finite source is not an
          // error (GenStage would exit with :noproc).
          r =
              ExitReason.failure(
                  StageNotAliveException.of(
                      "cannot subscribe to stage " + who.name() + ": it is not alive", reason));
        }
        consumer.onUpstreamEnded(s, r, true);
      }
    }
  }

  private void orderedInfo(Object message) {
    switch (kind) {
      case CONSUMER -> readyInfos.addLast(message);
      case PRODUCER_CONSUMER -> {
        if (!consumer.input.isEmpty()) {
          consumer.input.addLast(new HeldInfo(message));
        } else {
          producer.producerOrderedInfo(message);
        }
      }
      case PRODUCER -> {
        if (producer.accumulating()) {
          producer.accumulated.addLast(new HeldInfo(message));
        } else {
          producer.producerOrderedInfo(message);
        }
      }
    }
  }

  // ===================================================================== context operations

  void emitOne(Object event) {
    checkEmitter();
    checkNotDone();
    Objects.requireNonNull(event, "events must not be null");
    if (pending == null) {
      pending = new ArrayList<>();
      pendingOwned = true;
    } else if (!pendingOwned) {
      pending = new ArrayList<>(pending);
      pendingOwned = true;
    }
    pending.add(event);
  }

  @SuppressWarnings("unchecked")
  void emitMany(List<?> events) {
    checkEmitter();
    if (events.isEmpty()) {
      return; // nothing is emitted, so nothing could arrive after the end
    }
    checkNotDone();
    if (pending == null) {
      pending = (List<Object>) events;
      pendingOwned = false;
    } else {
      if (!pendingOwned) {
        pending = new ArrayList<>(pending);
        pendingOwned = true;
      }
      pending.addAll(events);
    }
  }

  private void checkEmitter() {
    if (kind == StageKind.CONSUMER) {
      throw new IllegalStateException("consumer " + name + " cannot emit events");
    }
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException(
          "emit must be called on stage " + name + "'s own thread, inside a callback");
    }
  }

  /**
   * Refuses events emitted after {@code done()}: done() promised the consumers an end behind the
   * events emitted before it, so later ones would arrive after that end or be lost with the stage.
   */
  private void checkNotDone() {
    if (doneRequested) {
      throw new IllegalStateException(
          "stage "
              + name
              + " emitted events after done(): done() finishes the producer with the events"
              + " emitted before it");
    }
  }

  /** Dispatches what the last callback emitted. */
  void flush() {
    List<Object> p = pending;
    if (p != null) {
      pending = null;
      producer.dispatchEvents(p); // only producers emit (checkEmitter)
    }
  }

  void asyncInfoFromInside(Object message) {
    flush();
    orderedInfo(message);
  }

  void doneFromInside() {
    if (kind == StageKind.CONSUMER) {
      throw new IllegalStateException("done() is for producers; consumer " + name + " emits none");
    }
    if (doneRequested) {
      return;
    }
    doneRequested = true;
    flush();
    orderedInfo(DONE);
  }

  void stopFromInside(ExitReason reason) {
    requestStop(reason, "a callback called stop");
  }

  /**
   * Stops the stage after the current step, unless a stop is pending already; {@code cause} says
   * why, for the report of the events a normal exit leaves behind.
   */
  void requestStop(ExitReason reason, String cause) {
    Objects.requireNonNull(reason, "reason");
    if (pendingStop == null) {
      pendingStop = reason;
      stopCause = cause;
    }
  }

  void setDemandMode(DemandMode mode) {
    if (kind != StageKind.PRODUCER) {
      if (mode == DemandMode.ACCUMULATE) {
        StageLog.get()
            .log(
                Level.ERROR,
                "demand mode can only be set for producers; stage " + name + " is a " + kind);
      }
      return;
    }
    producer.setDemandMode(mode);
  }

  DemandMode currentDemandMode() {
    return producer == null ? DemandMode.FORWARD : producer.currentDemandMode();
  }

  long bufferedCount() {
    return producer == null ? 0 : producer.bufferedCount();
  }

  List<Subscription> downstreamSubscriptions() {
    return producer == null ? List.of() : producer.downstreamSubscriptions();
  }

  Subscription subscribeFromInside(StageCell<?> other, SubscriptionOptions options) {
    if (consumer == null) {
      throw new IllegalStateException(
          "stage " + name + " is a producer and cannot subscribe to another stage");
    }
    return consumer.subscribeFromInside(other, options);
  }

  List<Subscription> upstreamSubscriptions() {
    return consumer == null ? List.of() : consumer.upstreamSubscriptions();
  }

  /**
   * Registers this stage as a watcher of {@code other}: once for its subscriptions, and separately
   * once for the user's {@code ctx.watch}, so each kind of interest gets exactly one Down.
   */
  void watchFromInside(StageCell<?> other, boolean forUser) {
    Map<StageCell<?>, Boolean> set = forUser ? watchingForUser : watching;
    if (set.put(other, Boolean.TRUE) == null) {
      other.addWatcher(this, forUser);
    }
  }

  ScheduledFuture<?> sendAfter(Object message, Duration delay) {
    return runtime.schedule(() -> deliver(new Message.Info(message)), delay);
  }
}
