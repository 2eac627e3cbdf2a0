package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowListener;
import dev.flowstage.flow.FlowRunInfo;
import dev.flowstage.flow.FlowState;
import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.plan.Plan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which plans the local engine fuses onto the byte path, and how a fused run fails. */
final class FusedWordCountTest {
  @TempDir Path dir;

  private static Plan fused(Plan plan) {
    return FusedWordCount.apply(
        plan,
        new LongAdder(),
        new java.util.concurrent.atomic.AtomicLongArray(
            dev.flowstage.flow.logic.FileSelection.Skip.values().length));
  }

  @Test
  void apply_otherShapes_leavesThePlanAsWritten() throws IOException {
    Path f = Files.writeString(dir.resolve("a.txt"), "a b\n");
    List<Flow<?>> unfused =
        List.of(
            // a lambda key, a tokenizer inside a lambda, an extra operation, a window, a trigger
            Flow.fromFiles(f).flatMap(Tokenizer.SPACE).countBy(w -> w),
            Flow.fromFiles(f).flatMap((String l) -> Tokenizer.SPACE.apply(l)).frequencies(),
            Flow.fromFiles(f).map(String::trim).flatMap(Tokenizer.SPACE).frequencies(),
            Flow.fromFiles(f).flatMap(Tokenizer.SPACE).frequencies(o -> o.window(Window.count(10))),
            Flow.fromFiles(f)
                .flatMap(Tokenizer.SPACE)
                .frequencies(o -> o.window(Window.global().triggerEvery(10))),
            Flow.fromEnumerable(List.of("a b")).flatMap(Tokenizer.SPACE).frequencies());
    for (Flow<?> flow : unfused) {
      assertSame(flow.plan(), fused(flow.plan()), flow.describe());
    }
    Plan plan = Flow.fromFiles(f).flatMap(Tokenizer.WORDS).frequencies().plan();
    assertNotSame(plan, fused(plan));
  }

  @Test
  void aFileGoneBeforeItIsRead_failsTheRunOnce_namingIt() throws IOException {
    Path gone = Files.writeString(dir.resolve("gone.txt"), "a b a\n".repeat(1000));
    Path kept = Files.writeString(dir.resolve("kept.txt"), "c d\n", StandardCharsets.UTF_8);
    Plan plan =
        fused(
            Flow.fromFiles(List.of(kept, gone), o -> o.stages(1).splitBytes(100))
                .flatMap(Tokenizer.SPACE)
                .frequencies(o -> o.stages(2))
                .plan());
    Files.delete(gone); // listed and chunked, then gone: a reading stage fails on it
    AtomicInteger reported = new AtomicInteger();
    RunCoordinator run;
    FlowListener.Registration reg =
        FlowListener.register(
            new FlowListener() {
              @Override
              public void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {
                reported.incrementAndGet();
              }
            });
    try {
      run = RunCoordinator.start(plan, FlowClock.system());
      RunCoordinator r = run;
      FlowException e = assertThrows(FlowException.class, () -> r.collect(Collectors.toList()));
      assertTrue(e.getMessage().contains("cannot read " + gone), e.getMessage());
    } finally {
      reg.close();
    }
    assertEquals(1, reported.get(), "reported once, not again by each stage downstream it stopped");
    assertEquals(FlowState.FAILED, run.statistics().state());
    assertTrue(run.isTerminated(), "every stage ended");
  }

  @Test
  void statistics_countMalformedInputAndEvents() throws IOException {
    Path f = dir.resolve("bad.txt");
    Files.write(f, new byte[] {'a', ' ', (byte) 0xFF, ' ', 'a', '\n'});
    Flow<KeyCount<String>> flow =
        Flow.fromFiles(List.of(f), o -> o.stages(1)).flatMap(Tokenizer.SPACE).frequencies();
    try (var running = flow.start(Collectors.toList())) {
      assertEquals(2, running.await().size());
      assertEquals(1, running.statistics().malformedInput());
    }
  }
}
