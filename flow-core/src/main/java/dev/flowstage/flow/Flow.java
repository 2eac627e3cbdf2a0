package dev.flowstage.flow;

import dev.flowstage.flow.internal.Describe;
import dev.flowstage.flow.internal.FlowPublisher;
import dev.flowstage.flow.internal.RunCoordinator;
import dev.flowstage.flow.internal.StageKinds;
import dev.flowstage.flow.logic.CountTable;
import dev.flowstage.flow.logic.Keyed;
import dev.flowstage.flow.logic.TopN;
import dev.flowstage.flow.logic.words.WordCountPlan;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Routing;
import dev.flowstage.flow.plan.Plan.Source;
import dev.flowstage.flow.plan.PlanRules;
import dev.flowstage.flow.plan.PlanSerialization;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.Stage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collector;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A parallel, back-pressured computation described as an immutable plan and run on flow-stages
 * stages when a terminal is called. Flow (Elixir): {@code %Flow{}}.
 *
 * <p>A flow reads left to right: a source ({@code from...}), per-event operations that run fused in
 * one loop per batch ({@link #map}, {@link #flatMap}, {@link #filter}, ...), optionally a {@link
 * #partition} that routes events by key into a new layer of stages, a reduce ({@link #reduce},
 * {@link #groupBy}, ...) whose panes a {@link Window} and its triggers cut, and a terminal ({@link
 * #toList}, {@link #run}, {@link #stream}, ...). Every method validates its arguments and returns a
 * new flow; a misuse fails here with an {@link IllegalArgumentException} saying how to fix it.
 *
 * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=wordCount}
 *
 * <p>Defaults (GenStage/Flow): {@code stages} = available processors, {@code maxDemand} 1000,
 * {@code minDemand} 500, the global window. Events have no global order: only a single source on
 * one stage is ordered.
 *
 * @param <T> the type of the events this flow emits
 */
public final class Flow<T> {
  private final Plan plan;

  /**
   * How the flow is run, not what it computes: kept beside the plan, carried by every operation.
   */
  private final FlowClock clock;

  private Flow(Plan plan) {
    this(plan, FlowClock.system());
  }

  private Flow(Plan plan, FlowClock clock) {
    this.plan = plan;
    this.clock = clock;
  }

  /** A flow with a new plan and this flow's run settings (clock). */
  private <R> Flow<R> next(Plan next) {
    return new Flow<>(next, clock);
  }

  /**
   * Returns the plan of this flow as immutable data, for backends and tools (the {@code
   * dev.flowstage.flow.plan} package may change before 1.0).
   *
   * @return the immutable plan of the last layer
   */
  public Plan plan() {
    return plan;
  }

  /**
   * Checks that every function of this flow can be serialized, as a distributed engine such as
   * Flink ships them to its workers; call it in a unit test to find a lambda that captures
   * something not serializable without starting Flink.
   *
   * @return this flow
   * @throws IllegalStateException naming the operation, the function and the captured class
   */
  public Flow<T> checkSerializable() {
    PlanSerialization.check(plan);
    return this;
  }

  // ---------------------------------------------------------------------------------------------
  // Sources

  /**
   * Creates a flow reading one {@code Iterable} in one producer; the layer's operations run in
   * {@code stages} parallel stages.
   *
   * @param source the events
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromEnumerable(Iterable<? extends T> source) {
    return fromEnumerable(source, UnaryOperator.identity());
  }

  /**
   * Creates a flow reading one {@code Iterable}, with the layer's options.
   *
   * @param source the events
   * @param options changes the default {@link Options}, e.g. {@code o -> o.stages(4)}
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromEnumerable(
      Iterable<? extends T> source, UnaryOperator<Options> options) {
    return fromEnumerables(List.of(nonNull(source, "source")), options);
  }

  /**
   * Creates a flow reading one {@code Stream} (consumed once, lazily, in one producer).
   *
   * @param source the events
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromEnumerable(Stream<? extends T> source) {
    return fromEnumerable(source, UnaryOperator.identity());
  }

  /**
   * Creates a flow reading one {@code Stream}, with the layer's options.
   *
   * @param source the events
   * @param options changes the default {@link Options}
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromEnumerable(
      Stream<? extends T> source, UnaryOperator<Options> options) {
    return source(new Source.Enumerables(List.of(nonNull(source, "source"))), options);
  }

  /**
   * Creates a flow reading one {@code Iterator} (consumed once, in one producer).
   *
   * @param source the events
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromEnumerable(Iterator<? extends T> source) {
    return fromEnumerable(source, UnaryOperator.identity());
  }

  /**
   * Creates a flow reading one {@code Iterator}, with the layer's options.
   *
   * @param source the events
   * @param options changes the default {@link Options}
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromEnumerable(
      Iterator<? extends T> source, UnaryOperator<Options> options) {
    return source(new Source.Enumerables(List.of(nonNull(source, "source"))), options);
  }

  /**
   * Creates a flow reading several {@code Iterable}s, one producer each.
   *
   * @param sources the sources, at least one
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromEnumerables(List<? extends Iterable<? extends T>> sources) {
    return fromEnumerables(sources, UnaryOperator.identity());
  }

  /**
   * Creates a flow reading several {@code Iterable}s, one producer each, with the layer's options.
   *
   * @param sources the sources, at least one
   * @param options changes the default {@link Options}
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromEnumerables(
      List<? extends Iterable<? extends T>> sources, UnaryOperator<Options> options) {
    nonNull(sources, "sources");
    if (sources.isEmpty()) {
      throw new IllegalArgumentException(
          "fromEnumerables needs at least one source; use fromEnumerable(List.of()) for an empty"
              + " flow");
    }
    for (Object s : sources) {
      if (s instanceof Flow<?>) {
        throw new IllegalArgumentException(
            "a Flow is not a source of fromEnumerables; use partition(), shuffle() or merge(...)");
      }
      nonNull(s, "sources element");
    }
    return source(new Source.Enumerables(new ArrayList<>(sources)), options);
  }

  /**
   * Creates a flow of the lines of files (directories are walked, files read in name order; a
   * directory given as a symbolic link is followed, links inside one are not). A file larger than
   * {@link Options#splitBytes()} is read as byte ranges by parallel producers; a line is never cut
   * (it belongs to the range holding its first byte). UTF-8 by default; malformed input is replaced
   * with U+FFFD and counted in the statistics, never a failure. Line terminators ({@code \n},
   * {@code \r\n}) are removed. The {@link FileOptions#defaults() default file options} apply: a
   * line longer than 16 MiB fails the flow naming the file and offset, a byte order mark chooses
   * the file's charset and is dropped, {@code .gz} files are decompressed. A named pipe (bash's
   * {@code <(command)}, a FIFO, {@code /dev/stdin}) is read once, in order, by one producer.
   *
   * @param paths files or directories
   * @return a new flow of lines
   * @throws NullPointerException naming {@code paths} if it or one of its elements is null
   */
  public static Flow<String> fromFiles(Path... paths) {
    java.util.Objects.requireNonNull(paths, "fromFiles: paths must not be null");
    for (int i = 0; i < paths.length; i++) {
      java.util.Objects.requireNonNull(
          paths[i], "fromFiles: paths[" + i + "] must not be null (a Path to a file or directory)");
    }
    return fromFiles(List.of(paths), UnaryOperator.identity());
  }

  /**
   * Creates a flow of the lines of files, with the layer's options ({@code charset}, {@code
   * splitBytes}, {@code stages}, demand) and the default {@link FileOptions}.
   *
   * @param paths files or directories, at least one
   * @param options changes the default {@link Options}
   * @return a new flow of lines
   */
  public static Flow<String> fromFiles(List<Path> paths, UnaryOperator<Options> options) {
    return fromFiles(paths, options, UnaryOperator.identity());
  }

  /**
   * Creates a flow of the lines of files, with the layer's options and {@link FileOptions}: which
   * files of walked directories are read (hidden, binary, globs), the longest line, byte order
   * marks and gzip. Files are listed and their first block read each time the flow runs (the file
   * may appear after the flow is built); a file that is missing or cannot be read, or a malformed
   * gzip file, fails the run before it starts, and every terminal throws a {@link FlowException}
   * (stage {@code fromFiles}) naming the file, whose cause is the I/O error ({@code
   * NoSuchFileException} for a missing file).
   *
   * @param paths files or directories, at least one
   * @param options changes the default {@link Options}
   * @param files changes the default {@link FileOptions}
   * @return a new flow of lines
   */
  public static Flow<String> fromFiles(
      List<Path> paths, UnaryOperator<Options> options, UnaryOperator<FileOptions> files) {
    nonNull(paths, "paths");
    nonNull(files, "files");
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("fromFiles needs at least one file or directory");
    }
    List<String> names = new ArrayList<>();
    for (Path p : paths) {
      names.add(nonNull(p, "paths element").toString());
    }
    FileOptions fileOptions = nonNull(files.apply(FileOptions.defaults()), "files result");
    return source(new Source.Files(names, fileOptions), options);
  }

  /**
   * Creates a flow from running producer stages of flow-stages. A producer ends the flow's input by
   * finishing normally; any other end fails the flow.
   *
   * @param producers the producers' handles, at least one: producers or producer-consumers
   * @param options changes the default {@link Options}
   * @param <T> the event type
   * @return a new flow
   * @throws IllegalArgumentException if one is a consumer ({@link Stage#kind()}), which emits
   *     nothing to read
   */
  public static <T> Flow<T> fromStages(
      List<? extends Stage<? extends T>> producers, UnaryOperator<Options> options) {
    nonNull(producers, "producers");
    if (producers.isEmpty()) {
      throw new IllegalArgumentException("fromStages needs at least one producer");
    }
    producers.forEach(p -> nonNull(p, "producers element"));
    StageKinds.check(
        "fromStages",
        producers,
        "running producer stages (producers or producer-consumers) to read from",
        k ->
            k.emits()
                ? null
                : "emits nothing to read; give fromStages the producer or producer-consumer it"
                    + " would read from (StageSystem.startProducer or startProducerConsumer), or"
                    + " end a flow in this stage with into(...)");
    return source(new Source.Stages(new ArrayList<Object>(producers)), options);
  }

  /**
   * Creates a flow from one running producer stage; see {@link #fromStages}.
   *
   * @param producer the producer's (or producer-consumer's) handle
   * @param <T> the event type
   * @return a new flow
   * @throws IllegalArgumentException if it is a consumer ({@link Stage#kind()})
   */
  public static <T> Flow<T> fromStage(Stage<? extends T> producer) {
    return fromStages(List.of(nonNull(producer, "producer")), UnaryOperator.identity());
  }

  /**
   * Creates a flow fed by a {@link java.util.concurrent.Flow.Publisher} (Reactor, RxJava, Mutiny,
   * the JDK {@code HttpClient}; see docs/guides/interop.md), in one producer. The demand the
   * layer's stages ask of it becomes {@code request(n)}: {@code maxDemand} per stage first, then
   * refills of {@code maxDemand - minDemand}, never item by item. Completion ends the flow's input;
   * {@code onError} fails the flow with a {@link FlowException} carrying that error; a publisher
   * that signals more items than were requested (breaking Reactive Streams rule 1.1) fails it with
   * a {@link FlowException} whose cause is an {@link IllegalStateException} saying so; cancelling
   * or failing the flow cancels the subscription. A publisher can be subscribed once per run.
   *
   * @param publisher the source
   * @param options changes the default {@link Options} (stages, demand)
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromPublisher(
      java.util.concurrent.Flow.Publisher<? extends T> publisher, UnaryOperator<Options> options) {
    return source(new Source.Enumerables(List.of(nonNull(publisher, "publisher"))), options);
  }

  /**
   * Creates a flow fed by a publisher, with the default options; see {@link
   * #fromPublisher(java.util.concurrent.Flow.Publisher, UnaryOperator)}.
   *
   * @param publisher the source
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromPublisher(
      java.util.concurrent.Flow.Publisher<? extends T> publisher) {
    return fromPublisher(publisher, UnaryOperator.identity());
  }

  /**
   * Creates a flow from producers that each run starts and owns (Elixir's {@code from_specs}):
   * every factory is called once per run, on the thread starting it, and its {@link
   * dev.flowstage.stage.Producer} runs as one stage of the flow's first layer, asked for events
   * only once every stage of the run is subscribed. A producer ends the flow's input by calling
   * {@code ctx.done()} (what it still holds is delivered first); a failure of its callbacks fails
   * the flow naming it; a cancel or a failure elsewhere stops it. Unlike {@link #fromStages} the
   * flow can run again: each run makes its own producers. Local engine only: flow-flink rejects it
   * when the job is built.
   *
   * @param factories make the producers, at least one; each must return a new producer
   * @param options changes the default {@link Options}
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromProducers(
      List<? extends Supplier<? extends Producer<? extends T>>> factories,
      UnaryOperator<Options> options) {
    nonNull(factories, "factories");
    if (factories.isEmpty()) {
      throw new IllegalArgumentException("fromProducers needs at least one producer factory");
    }
    List<Object> sources = new ArrayList<>();
    for (var f : factories) {
      sources.add(new dev.flowstage.flow.plan.ProducerFactory(nonNull(f, "factories element")));
    }
    return source(new Source.Enumerables(sources), options);
  }

  /**
   * Creates a flow from one producer that each run starts and owns, with the default options; see
   * {@link #fromProducers(List, UnaryOperator)}.
   *
   * @param factory makes the run's producer
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> fromProducer(Supplier<? extends Producer<? extends T>> factory) {
    return fromProducers(List.of(nonNull(factory, "factory")), UnaryOperator.identity());
  }

  private static <T> Flow<T> source(Source source, UnaryOperator<Options> options) {
    return new Flow<>(new Plan(source, List.of(), options(options)));
  }

  private static Options options(UnaryOperator<Options> options) {
    Options o = nonNull(nonNull(options, "options").apply(Options.defaults()), "options result");
    return o;
  }

  // ---------------------------------------------------------------------------------------------
  // Per-event operations (fused)

  /**
   * Transforms each event. Fused with neighbouring per-event operations into one loop per batch.
   *
   * @param mapper the function
   * @param <R> the result type
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public <R> Flow<R> map(SerializableFunction<? super T, ? extends R> mapper) {
    nonNull(mapper, "mapper");
    return mapper("map", new Operation.Map((SerializableFunction<Object, Object>) mapper));
  }

  /**
   * Transforms each event into any number of events (flattened one level).
   *
   * @param mapper returns the events to emit, never {@code null}
   * @param <R> the result type
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public <R> Flow<R> flatMap(
      SerializableFunction<? super T, ? extends Iterable<? extends R>> mapper) {
    nonNull(mapper, "mapper");
    Object fn = mapper;
    return mapper("flatMap", new Operation.FlatMap((SerializableFunction<Object, Iterable<?>>) fn));
  }

  /**
   * Keeps the events the predicate accepts.
   *
   * @param predicate the test
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public Flow<T> filter(SerializablePredicate<? super T> predicate) {
    nonNull(predicate, "predicate");
    return mapper("filter", new Operation.Filter((SerializablePredicate<Object>) predicate));
  }

  /**
   * Drops the events the predicate accepts.
   *
   * @param predicate the test
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public Flow<T> reject(SerializablePredicate<? super T> predicate) {
    nonNull(predicate, "predicate");
    return mapper("reject", new Operation.Reject((SerializablePredicate<Object>) predicate));
  }

  /**
   * Runs a side effect for each event and passes it on (peek).
   *
   * @param action the side effect
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public Flow<T> each(SerializableConsumer<? super T> action) {
    nonNull(action, "action");
    return mapper("each", new Operation.Each((SerializableConsumer<Object>) action));
  }

  /**
   * Transforms each batch as delivered to a stage (at most {@code maxDemand} events). Only at the
   * start of a layer, before any other operation of the layer.
   *
   * @param mapper batch in, events out (may return the same list)
   * @param <R> the result type
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public <R> Flow<R> mapBatch(SerializableFunction<List<T>, List<R>> mapper) {
    nonNull(mapper, "mapper");
    PlanRules.mapBatch(plan);
    Object fn = mapper;
    return next(
        plan.with(new Operation.MapBatch((SerializableFunction<List<Object>, List<Object>>) fn)));
  }

  /**
   * Passes only the first event of each distinct value, per stage (call {@link #partition()} first
   * for global uniqueness). Emits at once. Keys are kept for the whole run in the global window; in
   * a layer with another window they are kept per window (Elixir's uniq per window), so a window
   * bounds the memory of an unbounded flow: before the layer's reduce (or without one) each window
   * sees its own events, after it each window sees what its triggers emit; a window's keys are
   * forgotten at its {@code done} trigger and kept across the others.
   *
   * @return a new flow
   */
  public Flow<T> uniq() {
    return uniqBy(e -> e);
  }

  /**
   * Passes only the first event of each key, per stage.
   *
   * @param by the key
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public Flow<T> uniqBy(SerializableFunction<? super T, ?> by) {
    nonNull(by, "by");
    return mapper("uniqBy", new Operation.Uniq((SerializableFunction<Object, Object>) by));
  }

  private <R> Flow<R> mapper(String name, Operation op) {
    // After a reduce, mappers apply to what the triggers emit (Elixir rejects them; here the
    // emitted events are a well-defined stream, so they are fused after the trigger).
    return next(plan.with(op));
  }

  // ---------------------------------------------------------------------------------------------
  // Reducing

  /**
   * Folds the events of each stage into an accumulator per window; each trigger emits the
   * accumulator as one event (so a flow of accumulators, one per stage and pane). An emitted value
   * never changes: at a trigger after which the window goes on, a mutable accumulator is emitted as
   * a snapshot (JDK collections, maps and arrays are copied; values are emitted as they are; other
   * types fail the stage there, asking for {@code onTrigger}: see docs/guides/windows.md). Use
   * {@link #onTrigger} to emit something else or to reset it. One reduce per layer.
   *
   * @param init a fresh accumulator, called per stage and window
   * @param reducer folds one event into the accumulator and returns it
   * @param <A> the accumulator type
   * @return a new flow of accumulators
   */
  public <A> Flow<A> reduce(
      SerializableSupplier<A> init, SerializableBiFunction<A, ? super T, A> reducer) {
    nonNull(init, "init");
    nonNull(reducer, "reducer");
    return reduce0(init, reducer, null);
  }

  /**
   * Folds the events of each stage into an accumulator, like {@link #reduce(SerializableSupplier,
   * SerializableBiFunction)}, and declares how two partial accumulators merge, like the combiner of
   * the three-argument {@code Stream.reduce}. The result is the same; the work moves.
   *
   * <p>When this reduce directly follows {@link #partition}, {@link #shuffle} or {@link #merge} and
   * its layer has the global window without triggers, every upstream stage pre-reduces: it folds
   * its own events into one accumulator per downstream stage (chosen by the partition key, so a key
   * still meets exactly one stage) and sends those partial accumulators when its input ends; the
   * downstream stages merge them with {@code combiner}. Events are folded on the core that produced
   * them and only one accumulator per stage pair crosses threads, so a word count over files scales
   * with cores instead of moving every word between threads. The cost is memory: each upstream
   * stage holds its partial accumulators until its input ends. In any other position the combiner
   * is not needed and this behaves exactly as the two-argument form.
   *
   * <p>{@code combiner.apply(a, b)} must give the accumulator that folding {@code b}'s events into
   * {@code a} would give, and may return {@code a} updated in place; it must not depend on the
   * order events arrived in (which a partitioned layer never guarantees anyway).
   *
   * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=combiningReduce}
   *
   * @param init a fresh accumulator, called per stage and window, and per upstream stage and
   *     downstream stage when pre-reducing
   * @param reducer folds one event into the accumulator and returns it
   * @param combiner merges the second accumulator into the first and returns the result
   * @param <A> the accumulator type
   * @return a new flow of accumulators
   */
  public <A> Flow<A> reduce(
      SerializableSupplier<A> init,
      SerializableBiFunction<A, ? super T, A> reducer,
      SerializableBinaryOperator<A> combiner) {
    nonNull(init, "init");
    nonNull(reducer, "reducer");
    nonNull(combiner, "combiner");
    return reduce0(init, reducer, combiner);
  }

  /** Both reduce forms; {@code combiner} is {@code null} for the two-argument one. */
  @SuppressWarnings("unchecked")
  private <A> Flow<A> reduce0(
      SerializableSupplier<A> init,
      SerializableBiFunction<A, ? super T, A> reducer,
      SerializableBinaryOperator<A> combiner) {
    if (PlanRules.reduces(plan)) {
      PlanRules.reduce(plan, operation()); // reduce, or groupBy/groupByKey built on it
    }
    Object r = reducer;
    Object c = combiner;
    return next(
        plan.with(
            new Operation.Reduce(
                (SerializableSupplier<Object>) init,
                (SerializableBiFunction<Object, Object, Object>) r,
                (SerializableBinaryOperator<Object>) c)));
  }

  /**
   * Folds events and emits events while folding (e.g. sliding windows, sessions). The reducer
   * returns the events to emit now and the new accumulator. Triggers emit nothing (unlike Elixir,
   * which also emits the accumulator at done); use the three-argument form to emit at triggers.
   *
   * @param init a fresh accumulator
   * @param reducer folds one event
   * @param <A> the accumulator type
   * @param <R> the emitted event type
   * @return a new flow
   */
  public <A, R> Flow<R> emitAndReduce(
      SerializableSupplier<A> init,
      SerializableBiFunction<? super T, A, TriggerResult<R, A>> reducer) {
    return emitAndReduce0(init, reducer);
  }

  /**
   * Folds events, emits events while folding, and decides at each trigger what to emit and keep.
   *
   * @param init a fresh accumulator
   * @param reducer folds one event
   * @param onTrigger what a pane emits and the accumulator kept
   * @param <A> the accumulator type
   * @param <R> the emitted event type
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public <A, R> Flow<R> emitAndReduce(
      SerializableSupplier<A> init,
      SerializableBiFunction<? super T, A, TriggerResult<R, A>> reducer,
      SerializableBiFunction<A, Trigger, TriggerResult<R, A>> onTrigger) {
    nonNull(onTrigger, "onTrigger");
    Flow<R> f = emitAndReduce0(init, reducer);
    Object fn = onTrigger;
    return next(
        f.plan.with(
            new Operation.OnTrigger(
                (SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>>) fn)));
  }

  @SuppressWarnings("unchecked")
  private <A, R> Flow<R> emitAndReduce0(
      SerializableSupplier<A> init,
      SerializableBiFunction<? super T, A, TriggerResult<R, A>> reducer) {
    nonNull(init, "init");
    nonNull(reducer, "reducer");
    PlanRules.reduce(plan, "emitAndReduce");
    Object r = reducer;
    return next(
        plan.with(
            new Operation.EmitAndReduce(
                (SerializableSupplier<Object>) init,
                (SerializableBiFunction<Object, Object, TriggerResult<Object, Object>>) r)));
  }

  /**
   * Groups events by key per stage and window: the accumulator is a {@code Map<K, List<T>>} with
   * values in arrival order, emitted at each trigger. Call {@link #partition()} with the same key
   * first for one group per key overall.
   *
   * @param key the key
   * @param <K> the key type
   * @return a new flow of maps
   */
  public <K> Flow<Map<K, List<T>>> groupBy(SerializableFunction<? super T, ? extends K> key) {
    return groupBy(key, e -> e);
  }

  /**
   * Groups values by key per stage and window.
   *
   * @param key the key
   * @param value the value kept for an event
   * @param <K> the key type
   * @param <V> the value type
   * @return a new flow of maps
   */
  public <K, V> Flow<Map<K, List<V>>> groupBy(
      SerializableFunction<? super T, ? extends K> key,
      SerializableFunction<? super T, ? extends V> value) {
    nonNull(key, "key");
    nonNull(value, "value");
    return reduce(
        java.util.HashMap::new,
        (m, e) -> {
          m.computeIfAbsent(key.apply(e), k -> new ArrayList<>()).add(value.apply(e));
          return m;
        });
  }

  /**
   * Groups {@code Map.Entry} events by their key per stage and window. Java cannot require the
   * events to be entries on this one method, so an event that is no {@code Map.Entry} fails the run
   * (a {@link FlowException} naming the stage, whose cause is an {@code IllegalArgumentException}
   * naming {@code groupByKey} and the event's class): map events to {@code Map.entry(key, value)}
   * first, or use {@link #groupBy(SerializableFunction, SerializableFunction)}.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @return a new flow of maps
   */
  @SuppressWarnings("unchecked")
  public <K, V> Flow<Map<K, List<V>>> groupByKey() {
    Flow<Object> events = (Flow<Object>) this;
    return events.groupBy(e -> (K) entry(e).getKey(), e -> (V) entry(e).getValue());
  }

  /**
   * {@code groupByKey}'s event as the {@code Map.Entry} it must be, checked per event (the type
   * cannot be), so that a wrong one fails the run saying what to do, not with a bare {@code
   * ClassCastException}.
   */
  private static Map.Entry<?, ?> entry(Object event) {
    if (event instanceof Map.Entry<?, ?> e) {
      return e;
    }
    throw new IllegalArgumentException(
        "groupByKey() needs Map.Entry events, but got "
            + (event == null ? "null" : "a " + event.getClass().getName())
            + "; map each event to Map.entry(key, value) first (.map(e -> Map.entry(k, v))"
            + ".groupByKey()), or use groupBy(keyFn) or groupBy(keyFn, valueFn) instead");
  }

  // ---------------------------------------------------------------------------------------------
  // Keyed aggregations

  /**
   * Counts events by key over the whole flow: emits one {@link KeyCount} per key, with how many
   * events had it. Unlike {@link #groupBy}, which works per stage of the current layer, this routes
   * by key itself (a new layer of {@link Options#defaults()} stages, as {@code partition(o ->
   * o.key(key))}), so each key is counted by exactly one stage and emitted once. Upstream of that
   * partition every stage pre-counts its own events, and only one table per pair of stages crosses
   * threads (ADR 0005); counts are kept unboxed in tables that grow from small. Elixir: {@code
   * partition(key: ...) |> reduce(fn -> %{} end, &Map.update(&2, key, 1, ...))} flattened to the
   * map's entries.
   *
   * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=countBy}
   *
   * @param key the key of an event, not {@code null}
   * @param <K> the key type
   * @return a new flow of one {@link KeyCount} per key
   */
  public <K> Flow<KeyCount<K>> countBy(SerializableFunction<? super T, ? extends K> key) {
    return countBy(key, UnaryOperator.identity());
  }

  /**
   * Counts events by key, as {@link #countBy(SerializableFunction)}, in a layer whose stages and
   * window the options set. In a window other than the global one, or with triggers, each stage
   * emits one {@link KeyCount} per key it counted in the pane (cumulative within a window, like a
   * {@link #reduce}'s accumulator), and pre-counting upstream does not apply (as for {@link
   * #reduce(SerializableSupplier, SerializableBiFunction, SerializableBinaryOperator)}).
   *
   * @param key the key of an event, not {@code null}
   * @param options changes the default {@link Options} of the counting layer (stages, maxDemand,
   *     window; not key or hash, which the key sets)
   * @param <K> the key type
   * @return a new flow of one {@link KeyCount} per key and pane
   */
  public <K> Flow<KeyCount<K>> countBy(
      SerializableFunction<? super T, ? extends K> key, UnaryOperator<Options> options) {
    return countBy(key, options, "countBy");
  }

  /**
   * {@code countBy}, its rejections naming {@code what}: the call made (or {@code frequencies}).
   */
  @SuppressWarnings("unchecked")
  private <K> Flow<KeyCount<K>> countBy(
      SerializableFunction<? super T, ? extends K> key,
      UnaryOperator<Options> options,
      String what) {
    SerializableFunction<Object, Object> k = keyFunction(key);
    return keyedLayer(k, options, what)
        .reduce(CountTable::new, (t, e) -> t.add(Keyed.keyOf(k, e, what), 1L), CountTable::merge)
        .onTrigger(
            new Keyed.Emit<>("countBy", (t, trigger) -> TriggerResult.of(t.<K>entries(), t)));
  }

  /**
   * Counts equal events over the whole flow: emits one {@link KeyCount} per distinct event, with
   * how many times it occurred. The same as {@code countBy(e -> e)} (pre-counted upstream of the
   * partition, counts unboxed). Elixir: {@code Enum.frequencies/1}.
   *
   * <p>A word count over files, {@code fromFiles(...).flatMap(Tokenizer.SPACE).frequencies()} (or
   * {@link Tokenizer#WORDS}), followed by anything, runs on the local engine on a byte path when
   * its files allow it: the reading stages count each chunk's words as raw bytes and only partial
   * counts cross to the counting stages, with exactly the result of the plan as written ({@link
   * #graph()} shows which path a run takes). The files allow it when all are read in one of UTF-8,
   * US-ASCII or ISO-8859-1; the global window without triggers is needed. A {@code .gz} file (when
   * {@link FileOptions#decompress} is set) is one piece of work, decompressed by the reading stage
   * that takes it, as the file source reads it by one producer.
   *
   * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=frequencies}
   *
   * @return a new flow of one {@link KeyCount} per distinct event
   */
  public Flow<KeyCount<T>> frequencies() {
    return frequencies(UnaryOperator.identity());
  }

  /**
   * Counts equal events, as {@link #frequencies()}, in a layer whose stages and window the options
   * set (see {@link #countBy(SerializableFunction, UnaryOperator)} for windows and triggers).
   *
   * @param options changes the default {@link Options} of the counting layer (stages, maxDemand,
   *     window; not key or hash)
   * @return a new flow of one {@link KeyCount} per distinct event and pane
   */
  @SuppressWarnings("unchecked")
  public Flow<KeyCount<T>> frequencies(UnaryOperator<Options> options) {
    // A constant key, not e -> e: the local engine recognizes it to fuse a file word count.
    SerializableFunction<T, T> self =
        (SerializableFunction<T, T>) (Object) WordCountPlan.Identity.KEY;
    return countBy(self, options, "frequencies");
  }

  /**
   * Sums a {@code long} value per key over the whole flow: emits one {@link KeyCount} per key whose
   * {@link KeyCount#count()} is the key's sum. As {@link #countBy(SerializableFunction)} (which is
   * {@code sumBy(key, e -> 1)}), sums stay unboxed from the event to the emitted entry, and the
   * stages upstream of the partition pre-sum their own events. For other value types use {@link
   * #reduceByKey}.
   *
   * @param key the key of an event, not {@code null}
   * @param value the event's value to add to its key's sum
   * @param options changes the default {@link Options} of the summing layer (not key or hash)
   * @param <K> the key type
   * @return a new flow of one {@link KeyCount} (key, sum) per key and pane
   */
  public <K> Flow<KeyCount<K>> sumBy(
      SerializableFunction<? super T, ? extends K> key,
      SerializableToLongFunction<? super T> value,
      UnaryOperator<Options> options) {
    SerializableFunction<Object, Object> k = keyFunction(key);
    @SuppressWarnings("unchecked")
    SerializableToLongFunction<Object> v =
        (SerializableToLongFunction<Object>) (Object) nonNull(value, "value");
    return keyedLayer(k, options, "sumBy")
        .reduce(
            CountTable::new,
            (t, e) -> t.add(Keyed.keyOf(k, e, "sumBy"), v.applyAsLong(e)),
            CountTable::merge)
        .onTrigger(new Keyed.Emit<>("sumBy", (t, trigger) -> TriggerResult.of(t.<K>entries(), t)));
  }

  /**
   * Sums a {@code long} value per key, as {@link #sumBy(SerializableFunction,
   * SerializableToLongFunction, UnaryOperator)} with the default options.
   *
   * @param key the key of an event, not {@code null}
   * @param value the event's value to add to its key's sum
   * @param <K> the key type
   * @return a new flow of one {@link KeyCount} (key, sum) per key
   */
  public <K> Flow<KeyCount<K>> sumBy(
      SerializableFunction<? super T, ? extends K> key,
      SerializableToLongFunction<? super T> value) {
    return sumBy(key, value, UnaryOperator.identity());
  }

  /**
   * Reduces the values of each key over the whole flow with {@code merge}: emits one {@code
   * Map.Entry(key, reduced value)} per key. Routes by key and pre-reduces upstream as {@link
   * #countBy} does. {@code merge} must be associative and commutative (values of a key meet in no
   * particular order) and may not return {@code null}. Values are objects, so {@code int} and
   * {@code double} values are boxed: sum them unboxed with {@link #sumBy}, or fold them into a
   * mutable holder per key with {@link #aggregateByKey} (the Flow guide shows both).
   *
   * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=reduceByKey}
   *
   * @param key the key of an event, not {@code null}
   * @param value the value of an event, not {@code null}
   * @param merge merges two values of one key
   * @param <K> the key type
   * @param <V> the value type
   * @return a new flow of one entry per key
   */
  public <K, V> Flow<Map.Entry<K, V>> reduceByKey(
      SerializableFunction<? super T, ? extends K> key,
      SerializableFunction<? super T, ? extends V> value,
      SerializableBinaryOperator<V> merge) {
    return reduceByKey(key, value, merge, UnaryOperator.identity());
  }

  /**
   * Reduces the values of each key, as {@link #reduceByKey(SerializableFunction,
   * SerializableFunction, SerializableBinaryOperator)}, in a layer whose stages and window the
   * options set (see {@link #countBy(SerializableFunction, UnaryOperator)} for windows).
   *
   * @param key the key of an event, not {@code null}
   * @param value the value of an event, not {@code null}
   * @param merge merges two values of one key
   * @param options changes the default {@link Options} of the reducing layer (not key or hash)
   * @param <K> the key type
   * @param <V> the value type
   * @return a new flow of one entry per key and pane
   */
  @SuppressWarnings("unchecked")
  public <K, V> Flow<Map.Entry<K, V>> reduceByKey(
      SerializableFunction<? super T, ? extends K> key,
      SerializableFunction<? super T, ? extends V> value,
      SerializableBinaryOperator<V> merge,
      UnaryOperator<Options> options) {
    SerializableFunction<Object, Object> k = keyFunction(key);
    SerializableFunction<Object, Object> v =
        (SerializableFunction<Object, Object>) (Object) nonNull(value, "value");
    SerializableBinaryOperator<Object> m =
        (SerializableBinaryOperator<Object>) (Object) nonNull(merge, "merge");
    return keyedLayer(k, options, "reduceByKey")
        .reduce(
            HashMap<Object, Object>::new,
            (t, e) -> Keyed.reduceInto(t, k, v, m, e),
            (a, b) -> Keyed.mergeTables(a, b, m, "reduceByKey"))
        .onTrigger(
            new Keyed.Emit<>(
                "reduceByKey",
                (t, trigger) -> TriggerResult.of(Keyed.<K, V>entries(t, trigger), t)));
  }

  /**
   * Folds the events of each key into an accumulator of their own, over the whole flow: emits one
   * {@code Map.Entry(key, accumulator)} per key. {@code init} makes a key's first accumulator,
   * {@code add} folds an event into it, and {@code merge} merges two accumulators of one key (the
   * partial ones that stages upstream of the partition fold, as {@link #countBy} does), like the
   * combiner of {@link #reduce(SerializableSupplier, SerializableBiFunction,
   * SerializableBinaryOperator)}. Neither may return {@code null}; both may update their first
   * argument in place and return it.
   *
   * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=aggregateByKey}
   *
   * @param key the key of an event, not {@code null}
   * @param init a fresh accumulator for a key
   * @param add folds one event into a key's accumulator
   * @param merge merges the second accumulator of a key into the first
   * @param <K> the key type
   * @param <A> the accumulator type
   * @return a new flow of one entry per key
   */
  public <K, A> Flow<Map.Entry<K, A>> aggregateByKey(
      SerializableFunction<? super T, ? extends K> key,
      SerializableSupplier<A> init,
      SerializableBiFunction<A, ? super T, A> add,
      SerializableBinaryOperator<A> merge) {
    return aggregateByKey(key, init, add, merge, UnaryOperator.identity());
  }

  /**
   * Folds the events of each key, as {@link #aggregateByKey(SerializableFunction,
   * SerializableSupplier, SerializableBiFunction, SerializableBinaryOperator)}, in a layer whose
   * stages and window the options set (see {@link #countBy(SerializableFunction, UnaryOperator)}
   * for windows; at a trigger after which a window goes on, each accumulator is emitted as a
   * snapshot, as by {@link #reduce}).
   *
   * @param key the key of an event, not {@code null}
   * @param init a fresh accumulator for a key
   * @param add folds one event into a key's accumulator
   * @param merge merges the second accumulator of a key into the first
   * @param options changes the default {@link Options} of the aggregating layer (not key or hash)
   * @param <K> the key type
   * @param <A> the accumulator type
   * @return a new flow of one entry per key and pane
   */
  @SuppressWarnings("unchecked")
  public <K, A> Flow<Map.Entry<K, A>> aggregateByKey(
      SerializableFunction<? super T, ? extends K> key,
      SerializableSupplier<A> init,
      SerializableBiFunction<A, ? super T, A> add,
      SerializableBinaryOperator<A> merge,
      UnaryOperator<Options> options) {
    SerializableFunction<Object, Object> k = keyFunction(key);
    SerializableSupplier<Object> i = (SerializableSupplier<Object>) nonNull(init, "init");
    SerializableBiFunction<Object, Object, Object> a =
        (SerializableBiFunction<Object, Object, Object>) (Object) nonNull(add, "add");
    SerializableBinaryOperator<Object> m =
        (SerializableBinaryOperator<Object>) (Object) nonNull(merge, "merge");
    return keyedLayer(k, options, "aggregateByKey")
        .reduce(
            HashMap<Object, Object>::new,
            (t, e) -> Keyed.aggregateInto(t, k, i, a, e),
            (x, y) -> Keyed.mergeTables(x, y, m, "aggregateByKey"))
        .onTrigger(
            new Keyed.Emit<>(
                "aggregateByKey",
                (t, trigger) -> TriggerResult.of(Keyed.<K, A>entries(t, trigger), t)));
  }

  @SuppressWarnings("unchecked")
  private static SerializableFunction<Object, Object> keyFunction(SerializableFunction<?, ?> key) {
    return (SerializableFunction<Object, Object>) nonNull(key, "key");
  }

  /** The layer a keyed aggregation reduces in: this flow partitioned by {@code key}. */
  private Flow<Object> keyedLayer(
      SerializableFunction<Object, Object> key, UnaryOperator<Options> options, String what) {
    Options o = options(options);
    PlanRules.keyed(o, what);
    PlanRules.closes(List.of(plan), what);
    o = o.key(key);
    return next(
        new Plan(
            new Source.Layer(List.of(plan), new Routing.Partition(o.key(), null)), List.of(), o));
  }

  /**
   * Decides what each pane of the preceding reduce emits, and what accumulator the window keeps
   * (return the given one to keep it, a fresh one to reset). At {@link Trigger#DONE} the returned
   * accumulator is discarded. The returned events are emitted as they are, so build them fresh
   * rather than share state the window keeps mutating; an event that is the kept accumulator itself
   * is emitted as a snapshot, as by {@link #reduce}. Must directly follow {@link #reduce}, {@link
   * #groupBy} or {@link #emitAndReduce}. After the two-argument {@code emitAndReduce} the function
   * receives that reduce's accumulator, whose type this flow's event type does not carry: prefer
   * the three-argument {@link #emitAndReduce(SerializableSupplier, SerializableBiFunction,
   * SerializableBiFunction)}, which the compiler checks.
   *
   * @param fn accumulator and trigger in, events and new accumulator out
   * @param <R> the emitted event type
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public <R> Flow<R> onTrigger(SerializableBiFunction<T, Trigger, TriggerResult<R, T>> fn) {
    nonNull(fn, "fn");
    List<Operation> ops = plan.operations();
    if (!ops.isEmpty()
        && ops.get(ops.size() - 1) instanceof Operation.OnTrigger t
        && t.fn() instanceof Keyed.Emit<?, ?> keyed) {
      throw new IllegalArgumentException(Keyed.onTriggerAfter(keyed.what()));
    }
    PlanRules.onTrigger(plan);
    Object f = fn;
    return next(
        plan.with(
            new Operation.OnTrigger(
                (SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>>) f)));
  }

  /**
   * Keeps the {@code n} smallest events by the comparator, over the whole flow: each stage keeps
   * its top {@code n}, then one stage merges them. Emits one sorted list (at most {@code n}). After
   * a reduce of this layer the events are what its triggers emit (e.g. one map per stage: {@code
   * flatMap(Map::entrySet)} first to rank the entries), and the merging stage keeps their top
   * {@code n}. Right after {@link #countBy}, {@link #sumBy}, {@link #reduceByKey} or {@link
   * #aggregateByKey}, each aggregating stage ranks its own entries first, so the merging stage
   * receives one list of at most {@code n} per stage and trigger instead of every key's entry.
   *
   * @param n how many to keep, at least 1
   * @param comparator the order (smallest first)
   * @return a new flow emitting one list
   */
  @SuppressWarnings("unchecked")
  public Flow<List<T>> takeSort(int n, SerializableComparator<? super T> comparator) {
    if (n < 1) {
      throw new IllegalArgumentException("takeSort(n, ...) needs n >= 1, got: " + n);
    }
    nonNull(comparator, "comparator");
    SerializableComparator<Object> cmp = (SerializableComparator<Object>) comparator;
    List<Operation> ops = plan.operations();
    if (!ops.isEmpty()
        && ops.get(ops.size() - 1) instanceof Operation.OnTrigger t
        && t.fn() instanceof Keyed.Emit<?, ?> keyed) {
      // Right after a keyed aggregation: each of its stages ranks its own entries, so the merging
      // stage gets stages x n entries instead of one per key (no serial pass over every key).
      List<Operation> ranked = new ArrayList<>(ops);
      ranked.set(
          ops.size() - 1,
          new Operation.OnTrigger(new Keyed.Ranked((Keyed.Emit<Object, Object>) keyed, n, cmp)));
      return next(
          topN(
              new Plan(plan.source(), List.copyOf(ranked), plan.options()),
              n,
              cmp,
              (acc, list) -> ((TopN) acc).addAll((List<?>) list)));
    }
    if (PlanRules.reduces(plan)) {
      // After this layer's reduce, the events are what its triggers emit: the departition stage
      // keeps the n smallest of them all (the layer cannot reduce twice).
      return next(
          topN(
              plan,
              n,
              cmp,
              (acc, e) -> {
                ((TopN) acc).add(e);
                return acc;
              }));
    }
    Flow<TopN> tops =
        reduce(
            () -> new TopN(n, cmp),
            (top, e) -> {
              top.add(e);
              return top;
            });
    Flow<List<T>> sorted =
        // Each stage sends its top n once per window, when the window is done: the merge keeps n
        // of what it receives, so a window's events must reach it once.
        tops.onTrigger(
            (top, t) ->
                t.isDone()
                    ? TriggerResult.of(List.of((List<T>) top.sorted()), top)
                    : TriggerResult.none(top));
    return next(topN(sorted.plan, n, cmp, (acc, list) -> ((TopN) acc).addAll((List<?>) list)));
  }

  /** The one stage keeping the {@code n} smallest of what {@code upstream} emits, as a list. */
  private static Plan topN(
      Plan upstream,
      int n,
      SerializableComparator<Object> cmp,
      SerializableBiFunction<Object, Object, Object> merge) {
    return departed(
        upstream, () -> new TopN(n, cmp), merge, (acc, window) -> ((TopN) acc).sorted());
  }

  /** The one-stage layer merging what every stage of {@code upstream} emits (in its windows). */
  private static Plan departed(
      Plan upstream,
      SerializableSupplier<Object> init,
      SerializableBiFunction<Object, Object, Object> merge,
      SerializableBiFunction<Object, Long, Object> done) {
    return new Plan(
        new Source.Departition(upstream, init, merge, done),
        List.of(),
        upstream.options().stages(1).window(Window.global()));
  }

  /**
   * Merges what every stage of this layer emits into one accumulator in one stage, and emits {@code
   * done(acc)} once, after every stage is done. Any layer may be departitioned (a partition, the
   * stages of a source, a zip or a join), in the global window; the new one-stage layer takes any
   * operation, including a reduce or {@link #takeSort} of the merged value.
   *
   * @param init the accumulator
   * @param merge merges one emitted event (e.g. a partition's state) into the accumulator
   * @param done turns the accumulator into the event emitted
   * @param <A> the accumulator type
   * @param <R> the emitted type
   * @return a new flow emitting one event
   */
  public <A, R> Flow<R> departition(
      SerializableSupplier<A> init,
      SerializableBiFunction<A, ? super T, A> merge,
      SerializableFunction<? super A, ? extends R> done) {
    nonNull(done, "done");
    return departition(init, merge, (A acc, Long window) -> done.apply(acc));
  }

  /**
   * As {@link #departition(SerializableSupplier, SerializableBiFunction, SerializableFunction)},
   * with the window's id given to {@code done}: after a windowed layer one event is emitted per
   * window, and {@code done(acc, windowId)} can say which (Elixir's {@code done_fun/2}). The id is
   * what {@link Trigger#windowId()} reports: 0 for the global window, a fixed window's start in
   * epoch milliseconds, 0, 1, 2... for count and periodic windows.
   *
   * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=departitionWindowId}
   *
   * @param init a window's fresh accumulator
   * @param merge merges one emitted event (e.g. a partition's state) into the accumulator
   * @param done turns a window's accumulator and the window's id into the event emitted
   * @param <A> the accumulator type
   * @param <R> the emitted type
   * @return a new flow emitting one event per window
   */
  @SuppressWarnings("unchecked")
  public <A, R> Flow<R> departition(
      SerializableSupplier<A> init,
      SerializableBiFunction<A, ? super T, A> merge,
      SerializableBiFunction<? super A, Long, ? extends R> done) {
    nonNull(init, "init");
    nonNull(merge, "merge");
    nonNull(done, "done");
    PlanRules.closes(List.of(plan), "departition");
    Object m = merge;
    Object d = done;
    return next(
        departed(
            plan,
            (SerializableSupplier<Object>) init,
            (SerializableBiFunction<Object, Object, Object>) m,
            (SerializableBiFunction<Object, Long, Object>) d));
  }

  // ---------------------------------------------------------------------------------------------
  // Layers

  /**
   * Routes events into a new layer of stages by the hash of the whole event: equal events always
   * reach the same stage. Defaults: available processors stages, global window.
   *
   * @return a new flow
   */
  public Flow<T> partition() {
    return partition(UnaryOperator.identity());
  }

  /**
   * Routes events into a new layer of stages by key ({@link Options#key}) or by a user hash ({@link
   * Options#hash}).
   *
   * @param options changes the default {@link Options}, e.g. {@code o -> o.stages(8).key(w -> w)}
   * @return a new flow
   */
  public Flow<T> partition(UnaryOperator<Options> options) {
    return merge(List.of(this), options);
  }

  /**
   * Routes events into a new layer of stages, each to the stage with the most demand (load
   * balancing, no key affinity).
   *
   * @param options changes the default {@link Options}
   * @return a new flow
   */
  public Flow<T> shuffle(UnaryOperator<Options> options) {
    Options o = options(options);
    PlanRules.noRouting(o, "shuffle");
    PlanRules.closes(List.of(plan), "shuffle");
    return next(new Plan(new Source.Layer(List.of(plan), new Routing.Shuffle()), List.of(), o));
  }

  /**
   * Routes events into a new layer of stages, each to the stage with the most demand.
   *
   * @return a new flow
   */
  public Flow<T> shuffle() {
    return shuffle(UnaryOperator.identity());
  }

  /**
   * Routes this flow's events through running producer-consumer stages of flow-stages, then into a
   * new layer of stages that reads what they emit (Elixir's {@code through_stages}): every given
   * stage subscribes to every stage of this flow's last layer (with {@code CancelMode.TRANSIENT}
   * and the new layer's demand options), and every stage of the new layer to every given stage. Use
   * it to put a stage you already run (a rate limiter, a connection to a service) in the middle of
   * a flow.
   *
   * <p>The stages are not the flow's: it neither starts nor stops them, and its end does not stop
   * them. The new layer's input ends when they exit, so a stage must end itself once its input has:
   * for example by calling {@code ctx.done()} in {@code handleCancel} once {@code ctx.producers()}
   * is empty (its buffered events are delivered first). A stage that never ends keeps the flow
   * running, as in Elixir, where {@code through_stages} is advised for flows without end. A stage
   * that exits abnormally fails the flow; one that exited before the run starts fails it as it
   * starts, naming it. Local engine only: flow-flink rejects it when the job is built.
   *
   * @param stages the producer-consumers' handles, at least one
   * @param options the new layer's {@link Options} (stages, demand, window); no key or hash
   * @param <R> the event type the stages emit
   * @return a new flow
   * @throws IllegalArgumentException if one is not a producer-consumer ({@link Stage#kind()}): a
   *     producer cannot subscribe to this flow, a consumer emits nothing for the new layer
   */
  public <R> Flow<R> through(
      List<? extends Stage<? extends R>> stages, UnaryOperator<Options> options) {
    nonNull(stages, "stages");
    if (stages.isEmpty()) {
      throw new IllegalArgumentException("through needs at least one producer-consumer stage");
    }
    stages.forEach(st -> nonNull(st, "stages element"));
    StageKinds.check(
        "through",
        stages,
        "running producer-consumer stages (StageSystem.startProducerConsumer)",
        k ->
            switch (k) {
              case PRODUCER_CONSUMER -> null;
              case PRODUCER ->
                  "cannot subscribe to this flow; read it with Flow.fromStages(...) instead (and"
                      + " merge that with this flow), or use throughProducerConsumers(...) for a"
                      + " stage each run makes";
              case CONSUMER ->
                  "emits nothing for the layer after it; end the flow in it with into(...)"
                      + " instead, or use throughProducerConsumers(...) for a stage each run"
                      + " makes";
            });
    Options o = options(options);
    PlanRules.noRouting(o, "through");
    PlanRules.closes(List.of(plan), "through");
    return next(new Plan(new Source.Through(plan, new ArrayList<Object>(stages)), List.of(), o));
  }

  /**
   * Routes this flow's events through producer-consumers that each run makes, starts and owns, then
   * into a new layer that reads what they emit (Elixir's {@code through_specs}): as {@link
   * #through(List, UnaryOperator)}, but every factory is called once per run, and the run ends its
   * stages as it ends its own: once every upstream subscription of one has ended normally, it is
   * finished with {@code done()} after its {@code handleCancel} (what it still holds is delivered
   * first), so a finite flow ends with no termination code in the stage. A cancel stops them; a
   * failure of one fails the flow; the flow can run again. Use it to run a stage written against
   * flow-stages (manual demand, a rate limit, batching of its own) inside a flow. Local engine
   * only: flow-flink rejects it when the job is built.
   *
   * @param factories make the producer-consumers, at least one; each must return a new one
   * @param options the new layer's {@link Options} (stages, demand, window); no key or hash
   * @param <R> the event type the stages emit
   * @return a new flow
   */
  public <R> Flow<R> throughProducerConsumers(
      List<? extends Supplier<? extends ProducerConsumer<? super T, ? extends R>>> factories,
      UnaryOperator<Options> options) {
    nonNull(factories, "factories");
    if (factories.isEmpty()) {
      throw new IllegalArgumentException(
          "throughProducerConsumers needs at least one producer-consumer factory");
    }
    List<Object> stages = new ArrayList<>();
    for (var f : factories) {
      stages.add(
          new dev.flowstage.flow.plan.ProducerConsumerFactory(nonNull(f, "factories element")));
    }
    Options o = options(options);
    PlanRules.noRouting(o, "throughProducerConsumers");
    PlanRules.closes(List.of(plan), "throughProducerConsumers");
    return next(new Plan(new Source.Through(plan, stages), List.of(), o));
  }

  /**
   * Routes this flow's events through one producer-consumer that each run makes, starts and owns,
   * then into a new layer with the default options; see {@link #throughProducerConsumers(List,
   * UnaryOperator)}.
   *
   * @param factory makes the run's producer-consumer
   * @param <R> the event type the stage emits
   * @return a new flow
   */
  public <R> Flow<R> throughProducerConsumer(
      Supplier<? extends ProducerConsumer<? super T, ? extends R>> factory) {
    return throughProducerConsumers(List.of(nonNull(factory, "factory")), UnaryOperator.identity());
  }

  /**
   * Routes this flow's events through one running producer-consumer stage, then into a new layer
   * with the default options: {@link #through(List, UnaryOperator)} of one stage.
   *
   * @param stage the producer-consumer's handle
   * @param <R> the event type the stage emits
   * @return a new flow
   * @throws IllegalArgumentException if it is not a producer-consumer ({@link Stage#kind()})
   */
  public <R> Flow<R> through(Stage<? extends R> stage) {
    return through(List.of(nonNull(stage, "stage")), UnaryOperator.identity());
  }

  /**
   * Merges several flows into one partitioned layer: every stage of the new layer subscribes to
   * every upstream flow's last stages, and events are routed by key as in {@link #partition}.
   *
   * @param flows the flows, at least one
   * @param options changes the default {@link Options}
   * @param <T> the event type
   * @return a new flow
   */
  public static <T> Flow<T> merge(List<Flow<? extends T>> flows, UnaryOperator<Options> options) {
    nonNull(flows, "flows");
    if (flows.isEmpty()) {
      throw new IllegalArgumentException("merge needs at least one flow");
    }
    List<Plan> ups = new ArrayList<>();
    for (Flow<? extends T> f : flows) {
      ups.add(nonNull(f, "flows element").plan);
    }
    PlanRules.singleUseOnce(ups, "merge");
    PlanRules.closes(ups, flows.size() == 1 ? "partition" : "merge");
    Options o = options(options);
    return new Flow<>(
        new Plan(new Source.Layer(ups, new Routing.Partition(o.key(), o.hash())), List.of(), o),
        clockOf(flows));
  }

  /**
   * Pairs the events of two flows by position, emitting {@code combiner(l, r)}, and stops at the
   * shorter side. Flows have no global order in general, so zip is defined on <em>ordered</em>
   * sides only: a single source (one iterable, or one file or folder read without splitting by one
   * producer, a folder's files in path order), a zip or a departition, followed only by per-event
   * operations ({@code map}, {@code flatMap}, {@code filter}, {@code reject}, {@code each}, {@code
   * uniq}, {@code mapBatch}); such a side is run on one stage, so the i-th event of each side is
   * the i-th it would emit sequentially. Anything else is rejected here.
   *
   * @param left the left flow
   * @param right the right flow
   * @param combiner makes the output event of a pair
   * @param <L> the left type
   * @param <R> the right type
   * @param <O> the output type
   * @return a new flow (one stage; partition it to parallelize what follows)
   */
  @SuppressWarnings("unchecked")
  public static <L, R, O> Flow<O> zip(
      Flow<L> left,
      Flow<R> right,
      SerializableBiFunction<? super L, ? super R, ? extends O> combiner) {
    nonNull(left, "left");
    nonNull(right, "right");
    nonNull(combiner, "combiner");
    PlanRules.zipSide(left.plan, "left");
    PlanRules.zipSide(right.plan, "right");
    PlanRules.singleUseOnce(List.of(left.plan, right.plan), "zip");
    PlanRules.closes(List.of(left.plan, right.plan), "zip");
    Object c = combiner;
    return new Flow<>(
        new Plan(
            new Source.Zip(
                sequential(left.plan),
                sequential(right.plan),
                (SerializableBiFunction<Object, Object, Object>) c),
            List.of(),
            Options.defaults().stages(1)),
        clockOf(List.of(left, right)));
  }

  /**
   * Joins two flows on keys: both are partitioned by key into {@code stages} join stages; each
   * event is joined at once with the events of the other side seen so far with an equal key, and at
   * the end the outer modes also emit unmatched events paired with {@code null}. Each join stage
   * holds every event it saw, so {@code maxHeld} bounds its memory: a stage holding more fails the
   * flow (finite flows only; raise the bound or pre-aggregate).
   *
   * @param mode inner or outer
   * @param left the left flow
   * @param right the right flow
   * @param leftKey key of a left event
   * @param rightKey key of a right event
   * @param join combines a pair; for outer rows one side is {@code null}
   * @param maxHeld the most events one join stage may hold, at least 1
   * @param options the join layer's options ({@code stages}, demand)
   * @param <L> the left type
   * @param <R> the right type
   * @param <K> the key type
   * @param <O> the output type
   * @return a new flow
   */
  @SuppressWarnings("unchecked")
  public static <L, R, K, O> Flow<O> boundedJoin(
      JoinMode mode,
      Flow<L> left,
      Flow<R> right,
      SerializableFunction<? super L, ? extends K> leftKey,
      SerializableFunction<? super R, ? extends K> rightKey,
      SerializableBiFunction<? super L, ? super R, ? extends O> join,
      long maxHeld,
      UnaryOperator<Options> options) {
    nonNull(mode, "mode");
    nonNull(left, "left");
    nonNull(right, "right");
    nonNull(leftKey, "leftKey");
    nonNull(rightKey, "rightKey");
    nonNull(join, "join");
    Options o = options(options);
    PlanRules.boundedJoin(o, maxHeld);
    PlanRules.singleUseOnce(List.of(left.plan, right.plan), "boundedJoin");
    PlanRules.closes(List.of(left.plan, right.plan), "boundedJoin");
    return join0(mode, left, right, Window.global(), leftKey, rightKey, join, maxHeld, o);
  }

  /**
   * Joins two flows on keys per window (Elixir's {@code window_join}): the window is applied to
   * each side's events, each event is joined at once with the other side's events of equal key in
   * the same window, and when a window closes the outer modes emit its unmatched events paired with
   * {@code null} and the window's events are forgotten. So memory is bounded by a window's events,
   * and an unbounded flow can be joined. Both sides are partitioned by key into {@code stages} join
   * stages. The window is a {@link Window#fixed fixed} window of event time without triggers; a
   * window closes when every upstream stage has sent an event of a later window (an event of a
   * closed window is dropped as late) or at the end of the input.
   *
   * @param mode inner or outer
   * @param left the left flow
   * @param right the right flow
   * @param window a fixed window, its event-time function applied to both sides' events
   * @param leftKey key of a left event
   * @param rightKey key of a right event
   * @param join combines a pair; for outer rows one side is {@code null}
   * @param maxHeld the most events one join stage may hold (over its open windows), at least 1
   * @param options the join layer's options ({@code stages}, demand)
   * @param <L> the left type
   * @param <R> the right type
   * @param <K> the key type
   * @param <O> the output type
   * @return a new flow
   */
  public static <L, R, K, O> Flow<O> windowJoin(
      JoinMode mode,
      Flow<L> left,
      Flow<R> right,
      Window window,
      SerializableFunction<? super L, ? extends K> leftKey,
      SerializableFunction<? super R, ? extends K> rightKey,
      SerializableBiFunction<? super L, ? super R, ? extends O> join,
      long maxHeld,
      UnaryOperator<Options> options) {
    nonNull(mode, "mode");
    nonNull(left, "left");
    nonNull(right, "right");
    nonNull(window, "window");
    nonNull(leftKey, "leftKey");
    nonNull(rightKey, "rightKey");
    nonNull(join, "join");
    Options o = options(options);
    PlanRules.join(o, maxHeld, "windowJoin");
    PlanRules.windowJoin(window);
    PlanRules.singleUseOnce(List.of(left.plan, right.plan), "windowJoin");
    PlanRules.closes(List.of(left.plan, right.plan), "windowJoin");
    return join0(mode, left, right, window, leftKey, rightKey, join, maxHeld, o);
  }

  @SuppressWarnings("unchecked")
  private static <L, R, K, O> Flow<O> join0(
      JoinMode mode,
      Flow<L> left,
      Flow<R> right,
      Window window,
      SerializableFunction<? super L, ? extends K> leftKey,
      SerializableFunction<? super R, ? extends K> rightKey,
      SerializableBiFunction<? super L, ? super R, ? extends O> join,
      long maxHeld,
      Options o) {
    Object lk = leftKey;
    Object rk = rightKey;
    Object j = join;
    return new Flow<>(
        new Plan(
            new Source.Join(
                mode,
                left.plan,
                right.plan,
                (SerializableFunction<Object, Object>) lk,
                (SerializableFunction<Object, Object>) rk,
                (SerializableBiFunction<Object, Object, Object>) j,
                maxHeld,
                window),
            List.of(),
            o),
        clockOf(List.of(left, right)));
  }

  // ---------------------------------------------------------------------------------------------
  // Run settings

  /**
   * Runs this flow on the given processing-time clock instead of the system clock: periodic
   * triggers, periodic windows and allowed lateness read it and are woken by it, so a virtual clock
   * makes them deterministic in tests (see {@link FlowClock}). Event time is not affected. The
   * setting is carried by every operation that follows, and {@link #merge}, {@link #zip} and {@link
   * #boundedJoin} take it from their inputs (two different clocks there are rejected). Every
   * terminal runs on it, {@link #toPublisher()}'s subscriptions included.
   *
   * @param clock the clock, e.g. a test's virtual clock; {@link FlowClock#system()} is the default
   * @return a new flow with the same plan, run on {@code clock}
   */
  public Flow<T> withClock(FlowClock clock) {
    return new Flow<>(plan, nonNull(clock, "clock"));
  }

  /** The clock of a flow built from several: the one clock that is not the default, if any. */
  private static FlowClock clockOf(List<? extends Flow<?>> flows) {
    FlowClock found = FlowClock.system();
    for (Flow<?> f : flows) {
      if (f.clock != FlowClock.system() && f.clock != found) {
        if (found != FlowClock.system()) {
          throw new IllegalArgumentException(
              "the flows combined here run on two different clocks ("
                  + found
                  + " and "
                  + f.clock
                  + "); give withClock(...) once, on the combined flow");
        }
        found = f.clock;
      }
    }
    return found;
  }

  // ---------------------------------------------------------------------------------------------
  // Terminals

  /**
   * Runs the flow for its side effects and waits until it has finished; every stage has stopped and
   * every thread exited when this returns.
   *
   * @throws FlowException if a stage failed (the whole flow is cancelled first)
   * @throws IllegalArgumentException if the plan cannot run (e.g. a window on a layer without
   *     reduce)
   */
  public void run() {
    collect(discarding());
  }

  /**
   * Runs the flow and returns every event the last layer emits, in arrival order (which is not
   * defined across stages).
   *
   * @return the events
   * @throws FlowException if a stage failed
   */
  @SuppressWarnings("unchecked")
  public List<T> toList() {
    return (List<T>) RunCoordinator.start(plan, clock).toList();
  }

  /**
   * Runs the flow and collects what the last layer emits.
   *
   * @param collector how to collect
   * @param <A> the collector's accumulation type
   * @param <R> the result type
   * @return the result
   * @throws FlowException if a stage failed
   */
  @SuppressWarnings("unchecked")
  public <A, R> R collect(Collector<? super T, A, R> collector) {
    nonNull(collector, "collector");
    return RunCoordinator.start(plan, clock).collect((Collector<Object, A, R>) collector);
  }

  /**
   * Returns a lazy stream of the events the last layer emits. Nothing starts until the first
   * element is pulled; demand then comes from the reader (at most {@code maxDemand} of the last
   * layer in flight). Reading it to the end, or closing it, ends the flow and stops every stage
   * before returning; so does an exception thrown by the stream's operations or terminal action (a
   * {@code forEach} lambda), which is then rethrown unchanged. A stream left unclosed after a
   * short-circuiting operation ({@code limit}, {@code findFirst}: Java does not close those) is
   * cancelled once it is garbage collected, which is not prompt: its stages keep their threads and
   * buffers until then. Use try-with-resources for a prompt cancel.
   *
   * @return the stream; close it if you do not read it to the end
   * @throws IllegalArgumentException if the plan cannot run (a window on a last layer that does not
   *     reduce), here rather than at the first pull
   */
  @SuppressWarnings("unchecked")
  public Stream<T> stream() {
    // Rejected here, where the plan is built, not at the first pull that starts the run.
    PlanRules.runnable(plan);
    Plan p = plan;
    FlowClock c = clock;
    RunCoordinator[] run = new RunCoordinator[1];
    Supplier<Spliterator<T>> start =
        () -> {
          run[0] = RunCoordinator.start(p, c);
          return (Spliterator<T>) run[0].stream().spliterator();
        };
    return StreamSupport.stream(start, Spliterator.ORDERED, false)
        .onClose(
            () -> {
              if (run[0] != null) {
                run[0].cancel();
              }
            });
  }

  /**
   * Runs the flow and writes what its last layer emits into the directory {@code dir}, one line per
   * event ({@code String.valueOf}), with the default {@link OutputOptions}. See {@link
   * #writeLines(Path, SerializableFunction, UnaryOperator)}.
   *
   * @param dir the output directory; must not exist
   * @return the part files written, in order
   */
  public List<Path> writeTo(Path dir) {
    return writeLines(dir, String::valueOf, UnaryOperator.identity());
  }

  /**
   * Runs the flow and writes what its last layer emits into the directory {@code dir}, atomically:
   * each stage of the last layer writes its events, one line each, into its own part file; only
   * when the whole flow succeeded do the files appear, as {@code part-00000}, {@code part-00001}...
   * (in the last layer's stage order; a stage that emitted nothing has none) next to an empty
   * {@code _SUCCESS} marker. Until then they are in a hidden staging directory beside {@code dir},
   * which a failure or a cancel (interrupting the calling thread) deletes, so {@code dir} never
   * holds a partial result. An existing {@code dir} is refused before the flow starts unless {@code
   * overwrite} is set; it is then replaced as a whole when the flow succeeded.
   *
   * @param dir the output directory
   * @param line the line of an event, without a terminator
   * @param options changes the default {@link OutputOptions}
   * @return the part files written, in order
   * @throws java.io.UncheckedIOException if {@code dir} exists, or the files cannot be written
   * @throws FlowException if a stage failed (nothing is written)
   * @throws java.util.concurrent.CancellationException if the calling thread was interrupted
   */
  public List<Path> writeLines(
      Path dir,
      SerializableFunction<? super T, String> line,
      UnaryOperator<OutputOptions> options) {
    try (RunningFlow<List<Path>> running = startWritingLines(dir, line, options)) {
      return running.await();
    }
  }

  /**
   * As {@link #writeLines}, writing each event as a CSV row (RFC 4180: a field with a comma, quote
   * or line break is quoted) after the {@link OutputOptions#header} row, if any, of every part.
   *
   * @param dir the output directory
   * @param row the fields of an event
   * @param options changes the default {@link OutputOptions}
   * @return the part files written, in order
   */
  public List<Path> writeCsv(
      Path dir,
      SerializableFunction<? super T, List<?>> row,
      UnaryOperator<OutputOptions> options) {
    try (RunningFlow<List<Path>> running = startWritingCsv(dir, row, options)) {
      return running.await();
    }
  }

  /**
   * Starts writing what the last layer emits into the directory {@code dir}, as {@link
   * #writeLines(Path, SerializableFunction, UnaryOperator)} does, and returns at once: the handle
   * gives the run's statistics and graph, cancels it (deleting what was staged) or awaits the part
   * files. The files are committed as soon as the flow has succeeded, whether or not anyone awaits
   * it; a cancel after that does not undo them.
   *
   * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=startWritingLines}
   *
   * @param dir the output directory
   * @param line the line of an event, without a terminator
   * @param options changes the default {@link OutputOptions}
   * @return the running write; {@link RunningFlow#await()} returns the part files, in order
   * @throws java.io.UncheckedIOException if {@code dir} exists (without overwrite) or its parent
   *     cannot be created
   */
  public RunningFlow<List<Path>> startWritingLines(
      Path dir,
      SerializableFunction<? super T, String> line,
      UnaryOperator<OutputOptions> options) {
    nonNull(dir, "dir");
    nonNull(line, "line");
    OutputOptions o =
        nonNull(nonNull(options, "options").apply(OutputOptions.defaults()), "options result");
    return dev.flowstage.flow.internal.OutputFiles.start(this, dir, line, o);
  }

  /**
   * As {@link #startWritingLines}, writing each event as a CSV row like {@link #writeCsv}.
   *
   * @param dir the output directory
   * @param row the fields of an event
   * @param options changes the default {@link OutputOptions}
   * @return the running write; {@link RunningFlow#await()} returns the part files, in order
   */
  public RunningFlow<List<Path>> startWritingCsv(
      Path dir,
      SerializableFunction<? super T, List<?>> row,
      UnaryOperator<OutputOptions> options) {
    nonNull(row, "row");
    return startWritingLines(
        dir, event -> dev.flowstage.flow.internal.OutputFiles.Csv.row(row.apply(event)), options);
  }

  /**
   * Starts the flow on its own virtual thread, discarding what the last layer emits.
   *
   * @return a handle to await, cancel or inspect the run
   */
  public RunningFlow<Void> start() {
    return start(discarding());
  }

  /**
   * Starts the flow on its own virtual thread, collecting what the last layer emits; {@link
   * RunningFlow#await()} returns the result.
   *
   * @param collector how to collect
   * @param <R> the result type
   * @return a handle to await, cancel or inspect the run
   */
  @SuppressWarnings("unchecked")
  public <R> RunningFlow<R> start(Collector<? super T, ?, R> collector) {
    nonNull(collector, "collector");
    return RunCoordinator.start(plan, clock)
        .startCollecting((Collector<Object, Object, R>) collector);
  }

  /**
   * Starts the flow and subscribes running consumer stages to every stage of its last layer (with
   * {@code CancelMode.TRANSIENT}); they are not owned by the flow. The handle completes when the
   * last layer has finished; more consumers can join while it runs ({@link RunningInto#subscribe}).
   * Elixir: {@code Flow.into_stages}.
   *
   * @param consumers the consumers (or producer-consumers), at least one
   * @return a handle to await, cancel or inspect the run, or to subscribe more consumers
   * @throws IllegalArgumentException before the run starts, if one is a producer ({@link
   *     Stage#kind()}), which cannot subscribe
   */
  public RunningInto into(List<? extends Stage<?>> consumers) {
    return into(consumers, DemandMode.FORWARD);
  }

  /**
   * Starts the flow as {@link #into(List)}, with its sources holding their demand or not. With
   * {@link DemandMode#ACCUMULATE} every stage is started and subscribed, but no source emits (and
   * no periodic trigger or window timer fires, and no {@code fromStages} producer is read) until
   * {@link RunningInto#release()}: consumers {@link RunningInto#subscribe subscribed} in between
   * are in place for the first event. Elixir: {@code Flow.into_stages(flow, consumers, demand:
   * :accumulate)}, then {@code GenStage.demand(coordinator, :forward)}. {@link DemandMode#FORWARD}
   * is {@link #into(List)}.
   *
   * @param consumers the consumers (or producer-consumers), at least one
   * @param demand {@link DemandMode#ACCUMULATE} to hold the sources until released, {@link
   *     DemandMode#FORWARD} to let them emit at once
   * @return a handle to release, await, cancel or inspect the run, or to subscribe more consumers;
   *     its {@link RunningFlow#await()} waits for the release too
   * @throws IllegalArgumentException before the run starts, if one is a producer ({@link
   *     Stage#kind()}), which cannot subscribe
   */
  public RunningInto into(List<? extends Stage<?>> consumers, DemandMode demand) {
    nonNull(consumers, "consumers");
    nonNull(demand, "demand");
    if (consumers.isEmpty()) {
      throw new IllegalArgumentException("into needs at least one consumer stage");
    }
    consumers.forEach(c -> nonNull(c, "consumers element"));
    StageKinds.check("into", consumers, StageKinds.CONSUMERS, StageKinds::consumerRefusal);
    return RunCoordinator.startInto(plan, consumers, clock, demand == DemandMode.ACCUMULATE)
        .runningInto();
  }

  /**
   * Starts the flow into consumers that the run makes, starts and owns (Elixir's {@code
   * into_specs}): each factory is called once per run, its {@link dev.flowstage.stage.Consumer}
   * subscribes to every stage of the last layer (with {@code CancelMode.TRANSIENT}) and is stopped
   * normally once every one of those subscriptions has ended normally, after its {@code
   * handleCancel}: every event has been handled by then. The handle completes when the last layer
   * and every consumer have finished; a failure of a consumer fails the flow naming it, and a
   * cancel stops them. Use it to end a flow in a sink written against flow-stages (manual demand,
   * batched writes) with no termination code of its own.
   *
   * @param factories make the consumers, at least one; each must return a new one
   * @return a handle to await, cancel or inspect the run
   */
  public RunningFlow<Void> intoConsumers(
      List<? extends Supplier<? extends dev.flowstage.stage.Consumer<? super T>>> factories) {
    nonNull(factories, "factories");
    if (factories.isEmpty()) {
      throw new IllegalArgumentException("intoConsumers needs at least one consumer factory");
    }
    factories.forEach(f -> nonNull(f, "factories element"));
    return RunCoordinator.startIntoOwned(plan, factories, clock).awaitLastLayer();
  }

  /**
   * Returns this flow as a {@link java.util.concurrent.Flow.Publisher} of what its last layer
   * emits. It is cold: each subscriber runs the flow anew, into the same subscriber bridge as
   * {@link dev.flowstage.stage.Publishers#of Publishers.of}. The subscriber's {@code request(n)} is
   * the flow's demand (nothing is signalled beyond it; the last layer is asked for a batch per
   * stage ahead, and again only as the subscriber takes events); {@code cancel} cancels the flow
   * and stops every stage; a failure is signalled once, as {@code onError} with the {@link
   * FlowException} a terminal would throw; the end as {@code onComplete}. Each run is on this
   * flow's {@link #withClock clock}. It passes the Reactive Streams TCK (docs/guides/interop.md).
   *
   * @return the publisher
   * @throws IllegalArgumentException if the plan cannot run (a window on a last layer that does not
   *     reduce), here rather than in the run a subscriber starts
   */
  public java.util.concurrent.Flow.Publisher<T> toPublisher() {
    // Rejected here, where the plan is built, not inside the run a subscriber starts later.
    PlanRules.runnable(plan);
    return new FlowPublisher<>(plan, clock);
  }

  private static <E> Collector<E, ?, Void> discarding() {
    return Collector.of(() -> new Object[0], (a, e) -> {}, (a, b) -> a, a -> null);
  }

  // ---------------------------------------------------------------------------------------------
  // Describe

  /**
   * Describes the plan as indented text, one line per layer and operation.
   *
   * @return the plan as text
   */
  public String describe() {
    return Describe.plan(plan);
  }

  /**
   * Returns the stage graph this flow would run: one node per stage group, with stage counts.
   *
   * <p>A {@link #fromFiles} source's files are listed and their first bytes read, as a run does:
   * which graph runs depends on them (a word count over files in a charset the byte path reads is
   * fused onto it), so the graph is the one a run would start with the files as they are now. For
   * files that do not exist yet, {@link #describe()} shows the plan without reading anything.
   *
   * @return the graph (text, Mermaid and DOT renderings)
   * @throws FlowException if a file source's files cannot be listed or read: for the stage {@code
   *     "fromFiles"}, with the file system's exception naming the file as its cause, as every
   *     terminal throws it
   */
  public FlowGraph graph() {
    return Describe.graph(plan);
  }

  @Override
  public String toString() {
    return "Flow[" + describe().replace('\n', ';') + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Validation helpers

  private static Plan sequential(Plan p) {
    Options o = p.options().stages(1).splitBytes(Long.MAX_VALUE);
    return new Plan(p.source(), p.operations(), o);
  }

  private static <V> V nonNull(V value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(
          operation()
              + "(...): "
              + name
              + " must not be null"
              + (name.startsWith("options") ? "; pass o -> o for the defaults" : ""));
    }
    return value;
  }

  /**
   * The Flow method the caller called, for a rejection's message: the outermost frame of this class
   * (or of one of its lambdas) before the caller's code, so {@code groupByKey()}'s rejection names
   * {@code groupByKey} rather than the {@code reduce} it is built on. Walked only when a plan is
   * rejected.
   */
  private static String operation() {
    return StackWalker.getInstance()
        .walk(
            frames -> {
              String name = "Flow";
              for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                String c = f.getClassName();
                if (c.equals(Flow.class.getName()) || c.startsWith(Flow.class.getName() + "$")) {
                  String m = f.getMethodName();
                  if (m.startsWith("lambda$")) {
                    m = m.substring("lambda$".length(), Math.max(m.lastIndexOf('$'), 7));
                  }
                  if (!m.equals("nonNull") && !m.equals("operation") && !m.startsWith("<")) {
                    name = m;
                  }
                } else if (!c.startsWith("java.") && !c.startsWith("jdk.")) {
                  break; // the caller's code: the last Flow frame is what it called
                }
              }
              return name;
            });
  }
}
