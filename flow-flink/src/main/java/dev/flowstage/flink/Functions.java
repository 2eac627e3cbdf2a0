package dev.flowstage.flink;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.SerializableToIntFunction;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.logic.Combining;
import dev.flowstage.flow.logic.DepartitionLogic;
import dev.flowstage.flow.logic.JoinLogic;
import dev.flowstage.flow.logic.MapReducer;
import dev.flowstage.flow.logic.NullEvent;
import dev.flowstage.flow.logic.Route;
import dev.flowstage.flow.logic.StageLogic;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Source;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedMultiInput;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The Flink operators and functions a translated flow runs. None of them implements an operator's
 * semantics: a layer's subtask runs flow-core's own stage logic ({@link MapReducer}, from {@code
 * dev.flowstage.flow.logic}), exactly as a local stage does, and routing uses flow-core's {@link
 * Route}. What stays here is the Flink glue: batching a subtask's events, the partitioner, and
 * dropping.
 */
final class Functions {
  private Functions() {}

  /** What a subtask of a logic operator runs: the serializable description of its stage logic. */
  interface LogicSpec extends java.io.Serializable {
    /**
     * Creates the logic of one subtask.
     *
     * @param index the subtask's index
     * @param total the operator's parallelism
     * @return a fresh logic
     */
    StageLogic create(int index, int total);
  }

  /**
   * The serializable description of one layer's stage logic: what {@link MapReducer} needs besides
   * the subtask's index and the clock.
   *
   * @param operations the layer's operations, as the local materializer compiles them
   * @param windows the window of each reduce, in order
   * @param combine what the stage pre-reduces for, or {@code null}
   * @param tagPanes whether the stage tags what it emits with its window (it feeds a departition
   *     per window)
   * @param departition the departition per window this stage runs before its operations, or {@code
   *     null}
   * @param inputs how many upstream subtasks feed the stage as inputs of their own (the first
   *     window is fixed and its events arrive {@link From tagged} with their upstream subtask), or
   *     1 for one merged input
   */
  record LayerLogic(
      ArrayList<Operation> operations,
      ArrayList<Window> windows,
      Combining.Target combine,
      boolean tagPanes,
      PerWindow departition,
      int inputs)
      implements LogicSpec {
    LayerLogic(
        List<Operation> operations,
        List<Window> windows,
        Combining.Target combine,
        boolean tagPanes,
        PerWindow departition,
        int inputs) {
      this(
          new ArrayList<>(operations),
          new ArrayList<>(windows),
          combine,
          tagPanes,
          departition,
          inputs);
    }

    /**
     * The logic of subtask {@code index} of {@code total}, with {@code inputs} inputs, as the local
     * stage has one per upstream stage.
     */
    @Override
    public StageLogic create(int index, int total) {
      StageLogic layer =
          new MapReducer(
              operations,
              windows,
              index,
              total,
              inputs,
              System::currentTimeMillis,
              combine,
              tagPanes);
      return departition == null
          ? layer
          : new DepartitionLogic(
              departition.init(),
              departition.merge(),
              departition.done(),
              departition.stages(),
              layer);
    }
  }

  /**
   * A departition per window: its functions and how many upstream subtasks close each window.
   *
   * @param init a window's fresh accumulator
   * @param merge merges one emitted event
   * @param done turns a window's accumulator and the window's id into the event emitted
   * @param stages the upstream parallelism
   */
  record PerWindow(
      SerializableSupplier<Object> init,
      SerializableBiFunction<Object, Object, Object> merge,
      SerializableBiFunction<Object, Long, Object> done,
      int stages)
      implements java.io.Serializable {}

  /**
   * What the two logic operators share: a stage logic run on the task thread, fed in batches of at
   * most {@code maxDemand} events of one input in the order they arrive (as a local stage receives
   * them from one upstream stage at a time; {@code mapBatch} sees these batches), a batch also
   * handed over before a watermark or a checkpoint barrier passes; the logic's timers (periodic
   * windows and triggers, lateness) on Flink processing-time timers. Where each upstream subtask is
   * an input of its own, records arrive {@link From tagged} with it, and its {@link Ended} record
   * is that input's {@code inputDone}.
   */
  abstract static class LogicRunner extends AbstractStreamOperator<Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final LogicSpec spec;
    // whether records arrive tagged with their upstream subtask
    final boolean tagged;
    private final int maxDemand;
    private transient StageLogic logic;
    private transient List<Object> batch;
    // the input whose events the batch holds
    private transient int batchInput;
    private transient List<Object> out;
    private transient StreamRecord<Object> record;
    // The processing time the next timer is registered for (Long.MAX_VALUE: none).
    private transient long scheduled;
    private transient boolean finished;

    /**
     * @param spec the logic each subtask runs
     * @param tagged whether records arrive {@link From tagged} with their upstream subtask
     * @param maxDemand the most events a batch holds
     */
    LogicRunner(LogicSpec spec, boolean tagged, int maxDemand) {
      this.spec = spec;
      this.tagged = tagged;
      this.maxDemand = maxDemand;
    }

    @Override
    public void open() throws Exception {
      super.open();
      var task = getRuntimeContext().getTaskInfo();
      logic = spec.create(task.getIndexOfThisSubtask(), task.getNumberOfParallelSubtasks());
      batch = new ArrayList<>();
      out = new ArrayList<>();
      record = new StreamRecord<>(null);
      scheduled = Long.MAX_VALUE;
      schedule();
    }

    /**
     * Takes one record: an event of {@code input}, or, when tagged, a {@link From} (an event of the
     * input it names) or an {@link Ended} (the end of that input).
     */
    final void received(Object element, int input) {
      Object event = element;
      if (tagged) {
        switch (element) {
          case From f -> {
            input = f.from();
            event = f.event();
          }
          case Ended e -> {
            inputDone(e.from());
            return;
          }
          default ->
              throw new IllegalStateException(
                  "an untagged event reached a subtask tracking its upstream subtasks: " + element);
        }
      }
      if (input != batchInput) {
        flush(); // a batch is one input's, as locally
        batchInput = input;
      }
      batch.add(event);
      if (batch.size() >= maxDemand) {
        flush();
      }
    }

    /** Ends {@code input}: it no longer holds the windows back. */
    final void inputDone(int input) {
      flush();
      logic.inputDone(input, out);
      emit();
      schedule();
    }

    /** Ends the whole input: fires the final triggers. */
    final void finishLogic() {
      flush();
      finished = true;
      logic.finish(out);
      emit();
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      flush();
      super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      flush();
      super.prepareSnapshotPreBarrier(checkpointId);
    }

    /** Hands the batch to the logic. */
    final void flush() {
      if (batch.isEmpty()) {
        return;
      }
      // A fresh list each time: mapBatch functions may keep or change what they are given.
      List<Object> full = batch;
      batch = new ArrayList<>();
      logic.events(full, batchInput, out);
      emit();
      schedule();
    }

    /**
     * Registers a Flink processing-time timer for the logic's next timer, unless one is already due
     * no later; timers run on the task thread.
     */
    private void schedule() {
      long next = logic.nextTimer();
      if (next < scheduled) {
        scheduled = next;
        getProcessingTimeService().registerTimer(next, this::onTimer);
      }
    }

    private void onTimer(long time) {
      if (finished || time != scheduled) {
        return; // superseded by an earlier timer, which rescheduled
      }
      scheduled = Long.MAX_VALUE;
      flush();
      logic.timer(getProcessingTimeService().getCurrentProcessingTime(), out);
      emit();
      schedule();
    }

    private void emit() {
      for (int i = 0, n = out.size(); i < n; i++) {
        output.collect(record.replace(out.get(i)));
      }
      out.clear();
    }
  }

  /**
   * Runs a layer's {@link StageLogic} as a Flink operator ({@link LogicRunner}); the end of the
   * input ({@link BoundedOneInput}) fires the final triggers. With several {@link
   * LayerLogic#inputs()}, each upstream subtask is an input of its own, as each upstream stage is
   * locally.
   */
  static final class LogicOperator extends LogicRunner
      implements OneInputStreamOperator<Object, Object>, BoundedOneInput {
    @Serial private static final long serialVersionUID = 1L;

    LogicOperator(LayerLogic spec, int maxDemand) {
      super(spec, spec.inputs() > 1, maxDemand);
    }

    @Override
    public void processElement(StreamRecord<Object> element) {
      received(element.getValue(), 0);
    }

    @Override
    public void endInput() {
      finishLogic();
    }
  }

  /**
   * The serializable description of a join layer: flow-core's {@link JoinLogic} over the two sides
   * (input 0 the left flow, input 1 the right), then the layer's own operations.
   *
   * @param join the plan's join source
   * @param sides the side (0 left, 1 right) of each upstream subtask (left ones first) when a
   *     window join's events arrive {@link From tagged} with their upstream subtask, as the local
   *     join stage's inputs, or {@code null} for one merged input a side
   * @param after the layer's operations after the join
   */
  record JoinSpec(Source.Join join, int[] sides, LayerLogic after) implements LogicSpec {
    /** Whether the events arrive tagged with their upstream subtask. */
    boolean tagged() {
      return sides != null;
    }

    @Override
    public StageLogic create(int index, int total) {
      return new JoinLogic(
          join.mode(),
          tagged() ? sides : new int[] {0, 1},
          join.leftKey(),
          join.rightKey(),
          join.join(),
          join.maxHeld(),
          join.window(),
          after.create(index, total));
    }
  }

  /**
   * Runs a join layer's {@link StageLogic} as a two-input Flink operator ({@link LogicRunner}): the
   * end of a side is the logic's {@code inputDone}, the end of both fires the final triggers. A
   * window join fed by several upstream subtasks gets their events {@link From tagged}: each
   * upstream subtask is an input of the logic, as locally, and its {@link Ended} record is that
   * input's {@code inputDone}.
   */
  static final class JoinOperator extends LogicRunner
      implements TwoInputStreamOperator<Object, Object, Object>, BoundedMultiInput {
    @Serial private static final long serialVersionUID = 1L;
    private transient int ended;

    JoinOperator(JoinSpec spec, int maxDemand) {
      super(spec, spec.tagged(), maxDemand);
    }

    @Override
    public void processElement1(StreamRecord<Object> element) {
      received(element.getValue(), 0);
    }

    @Override
    public void processElement2(StreamRecord<Object> element) {
      received(element.getValue(), 1);
    }

    @Override
    public void endInput(int inputId) {
      if (!tagged) {
        inputDone(inputId - 1); // tagged: each upstream subtask's Ended came first
      }
      if (++ended == 2) {
        finishLogic();
      }
    }
  }

  /**
   * An event on its way to subtask {@code target} of a layer that tracks each upstream subtask as
   * an input of its own (a fixed window or a window join fed by several upstream subtasks).
   *
   * @param from the upstream subtask, numbered across the layer's upstream operators
   * @param target the downstream subtask
   * @param event the event
   */
  record From(int from, int target, Object event) {}

  /**
   * Upstream subtask {@code from} has sent subtask {@code target} all it will: that input is done,
   * so it no longer holds the windows back (as an upstream local stage's end does).
   *
   * @param from the upstream subtask
   * @param target the downstream subtask
   */
  record Ended(int from, int target) {}

  /**
   * Tags an upstream subtask's events for a layer that tracks each upstream subtask ({@link From}),
   * choosing each event's subtask with the layer's {@link Route} (round robin without one, as
   * Flink's rebalance), and at its end of input tells every downstream subtask ({@link Ended}).
   * Flink keeps each channel in order, so a downstream subtask sees an upstream subtask's events in
   * the order that subtask sent them to it, and its end after them: the local stage's view of each
   * upstream stage, so windows close and events are late exactly as locally.
   */
  static final class Tagger extends AbstractStreamOperator<Object>
      implements OneInputStreamOperator<Object, Object>, BoundedOneInput {
    @Serial private static final long serialVersionUID = 1L;
    private final int offset;
    private final int targets;
    private final Route route;
    private transient int from;
    private transient int next;
    private transient StreamRecord<Object> record;

    /**
     * @param offset the input number of this operator's subtask 0 (earlier upstream operators'
     *     subtasks come first)
     * @param targets the downstream layer's subtasks
     * @param route the downstream routing, or {@code null} for round robin
     */
    Tagger(int offset, int targets, Route route) {
      this.offset = offset;
      this.targets = targets;
      this.route = route;
    }

    @Override
    public void open() throws Exception {
      super.open();
      int index = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
      from = offset + index;
      next = index % targets;
      record = new StreamRecord<>(null);
    }

    @Override
    public void processElement(StreamRecord<Object> element) {
      Object event = element.getValue();
      int target;
      if (route == null) {
        target = next;
        next = (next + 1) % targets;
      } else {
        target = route.applyAsInt(event);
        if (target == Dispatchers.DROP) {
          return; // never reaches the layer
        }
      }
      output.collect(record.replace(new From(from, target, event)));
    }

    @Override
    public void endInput() {
      for (int t = 0; t < targets; t++) {
        output.collect(record.replace(new Ended(from, t)));
      }
    }
  }

  /** Routes {@link From} and {@link Ended} records to the subtask they name. */
  static final class ByTarget implements Partitioner<Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public int partition(Object record, int numPartitions) {
      int target =
          switch (record) {
            case From f -> f.target();
            case Ended e -> e.target();
            default -> throw new IllegalStateException("untagged record: " + record);
          };
      if (target < 0 || target >= numPartitions) {
        throw new IllegalStateException(
            "record for subtask " + target + " of a layer of " + numPartitions + " subtasks");
      }
      return target;
    }
  }

  /** Drops the events whose partition is {@link Dispatchers#DROP}. */
  static final class NotDropped implements FilterFunction<Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final SerializableToIntFunction<Object> partition;

    NotDropped(SerializableToIntFunction<Object> partition) {
      this.partition = partition;
    }

    @Override
    public boolean filter(Object event) {
      return partition.applyAsInt(event) != Dispatchers.DROP;
    }
  }

  /** The whole event is the "key" Flink hands to {@link ByRoute}. */
  static final class Whole implements KeySelector<Object, Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Object getKey(Object event) {
      return event;
    }
  }

  /**
   * Flink's custom partitioner with Flowstage's routing: a {@link Combining.Partial} goes where its
   * accumulator was folded for, any other event by its {@link Route}.
   */
  static final class ByRoute implements Partitioner<Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final Route route;

    ByRoute(Route route) {
      this.route = route;
    }

    @Override
    public int partition(Object event, int numPartitions) {
      if (numPartitions != route.partitions()) {
        throw new IllegalStateException(
            "partition layer has " + numPartitions + " subtasks, expected " + route.partitions());
      }
      int p =
          event instanceof Combining.Partial
              ? Combining.partitionOf(event)
              : route.applyAsInt(event);
      if (p == Dispatchers.DROP) {
        throw new IllegalStateException("dropped event reached the partitioner: " + event);
      }
      return p;
    }
  }

  /** Replaces null events with {@link NullEvent#VALUE}. */
  static final class WrapNull implements MapFunction<Object, Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Object map(Object event) {
      return NullEvent.wrap(event);
    }
  }

  /** Turns {@link NullEvent#VALUE} back into null. */
  static final class UnwrapNull implements MapFunction<Object, Object> {
    @Serial private static final long serialVersionUID = 1L;

    @Override
    public Object map(Object event) {
      return NullEvent.unwrap(event);
    }
  }
}
