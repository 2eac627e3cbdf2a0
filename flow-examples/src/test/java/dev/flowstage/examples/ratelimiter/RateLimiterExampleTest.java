package dev.flowstage.examples.ratelimiter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class RateLimiterExampleTest {

  @Test
  void run_receivesEveryEvent_neverMoreThanFivePerTick() {
    StringWriter text = new StringWriter();
    RateLimiterExample.Outcome outcome = RateLimiterExample.run(new PrintWriter(text, true));
    assertEquals(IntStream.range(0, 20).boxed().toList(), outcome.received());
    for (int n : outcome.receivedPerTick()) {
      assertTrue(n <= 5, "a tick let through " + n + " events: " + outcome.receivedPerTick());
    }
    // 20 events at 5 per tick need at least 4 asks.
    assertTrue(outcome.receivedPerTick().size() >= 4, outcome.receivedPerTick().toString());
    assertTrue(text.toString().contains("tick: asking for 5"), text.toString());
  }
}
