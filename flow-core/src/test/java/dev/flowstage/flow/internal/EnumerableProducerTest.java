package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.Stage;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The iterator source's reader thread, and how its stage ends it. */
final class EnumerableProducerTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** A context whose stage takes every message and does nothing with it. */
  @SuppressWarnings("unchecked")
  private static ProducerContext<Object> context() {
    Stage<?> self =
        (Stage<?>)
            Proxy.newProxyInstance(
                Stage.class.getClassLoader(), new Class<?>[] {Stage.class}, (p, m, a) -> null);
    return (ProducerContext<Object>)
        Proxy.newProxyInstance(
            ProducerContext.class.getClassLoader(),
            new Class<?>[] {ProducerContext.class},
            (p, m, a) -> m.getName().equals("self") ? self : null);
  }

  private static void awaitIgnoringInterrupts(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        latch.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A cancel kills and interrupts the source stage's thread, and its terminate then waited for the
   * reader with that interrupt set: it returned at once, and the run's close returned with the
   * reader still running (FlowFailureProperties, cancel style, 89 of 1500 seeds once its leak check
   * saw readers). It waits all the same, and keeps the interrupt.
   */
  @Test
  void terminate_onAnInterruptedStageThread_stillWaitsForTheReader() throws Exception {
    CountDownLatch inNext = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread[] reader = new Thread[1];
    Iterator<Integer> slow =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return true;
          }

          @Override
          public Integer next() {
            reader[0] = Thread.currentThread();
            inNext.countDown();
            awaitIgnoringInterrupts(release); // a source busy in next() as the stage ends
            return 1;
          }
        };
    EnumerableProducer producer = new EnumerableProducer("g0.0", slow, null);
    ProducerContext<Object> ctx = context();
    producer.init(ctx);
    producer.handleDemand(1, ctx);
    assertTrue(inNext.await(WAIT.toSeconds(), TimeUnit.SECONDS));
    boolean[] keptInterrupt = new boolean[1];
    Thread stage =
        Thread.ofPlatform()
            .unstarted(
                () -> {
                  Thread.currentThread().interrupt(); // as closeNow leaves the stage's thread
                  producer.terminate(ExitReason.shutdown());
                  keptInterrupt[0] = Thread.currentThread().isInterrupted();
                });
    // Releases the source once terminate waits for the reader (it returned at once before); a
    // platform thread: spinning on a carrier could keep the reader from ever running.
    Thread releaser =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (stage.getState() != Thread.State.TIMED_WAITING
                      && stage.getState() != Thread.State.TERMINATED) {
                    Thread.onSpinWait();
                  }
                  release.countDown();
                });
    stage.start();
    stage.join(WAIT);
    boolean readerAlive = reader[0].isAlive();
    release.countDown();
    releaser.join(WAIT);
    reader[0].join(WAIT);
    assertFalse(readerAlive, "terminate returned with the reader still running");
    assertTrue(keptInterrupt[0], "the stage thread's interrupt was lost");
  }
}
