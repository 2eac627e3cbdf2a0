package dev.flowstage.examples.workerpool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class WorkerPoolExampleTest {

  @Test
  void run_jobsArriveAfterDemand_everyJobRunsExactlyOnce() throws InterruptedException {
    StringWriter text = new StringWriter();
    Map<Integer, String> ranBy = WorkerPoolExample.run(new PrintWriter(text, true));
    assertEquals(IntStream.rangeClosed(1, 10).boxed().collect(Collectors.toSet()), ranBy.keySet());
    assertTrue(
        Set.of("worker-1", "worker-2", "worker-3").containsAll(ranBy.values()), ranBy.toString());
    String narrative = text.toString();
    // Demand was remembered before the first job existed.
    assertTrue(narrative.indexOf("pending demand") < narrative.indexOf(" runs job "), narrative);
    long runs = narrative.lines().filter(l -> l.contains(" runs job ")).count();
    assertEquals(10, runs, narrative);
  }
}
