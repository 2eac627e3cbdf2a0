package dev.flowstage.flink;

import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.SerializableSupplier;
import dev.flowstage.flow.SerializableToIntFunction;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.logic.Combining;
import dev.flowstage.flow.logic.DepartitionLogic;
import dev.flowstage.flow.logic.JoinLogic;
import dev.flowstage.flow.logic.MapReducer;
import dev.flowstage.flow.logic.Route;
import dev.flowstage.flow.logic.StageLogic;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Source;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.io.Serial;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.FilterFunction;
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
   * @param watermarked whether the first window is a fixed window whose event time comes from the
   *     Flink watermarks of the upstream subtasks ({@link EventTimeWatermarks}): there are several;
   *     from one, the events of the subtask's merged input (that producer's channel) advance it, as
   *     locally
   */
  record LayerLogic(
      ArrayList<Operation> operations,
      ArrayList<Window> windows,
      Combining.Target combine,
      boolean tagPanes,
      PerWindow departition,
      boolean watermarked)
      implements java.io.Serializable {
    LayerLogic(
        List<Operation> operations,
        List<Window> windows,
        Combining.Target combine,
        boolean tagPanes,
        PerWindow departition,
        boolean watermarked) {
      this(
          new ArrayList<>(operations),
          new ArrayList<>(windows),
          combine,
          tagPanes,
          departition,
          watermarked);
    }

    /**
     * The logic of subtask {@code index} of {@code total}: one merged input per subtask, whose
     * fixed window advances by Flink's watermark when {@code watermarked}.
     */
    StageLogic create(int index, int total) {
      StageLogic layer =
          new MapReducer(
              operations,
              windows,
              index,
              total,
              watermarked ? MapReducer.WATERMARKED : 1,
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
   * @param done turns a window's accumulator into the event emitted
   * @param stages the upstream parallelism
   */
  record PerWindow(
      SerializableSupplier<Object> init,
      SerializableBiFunction<Object, Object, Object> merge,
      SerializableFunction<Object, Object> done,
      int stages)
      implements java.io.Serializable {}

  /**
   * Runs a layer's {@link StageLogic} as a Flink operator, on the task thread: events are handed to
   * the logic in batches of at most {@code maxDemand} (as a local stage receives them; {@code
   * mapBatch} sees these batches), a batch is also handed over before a watermark or a checkpoint
   * barrier passes, a watermark (the minimum over the input channels, which Flink computes)
   * advances a watermarked layer's event time, and the end of the input ({@link BoundedOneInput})
   * fires the final triggers.
   */
  static final class LogicOperator extends AbstractStreamOperator<Object>
      implements OneInputStreamOperator<Object, Object>, BoundedOneInput {
    @Serial private static final long serialVersionUID = 1L;
    private final LayerLogic spec;
    private final int maxDemand;
    private transient StageLogic logic;
    private transient List<Object> batch;
    private transient List<Object> out;
    private transient StreamRecord<Object> record;
    // The processing time the next timer is registered for (Long.MAX_VALUE: none).
    private transient long scheduled;
    private transient boolean finished;

    LogicOperator(LayerLogic spec, int maxDemand) {
      this.spec = spec;
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
     * Registers a Flink processing-time timer for the logic's next timer (periodic windows and
     * triggers, lateness), unless one is already due no later; timers run on the task thread.
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

    @Override
    public void processElement(StreamRecord<Object> element) {
      batch.add(element.getValue());
      if (batch.size() >= maxDemand) {
        flush();
      }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      flush();
      // The maximum watermark comes when every upstream subtask ended: the end of the input (the
      // final triggers) closes the windows then, as locally when every input is done.
      if (spec.watermarked() && mark.getTimestamp() != Long.MAX_VALUE) {
        logic.watermark(mark.getTimestamp(), out);
        emit();
        schedule();
      }
      super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      flush();
      super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput() {
      flush();
      finished = true;
      logic.finish(out);
      emit();
    }

    private void flush() {
      if (batch.isEmpty()) {
        return;
      }
      // A fresh list each time: mapBatch functions may keep or change what they are given.
      List<Object> full = batch;
      batch = new ArrayList<>();
      logic.events(full, 0, out);
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
   * The serializable description of a join layer: flow-core's {@link JoinLogic} over the two sides
   * (input 0 the left flow, input 1 the right), then the layer's own operations.
   *
   * @param join the plan's join source
   * @param watermarked whether the join's fixed windows close by the Flink watermarks of the sides'
   *     upstream subtasks (a side has several), rather than by the events each side's merged input
   *     brings (one producer a side, as locally)
   * @param after the layer's operations after the join
   */
  record JoinSpec(Source.Join join, boolean watermarked, LayerLogic after)
      implements java.io.Serializable {
    /** The logic of subtask {@code index} of {@code total}. */
    StageLogic create(int index, int total) {
      return new JoinLogic(
          join.mode(),
          new int[] {0, 1},
          join.leftKey(),
          join.rightKey(),
          join.join(),
          join.maxHeld(),
          join.window(),
          after.create(index, total),
          watermarked());
    }
  }

  /**
   * Runs a join layer's {@link StageLogic} as a two-input Flink operator: each side's events are
   * handed over in batches of at most {@code maxDemand}, the end of a side is the logic's {@code
   * inputDone}, the end of both fires the final triggers, a window join's windows close by the
   * watermark of both sides (Flink's minimum over both inputs' channels), and the logic's timers
   * run on Flink processing-time timers.
   */
  static final class JoinOperator extends AbstractStreamOperator<Object>
      implements TwoInputStreamOperator<Object, Object, Object>, BoundedMultiInput {
    @Serial private static final long serialVersionUID = 1L;
    private final JoinSpec spec;
    private final int maxDemand;
    private transient StageLogic logic;
    private transient List<List<Object>> batches;
    private transient List<Object> out;
    private transient StreamRecord<Object> record;
    private transient int ended;
    private transient long scheduled;

    JoinOperator(JoinSpec spec, int maxDemand) {
      this.spec = spec;
      this.maxDemand = maxDemand;
    }

    @Override
    public void open() throws Exception {
      super.open();
      var task = getRuntimeContext().getTaskInfo();
      logic = spec.create(task.getIndexOfThisSubtask(), task.getNumberOfParallelSubtasks());
      batches = List.of(new ArrayList<>(), new ArrayList<>());
      out = new ArrayList<>();
      record = new StreamRecord<>(null);
      scheduled = Long.MAX_VALUE;
      schedule();
    }

    @Override
    public void processElement1(StreamRecord<Object> element) {
      add(0, element.getValue());
    }

    @Override
    public void processElement2(StreamRecord<Object> element) {
      add(1, element.getValue());
    }

    private void add(int side, Object event) {
      List<Object> b = batches.get(side);
      b.add(event);
      if (b.size() >= maxDemand) {
        flush(side);
      }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
      // Flink calls this with the minimum of both inputs' watermarks.
      flush(0);
      flush(1);
      if (spec.watermarked() && mark.getTimestamp() != Long.MAX_VALUE) {
        logic.watermark(mark.getTimestamp(), out);
        emit();
        schedule();
      }
      super.processWatermark(mark);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
      flush(0);
      flush(1);
      super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void endInput(int inputId) {
      int side = inputId - 1;
      flush(side);
      logic.inputDone(side, out);
      emit();
      if (++ended == 2) {
        logic.finish(out);
        emit();
      }
    }

    private void flush(int side) {
      List<Object> b = batches.get(side);
      if (b.isEmpty()) {
        return;
      }
      List<Object> full = new ArrayList<>(b);
      b.clear();
      logic.events(full, side, out);
      emit();
      schedule();
    }

    private void schedule() {
      long next = logic.nextTimer();
      if (next < scheduled) {
        scheduled = next;
        getProcessingTimeService().registerTimer(next, this::onTimer);
      }
    }

    private void onTimer(long time) {
      if (ended == 2 || time != scheduled) {
        return;
      }
      scheduled = Long.MAX_VALUE;
      flush(0);
      flush(1);
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
   * What the subtasks feeding an event-time layer measure: the layer's fixed window (its event
   * time) and the routing that decides which events reach it.
   *
   * @param window the downstream layer's fixed window (or the window join's)
   * @param route the downstream partition's routing, whose {@link Dispatchers#DROP} events are not
   *     sent, or {@code null}
   */
  record EventTime(Window.Fixed window, Route route) implements java.io.Serializable {}

  /**
   * Passes a subtask's events on and, after each event that starts a later window, emits a Flink
   * watermark: the start of the latest window of the events this subtask sends the event-time layer
   * (as a local stage's watermark tracks each upstream stage's latest window). Flink hands the
   * event-time layer the minimum over its input channels, so a window closes only when every
   * upstream subtask has passed it. Watermarks from further upstream are of another layer's event
   * time and stop here; the end of the input sends the maximum watermark, after the last event, so
   * an ended subtask no longer holds the others back.
   */
  static final class EventTimeWatermarks extends AbstractStreamOperator<Object>
      implements OneInputStreamOperator<Object, Object>, BoundedOneInput {
    @Serial private static final long serialVersionUID = 1L;
    private final EventTime time;
    private transient long latest;

    EventTimeWatermarks(EventTime time) {
      this.time = time;
    }

    @Override
    public void open() throws Exception {
      super.open();
      latest = Long.MIN_VALUE;
    }

    @Override
    public void processElement(StreamRecord<Object> element) {
      Object event = element.getValue();
      output.collect(element);
      if (time.route() != null && time.route().applyAsInt(event) == Dispatchers.DROP) {
        return; // never reaches the layer
      }
      long size = time.window().sizeMillis();
      long window = Math.floorDiv(time.window().eventTimeMillis().applyAsLong(event), size);
      if (window > latest) {
        latest = window;
        output.emitWatermark(new Watermark(window * size));
      }
    }

    @Override
    public void processWatermark(Watermark mark) {
      // another layer's event time: not forwarded
    }

    @Override
    public void endInput() {
      output.emitWatermark(Watermark.MAX_WATERMARK);
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
}
