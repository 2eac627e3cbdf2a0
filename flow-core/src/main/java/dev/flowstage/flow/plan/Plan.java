package dev.flowstage.flow.plan;

import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableBinaryOperator;
import dev.flowstage.flow.SerializableConsumer;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.SerializablePredicate;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.SerializableToIntFunction;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One layer of a flow as immutable data: where its events come from, the operations its stages run,
 * and its options. A whole flow is the last layer; its upstream layers hang off {@link Source}.
 * Every backend (the local stage materializer, the Flink translator) is a {@code switch} over these
 * sealed types; {@code Flow.plan()} returns it. May change before 1.0.
 *
 * @param source where the layer's events come from
 * @param operations the operations, in declaration order
 * @param options the layer's options
 */
public record Plan(Source source, List<Operation> operations, Options options)
    implements Serializable {

  /** Copies the operation list. */
  public Plan {
    Objects.requireNonNull(source, "source");
    operations = List.copyOf(operations);
    Objects.requireNonNull(options, "options");
  }

  /**
   * Returns this plan with one more operation.
   *
   * @param op the operation
   * @return a new plan
   */
  public Plan with(Operation op) {
    var ops = new java.util.ArrayList<>(operations);
    ops.add(op);
    return new Plan(source, ops, options);
  }

  /** Where a layer's events come from. */
  public sealed interface Source extends Serializable {
    /**
     * In-memory sources, one producer each: {@code Iterable}, {@code Stream}, {@code Iterator}, a
     * {@code java.util.concurrent.Flow.Publisher} or a {@link ProducerFactory}. Not serializable in
     * general: a distributed backend rejects them.
     *
     * @param enumerables the sources
     */
    record Enumerables(List<Object> enumerables) implements Source {
      /** Copies the list. */
      public Enumerables {
        enumerables = List.copyOf(enumerables);
      }
    }

    /**
     * Running producer stages (flow-stages handles).
     *
     * @param producers the producers
     */
    record Stages(List<Object> producers) implements Source {
      /** Copies the list. */
      public Stages {
        producers = List.copyOf(producers);
      }
    }

    /**
     * The last layer of {@code upstream} routed through producer-consumer stages, then into this
     * layer: running ones (flow-stages handles, not owned by the flow; Elixir's {@code
     * through_stages}) or {@link ProducerConsumerFactory}s, whose stages each run starts and owns
     * (Elixir's {@code through_specs}).
     *
     * @param upstream the flow whose events the stages receive
     * @param stages the producer-consumers' handles or factories
     */
    record Through(Plan upstream, List<Object> stages) implements Source {
      /** Copies the list. */
      public Through {
        Objects.requireNonNull(upstream, "upstream");
        stages = List.copyOf(stages);
      }
    }

    /**
     * Lines of files; directories are walked.
     *
     * @param paths the files or directories, as strings (paths are not serializable)
     * @param options which files are read, and how
     */
    record Files(List<String> paths, dev.flowstage.flow.FileOptions options) implements Source {
      /**
       * The stage every engine names in the {@code FlowException} for files it cannot list or open
       * when the run starts (or, on Flink, when the job is built).
       */
      public static final String STAGE = "fromFiles";

      /** Copies the list. */
      public Files {
        paths = List.copyOf(paths);
        java.util.Objects.requireNonNull(options, "options");
      }

      /**
       * Lines of files with the default file options.
       *
       * @param paths the files or directories
       */
      public Files(List<String> paths) {
        this(paths, dev.flowstage.flow.FileOptions.defaults());
      }
    }

    /**
     * A new layer fed by the last layers of upstream flows, routed by {@code routing}: partition,
     * shuffle, merge.
     *
     * @param upstream the upstream flows
     * @param routing how events are routed to this layer's stages
     */
    record Layer(List<Plan> upstream, Routing routing) implements Source {
      /** Copies the list. */
      public Layer {
        upstream = List.copyOf(upstream);
      }
    }

    /**
     * One stage merging what every upstream partition emits.
     *
     * @param upstream the partitioned flow
     * @param init the accumulator supplier
     * @param merge merges one emitted event into the accumulator
     * @param done turns a window's final accumulator and the window's id ({@code
     *     Trigger.windowId()}) into the one event emitted
     */
    record Departition(
        Plan upstream,
        SerializableSupplier<Object> init,
        SerializableBiFunction<Object, Object, Object> merge,
        SerializableBiFunction<Object, Long, Object> done)
        implements Source {}

    /**
     * Pairs two ordered flows by position, in one stage.
     *
     * @param left the left flow
     * @param right the right flow
     * @param combiner makes the output event of a pair
     */
    record Zip(Plan left, Plan right, SerializableBiFunction<Object, Object, Object> combiner)
        implements Source {}

    /**
     * Joins two flows on keys, partitioned by key.
     *
     * @param mode which unmatched events are also emitted
     * @param left the left flow
     * @param right the right flow
     * @param leftKey key of a left event
     * @param rightKey key of a right event
     * @param join combines a pair (one side {@code null} for outer rows)
     * @param maxHeld the most events one join stage may hold
     * @param window the window both sides are joined in: global for {@code boundedJoin}, fixed for
     *     {@code windowJoin}
     */
    record Join(
        JoinMode mode,
        Plan left,
        Plan right,
        SerializableFunction<Object, Object> leftKey,
        SerializableFunction<Object, Object> rightKey,
        SerializableBiFunction<Object, Object, Object> join,
        long maxHeld,
        Window window)
        implements Source {
      /** Checks the window. */
      public Join {
        Objects.requireNonNull(window, "window");
      }
    }
  }

  /** How a layer's events are routed to the stages of the next. */
  public sealed interface Routing extends Serializable {
    /**
     * By key hash (or a user hash) into the next layer's stages: one key, one stage.
     *
     * @param key the key of an event, or {@code null} for the whole event
     * @param hash the partition of an event, or {@code null} to hash the key
     */
    record Partition(SerializableFunction<Object, ?> key, SerializableToIntFunction<Object> hash)
        implements Routing {}

    /** To whichever stage has the most demand (load balancing, no key affinity). */
    record Shuffle() implements Routing {}
  }

  /** One operation run inside a layer's stages. */
  public sealed interface Operation extends Serializable {
    /**
     * Whether this operation reduces (starts the accumulating part of a layer).
     *
     * @return true for reducing operations
     */
    default boolean reduces() {
      return false;
    }

    /**
     * Maps each delivered batch; only at the start of a layer.
     *
     * @param fn the batch function
     */
    record MapBatch(SerializableFunction<List<Object>, List<Object>> fn) implements Operation {}

    /**
     * One event in, one out.
     *
     * @param fn the mapper
     */
    record Map(SerializableFunction<Object, Object> fn) implements Operation {}

    /**
     * One event in, any number out.
     *
     * @param fn returns the events to emit
     */
    record FlatMap(SerializableFunction<Object, Iterable<?>> fn) implements Operation {}

    /**
     * Keeps events the predicate accepts.
     *
     * @param predicate the test
     */
    record Filter(SerializablePredicate<Object> predicate) implements Operation {}

    /**
     * Drops events the predicate accepts.
     *
     * @param predicate the test
     */
    record Reject(SerializablePredicate<Object> predicate) implements Operation {}

    /**
     * Calls a side effect and passes the event on.
     *
     * @param action the side effect
     */
    record Each(SerializableConsumer<Object> action) implements Operation {}

    /**
     * Passes the first event of each key per stage.
     *
     * @param by the key
     */
    record Uniq(SerializableFunction<Object, Object> by) implements Operation {}

    /**
     * Folds events into a per-window accumulator; each trigger emits the accumulator.
     *
     * @param init a fresh accumulator
     * @param reducer folds one event
     * @param combiner merges two partial accumulators, or {@code null} when they cannot be merged;
     *     with one, the layers upstream of a partition pre-reduce (see the three-argument {@code
     *     Flow.reduce})
     */
    record Reduce(
        SerializableSupplier<Object> init,
        SerializableBiFunction<Object, Object, Object> reducer,
        SerializableBinaryOperator<Object> combiner)
        implements Operation {
      /**
       * A reduce whose partial accumulators cannot be merged.
       *
       * @param init a fresh accumulator
       * @param reducer folds one event
       */
      public Reduce(
          SerializableSupplier<Object> init,
          SerializableBiFunction<Object, Object, Object> reducer) {
        this(init, reducer, null);
      }

      @Override
      public boolean reduces() {
        return true;
      }
    }

    /**
     * Folds events and emits events while folding; triggers emit nothing unless an {@link
     * OnTrigger} follows.
     *
     * @param init a fresh accumulator
     * @param reducer folds one event, returning events to emit and the new accumulator
     */
    record EmitAndReduce(
        SerializableSupplier<Object> init,
        SerializableBiFunction<Object, Object, TriggerResult<Object, Object>> reducer)
        implements Operation {
      @Override
      public boolean reduces() {
        return true;
      }
    }

    /**
     * Decides what each pane emits and what accumulator the window keeps.
     *
     * @param fn the trigger function
     */
    record OnTrigger(SerializableBiFunction<Object, Trigger, TriggerResult<Object, Object>> fn)
        implements Operation {}
  }
}
