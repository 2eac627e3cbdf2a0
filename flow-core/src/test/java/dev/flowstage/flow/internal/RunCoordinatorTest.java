package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowListener;
import dev.flowstage.flow.FlowRunInfo;
import dev.flowstage.flow.FlowState;
import dev.flowstage.stage.ExitReason;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The coordinator's rules on their own, with no stage started: which failure a run is reported
 * with, that it is reported once, and how a cancel and a normal end look to the terminal.
 */
final class RunCoordinatorTest {
  private static RunCoordinator unstarted() {
    return new RunCoordinator(
        Topology.of(Flow.fromEnumerable(List.of(1, 2)).plan()), FlowClock.system());
  }

  @Test
  void failures_none_isNull() {
    assertNull(new RunCoordinator.Failures().first());
  }

  @Test
  void failures_withoutAUserFailure_theMostUpstreamStageWins() {
    RunCoordinator.Failures f = new RunCoordinator.Failures();
    RuntimeException downstream = new IllegalStateException("cascaded");
    RuntimeException source = new IllegalStateException("source broke");
    f.add(2, "map.0", downstream);
    f.add(0, "source.0", source);
    f.add(0, "source.1", downstream);
    FlowException first = f.first();
    assertEquals("source.0", first.stage());
    assertSame(source, first.getCause());
  }

  @Test
  void failures_aUserFunctionsFailureWins_overAMoreUpstreamOne() {
    RunCoordinator.Failures f = new RunCoordinator.Failures();
    RuntimeException user = new ArithmeticException("/ by zero");
    f.add(0, "source.0", new IllegalStateException("shut down by the cascade"));
    f.add(3, "reduce.1", new StageFailure("map.2", user));
    FlowException first = f.first();
    assertEquals("map.2", first.stage());
    assertSame(user, first.getCause());
  }

  @Test
  void aFailureCascadingThroughStages_isReportedOnce_andEveryTerminalPathThrowsIt() {
    RunCoordinator run = unstarted();
    RuntimeException user = new ArithmeticException("/ by zero");
    StageFailure origin = new StageFailure("map.1", user);
    AtomicInteger reported = new AtomicInteger();
    FlowListener.Registration reg =
        FlowListener.register(
            new FlowListener() {
              @Override
              public void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {
                if (cause == user) {
                  reported.incrementAndGet();
                  assertEquals("map.1", stage);
                }
              }
            });
    try {
      for (int group = 1; group <= 3; group++) { // the same reason cascades downstream
        run.stageExited(group, "layer" + group + ".0", ExitReason.failure(origin));
      }
    } finally {
      reg.close();
    }
    assertEquals(1, reported.get(), "one failure, however many stages it stopped");
    FlowException atEnd = assertThrows(FlowException.class, () -> run.ends().ended());
    RuntimeException stopped = run.ends().stopped(ExitReason.failure(origin));
    for (RuntimeException e : List.of(atEnd, assertInstanceOf(FlowException.class, stopped))) {
      assertEquals("map.1", ((FlowException) e).stage());
      assertSame(user, e.getCause());
    }
    assertEquals(FlowState.FAILED, run.statistics().state());
    assertTrue(run.isTerminated());
  }

  @Test
  void aCancelledRun_neverLooksComplete() {
    RunCoordinator run = unstarted();
    run.cancel();
    run.cancel(); // idempotent
    assertThrows(CancellationException.class, () -> run.ends().ended());
    assertInstanceOf(
        CancellationException.class, run.ends().stopped(ExitReason.shutdown("cancelled")));
    assertEquals(FlowState.CANCELLED, run.statistics().state());
  }

  @Test
  void aRunThatEndedNormally_completes() {
    RunCoordinator run = unstarted();
    run.ends().ended();
    assertEquals(FlowState.COMPLETED, run.statistics().state());
    run.cancel(); // after the end: no longer a cancel
    assertEquals(FlowState.COMPLETED, run.statistics().state());
    assertTrue(run.isTerminated());
  }

  @Test
  void aTerminalStoppedWithoutAStageFailure_namesTheRun() {
    RunCoordinator run = unstarted();
    RuntimeException cause = new IllegalStateException("terminal broke");
    FlowException e =
        assertInstanceOf(FlowException.class, run.ends().stopped(ExitReason.failure(cause)));
    assertSame(cause, e.getCause());
    assertEquals(run.statistics().flow(), e.stage());
  }

  /**
   * A stage's failure recorded before a cancel (the caller cancelled while the failure was on its
   * way): the run failed, and the terminal, the handle and the statistics all say so. Found by
   * FlowFailureProperties (seed 982 of a 2500-seed campaign, CANCEL): {@code await()} threw a
   * CancellationException while the run's state was FAILED.
   */
  @Test
  void aFailureThenACancel_theRunFailed_andEveryPathSaysSo() {
    RunCoordinator run = unstarted();
    RuntimeException user = new ArithmeticException("/ by zero");
    run.stageExited(1, "g1.0", ExitReason.failure(new StageFailure("g1.0", user)));
    run.cancel();
    FlowException atEnd = assertThrows(FlowException.class, () -> run.ends().ended());
    RuntimeException stopped = run.ends().stopped(ExitReason.shutdown("cancelled"));
    assertSame(user, atEnd.getCause());
    assertSame(user, assertInstanceOf(FlowException.class, stopped).getCause());
    assertEquals(FlowState.FAILED, run.statistics().state());
  }

  /**
   * A failure that comes after a cancel: the run was cancelled, and the terminal, the handle and
   * the statistics all say so; the failure is not a second outcome.
   */
  @Test
  void aCancelThenAFailure_theRunWasCancelled_andEveryPathSaysSo() {
    RunCoordinator run = unstarted();
    run.cancel();
    run.stageExited(
        1, "g1.0", ExitReason.failure(new StageFailure("g1.0", new IllegalStateException("late"))));
    assertThrows(CancellationException.class, () -> run.ends().ended());
    assertInstanceOf(
        CancellationException.class, run.ends().stopped(ExitReason.shutdown("cancelled")));
    assertEquals(FlowState.CANCELLED, run.statistics().state());
  }
}
