package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A failure is reported once: to whoever receives it, or (when nothing does) logged at ERROR. The
 * default {@code System.Logger} goes to java.util.logging, so the test listens there.
 */
final class FailureReportTest {
  private final Logger jul = Logger.getLogger("dev.flowstage.stage");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            records.add(r);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private final StageSystem system = new StageSystem("report");

  @BeforeEach
  void listen() {
    jul.addHandler(handler);
  }

  @AfterEach
  void close() {
    system.close();
    jul.removeHandler(handler);
  }

  private static Consumer<Object> failingOnCast(RuntimeException e) {
    return new Consumer<>() {
      @Override
      public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}

      @Override
      public void handleCast(Object message, StageContext ctx) {
        throw e;
      }
    };
  }

  @Test
  void failure_receivedByAnOnExitCaller_isNotLogged() {
    RuntimeException boom = new IllegalStateException("boom");
    Stage<Void> stage = system.startConsumer(failingOnCast(boom));
    var exit = stage.onExit().toCompletableFuture();
    stage.cast("fail");
    ExitReason reason = exit.join();
    assertSame(boom, assertInstanceOf(ExitReason.Failure.class, reason).cause());
    system.close();
    assertEquals(List.of(), records);
  }

  @Test
  void failure_ofAProducer_receivedByItsConsumer_isLoggedOnlyWhereNobodyReceivesIt() {
    Stage<Integer> producer = system.startProducer(TestProducer.counter());
    RecordingConsumer<Integer> rec = new RecordingConsumer<>();
    Stage<Void> consumer = system.startConsumer(rec);
    consumer.subscribeTo(producer, SubscriptionOptions.defaults());
    rec.awaitEvents(5);
    var consumerExit = consumer.onExit().toCompletableFuture();
    producer.kill(ExitReason.failure(new IllegalStateException("producer broke")));
    // the producer's consumer receives it (and stops, PERMANENT); its caller receives that
    assertInstanceOf(ExitReason.Failure.class, consumerExit.join());
    system.close();
    assertEquals(List.of(), records);
  }

  @Test
  void failure_nobodyReceives_isLoggedOnceAtErrorWithTheCause() {
    RuntimeException boom = new IllegalStateException("unwatched");
    Stage<Void> stage = system.startConsumer(failingOnCast(boom));
    stage.cast("fail");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (stage.isAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    system.close();
    assertEquals(1, records.size(), records.toString());
    LogRecord r = records.get(0);
    assertEquals(Level.SEVERE, r.getLevel());
    assertSame(boom, r.getThrown());
    assertTrue(r.getMessage().contains(stage.name()), r.getMessage());
  }
}
