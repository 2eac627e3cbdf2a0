package dev.flowstage.examples.producerconsumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

final class ProducerConsumerExampleTest {

  @Test
  void run_deliversEveryDoubledNumberInOrder_inBatchesOfAtMostTen() {
    StringWriter text = new StringWriter();
    List<Integer> received = ProducerConsumerExample.run(new PrintWriter(text, true));
    assertEquals(IntStream.range(0, 30).map(i -> i * 2).boxed().toList(), received);
    for (String line : text.toString().lines().toList()) {
      if (line.startsWith("C received ")) {
        int size = Integer.parseInt(line.split(" ")[2]);
        assertTrue(size >= 1 && size <= 10, line);
      }
    }
    assertTrue(text.toString().contains("C stopped"), text.toString());
  }
}
