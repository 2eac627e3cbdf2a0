package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.LogRecorder;
import dev.flowstage.stage.testing.RecordingConsumer;
import dev.flowstage.stage.testing.TestProducer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Events a stage still holds when it exits normally (GenStage drops them: a permanent subscription
 * stops its consumer at once, A10.2) are counted in {@link StageStats#discarded()} and reported
 * once through the discard listener; a shutdown abandons them without a count or a word.
 */
final class ExitDiscardsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private final StageSystem system = new StageSystem("exit-discards");
  private final LogRecorder log = new LogRecorder("dev.flowstage");

  /** One call of a discard listener. */
  record Discard(String producer, long count, String reason) {}

  /** Records every call, and lets the runtime log it too (returns true). */
  private final List<Discard> discards = new CopyOnWriteArrayList<>();

  private final DiscardListener recording =
      (producer, count, reason) -> {
        discards.add(new Discard(producer, count, reason));
        return true;
      };

  @AfterEach
  void close() {
    system.close();
    log.close();
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /** Emits events 0..count-1 on its first demand, then done(). */
  private static Producer<Integer> finite(int count) {
    return new Producer<>() {
      boolean sent;

      @Override
      public void handleDemand(long demand, ProducerContext<Integer> ctx) {
        if (!sent) {
          sent = true;
          ctx.emit(range(0, count));
          ctx.done();
        }
      }
    };
  }

  /**
   * Emits what it receives; a cast of "done" emits 100..102 and calls done(), any other cast stops
   * it normally from the callback.
   */
  private static class Relay implements ProducerConsumer<Integer, Integer> {
    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
      ctx.emit(events);
    }

    @Override
    public void handleCast(Object message, ProducerContext<Integer> ctx) {
      if (message.equals("done")) {
        ctx.emit(range(100, 103));
        ctx.done();
      } else {
        ctx.stop(ExitReason.normal());
      }
    }
  }

  private Stage<Integer> relay(String name) {
    return system.startProducerConsumer(
        new Relay(), ProducerOptions.<Integer>builder().name(name).onDiscard(recording).build());
  }

  private static SubscriptionOptions upstream(CancelMode mode) {
    // minDemand 0: the batch of 10 is handled as one chunk, emitted as one batch
    return SubscriptionOptions.builder().maxDemand(10).minDemand(0).cancel(mode).build();
  }

  /** The one WARNING logged, checked to name the stage, the count and the reason. */
  private LogRecord onlyWarning(String stage, long count, String reason) {
    List<LogRecord> records = log.records();
    assertEquals(1, records.size(), log.text());
    LogRecord r = records.get(0);
    assertEquals(Level.WARNING, r.getLevel());
    assertEquals(
        "producer " + stage + " discarded " + count + " events: " + reason, r.getMessage());
    return r;
  }

  @Test
  void
      permanentUpstreamEnds_producerConsumerStopsAtOnce_andReportsWhatItsConsumersHadNotAskedFor() {
    Stage<Integer> source = system.startProducer(finite(10));
    Stage<Integer> pc = relay("pc");
    pc.subscribeTo(source, upstream(CancelMode.PERMANENT));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(pc, SubscriptionOptions.defaults());
    // Its input waits for downstream demand: 4 asked, the batch of 10 handled, 6 left over.
    consumer.ask(sub, 4);

    assertEquals(ExitReason.normal(), pc.awaitExit(WAIT)); // GenStage: at once, same reason
    assertEquals(range(0, 4), rec.awaitEvents(4));
    assertEquals(ExitReason.normal(), rec.awaitCancel().reason());
    StageStats st = pc.stats();
    assertEquals(10, st.eventsIn());
    assertEquals(4, st.eventsOut());
    assertEquals(6, st.discarded());
    assertEquals(0, st.dropped());
    assertEquals(1, discards.size(), discards.toString());
    Discard d = discards.get(0);
    assertEquals("pc", d.producer());
    assertEquals(6, d.count());
    String why =
        "stopped (normal: its PERMANENT subscription to "
            + source.name()
            + " ended normally) with events its consumers had not asked for; subscribe it with"
            + " CancelMode.TRANSIENT and call done() once its producers ended, to send them first";
    assertEquals(why, d.reason());
    onlyWarning("pc", 6, why);
  }

  @Test
  void transientUpstreamEnds_doneSendsEverything_andNothingIsReported() {
    Stage<Integer> source = system.startProducer(finite(10));
    Stage<Integer> pc =
        system.startProducerConsumer(
            new Relay() {
              @Override
              public void handleCancel(
                  Peer peer, Subscription s, ExitReason reason, ProducerContext<Integer> ctx) {
                if (peer == Peer.PRODUCER) {
                  ctx.done();
                }
              }
            },
            ProducerOptions.<Integer>builder().name("pc").onDiscard(recording).build());
    pc.subscribeTo(source, upstream(CancelMode.TRANSIENT));
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(pc, SubscriptionOptions.defaults());
    consumer.ask(sub, 5); // the same size twice: the demand dispatcher warns about a larger one
    assertEquals(range(0, 5), rec.awaitEvents(5));
    consumer.ask(sub, 5);
    assertEquals(range(5, 10), rec.awaitEvents(5));
    assertEquals(ExitReason.normal(), pc.awaitExit(WAIT));
    assertEquals(0, pc.stats().discarded());
    assertEquals(List.of(), discards);
    assertEquals("", log.text());
  }

  @Test
  void stopNormalFromACallback_withBufferedEvents_countsAndReportsThem() {
    Stage<Integer> p =
        system.startProducer(
            new Producer<Integer>() {
              @Override
              public void handleDemand(long demand, ProducerContext<Integer> ctx) {}

              @Override
              public Object handleCall(Object request, ProducerContext<Integer> ctx) {
                ctx.emit(range(0, 8));
                return "ok";
              }

              @Override
              public void handleInfo(Object message, ProducerContext<Integer> ctx) {
                ctx.stop(ExitReason.normal());
              }
            },
            ProducerOptions.<Integer>builder().name("held").onDiscard(recording).build());
    p.call("emit", WAIT); // no consumer: all 8 buffered
    p.send("stop");
    assertEquals(ExitReason.normal(), p.awaitExit(WAIT));
    assertEquals(8, p.stats().discarded());
    String why =
        "stopped (normal: a callback called stop) with events its consumers had not asked for;"
            + " call done() to send them first, or stop it with ExitReason.shutdown() to abandon"
            + " them on purpose";
    assertEquals(List.of(new Discard("held", 8, why)), discards);
    onlyWarning("held", 8, why);
  }

  @Test
  void stopNormalFromACallback_withUnhandledInput_countsItApartFromTheBuffer() {
    TestProducer tp = TestProducer.silent();
    Stage<Integer> source = system.startProducer(tp);
    Stage<Integer> pc = relay("pc");
    pc.subscribeTo(source, upstream(CancelMode.TRANSIENT));
    tp.awaitDemand();
    // Nobody asks the relay: what it receives waits in its input.
    source.call(new TestProducer.Emit(range(0, 7)), WAIT);
    pc.cast("stop"); // after the events: they reached its mailbox before the call returned
    assertEquals(ExitReason.normal(), pc.awaitExit(WAIT));
    StageStats st = pc.stats();
    assertEquals(0, st.eventsIn());
    assertEquals(7, st.discarded());
    assertEquals(1, discards.size(), discards.toString());
    Discard d = discards.get(0);
    assertEquals(7, d.count());
    assertTrue(d.reason().contains("received and not handled yet"), d.reason());
    assertTrue(d.reason().startsWith("stopped (normal: a callback called stop)"), d.reason());
    onlyWarning("pc", 7, d.reason());
  }

  @Test
  void inputLeftAfterDone_isTheStagesChoice_andNotReported() {
    TestProducer tp = TestProducer.silent();
    Stage<Integer> source = system.startProducer(tp);
    Stage<Integer> pc = relay("pc");
    RecordingConsumer<Integer> rec = new RecordingConsumer<>(SubscriptionMode.MANUAL);
    Stage<Void> consumer = system.startConsumer(rec);
    Subscription sub = consumer.subscribeTo(pc, SubscriptionOptions.defaults());
    pc.subscribeTo(source, upstream(CancelMode.TRANSIENT));
    tp.awaitDemand();
    pc.cast("done"); // its buffer: 100, 101, 102, then the end
    // From the upstream it still has: 7 events wait in its input (nobody asks it yet).
    source.call(new TestProducer.Emit(range(0, 7)), WAIT);
    // The 3 buffered events take the whole ask, done() is reached, the 7 are never handled.
    consumer.ask(sub, 3);
    assertEquals(ExitReason.normal(), pc.awaitExit(WAIT));
    assertEquals(range(100, 103), rec.awaitEvents(3));
    assertEquals(ExitReason.normal(), rec.awaitCancel().reason());
    StageStats st = pc.stats();
    assertEquals(0, st.eventsIn());
    assertEquals(3, st.eventsOut());
    assertEquals(0, st.discarded());
    assertEquals(List.of(), discards);
    assertEquals("", log.text());
  }

  @Test
  void stopNormalFromOutside_whileAccumulating_countsTheHeldEvents() {
    Stage<Integer> p =
        system.startProducer(
            TestProducer.silent(),
            ProducerOptions.<Integer>builder()
                .name("acc")
                .demandMode(DemandMode.ACCUMULATE)
                .onDiscard((producer, count, reason) -> false)
                .build());
    p.call(new TestProducer.Emit(range(0, 5)), WAIT);
    p.stop(ExitReason.normal());
    assertEquals(ExitReason.normal(), p.awaitExit(WAIT));
    assertEquals(5, p.stats().discarded());
    assertEquals("", log.text()); // the listener said it reported them
  }

  @Test
  void shutdown_abandonsBufferedEventsWithoutCountOrReport() {
    Stage<Integer> p =
        system.startProducer(
            TestProducer.silent(),
            ProducerOptions.<Integer>builder().name("abandoned").onDiscard(recording).build());
    p.call(new TestProducer.Emit(range(0, 8)), WAIT);
    p.stop(ExitReason.shutdown("enough"));
    assertEquals(ExitReason.shutdown("enough"), p.awaitExit(WAIT));
    assertEquals(0, p.stats().discarded());
    assertEquals(List.of(), discards);
    assertEquals("", log.text());
  }
}
