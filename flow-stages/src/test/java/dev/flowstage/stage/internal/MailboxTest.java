package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.ExitReason;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The mailbox's hand-off, and how it registers wake-ups from outside (platform threads), which busy
 * stages answer by parking until the woken stage has run (fairness, ADR 0002, {@link
 * OutsideWakeups}).
 */
final class MailboxTest {
  private static final Message STOP = new Message.Stop(ExitReason.normal());

  /** Starts an owner parked in take(); returns what it takes. */
  private static CompletableFuture<Message> parkedOwner(Mailbox mailbox) throws Exception {
    CompletableFuture<Message> took = new CompletableFuture<>();
    Thread owner =
        Thread.ofVirtual()
            .unstarted(
                () -> {
                  Message m = null;
                  while (m == null) {
                    m = mailbox.take();
                  }
                  took.complete(m);
                });
    mailbox.owner(owner);
    owner.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (owner.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(Thread.State.WAITING, owner.getState());
    return took;
  }

  @Test
  void offer_fromAPlatformThreadToAParkedOwner_registersItUntilItRuns() throws Exception {
    Mailbox mailbox = new Mailbox();
    CompletableFuture<Message> took = parkedOwner(mailbox);
    long before = OutsideWakeups.epoch();
    mailbox.offer(STOP); // the test thread is a platform thread
    assertSame(STOP, took.get(10, TimeUnit.SECONDS));
    assertTrue(OutsideWakeups.epoch() > before);
    // the owner marked itself served when it ran: nobody waits for it any more
    assertFalse(mailbox.outsidePending);
    assertFalse(OutsideWakeups.isPending(mailbox));
  }

  @Test
  void offer_fromAPlatformThreadToAnOwnerThatIsNotParked_registersNothing() {
    Mailbox mailbox = new Mailbox();
    mailbox.owner(Thread.ofVirtual().unstarted(() -> {}));
    long before = OutsideWakeups.epoch();
    mailbox.offer(STOP); // the owner is not in take(): it would find the message itself
    assertEquals(before, OutsideWakeups.epoch());
    assertFalse(mailbox.outsidePending);
  }

  @Test
  void offer_fromAVirtualThread_isNotAnOutsideWakeup() throws Exception {
    Mailbox mailbox = new Mailbox();
    CompletableFuture<Message> took = parkedOwner(mailbox);
    CompletableFuture<long[]> counts = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              long before = OutsideWakeups.epoch();
              mailbox.offer(STOP);
              counts.complete(new long[] {before, OutsideWakeups.epoch()});
            });
    assertSame(STOP, took.get(10, TimeUnit.SECONDS));
    long[] c = counts.get(10, TimeUnit.SECONDS);
    // tests run one at a time, and this one has no other stage that a platform thread could wake
    assertEquals(c[0], c[1]);
  }
}
