package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.stage.StageSystem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Windows and triggers under the kit's virtual clock, fed by a probe producer: every step is a
 * command or a wait for an output, nothing sleeps, and an hour of processing time takes no time.
 */
final class VirtualTimeWindowsTest {
  private static String take(BlockingQueue<String> q) throws InterruptedException {
    String s = q.poll(20, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("no output within 20 s");
    }
    return s;
  }

  @Test
  void fixedWindows_withWatermarkAndLateness_underVirtualTime() throws Exception {
    // snippet-start: testing-windows
    TestClock clock = new TestClock();
    BlockingQueue<String> panes = new LinkedBlockingQueue<>();
    try (StageSystem system = new StageSystem("windows-test")) {
      TestProducer<Long> events = TestProducer.start(system); // event times in ms
      RunningFlow<Void> run =
          Flow.<Long>fromStages(List.of(events.stage()), o -> o.stages(1))
              .partition(
                  o ->
                      o.stages(1)
                          .window(
                              Window.<Long>fixed(Duration.ofMinutes(1), t -> t)
                                  .triggerEvery(1)
                                  .allowedLateness(Duration.ofSeconds(30))))
              .reduce(() -> 0L, (n, t) -> n + 1)
              .onTrigger(
                  (n, t) -> TriggerResult.of(List.of(t.name() + "@" + t.windowId() + "=" + n), n))
              .each(panes::add)
              .withClock(clock)
              .start();
      events.emit(5_000L);
      assertEquals("every@0=1", take(panes));
      events.emit(
          65_000L); // the watermark passes the first minute; it stays open 30 s for late events
      assertEquals("every@60000=1", take(panes));
      assertEquals("watermark@0=1", take(panes));
      clock.advance(Duration.ofSeconds(29)); // virtual: returns at once
      events.emit(7_000L); // late but allowed
      assertEquals("every@0=2", take(panes));
      clock.advance(Duration.ofSeconds(1)); // lateness over: the first minute is done
      assertEquals("done@0=2", take(panes));
      events.emit(8_000L); // too late: dropped
      events.complete();
      run.await();
      assertEquals(List.of("done@60000=1"), List.copyOf(panes));
    }
    // snippet-end: testing-windows
  }

  @Test
  void periodicTrigger_firesOnlyWhenTheClockMoves() throws Exception {
    TestClock clock = new TestClock(1_000_000);
    BlockingQueue<String> panes = new LinkedBlockingQueue<>();
    try (StageSystem system = new StageSystem("periodic-test")) {
      TestProducer<Integer> events = TestProducer.start(system);
      RunningFlow<Void> run =
          Flow.<Integer>fromStages(List.of(events.stage()), o -> o.stages(1))
              .partition(
                  o ->
                      o.stages(1)
                          .window(
                              Window.global()
                                  .triggerEvery(1)
                                  .triggerPeriodically(Duration.ofHours(1))))
              .reduce(() -> 0, Integer::sum)
              .onTrigger((acc, t) -> TriggerResult.of(List.of(t.name() + "=" + acc), acc))
              .each(panes::add)
              .withClock(clock)
              .start();
      clock.awaitWakeUps(1);
      assertEquals(List.of(1_000_000L + 3_600_000L), clock.pendingTimes());
      events.emit(1);
      assertEquals("every=1", take(panes));
      events.emit(2);
      assertEquals("every=3", take(panes));
      for (int hour = 1; hour <= 24; hour++) {
        clock.advance(Duration.ofHours(1));
        assertEquals("periodically=3", take(panes), "hour " + hour);
      }
      assertTrue(panes.isEmpty(), panes.toString());
      events.complete();
      run.await();
      assertEquals(List.of("done=3"), List.copyOf(panes));
      assertEquals(0, clock.pendingWakeUps(), "a finished flow leaves no wake-up behind");
    }
  }
}
