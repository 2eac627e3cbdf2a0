package dev.flowstage.test.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.test.FlowCheck;
import dev.flowstage.test.Gen;
import dev.flowstage.test.TestClock;
import dev.flowstage.test.TestConsumer;
import dev.flowstage.test.TestProducer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The examples of flow-test's Javadoc, compiled and run: the kit's Javadoc shows the regions
 * between {@code @start region=...} and {@code @end} with {@code {@snippet class=... region=...}}
 * (javadoc's {@code --snippet-path} is src/test/java, see flow-test's pom), and flow-core's
 * JavadocSnippetsTest checks every such reference resolves.
 */
final class KitSnippets {
  @Test
  void flowCheck() {
    // @start region=flowCheck
    FlowCheck.forAll(Gen.ints(0, 100))
        .pipeline(f -> f.map(x -> x % 7).partition().uniq())
        .sameAsStream(s -> s.map(x -> x % 7).distinct())
        .check();
    // @end
  }

  @Test
  void testClock() throws Exception {
    BlockingQueue<Integer> panes = new LinkedBlockingQueue<>();
    try (StageSystem system = new StageSystem("snippets")) {
      TestProducer<Integer> source = TestProducer.start(system);
      Flow<Integer> flow =
          Flow.<Integer>fromStages(List.of(source.stage()), o -> o.stages(1))
              .partition(
                  o ->
                      o.stages(1)
                          .window(Window.global().triggerPeriodically(Duration.ofMinutes(1))))
              .reduce(() -> 0, Integer::sum)
              .onTrigger((acc, t) -> TriggerResult.of(List.of(acc), acc))
              .each(panes::add);
      // @start region=testClock
      TestClock clock = new TestClock();
      RunningFlow<Void> run = flow.withClock(clock).start();
      clock.awaitWakeUps(1); // the flow is running and has set its timer
      clock.advance(Duration.ofMinutes(1)); // one periodic trigger fires, at once
      // @end
      assertEquals(0, panes.poll(20, TimeUnit.SECONDS));
      source.complete();
      run.await();
    }
  }

  @Test
  void probes() {
    try (StageSystem system = new StageSystem("snippets")) {
      // @start region=probes
      TestProducer<Integer> upstream = TestProducer.start(system);
      TestConsumer<Integer> downstream = TestConsumer.manual(system);
      downstream.subscribeTo(upstream.stage(), 10, 5);
      downstream.ask(3);
      upstream.expectDemand(3); // what the consumer asked for reached the producer
      upstream.emit(1, 2, 3, 4);
      downstream.expectBatch(List.of(1, 2, 3)); // exactly what was asked, in one batch
      downstream.expectNoBatch(Duration.ofMillis(50)); // the fourth waits for demand
      // @end
      Stage<Integer> s = upstream.stage();
      assertEquals(true, s.isAlive());
    }
  }
}
