package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A departition per window completes windows that a stage never saw, in window order. */
final class DepartitionLogicTest {
  /** Passes what the departition emits through. */
  private static final class Collect implements StageLogic {
    @Override
    public void events(List<?> batch, int input, List<Object> out) {
      out.addAll(batch);
    }

    @Override
    public void finish(List<Object> out) {}
  }

  @SuppressWarnings("unchecked")
  private static DepartitionLogic departition(int stages) {
    return new DepartitionLogic(
        () -> new ArrayList<Object>(),
        (acc, e) -> {
          ((List<Object>) acc).add(e);
          return acc;
        },
        (acc, window) -> acc,
        stages,
        new Collect());
  }

  @Test
  void aStagesDoneOfALaterWindow_closesTheOlderWindowsItNeverSaw() {
    DepartitionLogic d = departition(2);
    List<Object> out = new ArrayList<>();
    d.events(List.of(new Panes.Event(10, "a"), new Panes.Done(10, 0, 2)), 0, out);
    d.events(List.of(new Panes.Event(20, "b"), new Panes.Done(20, 1, 2)), 1, out);
    assertEquals(List.of(List.of("a")), out, "stage 1 is past window 10: it is complete");
    d.events(List.of(new Panes.Event(20, "c"), new Panes.Done(20, 0, 2)), 0, out);
    assertEquals(List.of(List.of("a"), List.of("b", "c")), out);
    d.finish(out);
    assertEquals(2, out.size(), "nothing left to flush");
  }

  @Test
  void aStagesWatermark_closesWindowsWithoutAPaneOfIt() {
    DepartitionLogic d = departition(2);
    List<Object> out = new ArrayList<>();
    d.events(List.of(new Panes.Event(10, "a"), new Panes.Done(10, 0, 2)), 0, out);
    assertEquals(List.of(), out, "stage 1 may still send events of window 10");
    d.events(List.of(new Panes.Watermark(5, 1)), 1, out);
    assertEquals(List.of(), out, "stage 1 is not past window 10 yet");
    d.events(List.of(new Panes.Watermark(10, 1)), 1, out);
    assertEquals(List.of(List.of("a")), out);
  }

  @Test
  void aLaterWindowWaitsForAnOlderOne_soWindowsComeInOrder() {
    DepartitionLogic d = departition(2);
    List<Object> out = new ArrayList<>();
    d.events(List.of(new Panes.Event(10, "a")), 0, out);
    d.events(List.of(new Panes.Event(20, "b"), new Panes.Done(20, 1, 2)), 1, out);
    assertEquals(List.of(), out, "stage 0 has not closed window 10");
    d.events(List.of(new Panes.Done(20, 0, 2)), 0, out);
    assertEquals(List.of(List.of("a"), List.of("b")), out);
  }

  @Test
  void anEndedStage_holdsNoWindowBack() {
    DepartitionLogic d = departition(2);
    List<Object> out = new ArrayList<>();
    d.events(List.of(new Panes.Event(10, "a"), new Panes.Done(10, 0, 2)), 0, out);
    d.inputDone(1, out);
    assertEquals(List.of(List.of("a")), out);
  }
}
