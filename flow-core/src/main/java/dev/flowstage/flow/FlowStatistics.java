package dev.flowstage.flow;

import dev.flowstage.stage.StageStats;
import java.util.List;

/**
 * Counters of a flow's run: each stage's {@link StageStats} (events in and out, asks, demand,
 * buffer high-water mark, discards, busy time), plus what the flow itself counts.
 *
 * @param stages one entry per stage, named {@code g<group>.<index>} as in {@link FlowGraph}
 * @param malformedInput malformed byte sequences replaced with U+FFFD by file sources
 * @param lateEvents events that fixed windows dropped because their window had already closed
 *     (after its watermark, and after its allowed lateness if any); see {@link Window#fixed}
 */
public record FlowStatistics(List<StageStats> stages, long malformedInput, long lateEvents) {
  /** Copies the list. */
  public FlowStatistics {
    stages = List.copyOf(stages);
  }

  /**
   * Creates statistics without late events.
   *
   * @param stages one entry per stage
   * @param malformedInput malformed byte sequences replaced by file sources
   */
  public FlowStatistics(List<StageStats> stages, long malformedInput) {
    this(stages, malformedInput, 0);
  }

  /**
   * Renders the counters as a text table, one line per stage.
   *
   * @return the table
   */
  public String toText() {
    StringBuilder sb =
        new StringBuilder(
            String.format(
                "%-12s %12s %12s %8s %12s %10s %10s%n",
                "stage", "events in", "events out", "asks", "demand", "buffer max", "busy ms"));
    for (StageStats s : stages) {
      sb.append(
          String.format(
              "%-12s %12d %12d %8d %12d %10d %10d%n",
              s.name(),
              s.eventsIn(),
              s.eventsOut(),
              s.asksReceived(),
              s.demandReceived(),
              s.bufferHighWater(),
              s.busyNanos() / 1_000_000));
    }
    if (malformedInput > 0) {
      sb.append("malformed input replaced: ").append(malformedInput).append('\n');
    }
    if (lateEvents > 0) {
      sb.append("late events dropped: ").append(lateEvents).append('\n');
    }
    return sb.toString();
  }
}
