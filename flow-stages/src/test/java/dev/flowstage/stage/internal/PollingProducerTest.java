package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.stage.ProducerContext;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The polling producer's callbacks, driven directly with a recording context. */
final class PollingProducerTest {
  /** Records emits, done and scheduled ticks; anything else is not expected here. */
  @SuppressWarnings("unchecked")
  private static ProducerContext<Integer> context(List<String> calls) {
    return (ProducerContext<Integer>)
        Proxy.newProxyInstance(
            ProducerContext.class.getClassLoader(),
            new Class<?>[] {ProducerContext.class},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "emit" -> calls.add("emit " + args[0]);
                case "done" -> calls.add("done");
                case "sendAfter" -> calls.add("tick");
                default -> throw new UnsupportedOperationException(method.getName());
              }
              return null;
            });
  }

  @Test
  void exhaustedSource_isNotPolledAgain_byLaterDemandOrAPendingTick() {
    AtomicInteger polls = new AtomicInteger();
    PollingProducer<Integer> producer =
        new PollingProducer<>(
            max ->
                switch (polls.incrementAndGet()) {
                  case 1 -> List.of(1);
                  case 2 -> null;
                  default -> List.of(99); // a source asked after it said it was exhausted
                },
            Duration.ofMillis(5));
    List<String> calls = new ArrayList<>();
    ProducerContext<Integer> ctx = context(calls);
    producer.handleDemand(4, ctx); // [1], 3 still pending: a tick is scheduled
    producer.handleDemand(2, ctx); // null: done
    producer.handleInfo(PollingProducer.TICK, ctx); // the tick scheduled before
    producer.handleDemand(4, ctx); // demand that raced done
    assertEquals(2, polls.get());
    assertEquals(List.of("emit [1]", "tick", "done"), calls);
  }
}
