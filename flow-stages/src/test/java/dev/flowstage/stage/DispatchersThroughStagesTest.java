package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.testing.RecordingConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The built-in dispatchers driven by running stages (the runtime side of capability 7). */
final class DispatchersThroughStagesTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("dispatch");

  @AfterEach
  void close() {
    system.close();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  @Test
  void broadcast_everyConsumerGetsEveryEvent_selectorFiltersWithoutStalling() {
    Stage<Integer> p =
        system.startProducer(
            Producers.fromIterable(range(0, 1000)),
            ProducerOptions.<Integer>builder()
                .dispatcher(Dispatchers::broadcast)
                .demandMode(DemandMode.ACCUMULATE)
                .build());
    RecordingConsumer<Integer> all = new RecordingConsumer<>();
    RecordingConsumer<Integer> evens = new RecordingConsumer<>();
    system.startConsumer(all).subscribeTo(p, SubscriptionOptions.builder().maxDemand(50).build());
    system
        .startConsumer(evens)
        .subscribeTo(
            p,
            SubscriptionOptions.builder()
                .maxDemand(50)
                .selector((Integer i) -> i % 2 == 0)
                .build());
    p.demandMode(DemandMode.FORWARD);
    assertEquals(range(0, 1000), all.awaitEvents(1000));
    assertEquals(range(0, 1000).stream().filter(i -> i % 2 == 0).toList(), evens.awaitEvents(500));
    assertEquals(ExitReason.normal(), p.awaitExit(WAIT));
  }

  @Test
  void demand_severalConsumers_shareTheEventsExactlyOnce() {
    Stage<Integer> p =
        system.startProducer(
            Producers.fromIterable(range(0, 3000)),
            ProducerOptions.<Integer>builder()
                .dispatcher(Dispatchers::demand)
                .demandMode(DemandMode.ACCUMULATE)
                .build());
    List<RecordingConsumer<Integer>> recs = new ArrayList<>();
    List<Stage<Void>> stages = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordingConsumer<Integer> rec = new RecordingConsumer<>();
      Stage<Void> c = system.startConsumer(rec);
      c.subscribeTo(p, SubscriptionOptions.builder().maxDemand(100).build());
      recs.add(rec);
      stages.add(c);
    }
    p.demandMode(DemandMode.FORWARD);
    for (Stage<Void> c : stages) {
      assertEquals(ExitReason.normal(), c.awaitExit(WAIT));
    }
    List<Integer> got = new ArrayList<>();
    for (RecordingConsumer<Integer> rec : recs) {
      for (RecordingConsumer.Batch<Integer> b : rec.drainBatches()) {
        got.addAll(b.events());
      }
    }
    got.sort(null);
    assertEquals(range(0, 3000), got);
  }
}
