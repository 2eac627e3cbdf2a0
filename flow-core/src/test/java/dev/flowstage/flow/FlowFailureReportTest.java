package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flowstage.stage.testing.LogRecorder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A flow's failure is reported once (ADR 0007): thrown to the terminal's caller, and then not also
 * logged by a stage that believes nobody received it. The default {@code System.Logger} goes to
 * java.util.logging, so the test listens on the runtime's loggers there.
 */
final class FlowFailureReportTest {
  private LogRecorder log;

  @BeforeEach
  void listen() {
    log = new LogRecorder("dev.flowstage");
  }

  @AfterEach
  void stopListening() {
    log.close();
  }

  private String logged() {
    return log.text();
  }

  private static Flow<Integer> failingAt(int bad) {
    return Flow.fromEnumerable(List.of(1, 2, 3, 4, 5, 6, 7, 8))
        .map(
            i -> {
              if (i == bad) {
                throw new IllegalStateException("bad event " + i);
              }
              return i;
            });
  }

  @Test
  void toList_failingMap_isThrownAndNotLogged() {
    FlowException e = assertThrows(FlowException.class, () -> failingAt(5).toList());
    assertEquals("bad event 5", e.getCause().getMessage());
    assertEquals("", logged());
  }

  @Test
  void toList_failingReduceAfterPartition_isThrownAndNotLogged() {
    Flow<Integer> flow =
        failingAt(3)
            .partition(o -> o.stages(2))
            .reduce(() -> 0, (Integer acc, Integer i) -> acc + i)
            .departition(() -> 0, Integer::sum, s -> s);
    FlowException e = assertThrows(FlowException.class, flow::toList);
    assertEquals("bad event 3", e.getCause().getMessage());
    assertEquals("", logged());
  }

  @Test
  void stream_failingMap_isThrownToTheReaderAndNotLogged() {
    try (var stream = failingAt(7).stream()) {
      FlowException e = assertThrows(FlowException.class, () -> stream.forEach(i -> {}));
      assertEquals("bad event 7", e.getCause().getMessage());
    }
    assertEquals("", logged());
  }
}
