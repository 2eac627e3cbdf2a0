package dev.flowstage.flink;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.flow.logic.NullEvent;
import dev.flowstage.flow.plan.PlanSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs a {@link Flow} on Apache Flink: translates the flow's immutable plan into a DataStream job,
 * calling the flow's own serializable functions. The runtime mode is chosen from the plan: {@link
 * RuntimeExecutionMode#BATCH} for bounded sources, {@link RuntimeExecutionMode#STREAMING} for
 * bounded sources under a processing-time timer (periodic windows and triggers, allowed lateness),
 * Flink's automatic mode for a flow over a Flink stream.
 *
 * <p>What translates: sources {@code fromEnumerable(s)} of collections (copied into the job) and
 * other iterables (a serializable one read lazily when the job runs, as locally; one that cannot be
 * serialized copied when the job is built, at most a million events), {@code fromFiles} and {@link
 * #fromFiles(List)} (one subtask per file, the local line rules), {@link #fromDataStream} and
 * {@link #fromSource}; {@code mapBatch} at the start of a layer (applied to batches of at most
 * {@code maxDemand} events of each subtask); {@code map}, {@code flatMap}, {@code filter}, {@code
 * reject}, {@code each}, {@code uniq}/{@code uniqBy} (one set per subtask, as one per local stage);
 * {@code partition}/{@code merge} (routed with Flowstage's own hash, or the user hash, in {@code
 * stages} subtasks), {@code shuffle}; {@code reduce}/{@code groupBy}, {@code emitAndReduce} and
 * {@code onTrigger} in every window (global, count, fixed, periodic) with every trigger (periodic
 * ones on Flink processing-time timers, fixed windows tracking each upstream subtask as a local
 * stage tracks each upstream stage), one state per subtask, as one per local stage, the input's end
 * firing {@code done}; {@code departition}. {@code boundedJoin} and {@code windowJoin} (flow-core's
 * join logic in a two-input operator, each side routed by its key). Anything else ({@code zip},
 * {@code fromStages}) throws {@link UnsupportedOperationException} naming it. Results are the same
 * multiset as {@link Flow#toList()} wherever the local result is one (a partition routes the same
 * events to each subtask with the same hash, in each source's order; a source layer's subtasks get
 * whichever events Flink hands them, as local stages get whichever their demand brings); order is
 * never guaranteed.
 *
 * {@snippet class=dev.flowstage.flink.FlinkFlowsTest region=wordCount}
 */
public final class FlinkFlows {
  private FlinkFlows() {}

  /**
   * Adds the flow to {@code env} as a DataStream and sets the environment's runtime mode from the
   * plan: batch execution for bounded sources (the flow's reduces emit at the end of their input),
   * streaming when a processing-time timer must fire while a bounded input still flows, Flink's
   * automatic mode for a Flink stream unless {@code env} has a mode. Each layer runs with its
   * {@link dev.flowstage.flow.Options#stages()} as parallelism; file sources use the environment's.
   *
   * @param env the environment the job is built in
   * @param flow the flow
   * @param <T> the event type
   * @return the stream of what the flow emits; add a sink and call {@code env.execute()}
   * @throws UnsupportedOperationException for an operation that runs only on the local runtime
   * @throws IllegalArgumentException for a source that cannot be shipped (a stream or iterator, an
   *     {@code Iterable} that cannot be serialized and has more than a million events)
   * @throws IllegalStateException for a function that cannot be serialized, naming its operation
   *     and what it captures (see {@link Flow#checkSerializable()})
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T> DataStream<T> toDataStream(StreamExecutionEnvironment env, Flow<T> flow) {
    Objects.requireNonNull(env, "env");
    Objects.requireNonNull(flow, "flow");
    // Before anything is translated: Flink would only find a non-serializable function when it
    // ships the job, naming an internal array instead of the user's operation.
    PlanSerialization.check(flow.plan());
    // Chosen from the plan. Bounded inputs: batch mode (reduces emit at the end of their input),
    // unless a processing-time timer (periodic window or trigger, lateness) must fire while the
    // input still flows: batch mode runs a layer only after the one before it ended, streaming
    // mode runs them together and still ends with the input. A Flink stream (a Kafka source, say)
    // may be unbounded: Flink's automatic mode picks streaming for it, unless the environment was
    // given a runtime mode explicitly.
    if (!Translator.mayBeUnbounded(flow.plan())) {
      env.setRuntimeMode(
          Translator.usesProcessingTime(flow.plan())
              ? RuntimeExecutionMode.STREAMING
              : RuntimeExecutionMode.BATCH);
    } else if (!(env.getConfiguration() instanceof Configuration c
        && c.contains(ExecutionOptions.RUNTIME_MODE))) {
      env.setRuntimeMode(RuntimeExecutionMode.AUTOMATIC);
    }
    EventSerializers.register(env);
    DataStream<Object> stream = new Translator(env).layer(flow.plan());
    return (DataStream) stream;
  }

  /**
   * A flow reading the lines of files through Flink's file systems: local paths, {@code file://}
   * URIs, or any scheme whose Flink plugin the client and cluster have ({@code s3://}, {@code
   * hdfs://}, ...). Directories are walked when the job is built, and files are selected and read
   * as {@code files} says, with the local file source's rules (see {@link Flow#fromFiles(List,
   * UnaryOperator, UnaryOperator)}): hidden files, globs, binary files, byte order marks, {@code
   * .gz} and the line bound. Each file is read whole by one subtask. Runs only through {@code
   * FlinkFlows}.
   *
   * @param uris files or directories, as URIs or local paths
   * @param options the source layer's options ({@code stages}, {@code charset}, ...)
   * @param files changes the default {@link FileOptions}
   * @return a new flow of lines
   */
  public static Flow<String> fromFiles(
      List<String> uris, UnaryOperator<Options> options, UnaryOperator<FileOptions> files) {
    Objects.requireNonNull(files, "files");
    FileOptions fileOptions =
        Objects.requireNonNull(files.apply(FileOptions.defaults()), "files result");
    Iterable<Object> input = new FlinkInput.Files(uris, fileOptions);
    @SuppressWarnings("unchecked")
    Flow<String> flow = (Flow<String>) (Flow<?>) Flow.fromEnumerable(input, options);
    return flow;
  }

  /**
   * {@link #fromFiles(List, UnaryOperator, UnaryOperator)} with the default {@link FileOptions}
   * (every file of a walked directory, hidden ones included).
   *
   * @param uris files or directories, as URIs or local paths
   * @param options the source layer's options ({@code stages}, {@code charset}, ...)
   * @return a new flow of lines
   */
  public static Flow<String> fromFiles(List<String> uris, UnaryOperator<Options> options) {
    return fromFiles(uris, options, UnaryOperator.identity());
  }

  /**
   * {@link #fromFiles(List, UnaryOperator)} with default options.
   *
   * @param uris files or directories, as URIs or local paths
   * @return a new flow of lines
   */
  public static Flow<String> fromFiles(List<String> uris) {
    return fromFiles(uris, UnaryOperator.identity());
  }

  /**
   * A flow over an existing Flink stream (from any Flink {@code Source}: Kafka, files, ...); pass
   * the stream's environment to {@link #toDataStream} or {@link #collect}. With such an input the
   * job runs in Flink's automatic mode: streaming if the stream is unbounded, where a reduce in the
   * global window emits only on its triggers (as locally for an endless source).
   *
   * @param stream the events
   * @param options the source layer's options
   * @param <T> the event type
   * @return a new flow
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T> Flow<T> fromDataStream(DataStream<T> stream, UnaryOperator<Options> options) {
    Objects.requireNonNull(stream, "stream");
    Iterable<Object> input = new FlinkInput.FromStream((DataStream) stream);
    return (Flow<T>) Flow.fromEnumerable(input, options);
  }

  /**
   * {@link #fromDataStream(DataStream, UnaryOperator)} with default options.
   *
   * @param stream the events
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromDataStream(DataStream<T> stream) {
    return fromDataStream(stream, UnaryOperator.identity());
  }

  /**
   * A flow over a Flink {@code Source} (a {@code KafkaSource}, say), with no watermarks.
   *
   * @param env the environment the job is built in
   * @param source the source
   * @param name the source's name in the job graph
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromSource(
      StreamExecutionEnvironment env, Source<T, ?, ?> source, String name) {
    return fromDataStream(env.fromSource(source, WatermarkStrategy.noWatermarks(), name));
  }

  /**
   * What a job emitted, how many malformed input sequences its file sources replaced and what they
   * left out (the local runtime's {@code FlowStatistics.malformedInput()} and {@code
   * skippedFiles()}).
   *
   * @param events the events, in no particular order
   * @param malformedInput malformed byte sequences replaced with U+FFFD
   * @param skippedFiles per reason ({@code hidden}, {@code link}, {@code broken link}, {@code
   *     loop}, {@code special}, {@code binary}), the files and folders the file sources left out;
   *     only reasons that left out any
   * @param <T> the event type
   */
  public record Result<T>(List<T> events, long malformedInput, Map<String, Long> skippedFiles) {
    /** Copies the map, keeping the reasons' order. */
    public Result {
      skippedFiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(skippedFiles));
    }

    /**
     * A result with nothing left out.
     *
     * @param events the events, in no particular order
     * @param malformedInput malformed byte sequences replaced with U+FFFD
     */
    public Result(List<T> events, long malformedInput) {
      this(events, malformedInput, Map.of());
    }
  }

  /**
   * Runs the flow on {@code env} as one job and returns its events and statistics.
   *
   * @param env the environment
   * @param flow the flow
   * @param <T> the event type
   * @return the events and the malformed-input count
   * @throws Exception if the job fails (Flink wraps the flow's exception)
   */
  @SuppressWarnings("unchecked")
  public static <T> Result<T> run(StreamExecutionEnvironment env, Flow<T> flow) throws Exception {
    List<T> out = new ArrayList<>();
    CloseableIterator<Object> it = nullSafe(toDataStream(env, flow)).collectAsync();
    JobClient client;
    try {
      client = env.executeAsync("flowstage flow");
      it.forEachRemaining(e -> out.add((T) NullEvent.unwrap(e)));
    } finally {
      it.close();
    }
    JobExecutionResult result = client.getJobExecutionResult().get();
    Map<String, Object> accumulators = result.getAllAccumulatorResults();
    Object malformed = accumulators.get(FlinkInput.MALFORMED);
    Map<String, Long> skipped = new LinkedHashMap<>();
    for (FileSelection.Skip why : FileSelection.Skip.values()) {
      if (accumulators.get(FlinkInput.SKIPPED + why.label()) instanceof Number n
          && n.longValue() > 0) {
        skipped.put(why.label(), n.longValue());
      }
    }
    return new Result<>(out, malformed == null ? 0 : ((Number) malformed).longValue(), skipped);
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
  @SuppressWarnings("unchecked")
  public static <T> List<T> collect(StreamExecutionEnvironment env, Flow<T> flow) throws Exception {
    List<T> out = new ArrayList<>();
    CloseableIterator<Object> it =
        nullSafe(toDataStream(env, flow)).executeAndCollect("flowstage flow");
    try {
      it.forEachRemaining(e -> out.add((T) NullEvent.unwrap(e)));
    } finally {
      it.close();
    }
    return out;
  }

  /**
   * The stream with null events replaced by a marker: Flink's collect iterator ends at the first
   * null, which would silently cut the result short.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static DataStream<Object> nullSafe(DataStream<?> stream) {
    return ((DataStream<Object>) (DataStream) stream)
        .map(new Functions.WrapNull(), Translator.ANY)
        .name("null-safe collect")
        .setParallelism(stream.getParallelism());
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
