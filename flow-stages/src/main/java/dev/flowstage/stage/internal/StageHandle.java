package dev.flowstage.stage.internal;

import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.StageKind;
import dev.flowstage.stage.StageNotAliveException;
import dev.flowstage.stage.StageStats;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A stage as other threads see it: the {@link Stage} handle given to users, and what other stages
 * call (deliver a message, watch it). Everything here is safe from any thread: it only enqueues
 * messages, or reads and writes volatile or lock-guarded state. The stage's own thread runs the
 * loop in {@link StageCell}, the only subclass, so a handle and its loop are one object (a stage is
 * the same object wherever it is seen: lookups, {@code StageDown}, subscriptions).
 *
 * @param <E> the type of emitted events
 */
abstract sealed class StageHandle<E> implements Stage<E> permits StageCell {
  final String name;

  /** What the stage is, from the callbacks it was started with; never changes. */
  final StageKind kind;

  final Mailbox mailbox = new Mailbox();
  final Counters counters = new Counters();
  final CompletableFuture<ExitReason> exit = new CompletableFuture<>();
  final Object watchLock = new Object();
  List<StageCell<?>> watchers = new ArrayList<>(); // guarded by watchLock
  int userWatchers; // stages that called ctx.watch(this); guarded by watchLock
  volatile boolean exitObserved; // onExit/awaitExit was called: the caller gets the reason
  volatile ExitReason exitReason;
  volatile ExitReason stopRequest;
  volatile boolean closed;
  volatile Thread thread;

  StageHandle(String name, StageKind kind) {
    this.name = name;
    this.kind = kind;
  }

  Thread thread() {
    return thread;
  }

  /** Enqueues a message; any thread; never blocks; rejected at once if the stage has exited. */
  void deliver(Message m) {
    mailbox.offer(m);
    if (closed) {
      drainRejected();
    }
  }

  void drainRejected() {
    Message m;
    while ((m = mailbox.poll()) != null) {
      reject(m);
    }
  }

  private StageNotAliveException notAlive() {
    return StageNotAliveException.of("stage " + name + " is not alive", exitReason);
  }

  private void reject(Message m) {
    switch (m) {
      case Message.Call c -> c.reply().completeExceptionally(notAlive());
      case Message.Query q -> q.reply().completeExceptionally(notAlive());
      case Message.OrderedInfo oi -> {
        if (oi.queued() != null) {
          oi.queued().completeExceptionally(notAlive());
        }
      }
      case Message.SubscribeRequest sr -> sr.result().completeExceptionally(notAlive());
      case Message.Subscribe s ->
          s.sub()
              .accepted
              .completeExceptionally(
                  StageNotAliveException.of(
                      "cannot subscribe to stage " + name + ": it is not alive", exitReason));
      default -> {
        // Events, asks, cancels, infos to a dead stage are dropped; watchers already know.
      }
    }
  }

  void addWatcher(StageCell<?> watcher, boolean forUser) {
    ExitReason r;
    synchronized (watchLock) {
      if (watchers != null) {
        watchers.add(watcher);
        if (forUser) {
          userWatchers++;
        }
        return;
      }
      r = exitReason;
    }
    watcher.deliver(new Message.Down((StageCell<?>) this, r)); // the only subclass (sealed)
  }

  static StageCell<?> cellOf(Stage<?> stage) {
    Objects.requireNonNull(stage, "stage");
    if (stage instanceof StageCell<?> c) {
      return c;
    }
    throw new IllegalArgumentException(
        stage
            + " is not a stage started by a StageSystem; subscribe to a Stage returned by"
            + " StageSystem.start*");
  }

  private void checkMine(Subscription subscription) {
    if (!(subscription instanceof StageSubscription s)
        || (s.producer != this && s.consumer != this)) {
      throw new IllegalArgumentException(
          subscription + " is not a subscription of stage " + name + " (neither side)");
    }
  }

  // ===================================================================== Stage (any thread)

  @Override
  public String name() {
    return name;
  }

  @Override
  public StageKind kind() {
    return kind;
  }

  @Override
  public boolean isAlive() {
    return exitReason == null;
  }

  @Override
  public Optional<ExitReason> exitReason() {
    return Optional.ofNullable(exitReason);
  }

  @Override
  public ExitReason awaitExit(Duration timeout) {
    exitObserved = true;
    try {
      return exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new StageException("stage " + name + " did not exit within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StageException("interrupted while waiting for stage " + name, e);
    } catch (ExecutionException e) {
      throw new StageException("unexpected", e.getCause());
    }
  }

  @Override
  public CompletionStage<ExitReason> onExit() {
    exitObserved = true;
    return exit.copy();
  }

  @Override
  public Subscription subscribeTo(
      Stage<?> producer, SubscriptionOptions options, Duration timeout) {
    StageCell<?> p = cellOf(producer);
    Objects.requireNonNull(options, "options");
    if (!p.isAlive()) {
      throw StageNotAliveException.of(
          "cannot subscribe to stage " + p.name() + ": it is not alive", p.exitReason);
    }
    CompletableFuture<Subscription> result = new CompletableFuture<>();
    deliver(new Message.SubscribeRequest(p, options, result, true));
    return await(result, timeout, "subscribing " + name + " to " + p.name());
  }

  @Override
  public void asyncSubscribeTo(Stage<?> producer, SubscriptionOptions options) {
    StageCell<?> p = cellOf(producer);
    Objects.requireNonNull(options, "options");
    deliver(new Message.SubscribeRequest(p, options, new CompletableFuture<>(), false));
  }

  @Override
  public void ask(Subscription subscription, long n) {
    checkMine(subscription);
    if (n < 0) {
      throw new IllegalArgumentException("ask needs n >= 0, got: " + n);
    }
    if (n == 0) {
      return;
    }
    StageSubscription s = (StageSubscription) subscription;
    if (Thread.currentThread() == s.consumer.thread) {
      s.consumer.counters.add(Counters.ASKS_SENT, 1);
    }
    s.producer.deliver(new Message.Ask(s, n));
  }

  @Override
  public void cancel(Subscription subscription, ExitReason reason) {
    checkMine(subscription);
    Objects.requireNonNull(reason, "reason");
    StageSubscription s = (StageSubscription) subscription;
    s.producer.deliver(new Message.Cancel(s, reason));
  }

  @Override
  public Object call(Object request, Duration timeout) {
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException("stage " + name + " cannot call itself (it would deadlock)");
    }
    CompletableFuture<Object> reply = new CompletableFuture<>();
    deliver(new Message.Call(request, reply));
    return await(reply, timeout, "call to stage " + name);
  }

  private <T> T await(CompletableFuture<T> f, Duration timeout, String what) {
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // Nobody waits any more: a failure the stage meets answering it is not received, and is
      // logged as such (StageCell.thrownToCaller).
      f.cancel(false);
      throw new StageException(what + " timed out after " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StageException(what + " was interrupted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof StageException se) {
        throw se;
      }
      throw new StageException(what + " failed: " + c, c);
    }
  }

  @Override
  public void cast(Object message) {
    deliver(new Message.Cast(message));
  }

  @Override
  public void send(Object message) {
    deliver(new Message.Info(message));
  }

  @Override
  public void syncInfo(Object message, Duration timeout) {
    CompletableFuture<Void> queued = new CompletableFuture<>();
    deliver(new Message.OrderedInfo(message, queued));
    await(queued, timeout, "syncInfo to stage " + name);
  }

  @Override
  public void asyncInfo(Object message) {
    deliver(new Message.OrderedInfo(message, null));
  }

  @Override
  public void demandMode(DemandMode mode) {
    deliver(new Message.SetDemandMode(Objects.requireNonNull(mode, "mode")));
  }

  @Override
  public DemandMode demandMode(Duration timeout) {
    return (DemandMode) query(StageCell::currentDemandMode, timeout);
  }

  @Override
  public long estimateBufferedCount(Duration timeout) {
    return (Long) query(StageCell::bufferedCount, timeout);
  }

  private Object query(Function<StageCell<?>, Object> read, Duration timeout) {
    CompletableFuture<Object> reply = new CompletableFuture<>();
    deliver(new Message.Query(read, reply));
    return await(reply, timeout, "query to stage " + name);
  }

  @Override
  public void stop(ExitReason reason) {
    deliver(new Message.Stop(Objects.requireNonNull(reason, "reason")));
  }

  @Override
  public void kill(ExitReason reason) {
    Objects.requireNonNull(reason, "reason");
    if (stopRequest == null) {
      stopRequest = reason;
    }
    mailbox.wake();
  }

  @Override
  public StageStats stats() {
    return counters.snapshot(name);
  }

  @Override
  public String toString() {
    return "Stage(" + name + ")";
  }
}
