package dev.flowstage.flow;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a reducing layer cuts each partition's events into panes, and when each pane is emitted. Flow
 * (Elixir): {@code Flow.Window}.
 *
 * <p>Every window ends with a {@link Trigger#DONE} trigger, fired exactly once, after which its
 * accumulator is discarded. Triggers fire earlier panes: {@link #triggerEvery(int)}, {@link
 * #triggerPeriodically(Duration)} and {@link #trigger(SerializableSupplier, TriggerFunction)}.
 *
 * <ul>
 *   <li>{@link #global()} (default): one window holding everything; done when the input ends.
 *   <li>{@link #fixed(Duration, SerializableToLongFunction)}: event-time tumbling windows, closed
 *       by watermarks (every upstream producer has moved past them), optionally with {@link
 *       #allowedLateness(Duration)}.
 *   <li>{@link #periodic(Duration)}: processing-time windows, one timer per stage.
 *   <li>{@link #count(int)}: windows of N events per stage.
 * </ul>
 *
 * <p>Windows are immutable values; each method returns a new one.
 */
public sealed interface Window extends Serializable
    permits Window.Global, Window.Fixed, Window.Periodic, Window.Count {

  /** The kinds of window, as given to {@link Trigger#window()}. */
  enum Kind {
    /** {@link Window#global()}. */
    GLOBAL,
    /** {@link Window#fixed(Duration, SerializableToLongFunction)}. */
    FIXED,
    /** {@link Window#periodic(Duration)}. */
    PERIODIC,
    /** {@link Window#count(int)}. */
    COUNT
  }

  /**
   * Returns the global window: one window for the whole input, done when the input ends.
   *
   * @return the global window
   */
  static Window global() {
    return new Global(Triggers.NONE);
  }

  /**
   * Returns event-time tumbling windows of the given size. An event's window is {@code
   * floorDiv(eventTime(event), size)}; its id (given to triggers) is the window's start in
   * milliseconds. Events are assumed to arrive in time order from each producer; a window closes
   * when every upstream producer has sent an event of a later window (a watermark). Late events (of
   * a window already closed) are dropped.
   *
   * @param size the window length, at least 1 ms
   * @param eventTimeMillis an event's time in milliseconds (any epoch)
   * @param <T> the event type (write {@code Window.<MyEvent>fixed(...)} or type the lambda)
   * @return the window
   */
  static <T> Window fixed(Duration size, SerializableToLongFunction<? super T> eventTimeMillis) {
    Objects.requireNonNull(eventTimeMillis, "eventTimeMillis: give a function returning ms");
    long ms = positiveMillis(size, "fixed window size");
    @SuppressWarnings("unchecked")
    SerializableToLongFunction<Object> by = (SerializableToLongFunction<Object>) eventTimeMillis;
    return new Fixed(ms, by, 0, Triggers.NONE);
  }

  /**
   * Returns processing-time windows: every stage starts a new window each {@code period}.
   * Processing time is skewed by queueing; prefer fixed windows to split data by time.
   *
   * @param period the window length, at least 1 ms
   * @return the window
   */
  static Window periodic(Duration period) {
    return new Periodic(positiveMillis(period, "periodic window period"), Triggers.NONE);
  }

  /**
   * Returns windows of {@code count} events per stage. When the input ends the current (possibly
   * empty) window is done too.
   *
   * @param count events per window, at least 1
   * @return the window
   */
  static Window count(int count) {
    if (count < 1) {
      throw new IllegalArgumentException(
          "Window.count(n) needs n >= 1 events per window, got: " + count);
    }
    return new Count(count, Triggers.NONE);
  }

  /**
   * Returns the kind of this window.
   *
   * @return the kind
   */
  Kind kind();

  /**
   * Returns this window's triggers.
   *
   * @return the triggers
   */
  Triggers triggers();

  /**
   * Returns this window with other triggers; used by the trigger methods.
   *
   * @param triggers the new triggers
   * @return a new window
   */
  Window withTriggers(Triggers triggers);

  /**
   * Adds a trigger that fires {@link Trigger#EVERY} after every {@code count} events of a window
   * (raw events, counted before the layer's mappers; a batch is split exactly). Only one {@code
   * triggerEvery} or {@code trigger} per window.
   *
   * @param count events between triggers, at least 1
   * @return a new window
   */
  default Window triggerEvery(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("triggerEvery(n) needs n >= 1, got: " + count);
    }
    triggers().requireNoUserTrigger();
    return withTriggers(triggers().with(count, null, null));
  }

  /**
   * Adds a trigger that fires {@link Trigger#PERIODICALLY} on every window currently open, each
   * {@code period} of processing time. May be called several times.
   *
   * @param period the period, at least 1 ms
   * @return a new window
   */
  default Window triggerPeriodically(Duration period) {
    long ms = positiveMillis(period, "triggerPeriodically period");
    List<Long> periods = new ArrayList<>(triggers().periodicallyMillis());
    periods.add(ms);
    Triggers t = triggers();
    return withTriggers(new Triggers(t.every(), List.copyOf(periods), t.init(), t.function()));
  }

  /**
   * Adds a user trigger function, called with each batch of raw events of a window and a state that
   * starts from {@code init} for every window. Only one {@code trigger} or {@code triggerEvery} per
   * window.
   *
   * @param init the initial trigger state of each window
   * @param function decides what to reduce and when to fire
   * @param <T> the event type
   * @param <S> the trigger state type
   * @return a new window
   */
  default <T, S> Window trigger(SerializableSupplier<S> init, TriggerFunction<T, S> function) {
    Objects.requireNonNull(init, "init: give a supplier of the trigger's initial state");
    Objects.requireNonNull(function, "function: give the trigger function");
    triggers().requireNoUserTrigger();
    return withTriggers(triggers().with(0, init, function));
  }

  /**
   * Keeps a fixed window open for late events for {@code lateness} of processing time after its
   * watermark: it fires {@link Trigger#WATERMARK} when the watermark passes and {@link
   * Trigger#DONE} when the lateness has elapsed (or the input ends). Fixed windows only.
   *
   * @param lateness how long to accept late events, at least 1 ms
   * @return a new window
   */
  default Window allowedLateness(Duration lateness) {
    if (!(this instanceof Fixed f)) {
      throw new IllegalArgumentException(
          "allowedLateness(...) applies to fixed windows only (Window.fixed(...)), not to "
              + kind());
    }
    return new Fixed(
        f.sizeMillis(),
        f.eventTimeMillis(),
        positiveMillis(lateness, "allowedLateness"),
        f.triggers());
  }

  private static long positiveMillis(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.toMillis() < 1) {
      throw new IllegalArgumentException(what + " must be at least 1 ms, got: " + d);
    }
    return d.toMillis();
  }

  /**
   * The triggers of a window.
   *
   * @param every fire every this many events (0: never)
   * @param periodicallyMillis periods of the periodic triggers, in ms
   * @param init the user trigger's initial state supplier, or {@code null}
   * @param function the user trigger function, or {@code null}
   */
  record Triggers(
      int every,
      List<Long> periodicallyMillis,
      SerializableSupplier<?> init,
      TriggerFunction<?, ?> function)
      implements Serializable {
    /** No triggers besides the final {@link Trigger#DONE}. */
    public static final Triggers NONE = new Triggers(0, List.of(), null, null);

    /** Copies the list of periods. */
    public Triggers {
      periodicallyMillis = List.copyOf(periodicallyMillis);
    }

    private Triggers with(int every, SerializableSupplier<?> init, TriggerFunction<?, ?> fn) {
      return new Triggers(every, periodicallyMillis, init, fn);
    }

    private void requireNoUserTrigger() {
      if (every > 0 || function != null) {
        throw new IllegalArgumentException(
            "a window takes one triggerEvery(...) or trigger(...) only; combine them in one"
                + " trigger(...) function");
      }
    }
  }

  /**
   * The global window.
   *
   * @param triggers its triggers
   */
  record Global(Triggers triggers) implements Window {
    @Override
    public Kind kind() {
      return Kind.GLOBAL;
    }

    @Override
    public Window withTriggers(Triggers triggers) {
      return new Global(triggers);
    }
  }

  /**
   * Event-time tumbling windows.
   *
   * @param sizeMillis window length in ms
   * @param eventTimeMillis an event's time in ms
   * @param allowedLatenessMillis processing time a passed window still accepts late events (0:
   *     none)
   * @param triggers its triggers
   */
  record Fixed(
      long sizeMillis,
      SerializableToLongFunction<Object> eventTimeMillis,
      long allowedLatenessMillis,
      Triggers triggers)
      implements Window {
    @Override
    public Kind kind() {
      return Kind.FIXED;
    }

    @Override
    public Window withTriggers(Triggers triggers) {
      return new Fixed(sizeMillis, eventTimeMillis, allowedLatenessMillis, triggers);
    }
  }

  /**
   * Processing-time windows.
   *
   * @param periodMillis window length in ms
   * @param triggers its triggers
   */
  record Periodic(long periodMillis, Triggers triggers) implements Window {
    @Override
    public Kind kind() {
      return Kind.PERIODIC;
    }

    @Override
    public Window withTriggers(Triggers triggers) {
      return new Periodic(periodMillis, triggers);
    }
  }

  /**
   * Count windows.
   *
   * @param count events per window
   * @param triggers its triggers
   */
  record Count(int count, Triggers triggers) implements Window {
    @Override
    public Kind kind() {
      return Kind.COUNT;
    }

    @Override
    public Window withTriggers(Triggers triggers) {
      return new Count(count, triggers);
    }
  }
}
