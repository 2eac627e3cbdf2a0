package dev.flowstage.examples.eventbus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

final class EventBusExampleTest {

  @Test
  void run_everyListenerGetsWhatItSelects_inNotifyOrder() throws TimeoutException {
    StringWriter text = new StringWriter();
    Map<String, List<String>> received = EventBusExample.run(new PrintWriter(text, true));
    assertEquals(
        List.of(
            "info: started",
            "error: disk full",
            "info: retrying",
            "info: cleaned /tmp",
            "error: timeout",
            "info: recovered",
            "info: 42 jobs done",
            "info: stopping"),
        received.get("audit"));
    assertEquals(List.of("error: disk full", "error: timeout"), received.get("alerts"));
    assertTrue(text.toString().contains("notified info: stopping"), text.toString());
  }
}
