package dev.flowstage.flink;

import dev.flowstage.flow.Flow;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs a {@link Flow} on Apache Flink: translates the flow's immutable plan into a DataStream job
 * in {@link RuntimeExecutionMode#BATCH} mode, calling the flow's own serializable functions.
 *
 * <p>What translates: sources {@code fromEnumerable(s)} of collections/iterables (shipped with the
 * job) and {@code fromFiles} (Flink's {@code FileSource}, one line per event); {@code mapBatch} at
 * the start of a layer (applied to batches of at most {@code maxDemand} events of each subtask);
 * {@code map}, {@code flatMap}, {@code filter}, {@code reject}, {@code each}, {@code uniq}/{@code
 * uniqBy} (one set per subtask, as one per local stage); {@code partition}/{@code merge} (routed
 * with Flowstage's own hash, or the user hash, in {@code stages} subtasks), {@code shuffle}; {@code
 * reduce}/{@code groupBy}, {@code emitAndReduce} and {@code onTrigger} in the global window or a
 * {@code Window.count(n)} window, with or without {@code triggerEvery(n)} (one state per subtask,
 * as one per local stage; the input's end fires {@code done}); {@code departition}. Anything else
 * (fixed and periodic windows, {@code triggerPeriodically}, trigger functions, {@code zip}, {@code
 * boundedJoin}, {@code windowJoin}, {@code fromStages}) throws {@link
 * UnsupportedOperationException} naming it. Results are the same multiset as {@link Flow#toList()}
 * wherever the local result is one (a partition routes the same events to each subtask with the
 * same hash, in each source's order; a source layer's subtasks get whichever events Flink hands
 * them, as local stages get whichever their demand brings); order is never guaranteed.
 *
 * {@snippet class=dev.flowstage.flink.FlinkFlowsTest region=wordCount}
 */
public final class FlinkFlows {
  private FlinkFlows() {}

  /**
   * Adds the flow to {@code env} as a DataStream and sets the environment to batch execution (the
   * flow's reduces emit at the end of their input). Each layer runs with its {@link
   * dev.flowstage.flow.Options#stages()} as parallelism; file sources use the environment's.
   *
   * @param env the environment the job is built in
   * @param flow the flow
   * @param <T> the event type
   * @return the stream of what the flow emits; add a sink and call {@code env.execute()}
   * @throws UnsupportedOperationException for an operation that runs only on the local runtime
   * @throws IllegalArgumentException for a source that cannot be shipped (a stream or iterator)
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T> DataStream<T> toDataStream(StreamExecutionEnvironment env, Flow<T> flow) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(flow, "flow");
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    DataStream<Object> stream = new Translator(env).layer(flow.plan());
    return (DataStream) stream;
  }

  /**
   * Runs the flow on {@code env} (batch mode) and returns everything it emits.
   *
   * @param env the environment (a cluster's, or a local one)
   * @param flow the flow
   * @param <T> the event type
   * @return the events, in no particular order
   * @throws Exception if the job fails (Flink wraps the flow's exception)
   */
  public static <T> List<T> collect(StreamExecutionEnvironment env, Flow<T> flow) throws Exception {
    List<T> out = new ArrayList<>();
    CloseableIterator<T> it = toDataStream(env, flow).executeAndCollect("flowstage flow");
    try {
      it.forEachRemaining(out::add);
    } finally {
      it.close();
    }
    return out;
  }

  /**
   * Runs the flow on a new local Flink environment (an embedded mini cluster) and returns
   * everything it emits; for trying a flow on Flink without a cluster.
   *
   * @param flow the flow
   * @param parallelism the environment's default parallelism (file sources), at least 1
   * @param <T> the event type
   * @return the events, in no particular order
   * @throws Exception if the job fails
   */
  public static <T> List<T> executeAndCollect(Flow<T> flow, int parallelism) throws Exception {
    if (parallelism < 1) {
      throw new IllegalArgumentException(
          "parallelism must be at least 1, got: " + parallelism + "; layers use Options.stages");
    }
    return collect(StreamExecutionEnvironment.createLocalEnvironment(parallelism), flow);
  }
}
