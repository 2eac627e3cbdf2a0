package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.logic.StageLogic;
import dev.flowstage.flow.logic.ZipLogic;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionMode;
import dev.flowstage.stage.SubscriptionOptions;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One flow stage on the runtime: a producer-consumer that subscribes to every stage of its input
 * groups in {@code init}, runs its {@link StageLogic} on each batch and emits what it returns (one
 * {@code emit} per batch), and when its last input has ended fires the final triggers and calls
 * {@code done()}. Flow (Elixir): {@code Flow.MapReducer}.
 *
 * <p>Zip stages use manual demand so neither side runs ahead of the other by more than {@code
 * maxDemand} events; every other stage uses automatic demand.
 *
 * <p>Runs on the stage's virtual thread only; nothing here is synchronized.
 */
final class LayerStage implements ProducerConsumer<Object, Object> {
  /**
   * A trigger sent to a running flow ({@code RunningFlow.trigger}).
   *
   * @param name the trigger's name
   */
  record Fire(String name) {}

  /**
   * Tells a stage the run is wired (every subscription exists) and may start: a stage started
   * {@code held} subscribes to its inputs now (a flow's own sources wait in accumulate mode, but a
   * {@code fromStages} producer is the user's and emits as soon as it is subscribed to), and a
   * timer that came due meanwhile fires now. Until then no user code runs on the stage: a periodic
   * trigger failing while the next layer was still starting made that layer fail to subscribe, a
   * second failure.
   */
  enum Release {
    /** The one release message. */
    INPUTS
  }

  private final String name;
  private final StageLogic logic;
  private final List<Stage<?>> inputs;
  private final List<SubscriptionOptions> options;
  private final FlowClock clock;
  private final boolean held;
  private boolean released;
  private boolean tickDue; // a timer came due before the release
  // written on the stage thread after each batch, read by the flow's statistics from any thread
  private volatile long lateSeen;

  /**
   * Events the previous batch produced ({@code -1} before the first) and the events it came from:
   * their ratio sizes the next output.
   */
  private int lastOut = -1;

  private int lastIn;

  private final ZipLogic zip;
  private final Map<Subscription, Integer> index = new IdentityHashMap<>();
  private final List<Subscription> subs = new ArrayList<>();
  private long[] outstanding;
  private int remaining;
  private boolean finished;
  private long timerAt = Long.MAX_VALUE;
  private FlowClock.Cancellable timer;

  /**
   * The message the pending wake-up posts; a fresh one per wake-up, so a wake-up that was cancelled
   * too late to stop it is recognised and ignored.
   */
  private Object tick;

  LayerStage(
      String name,
      StageLogic logic,
      List<Stage<?>> inputs,
      List<SubscriptionOptions> options,
      boolean held,
      FlowClock clock) {
    this.name = name;
    this.held = held;
    this.logic = logic;
    this.inputs = List.copyOf(inputs);
    this.options = List.copyOf(options);
    this.clock = clock;
    this.zip = logic instanceof ZipLogic z ? z : null;
  }

  /** Late events this stage's windows dropped so far; see {@link StageLogic#lateEvents()}. */
  long lateDropped() {
    return lateSeen;
  }

  @Override
  public void init(ProducerContext<Object> ctx) {
    // The run receives how this stage ends, but watches it from the starting thread, possibly
    // after a fast failure (an upstream stage gone before this one subscribed): asking here, before
    // any message, keeps the runtime from also logging that failure as one nobody watches.
    ctx.self().onExit();
    remaining = inputs.size();
    outstanding = new long[inputs.size()];
    if (!held) {
      subscribeInputs(ctx);
    }
    schedule(ctx);
  }

  private void subscribeInputs(ProducerContext<Object> ctx) {
    for (int i = 0; i < inputs.size(); i++) {
      Subscription s = ctx.subscribeTo(inputs.get(i), options.get(i));
      index.put(s, i);
      subs.add(s);
    }
    if (zip != null) {
      askZip(ctx);
    }
    if (remaining == 0) {
      finish(ctx);
    }
  }

  @Override
  public SubscriptionMode handleSubscribe(
      Peer peer, Subscription subscription, ProducerContext<Object> ctx) {
    // Partitioned inputs too use automatic demand (re-ask at minDemand), so asks and batches stay
    // large: re-asking each batch at once fragmented the hop into batches of a few events, because
    // BoundedPartitionDispatcher grants the minimum over partitions. It re-grants by itself when no
    // partition is at its threshold (several partitions can wait at once).
    return peer == Peer.PRODUCER && zip != null
        ? SubscriptionMode.MANUAL
        : SubscriptionMode.AUTOMATIC;
  }

  @Override
  public void handleEvents(List<Object> events, Subscription from, ProducerContext<Object> ctx) {
    Integer i = index.get(from);
    if (i == null || finished) {
      return;
    }
    // Sized by the previous batch's output per input event, with 1/16 to spare: a flatMap emits
    // several events per input event (the list would grow by copies, and batches differ in size),
    // a pre-reducing or filtering stage few or none (no array at all).
    int n = events.size();
    int hint = lastOut < 0 ? n : outputHint(lastOut, lastIn, n);
    List<Object> out = hint == 0 ? new ArrayList<>() : new ArrayList<>(hint);
    try {
      logic.events(events, i, out);
    } catch (RuntimeException | Error e) {
      throw new StageFailure(name, e);
    }
    lastOut = out.size();
    lastIn = n;
    long lateNow = logic.lateEvents(); // only a batch can bring late events
    if (lateNow != lateSeen) {
      lateSeen = lateNow;
    }
    emit(out, ctx);
    if (zip != null) {
      outstanding[i] -= events.size();
      if (zipExhausted()) {
        finish(ctx);
        return;
      }
      askZip(ctx);
    }
    schedule(ctx);
  }

  /**
   * The expected output of {@code n} input events, given that {@code in} events gave {@code out},
   * plus 1/16 (at most {@code Integer.MAX_VALUE - 8}, the largest array).
   */
  static int outputHint(int out, int in, int n) {
    if (out == 0 || in == 0) {
      return 0;
    }
    long expected = (long) out * n / in;
    return (int) Math.min(Integer.MAX_VALUE - 8, expected + (expected >> 4));
  }

  @Override
  public void handleCancel(
      Peer peer, Subscription subscription, ExitReason reason, ProducerContext<Object> ctx) {
    if (peer != Peer.PRODUCER || finished) {
      return;
    }
    Integer i = index.remove(subscription);
    if (i == null) {
      return;
    }
    if (reason.isAbnormal()) {
      // An abnormal end stops this stage too. The runtime stops it for a transient subscription
      // that ended, but not for one refused (fromStages of a consumer stage): without this stop
      // the run waited for that input for ever.
      finished = true;
      ctx.stop(reason);
      return;
    }
    if (reason instanceof ExitReason.Shutdown) {
      // The flow is being torn down (cancel or close): stop, do not fire final triggers.
      finished = true;
      ctx.stop(reason);
      return;
    }
    List<Object> out = new ArrayList<>();
    try {
      logic.inputDone(i, out);
    } catch (RuntimeException | Error e) {
      throw new StageFailure(name, e);
    }
    emit(out, ctx);
    if (--remaining == 0 || (zip != null && zipExhausted())) {
      finish(ctx);
    } else if (zip != null) {
      askZip(ctx);
    }
  }

  @Override
  public void handleInfo(Object message, ProducerContext<Object> ctx) {
    if (message == Release.INPUTS) {
      released = true;
      if (held && subs.isEmpty() && !finished) {
        subscribeInputs(ctx);
      }
      if (tickDue) {
        tickDue = false;
        tick(ctx);
      }
      return;
    }
    if (message instanceof Fire f && !finished) {
      List<Object> out = new ArrayList<>();
      try {
        logic.trigger(f.name(), out);
      } catch (RuntimeException | Error e) {
        throw new StageFailure(name, e);
      }
      emit(out, ctx);
      return;
    }
    if (message != tick || finished) {
      return;
    }
    if (!released) {
      tickDue = true; // the run is still being wired: fire once it is
      return;
    }
    tick(ctx);
  }

  private void tick(ProducerContext<Object> ctx) {
    if (finished) {
      return;
    }
    timerAt = Long.MAX_VALUE;
    timer = null;
    tick = null;
    List<Object> out = new ArrayList<>();
    try {
      logic.timer(clock.millis(), out);
    } catch (RuntimeException | Error e) {
      throw new StageFailure(name, e);
    }
    emit(out, ctx);
    schedule(ctx);
  }

  @Override
  public void terminate(ExitReason reason) {
    cancelTimer(); // a cancelled or failed flow leaves no wake-up behind on the clock
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
      tick = null;
    }
  }

  private void finish(ProducerContext<Object> ctx) {
    finished = true;
    cancelTimer();
    List<Object> out = new ArrayList<>();
    try {
      logic.finish(out);
    } catch (RuntimeException | Error e) {
      throw new StageFailure(name, e);
    }
    emit(out, ctx);
    ctx.done();
  }

  private static void emit(List<Object> out, ProducerContext<Object> ctx) {
    if (!out.isEmpty()) {
      ctx.emit(out);
    }
  }

  /** Asks a zip input for more only while its side has fewer than maxDemand events waiting. */
  private void askZip(ProducerContext<Object> ctx) {
    int[] sides = zipSides();
    for (int i = 0; i < subs.size(); i++) {
      Subscription s = subs.get(i);
      if (!index.containsKey(s)) {
        continue;
      }
      SubscriptionOptions o = options.get(i);
      if (outstanding[i] <= o.minDemand() && zip.waiting(sides[i]) < o.maxDemand()) {
        ctx.ask(s, o.maxDemand() - outstanding[i]);
        outstanding[i] = o.maxDemand();
      }
    }
  }

  /** A zip is over once one side has ended and has no event left waiting for a partner. */
  private boolean zipExhausted() {
    int[] sides = zipSides();
    boolean[] live = new boolean[2];
    for (Subscription s : index.keySet()) {
      live[sides[index.get(s)]] = true;
    }
    return (!live[0] && zip.waiting(0) == 0) || (!live[1] && zip.waiting(1) == 0);
  }

  private int[] zipSides() {
    return zip.sides();
  }

  private void schedule(ProducerContext<Object> ctx) {
    if (finished) {
      return;
    }
    long next = logic.nextTimer();
    if (next == Long.MAX_VALUE || next >= timerAt) {
      return;
    }
    cancelTimer();
    timerAt = next;
    Object t = new Object();
    Stage<?> self = ctx.self();
    tick = t;
    timer = clock.schedule(next, () -> self.send(t));
  }
}
