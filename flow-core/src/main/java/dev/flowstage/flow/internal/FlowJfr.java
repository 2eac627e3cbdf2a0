package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowGraph;
import dev.flowstage.stage.StageStats;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Flowstage's JDK Flight Recorder events, category "Flowstage". Documented field by field in
 * docs/guides/observability.md; names are part of the public contract (recordings are parsed by
 * name), so rename nothing.
 *
 * <p>Nothing here touches an event class, or registers the periodic event, before the recorder is
 * initialized (a recording was started): loading the first event class, or adding a periodic hook,
 * initializes JFR, which costs most of a second at startup of a JVM that never records. A flow
 * running when a recording starts gets its start event skipped, and its end event then spans only
 * from the recording's start; its {@code elapsed} field is always the whole run.
 */
final class FlowJfr {
  private static final Object LOCK = new Object();
  private static Runnable sampler; // guarded by LOCK: the hook to register while flows run
  private static boolean registered; // guarded by LOCK
  private static boolean listening; // guarded by LOCK
  private static boolean unavailableLogged; // guarded by LOCK

  private FlowJfr() {}

  /** Whether events can be recorded: the recorder is initialized. Cheap. */
  static boolean on() {
    return FlightRecorder.isInitialized();
  }

  /**
   * Starts the periodic stage sample while flows run: at once if the recorder is initialized, else
   * when it is (a later {@code JFR.start}).
   *
   * @param hook commits one sample per stage of every live flow
   */
  static void flowsRunning(Runnable hook) {
    synchronized (LOCK) {
      sampler = hook;
      if (!listening) {
        listening = true;
        FlightRecorder.addListener(
            new FlightRecorderListener() {
              @Override
              public void recorderInitialized(FlightRecorder recorder) {
                // Not on the initializing thread: JFR is in the middle of starting up there.
                Thread.ofVirtual().name("flowstage-jfr").start(FlowJfr::registerIfRunning);
              }
            });
      }
      if (on()) {
        register();
      }
    }
  }

  /** No flow runs any more: remove the periodic hook. */
  static void noFlowsRunning() {
    synchronized (LOCK) {
      Runnable hook = sampler;
      sampler = null;
      if (registered && hook != null) {
        FlightRecorder.removePeriodicEvent(hook);
        registered = false;
      }
    }
  }

  private static void registerIfRunning() {
    synchronized (LOCK) {
      if (sampler != null) {
        register();
      }
    }
  }

  private static void register() {
    if (registered) {
      return;
    }
    try {
      FlightRecorder.addPeriodicEvent(StageSample.class, sampler);
      registered = true;
    } catch (RuntimeException | LinkageError e) {
      // A runtime whose JFR refuses the hook: flows run, only the sampled event is missing.
      if (!unavailableLogged) {
        unavailableLogged = true;
        FlowLog.get()
            .log(System.Logger.Level.DEBUG, "JFR periodic stage statistics unavailable", e);
      }
    }
  }

  /**
   * Begins a run's end event, if recording.
   *
   * @return the begun event, or null
   */
  static Object begin() {
    if (!on()) {
      return null;
    }
    Ended e = new Ended();
    e.begin();
    return e;
  }

  /** Commits a run's start event, if recording. */
  static void started(String flow, FlowGraph graph) {
    if (!on()) {
      return;
    }
    Started e = new Started();
    if (e.shouldCommit()) {
      e.flow = flow;
      e.stages = graph.nodes().stream().mapToInt(FlowGraph.Node::stages).sum();
      e.graph = graph.toText();
      e.commit();
    }
  }

  /** Commits a stage failure event, if recording. */
  static void stageFailed(String flow, String stage, Throwable cause) {
    if (!on()) {
      return;
    }
    StageFailed e = new StageFailed();
    if (e.shouldCommit()) {
      e.flow = flow;
      e.stage = stage;
      e.exceptionClass = cause.getClass().getName();
      e.message = cause.getMessage();
      e.commit();
    }
  }

  /**
   * Commits a run's end event, if recording.
   *
   * @param begun what {@link #begin()} returned at the run's start
   */
  static void ended(
      Object begun,
      String flow,
      String outcome,
      long elapsedNanos,
      long sourceEvents,
      long resultEvents,
      Throwable failure) {
    if (!on()) {
      return;
    }
    Ended e = begun instanceof Ended b ? b : new Ended();
    if (begun == null) {
      e.begin();
    }
    e.end();
    if (e.shouldCommit()) {
      e.flow = flow;
      e.outcome = outcome;
      e.elapsed = elapsedNanos;
      e.sourceEvents = sourceEvents;
      e.resultEvents = resultEvents;
      e.failure =
          failure == null
              ? null
              : failure.getClass().getName()
                  + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
      e.commit();
    }
  }

  /** Commits one sample of a stage's counters; called from the periodic hook only. */
  static void sample(String flow, StageStats s) {
    StageSample e = new StageSample();
    e.flow = flow;
    e.stage = s.name();
    e.eventsIn = s.eventsIn();
    e.eventsOut = s.eventsOut();
    e.asksSent = s.asksSent();
    e.asksReceived = s.asksReceived();
    e.demandReceived = s.demandReceived();
    e.bufferHighWater = s.bufferHighWater();
    e.discarded = s.discarded();
    e.dropped = s.dropped();
    e.busyTime = s.busyNanos();
    e.messages = s.messages();
    e.commit();
  }

  /** A flow run's stages are started and wired. */
  @Name("dev.flowstage.FlowStarted")
  @Label("Flow Started")
  @Category("Flowstage")
  @Description("A flow run's stages are started and wired; its sources are released next")
  @StackTrace(false)
  static final class Started extends Event {
    @Label("Flow")
    @Description("The run's name, flow-<n>")
    String flow;

    @Label("Stages")
    @Description("How many stages the run has")
    int stages;

    @Label("Graph")
    @Description("The stage graph, one line per group and per edge")
    String graph;
  }

  /** A flow run ended; the event's duration is the run's. */
  @Name("dev.flowstage.FlowEnded")
  @Label("Flow Ended")
  @Category("Flowstage")
  @Description("A flow run ended and its threads exited; the duration is the whole run")
  @StackTrace(false)
  static final class Ended extends Event {
    @Label("Flow")
    String flow;

    @Label("Outcome")
    @Description("COMPLETED, FAILED or CANCELLED")
    String outcome;

    @Label("Elapsed")
    @Description("The whole run, also when the recording started after the run did")
    @Timespan(Timespan.NANOSECONDS)
    long elapsed;

    @Label("Source Events")
    @Description("Events the first layer's stages emitted")
    long sourceEvents;

    @Label("Result Events")
    @Description("Events the last layer's stages emitted")
    long resultEvents;

    @Label("Failure")
    @Description("For a failed run, the first failure's class and message")
    String failure;
  }

  /** A stage of a flow failed. */
  @Name("dev.flowstage.StageFailed")
  @Label("Stage Failed")
  @Category("Flowstage")
  @Description("A stage of a flow run failed; the run is stopped")
  @StackTrace(false)
  static final class StageFailed extends Event {
    @Label("Flow")
    String flow;

    @Label("Stage")
    @Description("The failing stage, g<group>.<index>")
    String stage;

    @Label("Exception Class")
    String exceptionClass;

    @Label("Message")
    String message;
  }

  /** One stage's counters, sampled periodically while its flow runs. */
  @Name("dev.flowstage.StageStatistics")
  @Label("Stage Statistics")
  @Category("Flowstage")
  @Description("One stage's cumulative counters, sampled while its flow runs")
  @Period("1 s")
  @StackTrace(false)
  static final class StageSample extends Event {
    @Label("Flow")
    String flow;

    @Label("Stage")
    String stage;

    @Label("Events In")
    long eventsIn;

    @Label("Events Out")
    long eventsOut;

    @Label("Asks Sent")
    @Description("Ask messages sent upstream: batches requested")
    long asksSent;

    @Label("Asks Received")
    @Description("Ask messages received from consumers")
    long asksReceived;

    @Label("Demand Received")
    @Description("Total demand received from consumers")
    long demandReceived;

    @Label("Buffer High-Water")
    long bufferHighWater;

    @Label("Discarded")
    long discarded;

    @Label("Dropped")
    @Description("Events a partition hash dropped as asked (Options.DROP)")
    long dropped;

    @Label("Busy Time")
    @Timespan(Timespan.NANOSECONDS)
    long busyTime;

    @Label("Messages")
    @Description("Messages handled (batches, asks, control)")
    long messages;
  }
}
