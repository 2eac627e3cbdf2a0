package dev.flowstage.flow;

/**
 * A view of one flow run for {@link FlowListener}s: its name, graph and live statistics. Cheap to
 * read from any thread.
 */
public interface FlowRunInfo {
  /**
   * Returns the run's name, {@code flow-<n>}, unique in this JVM; also the prefix of the names of
   * the run's own threads (its collector, {@code into} and cancel threads). Its stages' threads are
   * named after the stages: {@code flowstage-g<layer>.<index>}, as the statistics name them.
   *
   * @return the name
   */
  String name();

  /**
   * Returns the stage graph being run.
   *
   * @return the graph
   */
  FlowGraph graph();

  /**
   * Returns the run's statistics: a snapshot while it runs, the final counters once it ended.
   *
   * @return the statistics
   */
  FlowStatistics statistics();
}
