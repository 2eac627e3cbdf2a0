package dev.flowstage.examples.consumersupervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class ConsumerSupervisorExampleTest {

  @Test
  void run_everyEventGetsOneChild_neverMoreThanMaxDemandAtOnce() throws InterruptedException {
    StringWriter text = new StringWriter();
    ConsumerSupervisorExample.Outcome outcome =
        ConsumerSupervisorExample.run(new PrintWriter(text, true));
    assertEquals(IntStream.range(0, 12).boxed().collect(Collectors.toSet()), outcome.handled());
    assertTrue(outcome.mostAtOnce() >= 1 && outcome.mostAtOnce() <= 4, "ran at once: " + outcome);
    assertEquals(
        12,
        text.toString().lines().filter(l -> l.startsWith("child for event ")).count(),
        text.toString());
  }
}
