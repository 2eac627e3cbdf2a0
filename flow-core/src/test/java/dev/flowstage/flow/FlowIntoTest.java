package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A flow started with {@code into(...)} ends, saying why, once every consumer it feeds exits. */
class FlowIntoTest {
  /** Events without end: the flow can only end because its consumers went away. */
  private static Flow<Integer> endless() {
    return Flow.fromEnumerable(Stream.iterate(0, i -> i + 1), o -> o.stages(1)).map(i -> i);
  }

  /** A consumer that takes one batch and then stops normally, or fails. */
  private static Stage<Void> consumer(StageSystem system, String name, boolean fail) {
    return system.startConsumer(
        name,
        new Consumer<Object>() {
          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {
            if (fail) {
              throw new IllegalStateException("sink broke");
            }
            ctx.stop(ExitReason.normal());
          }
        });
  }

  @Test
  void everyConsumerStops_theFlowEnds_andSaysWhy() {
    try (StageSystem system = new StageSystem("into-stop")) {
      RunningFlow<Void> run =
          endless().into(List.of(consumer(system, "a", false), consumer(system, "b", false)));
      assertTrue(run.awaitTermination(Duration.ofSeconds(30)), "the flow kept running");
      CancellationException e = assertThrows(CancellationException.class, run::await);
      assertTrue(e.getMessage().contains("every consumer it feeds has exited"), e.getMessage());
      assertTrue(e.getMessage().contains("a: normal") && e.getMessage().contains("b: normal"));
      assertTrue(run.isTerminated());
    }
  }

  @Test
  void theConsumerFails_theFlowFailsNamingIt() {
    try (StageSystem system = new StageSystem("into-fail")) {
      RunningFlow<Void> run = endless().into(List.of(consumer(system, "sink", true)));
      assertTrue(run.awaitTermination(Duration.ofSeconds(30)), "the flow kept running");
      FlowException e = assertThrows(FlowException.class, run::await);
      assertEquals("sink", e.stage());
      assertEquals("sink broke", e.getCause().getMessage());
    }
  }

  @Test
  void consumersThatOutliveTheFlow_finishNormally() {
    try (StageSystem system = new StageSystem("into-ok")) {
      Stage<Void> sink =
          system.startConsumer(
              "sink",
              new Consumer<Object>() {
                @Override
                public void handleEvents(
                    List<Object> events, Subscription from, StageContext ctx) {}
              });
      RunningFlow<Void> run = Flow.fromEnumerable(List.of(1, 2, 3)).into(List.of(sink));
      run.await();
      sink.stop(ExitReason.normal());
      run.await(); // still a success: the flow had finished before its consumer left
    }
  }
}
