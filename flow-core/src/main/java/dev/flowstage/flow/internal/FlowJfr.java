package dev.flowstage.flow.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * Flowstage's JDK Flight Recorder events, category "Flowstage". Documented field by field in
 * docs/guides/observability.md; names are part of the public contract (recordings are parsed by
 * name), so rename nothing.
 */
final class FlowJfr {
  private FlowJfr() {}

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

    @Label("Busy Time")
    @Timespan(Timespan.NANOSECONDS)
    long busyTime;

    @Label("Messages")
    @Description("Messages handled (batches, asks, control)")
    long messages;
  }
}
