package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.LogRecorder;
import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A failure is reported once: to whoever receives it, or (when nothing does) logged at ERROR. The
 * default {@code System.Logger} goes to java.util.logging, so the test listens there.
 */
final class FailureReportTest {
  private LogRecorder log;
  private List<LogRecord> records;
  private final StageSystem system = new StageSystem("report");

  @BeforeEach
  void listen() {
    log = new LogRecorder("dev.flowstage.stage");
    records = log.records();
  }

  @AfterEach
  void close() {
    system.close();
    log.close();
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
