package dev.flowstage.flow.logic;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerDecision;
import dev.flowstage.flow.TriggerFunction;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The windowed reduce of one stage: assigns raw events to panes, runs the window's triggers, folds
 * each pane's events through the fused chain into its accumulator, and emits panes when triggers
 * fire. A pure state machine: time comes from {@link #timer} and the clock given to it.
 *
 * <p>Design (Flow's {@code Flow.Window.*} modules [1]): per batch, window assignment and triggers
 * see raw events (after {@code mapBatch}, before mappers), as in Elixir. Fixed windows close by
 * watermark: each input's most recent window is tracked, and every held window older than the
 * minimum over inputs still running is closed. Differences from Elixir: a finished input no longer
 * holds the watermark back; with allowed lateness a window gets {@code done} exactly once (issue
 * flow#126); fixed windows emit only windows that received events (no empty panes in gaps: an empty
 * pane carries no information and Elixir's gap panes were a quirk, B11.9). [1] dashbitco/flow
 * lib/flow/window/*.ex
 *
 * <p>Runs on the stage's thread only; nothing here is synchronized.
 */
final class Windows {
  /**
   * The most fires in a row a user trigger may make without shortening its input: enough for any
   * trigger whose state makes the progress (a moving window needs one), a clear failure for one
   * that never consumes.
   */
  static final int MAX_STALLED_FIRES = 10_000;

  private final Window window;
  private final Window.Kind kind;
  private final AccSink acc;
  private final Sink pre;
  private final Sink post;
  private final SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> onTrigger;
  private final boolean emitAccumulator;
  private final int index;
  private final int total;
  private final LongSupplier clock;
  private final int every;
  private final TriggerFunction<Object, Object> userTrigger;
  private final SerializableSupplier<?> userTriggerInit;
  private final long[] periods;
  private final long[] nextPeriodic;

  /** Open panes by window id, oldest first. */
  private final TreeMap<Long, Pane> panes = new TreeMap<>();

  // count and periodic windows: the current pane
  private Pane current;
  private long periodicEnd;
  // fixed windows: per input, the most recent window id seen; finished inputs
  private final long[] latest;
  private final boolean[] inputFinished;
  private long dropped;
  // fixed windows: the latest window id reported to a departition as passed (Panes.Watermark)
  private long watermarkReported = Long.MIN_VALUE;
  private Panes.Tags tags;
  private Chains.UniqScope uniqs;
  private Chains.UniqScope uniqsAfter;

  @SuppressWarnings("unchecked")
  Windows(
      Window window,
      AccSink acc,
      Sink pre,
      Sink post,
      SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> onTrigger,
      boolean emitAccumulator,
      int index,
      int total,
      int inputs,
      LongSupplier clock) {
    this.window = window;
    this.kind = window.kind();
    this.acc = acc;
    this.pre = pre;
    this.post = post;
    this.onTrigger = onTrigger;
    this.emitAccumulator = emitAccumulator;
    this.index = index;
    this.total = total;
    this.clock = clock;
    Window.Triggers t = window.triggers();
    this.every = t.every();
    this.userTrigger = (TriggerFunction<Object, Object>) t.function();
    this.userTriggerInit = t.init();
    this.periods = t.periodicallyMillis().stream().mapToLong(Long::longValue).toArray();
    this.nextPeriodic = new long[periods.length];
    long now = periods.length > 0 || kind == Window.Kind.PERIODIC ? clock.getAsLong() : 0;
    for (int i = 0; i < periods.length; i++) {
      nextPeriodic[i] = now + periods[i];
    }
    this.latest = new long[Math.max(inputs, 1)];
    Arrays.fill(latest, Long.MIN_VALUE);
    this.inputFinished = new boolean[latest.length];
    if (kind != Window.Kind.FIXED) {
      current = open(0);
    }
    if (window instanceof Window.Periodic p) {
      periodicEnd = now + p.periodMillis();
    }
  }

  /** Gives each pane its own uniq sets in the chain before the reduce: uniq per window. */
  void uniqs(Chains.UniqScope scope) {
    this.uniqs = scope.count == 0 ? null : scope;
  }

  /**
   * Gives each pane its own uniq sets in the chain after the reduce (what its triggers and an
   * {@code emitAndReduce} emit): uniq per window there too, the keys forgotten with the pane.
   */
  void uniqsAfter(Chains.UniqScope scope) {
    this.uniqsAfter = scope.count == 0 ? null : scope;
  }

  /** Points the uniq scopes at {@code pane}'s sets before its events or its emissions run. */
  private void enter(Pane pane) {
    if (uniqs != null) {
      if (pane.uniqs == null) {
        pane.uniqs = uniqs.fresh();
      }
      uniqs.sets = pane.uniqs;
    }
    if (uniqsAfter != null) {
      if (pane.uniqsAfter == null) {
        pane.uniqsAfter = uniqsAfter.fresh();
      }
      uniqsAfter.sets = pane.uniqsAfter;
    }
  }

  /** Reports each pane's window and its closing to {@code tags} (a departition per window). */
  void tag(Panes.Tags tags) {
    this.tags = tags;
  }

  private long reportedId(Pane pane) {
    return window instanceof Window.Fixed f ? pane.id * f.sizeMillis() : pane.id;
  }

  /** Late events dropped by fixed windows so far (also with allowed lateness, once it expired). */
  long dropped() {
    return dropped;
  }

  void events(List<Object> batch, int input) {
    switch (window) {
      case Window.Global g -> feed(current, batch);
      case Window.Periodic p -> feed(current, batch);
      case Window.Count c -> {
        int i = 0;
        int n = batch.size();
        while (i < n) {
          int take = (int) Math.min(c.count() - current.events, n - i);
          feed(current, batch.subList(i, i + take));
          current.events += take;
          i += take;
          if (current.events == c.count()) {
            long next = current.id + 1;
            fire(current, Trigger.DONE);
            current = open(next);
          }
        }
      }
      case Window.Fixed f -> {
        int i = 0;
        int n = batch.size();
        while (i < n) {
          long id = Math.floorDiv(f.eventTimeMillis().applyAsLong(batch.get(i)), f.sizeMillis());
          int j = i + 1;
          while (j < n
              && Math.floorDiv(f.eventTimeMillis().applyAsLong(batch.get(j)), f.sizeMillis())
                  == id) {
            j++;
          }
          Pane pane = panes.get(id);
          if (pane == null && id < latest[input]) {
            dropped += j - i; // late: its window already closed
          } else {
            if (pane == null) {
              pane = open(id);
            }
            latest[input] = Math.max(latest[input], id);
            feed(pane, batch.subList(i, j));
          }
          i = j;
        }
        advanceWatermark();
      }
    }
  }

  void inputDone(int input) {
    if (input < inputFinished.length) {
      inputFinished[input] = true;
    }
    if (kind == Window.Kind.FIXED) {
      advanceWatermark();
    }
  }

  void finish() {
    for (Pane p : new ArrayList<>(panes.values())) {
      fire(p, Trigger.DONE);
    }
    current = null;
  }

  void timer(long now) {
    for (int i = 0; i < periods.length; i++) {
      if (now >= nextPeriodic[i]) {
        for (Pane p : new ArrayList<>(panes.values())) {
          fire(p, Trigger.PERIODICALLY);
        }
        nextPeriodic[i] = Math.max(nextPeriodic[i] + periods[i], now + 1);
      }
    }
    if (window instanceof Window.Periodic p && current != null && now >= periodicEnd) {
      long next = current.id + 1;
      fire(current, Trigger.DONE);
      current = open(next);
      periodicEnd = Math.max(periodicEnd + p.periodMillis(), now + 1);
    }
    if (window instanceof Window.Fixed) {
      for (Pane p : new ArrayList<>(panes.values())) {
        if (p.lateUntil > 0 && now >= p.lateUntil) {
          fire(p, Trigger.DONE);
        }
      }
    }
  }

  /** Fires {@code name} on every open pane; the panes stay open. */
  void trigger(String name) {
    for (Pane p : new ArrayList<>(panes.values())) {
      fireKeep(p, name);
    }
  }

  long nextTimer() {
    long next = Long.MAX_VALUE;
    for (long t : nextPeriodic) {
      next = Math.min(next, t);
    }
    if (kind == Window.Kind.PERIODIC && current != null) {
      next = Math.min(next, periodicEnd);
    }
    if (kind == Window.Kind.FIXED) {
      for (Pane p : panes.values()) {
        if (p.lateUntil > 0) {
          next = Math.min(next, p.lateUntil);
        }
      }
    }
    return next;
  }

  private void advanceWatermark() {
    long min = Long.MAX_VALUE;
    boolean running = false;
    for (int i = 0; i < latest.length; i++) {
      if (!inputFinished[i]) {
        running = true;
        if (latest[i] == Long.MIN_VALUE) {
          return; // an input has not spoken yet: nothing can be complete
        }
        min = Math.min(min, latest[i]);
      }
    }
    if (!running) {
      return; // finish() closes everything
    }
    Window.Fixed f = (Window.Fixed) window;
    for (Iterator<Map.Entry<Long, Pane>> it = panes.headMap(min, false).entrySet().iterator();
        it.hasNext(); ) {
      Pane p = it.next().getValue();
      if (f.allowedLatenessMillis() > 0) {
        if (p.lateUntil == 0) {
          p.lateUntil = clock.getAsLong() + f.allowedLatenessMillis();
          fireKeep(p, Trigger.WATERMARK);
        }
      } else {
        it.remove();
        fireKeep(p, Trigger.DONE);
      }
    }
    if (tags != null) {
      // nothing more comes for windows below the watermark, nor for those below the oldest pane
      // still open (allowed lateness): tell the departition, which may hold no Done for them
      long through = panes.isEmpty() ? min - 1 : Math.min(min, panes.firstKey()) - 1;
      if (through > watermarkReported) {
        watermarkReported = through;
        tags.watermark(through * f.sizeMillis());
      }
    }
  }

  private Pane open(long id) {
    Pane p = new Pane(id, acc.init.get(), userTriggerInit == null ? null : userTriggerInit.get());
    panes.put(id, p);
    return p;
  }

  /** Runs the window's trigger over raw events of one pane, reducing and firing as it says. */
  private void feed(Pane pane, List<Object> events) {
    if (every > 0) {
      int i = 0;
      int n = events.size();
      while (i < n) {
        int take = Math.min(every - pane.sinceEvery, n - i);
        reduce(pane, events.subList(i, i + take));
        pane.sinceEvery += take;
        i += take;
        if (pane.sinceEvery == every) {
          pane.sinceEvery = 0;
          fire(pane, Trigger.EVERY);
        }
      }
    } else if (userTrigger != null) {
      List<Object> rest = events;
      int stalled = 0; // fires in a row whose rest was not shorter than their input
      while (true) {
        TriggerDecision<Object, Object> d = userTrigger.apply(rest, pane.triggerState);
        if (d == null) {
          throw new NullPointerException("trigger function returned null");
        }
        pane.triggerState = d.state();
        if (d.fire() == null) {
          reduce(pane, d.reduce() == null ? rest : d.reduce());
          return;
        }
        reduce(pane, d.reduce());
        fire(pane, d.fire());
        if (d.rest().isEmpty()) {
          return;
        }
        if (d.rest().size() > rest.size()) {
          throw new IllegalStateException(
              "trigger function fired '"
                  + d.fire()
                  + "' and returned a rest longer than its input ("
                  + d.rest().size()
                  + " > "
                  + rest.size()
                  + " events): return the events still to handle, a part of its input");
        }
        // A rest as long as the input is progress when the state moved on (a moving window
        // re-reads an event after firing); a function that never consumes would loop forever,
        // so such fires are capped.
        stalled = d.rest().size() < rest.size() ? 0 : stalled + 1;
        if (stalled > MAX_STALLED_FIRES) {
          throw new IllegalStateException(
              "trigger function fired '"
                  + d.fire()
                  + "' "
                  + MAX_STALLED_FIRES
                  + " times in a row without consuming an event (its rest was as long as its"
                  + " input each time): it would fire forever; return a shorter rest, or cont(...)"
                  + " once the state says so");
        }
        rest = d.rest();
      }
    } else {
      reduce(pane, events);
    }
  }

  private void reduce(Pane pane, List<Object> events) {
    enter(pane);
    if (tags != null) {
      tags.window = reportedId(pane);
    }
    acc.acc = pane.acc;
    Sink head = pre;
    for (int i = 0, n = events.size(); i < n; i++) {
      head.accept(events.get(i));
    }
    pane.acc = acc.acc;
  }

  private void fire(Pane pane, String name) {
    if (Trigger.DONE.equals(name)) {
      panes.remove(pane.id);
    }
    fireKeep(pane, name);
  }

  private void fireKeep(Pane pane, String name) {
    long reportedId = reportedId(pane);
    enter(pane);
    if (tags != null) {
      tags.window = reportedId;
    }
    // After DONE the accumulator is dropped, so it may be emitted itself; after any other trigger
    // the window goes on with it, and what was emitted must not change with it (Snapshots).
    boolean goesOn = !Trigger.DONE.equals(name);
    Object next;
    if (onTrigger != null) {
      TriggerResult<Object, Object> r =
          onTrigger.apply(pane.acc, new Trigger(name, kind, reportedId, index, total));
      if (r == null) {
        throw new NullPointerException("onTrigger function returned null");
      }
      next = r.accumulator();
      for (Object e : r.events()) {
        // emitting the very object the window keeps is the one aliasing onTrigger can cause
        post.accept(goesOn && e == next && e != null ? Snapshots.of(e, name) : e);
      }
    } else {
      if (emitAccumulator) {
        post.accept(goesOn ? Snapshots.of(pane.acc, name) : pane.acc);
      }
      next = pane.acc;
    }
    pane.acc = next;
    if (tags != null && Trigger.DONE.equals(name)) {
      tags.done(reportedId);
    }
  }

  /** One pane: a window's accumulator and trigger state. */
  private static final class Pane {
    final long id;
    Set<Object>[] uniqs;
    Set<Object>[] uniqsAfter;
    Object acc;
    Object triggerState;
    long events;
    int sinceEvery;
    long lateUntil;

    Pane(long id, Object acc, Object triggerState) {
      this.id = id;
      this.acc = acc;
      this.triggerState = triggerState;
    }
  }

  /** The reduce step at the end of the pre-trigger chain; holds the current pane's accumulator. */
  abstract static class AccSink implements Sink {
    final SerializableSupplier<Object> init;
    Object acc;

    AccSink(SerializableSupplier<Object> init) {
      this.init = init;
    }
  }

  /** {@code reduce}: folds each event into the accumulator. */
  static final class ReduceSink extends AccSink {
    private final SerializableBiFunction<Object, Object, Object> reducer;

    ReduceSink(
        SerializableSupplier<Object> init, SerializableBiFunction<Object, Object, Object> reducer) {
      super(init);
      this.reducer = reducer;
    }

    @Override
    public void accept(Object event) {
      acc = reducer.apply(acc, event);
    }
  }

  /** {@code emitAndReduce}: folds each event and emits what the reducer returns. */
  static final class EmitReduceSink extends AccSink {
    private final SerializableBiFunction<Object, Object, TriggerResult<Object, Object>> reducer;
    private final Sink post;

    EmitReduceSink(
        SerializableSupplier<Object> init,
        SerializableBiFunction<Object, Object, TriggerResult<Object, Object>> reducer,
        Sink post) {
      super(init);
      this.reducer = reducer;
      this.post = post;
    }

    @Override
    public void accept(Object event) {
      TriggerResult<Object, Object> r = reducer.apply(event, acc);
      if (r == null) {
        throw new NullPointerException("emitAndReduce reducer returned null");
      }
      for (Object e : r.events()) {
        post.accept(e);
      }
      acc = r.accumulator();
    }
  }
}
