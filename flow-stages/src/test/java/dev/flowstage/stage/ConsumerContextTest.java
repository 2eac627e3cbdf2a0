package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A consumer's context is a plain stage context: nothing can make a consumer emit. */
final class ConsumerContextTest {
  @Test
  void consumerContext_isNotAProducerContext() throws Exception {
    CompletableFuture<StageContext> seen = new CompletableFuture<>();
    try (StageSystem system = new StageSystem("consumer-context")) {
      Stage<Void> consumer =
          system.startConsumer(
              new Consumer<Object>() {
                @Override
                public void init(StageContext ctx) {
                  seen.complete(ctx);
                }

                @Override
                public void handleEvents(List<Object> events, Subscription from, StageContext c) {}
              });
      StageContext ctx = seen.get(10, TimeUnit.SECONDS);
      assertFalse(ctx instanceof ProducerContext<?>, ctx.getClass().getName());
      assertEquals(consumer, ctx.self());
      assertEquals(consumer.name(), ctx.name());
    }
  }
}
