package dev.flowstage.examples.polling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class PollingProducerExampleTest {

  @Test
  void run_receivesEveryOrderInOrderAndEnds() {
    List<String> received = PollingProducerExample.run(new PrintWriter(new StringWriter(), true));
    assertEquals(IntStream.rangeClosed(1, 12).mapToObj(i -> "order-" + i).toList(), received);
  }

  @Test
  void poll_respectsMax_thenEmpty_thenNullOnceClosed() {
    PollingProducerExample.ExternalQueue queue = new PollingProducerExample.ExternalQueue();
    queue.add("a");
    queue.add("b");
    queue.add("c");
    assertEquals(List.of("a", "b"), queue.poll(2));
    assertEquals(List.of("c"), queue.poll(2));
    assertEquals(List.of(), queue.poll(2));
    queue.close();
    assertNull(queue.poll(2));
  }
}
