package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A trigger sent to a running flow (Elixir's {:trigger, name} message). */
final class FlowTriggerMessageTest {
  /** Emits the integers cast to it as demand allows; a negative one ends it. */
  private static final class Casts implements Producer<Integer> {
    private final ArrayDeque<Integer> queue = new ArrayDeque<>();
    private long demand;
    private boolean end;

    @Override
    public void handleDemand(long more, ProducerContext<Integer> ctx) {
      demand += more;
      emit(ctx);
    }

    @Override
    public void handleCast(Object message, ProducerContext<Integer> ctx) {
      int i = (Integer) message;
      if (i < 0) {
        end = true;
      } else {
        queue.add(i);
      }
      emit(ctx);
    }

    private void emit(ProducerContext<Integer> ctx) {
      List<Integer> batch = new ArrayList<>();
      while (demand > 0 && !queue.isEmpty()) {
        batch.add(queue.poll());
        demand--;
      }
      ctx.emit(batch);
      if (end && queue.isEmpty()) {
        ctx.done();
      }
    }
  }

  @Test
  void trigger_firesEveryOpenWindow_andTheWindowGoesOn() throws InterruptedException {
    try (StageSystem system = new StageSystem("trigger-test")) {
      Stage<Integer> source = system.startProducer(new Casts());
      try (RunningFlow<List<String>> run =
          Flow.fromStages(List.of(source), o -> o.stages(1))
              .reduce(() -> 0, Integer::sum)
              .onTrigger((acc, t) -> TriggerResult.of(List.of(t.name() + "=" + acc), acc))
              .start(Collectors.toList())) {
        source.cast(1);
        source.cast(2);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (eventsIn(run) < 2 && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        run.trigger("flush");
        source.cast(3);
        source.cast(-1);
        assertEquals(List.of("flush=3", "done=6"), run.await());
      }
    }
  }

  /** Events received by the flow's reducing stage (group g1). */
  private static long eventsIn(RunningFlow<?> run) {
    return run.statistics().stages().stream()
        .filter(s -> s.name().startsWith("g1."))
        .mapToLong(s -> s.eventsIn())
        .sum();
  }

  @Test
  void trigger_named_done_isRejected() {
    try (RunningFlow<Void> run = Flow.fromEnumerable(List.of(1)).start()) {
      assertThrows(IllegalArgumentException.class, () -> run.trigger("done"));
      run.await();
    }
  }
}
