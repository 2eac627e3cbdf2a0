package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageNotAliveException;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A flow started with {@code into(...)} takes more consumers while it runs ({@link
 * RunningInto#subscribe}), and can start with its sources holding their demand until {@link
 * RunningInto#release()} (Elixir's {@code into_stages} coordinator, {@code demand: :accumulate} and
 * {@code GenStage.demand(coordinator, :forward)}, reference B3.5).
 */
class FlowIntoSubscribeTest {
  private static final int EVENTS = 1_000;

  /** What a consumer of the caller's received. */
  private static final class Recording implements Consumer<Integer> {
    final List<Integer> events = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch received = new CountDownLatch(1);
    private final Runnable beforeFirst;

    /**
     * @param beforeFirst runs on its thread before it takes its first batch
     */
    Recording(Runnable beforeFirst) {
      this.beforeFirst = beforeFirst;
    }

    @Override
    public void handleEvents(List<Integer> batch, Subscription from, StageContext ctx) {
      if (events.isEmpty()) {
        beforeFirst.run();
      }
      events.addAll(batch);
      received.countDown();
    }
  }

  /**
   * Stops a consumer once it has handled what was sent to it: after {@code await()} every stage of
   * the last layer has exited, so every event is in its mailbox already, and a stop is handled
   * after the messages queued before it. (A consumer subscribed late cannot count the ends of its
   * subscriptions instead: a stage that finished first is skipped.)
   */
  private static void stopAfterWhatWasSent(Stage<?> consumer) {
    consumer.stop(ExitReason.normal());
    assertEquals(ExitReason.normal(), consumer.awaitExit(Duration.ofSeconds(60)));
  }

  /** Numbers {@code [from, to)}, recording a pull made before {@code open} was set. */
  private static Iterable<Integer> guarded(
      int from, int to, AtomicReference<Boolean> open, AtomicInteger early) {
    return () ->
        new Iterator<>() {
          private int next = from;

          @Override
          public boolean hasNext() {
            if (!open.get()) {
              early.incrementAndGet();
            }
            return next < to;
          }

          @Override
          public Integer next() {
            if (next >= to) {
              throw new NoSuchElementException();
            }
            return next++;
          }
        };
  }

  private static List<Integer> sorted(List<Integer> a, List<Integer> b) {
    List<Integer> all = new ArrayList<>(a);
    all.addAll(b);
    Collections.sort(all);
    return all;
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.range(from, to).boxed().toList();
  }

  /** Waits for a latch the flow opens; bounded only so that a broken run fails, not hangs. */
  private static void awaitOpened(CountDownLatch latch, String what) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new AssertionError("never happened: " + what);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void lateSubscriber_receivesEventsAfterItSubscribes_andTheConsumersTogetherGetEachEventOnce() {
    try (StageSystem system = new StageSystem("into-late")) {
      Recording second = new Recording(() -> {});
      // The first consumer takes one event of each last-layer stage (maxDemand 1), then waits
      // until the late one received some: the rest of the run can only go to the late consumer.
      Recording first = new Recording(() -> awaitOpened(second.received, "late consumer fed"));
      Stage<Void> a = system.startConsumer("first", first);
      Stage<Void> b = system.startConsumer("late", second);
      RunningInto run =
          Flow.fromEnumerables(
                  List.of(range(0, EVENTS / 2), range(EVENTS / 2, EVENTS)),
                  o -> o.stages(2).maxDemand(1))
              .map(i -> i)
              .into(List.of(a));
      run.subscribe(b);
      run.await();
      stopAfterWhatWasSent(a);
      stopAfterWhatWasSent(b);
      assertFalse(second.events.isEmpty());
      assertEquals(range(0, EVENTS), sorted(first.events, second.events));
      assertTrue(run.isTerminated());
    }
  }

  @Test
  void heldFlow_emitsNothingUntilReleased_thenEveryConsumerSubscribedMeanwhileShares() {
    try (StageSystem system = new StageSystem("into-held")) {
      AtomicReference<Boolean> released = new AtomicReference<>(false);
      AtomicInteger early = new AtomicInteger();
      AtomicInteger earlyEvents = new AtomicInteger();
      Runnable beforeRelease =
          () -> {
            if (!released.get()) {
              earlyEvents.incrementAndGet();
            }
          };
      Recording second = new Recording(beforeRelease);
      Recording first =
          new Recording(
              () -> {
                beforeRelease.run();
                awaitOpened(second.received, "consumer subscribed while held fed");
              });
      Stage<Void> a = system.startConsumer("first", first);
      Stage<Void> b = system.startConsumer("second", second);
      RunningInto run =
          Flow.fromEnumerables(
                  List.of(
                      guarded(0, EVENTS / 2, released, early),
                      guarded(EVENTS / 2, EVENTS, released, early)),
                  o -> o.stages(2).maxDemand(1))
              .map(i -> i)
              .into(List.of(a), DemandMode.ACCUMULATE);
      run.subscribe(b);
      assertFalse(run.awaitTermination(Duration.ZERO), "a held flow cannot finish");
      released.set(true);
      run.release();
      run.release(); // once released, again does nothing
      run.await();
      stopAfterWhatWasSent(a);
      stopAfterWhatWasSent(b);
      assertEquals(0, early.get(), "a source was read before the release");
      assertEquals(0, earlyEvents.get(), "a consumer got events before the release");
      assertEquals(range(0, EVENTS), sorted(first.events, second.events));
    }
  }

  @Test
  void theConsumersItStartedWithLeave_aLateOneKeepsTheFlowGoingToItsEnd() {
    try (StageSystem system = new StageSystem("into-leave")) {
      Stage<Void> a = system.startConsumer("first", new Recording(() -> {}));
      Recording lateRecording = new Recording(() -> {});
      Stage<Void> late = system.startConsumer("late", lateRecording);
      RunningInto run =
          Flow.fromEnumerables(
                  List.of(range(0, EVENTS / 2), range(EVENTS / 2, EVENTS)), o -> o.stages(2))
              .into(List.of(a), DemandMode.ACCUMULATE);
      run.subscribe(late);
      a.stop(ExitReason.normal());
      a.awaitExit(Duration.ofSeconds(30));
      run.release();
      run.await(); // not "every consumer it feeds has exited": the late one is still there
      stopAfterWhatWasSent(late);
      assertEquals(range(0, EVENTS), sorted(lateRecording.events, List.of()));
    }
  }

  @Test
  void subscribe_refusesAProducerANullAndAnExitedConsumer_andTheRunGoesOn() {
    try (StageSystem system = new StageSystem("into-refuse")) {
      Recording sink = new Recording(() -> {});
      Stage<Void> a = system.startConsumer("sink", sink);
      Stage<Integer> producer =
          system.startProducer(
              new Producer<Integer>() {
                @Override
                public void handleDemand(long demand, ProducerContext<Integer> ctx) {}
              });
      Stage<Void> gone = system.startConsumer("gone", new Recording(() -> {}));
      gone.stop(ExitReason.normal());
      gone.awaitExit(Duration.ofSeconds(30));
      RunningInto run =
          Flow.fromEnumerable(range(0, 10), o -> o.stages(1))
              .into(List.of(a), DemandMode.ACCUMULATE);

      IllegalArgumentException kind =
          assertThrows(IllegalArgumentException.class, () -> run.subscribe(producer));
      assertTrue(
          kind.getMessage()
              .startsWith(
                  "subscribe needs running consumer stages (consumers or producer-consumers"),
          kind.getMessage());
      assertTrue(
          kind.getMessage().contains("is a producer (Stage.kind() is PRODUCER), which cannot"),
          kind.getMessage());
      IllegalArgumentException none =
          assertThrows(IllegalArgumentException.class, () -> run.subscribe(null));
      assertEquals("subscribe(...): consumer must not be null", none.getMessage());
      StageNotAliveException exited =
          assertThrows(StageNotAliveException.class, () -> run.subscribe(gone));
      assertTrue(exited.getMessage().contains("gone has exited"), exited.getMessage());
      IllegalArgumentException noDemand =
          assertThrows(
              IllegalArgumentException.class,
              () -> Flow.fromEnumerable(range(0, 1)).into(List.of(a), null));
      assertEquals("into(...): demand must not be null", noDemand.getMessage());

      run.release(); // the refusals left the run as it was
      run.await();
      stopAfterWhatWasSent(a);
      assertEquals(range(0, 10), sink.events);
      assertTrue(producer.isAlive());
    }
  }

  @Test
  void cancelWhileHeld_endsEveryThread_theSourcesNeverEmit_andNothingCanJoinAfter() {
    try (StageSystem system = new StageSystem("into-cancel-held")) {
      AtomicInteger early = new AtomicInteger();
      Recording sink = new Recording(() -> {});
      Stage<Void> a = system.startConsumer("sink", sink);
      RunningInto run =
          Flow.fromEnumerables(
                  List.of(
                      guarded(0, 5, new AtomicReference<>(false), early),
                      guarded(5, 10, new AtomicReference<>(false), early)),
                  o -> o.stages(2))
              .partition(o -> o.stages(2))
              .reduce(() -> 0, Integer::sum)
              .into(List.of(a), DemandMode.ACCUMULATE);
      run.cancel();
      CancellationException c = assertThrows(CancellationException.class, run::await);
      assertNotNull(c.getMessage());
      assertTrue(run.isTerminated());
      assertEquals(FlowState.CANCELLED, run.statistics().state());
      assertEquals(0, early.get(), "a held source was read");
      assertTrue(sink.events.isEmpty());
      run.release(); // nothing to release any more
      Stage<Void> late = system.startConsumer("late", new Recording(() -> {}));
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> run.subscribe(late));
      assertTrue(e.getMessage().contains("has ended"), e.getMessage());
      assertTrue(late.isAlive());
    }
  }

  @Test
  void subscribeAfterTheEnd_throws_andLeavesTheConsumerAsItWas() {
    try (StageSystem system = new StageSystem("into-after")) {
      Recording sink = new Recording(() -> {});
      Stage<Void> a = system.startConsumer("sink", sink);
      RunningInto run = Flow.fromEnumerable(range(0, 3), o -> o.stages(1)).into(List.of(a));
      run.await();
      Recording lateRecording = new Recording(() -> {});
      Stage<Void> late = system.startConsumer("late", lateRecording);
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> run.subscribe(late));
      assertTrue(
          e.getMessage().contains("has ended, so stage late was not subscribed"), e.getMessage());
      assertTrue(late.isAlive());
      assertEquals(0, late.stats().eventsIn());
      run.await(); // still the run's success
      stopAfterWhatWasSent(a);
      assertEquals(range(0, 3), sink.events);
    }
  }

  @Test
  void aFailure_withConsumersSubscribedWhileHeld_reachesTheHandleOnce() {
    List<String> failed = Collections.synchronizedList(new ArrayList<>());
    AtomicReference<String> flowName = new AtomicReference<>();
    FlowListener.Registration reg =
        FlowListener.register(
            new FlowListener() {
              @Override
              public void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {
                failed.add(flow.name() + "/" + stage + "/" + cause.getMessage());
              }
            });
    try (reg;
        StageSystem system = new StageSystem("into-fail-held")) {
      Stage<Void> a = system.startConsumer("first", new Recording(() -> {}));
      Stage<Void> b = system.startConsumer("second", new Recording(() -> {}));
      RunningInto run =
          Flow.fromEnumerable(range(0, EVENTS), o -> o.stages(1))
              .map(
                  i -> {
                    if (i == EVENTS / 2) {
                      throw new IllegalStateException("boom at " + i);
                    }
                    return i;
                  })
              .into(List.of(a), DemandMode.ACCUMULATE);
      flowName.set(run.statistics().flow());
      run.subscribe(b);
      run.release();
      FlowException e = assertThrows(FlowException.class, run::await);
      assertEquals("g1.0", e.stage()); // the map's stage: a collection source is a stage of its own
      assertEquals("boom at " + EVENTS / 2, e.getCause().getMessage());
      FlowException again = assertThrows(FlowException.class, run::await);
      assertEquals(e.stage(), again.stage());
      assertSame(e.getCause(), again.getCause());
      CompletionException viaFuture =
          assertThrows(CompletionException.class, () -> run.toCompletableFuture().join());
      FlowException future = assertInstanceOf(FlowException.class, viaFuture.getCause());
      assertEquals(e.stage(), future.stage());
      assertEquals(FlowState.FAILED, run.statistics().state());
      assertTrue(run.isTerminated());
    }
    List<String> ours = failed.stream().filter(f -> f.startsWith(flowName.get() + "/")).toList();
    assertEquals(List.of(flowName.get() + "/g1.0/boom at " + EVENTS / 2), ours);
  }
}
