package dev.flowstage.flow;

import dev.flowstage.stage.StageStats;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counters of a flow's run: each stage's {@link StageStats} (events in and out, asks, demand,
 * buffer high-water mark, discards, busy time), plus what the flow itself counts. While the flow
 * runs, a snapshot; once it has ended (completed, failed or cancelled), the final counters, taken
 * after every stage thread exited, and the same on every call.
 *
 * @param flow the flow run's name ({@code flow-<n>}, unique in this JVM)
 * @param state {@link FlowState#RUNNING}, or how the run ended
 * @param elapsed time since the run started; once it ended, from its start to its end
 * @param stages one entry per stage, in graph order: the stages of the graph's first node, then of
 *     its second... (see {@link #byNode}); a flow's own stages are named {@code g<group>.<index>},
 *     the run's consumer of the last layer (its terminal, or {@code intoConsumers}' consumers)
 *     last, as the last node of {@link RunningFlow#graph()}
 * @param malformedInput malformed byte sequences replaced with U+FFFD by file sources
 * @param lateDropped per stage name, late events dropped by fixed windows of reduces and window
 *     joins (only stages that dropped any); {@link #lateEvents()} is their sum
 * @param skippedFiles per reason, the files and folders the file sources left out when they listed
 *     their paths (only reasons that left out any): {@code hidden}, {@code link}, {@code broken
 *     link}, {@code loop}, {@code special} (a pipe or device met in a walked folder) as {@link
 *     FileOptions} say, and {@code binary} for files that look binary with {@code
 *     includeBinary(false)}; a folder counts once, not what it holds
 */
public record FlowStatistics(
    String flow,
    FlowState state,
    Duration elapsed,
    List<StageStats> stages,
    long malformedInput,
    Map<String, Long> lateDropped,
    Map<String, Long> skippedFiles) {
  /** Copies the collections. */
  public FlowStatistics {
    stages = List.copyOf(stages);
    lateDropped = Map.copyOf(lateDropped);
    // Kept in the reasons' order for toText.
    skippedFiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skippedFiles));
  }

  /**
   * Statistics without skipped files: as before they were counted.
   *
   * @param flow the flow run's name
   * @param state how the run stands or ended
   * @param elapsed time since the run started
   * @param stages one entry per stage
   * @param malformedInput malformed byte sequences replaced by file sources
   * @param lateDropped per stage name, late events dropped
   */
  public FlowStatistics(
      String flow,
      FlowState state,
      Duration elapsed,
      List<StageStats> stages,
      long malformedInput,
      Map<String, Long> lateDropped) {
    this(flow, state, elapsed, stages, malformedInput, lateDropped, Map.of());
  }

  /**
   * Statistics of an unnamed running flow, without timing or late drops.
   *
   * @param stages one entry per stage
   * @param malformedInput malformed byte sequences replaced by file sources
   */
  public FlowStatistics(List<StageStats> stages, long malformedInput) {
    this("flow", FlowState.RUNNING, Duration.ZERO, stages, malformedInput, Map.of(), Map.of());
  }

  /**
   * Returns how long a stage was not handling messages during the run: {@link #elapsed()} minus its
   * busy time, never negative. For a stage that waits on its inputs or on demand, most of the run;
   * for the bottleneck, little.
   *
   * @param stage one of {@link #stages()}
   * @return the waiting time
   */
  public Duration waiting(StageStats stage) {
    return Duration.ofNanos(Math.max(0, elapsed.toNanos() - stage.busyNanos()));
  }

  /**
   * Groups the stages by the graph node they belong to.
   *
   * @param graph the graph these statistics were taken from
   * @return per node id, in graph order, that node's stages
   * @throws IllegalArgumentException if the graph's stage counts do not match these statistics
   */
  public Map<String, List<StageStats>> byNode(FlowGraph graph) {
    int total = graph.nodes().stream().mapToInt(FlowGraph.Node::stages).sum();
    if (total != stages.size()) {
      throw new IllegalArgumentException(
          "the graph has " + total + " stages but these statistics " + stages.size());
    }
    Map<String, List<StageStats>> byNode = new LinkedHashMap<>();
    int i = 0;
    for (FlowGraph.Node n : graph.nodes()) {
      byNode.put(n.id(), stages.subList(i, i + n.stages()));
      i += n.stages();
    }
    return byNode;
  }

  /**
   * Returns how many events the flow's windows dropped as too late, in all stages: events whose
   * fixed window (of a reduce or a window join) had already closed, after its watermark and its
   * allowed lateness if any; see {@link Window#fixed}.
   *
   * @return the sum of {@link #lateDropped()}
   */
  public long lateEvents() {
    long n = 0;
    for (long v : lateDropped.values()) {
      n += v;
    }
    return n;
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
    if (!lateDropped.isEmpty()) {
      sb.append("late events dropped: ").append(lateEvents()).append('\n');
    }
    if (!skippedFiles.isEmpty()) {
      java.util.StringJoiner why = new java.util.StringJoiner(", ", "files skipped: ", "\n");
      skippedFiles.forEach((reason, n) -> why.add(n + " " + reason));
      sb.append(why);
    }
    new TreeMap<>(lateDropped)
        .forEach(
            (stage, n) ->
                sb.append("late events dropped by ")
                    .append(stage)
                    .append(": ")
                    .append(n)
                    .append('\n'));
    return sb.toString();
  }
}
