package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.FlowClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class TestClockTest {
  @Test
  void advance_runsDueWakeUpsInTimeOrder_eachAtItsOwnTime() {
    TestClock clock = new TestClock(100);
    List<String> seen = new ArrayList<>();
    clock.schedule(300, () -> seen.add("b@" + clock.millis()));
    clock.schedule(200, () -> seen.add("a@" + clock.millis()));
    clock.schedule(500, () -> seen.add("c@" + clock.millis()));
    clock.advance(Duration.ofMillis(300));
    assertEquals(List.of("a@200", "b@300"), seen);
    assertEquals(400, clock.millis());
    assertEquals(List.of(500L), clock.pendingTimes());
  }

  @Test
  void wakeUp_scheduledByAWakeUp_runsInTheSameAdvanceIfDue() {
    TestClock clock = new TestClock();
    List<Long> seen = new ArrayList<>();
    Runnable[] tick = new Runnable[1];
    tick[0] =
        () -> {
          seen.add(clock.millis());
          clock.schedule(clock.millis() + 10, tick[0]);
        };
    clock.schedule(10, tick[0]);
    clock.advance(Duration.ofMillis(35));
    assertEquals(List.of(10L, 20L, 30L), seen);
    assertEquals(1, clock.pendingWakeUps());
  }

  @Test
  void pastOrPresentWakeUp_runsAtOnce_andCancelledOneNever() {
    TestClock clock = new TestClock(50);
    List<String> seen = new ArrayList<>();
    clock.schedule(50, () -> seen.add("now"));
    FlowClock.Cancellable c = clock.schedule(60, () -> seen.add("cancelled"));
    c.cancel();
    clock.advance(Duration.ofMillis(100));
    assertEquals(List.of("now"), seen);
    assertEquals(0, clock.pendingWakeUps());
  }

  @Test
  void clock_neverGoesBackwards() {
    TestClock clock = new TestClock(10);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> clock.advanceTo(5));
    assertTrue(e.getMessage().contains("never goes backwards"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofMillis(-1)));
  }
}
