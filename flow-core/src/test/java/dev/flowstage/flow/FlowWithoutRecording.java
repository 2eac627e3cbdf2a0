package dev.flowstage.flow;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import jdk.jfr.FlightRecorder;

/**
 * Runs a flow (including a failing one) in a JVM that records nothing, then prints whether the
 * flight recorder got initialized; run by {@link FlowObservabilityTest} in a forked JVM.
 */
public final class FlowWithoutRecording {
  private FlowWithoutRecording() {}

  /**
   * Runs the flows and prints {@code jfr initialized: <boolean>}.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    List<Integer> out =
        Flow.fromEnumerable(IntStream.range(0, 1_000).boxed().toList())
            .map(x -> x + 1)
            .partition(o -> o.stages(2))
            .start(Collectors.toList())
            .await();
    try {
      Flow.fromEnumerable(List.of(1, 2, 3))
          .map(
              x -> {
                if (x == 2) {
                  throw new IllegalStateException("two");
                }
                return x;
              })
          .toList();
    } catch (FlowException expected) {
      // the stage failure path must not initialize the recorder either
    }
    System.out.println(out.size() + " events; jfr initialized: " + FlightRecorder.isInitialized());
  }
}
