package dev.flowstage.flow.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.testing.DispatcherContract;
import dev.flowstage.stage.testing.RecordingOutbox;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Flow's partition dispatcher: the dispatcher contract every runtime dispatcher passes, its own
 * rules (it never holds an event), and seeded random sequences checking its invariants.
 */
final class BoundedPartitionDispatcherTest {
  private final RecordingOutbox<Object> out = new RecordingOutbox<>();

  /** The shared contract, over one partition (every partition must have demand to grant any). */
  @Nested
  final class Contract extends DispatcherContract {
    @Override
    protected Supplier<Dispatcher<Object>> factory() {
      return () -> new BoundedPartitionDispatcher("p", 1, e -> 0);
    }

    @Override
    protected TestSubscription subscription(String name) {
      return TestSubscription.toPartition(name, 0);
    }
  }

  private static List<Object> range(int from, int to) {
    List<Object> events = new ArrayList<>();
    for (int i = from; i < to; i++) {
      events.add(i);
    }
    return events;
  }

  @Test
  void ask_grantsOnlyTheMinimumDemandOverPartitions() {
    BoundedPartitionDispatcher d = new BoundedPartitionDispatcher("p", 2, e -> (int) e % 2);
    TestSubscription p0 = TestSubscription.toPartition("p0", 0);
    TestSubscription p1 = TestSubscription.toPartition("p1", 1);
    d.subscribe(p0, out);
    d.subscribe(p1, out);
    assertEquals(0, d.ask(p0, 10, out));
    assertEquals(4, d.ask(p1, 4, out));
    assertEquals(List.of(), d.dispatch(range(0, 4), out));
    assertEquals(0, d.heldCount());
  }

  @Test
  void dispatch_sendsOneBatchPerPartition_inArrivalOrder_withDropsBetween() {
    BoundedPartitionDispatcher d =
        new BoundedPartitionDispatcher(
            "p", 3, e -> (int) e % 5 == 4 ? Dispatchers.DROP : (int) e % 3);
    TestSubscription[] subs = new TestSubscription[3];
    for (int p = 0; p < 3; p++) {
      subs[p] = TestSubscription.toPartition("p" + p, p);
      d.subscribe(subs[p], out);
      d.ask(subs[p], 100, out);
    }
    for (int round = 0; round < 2; round++) { // the second call reuses the scratch arrays
      int from = round * 40;
      assertEquals(List.of(), d.dispatch(range(from, from + 40), out));
      for (int p = 0; p < 3; p++) {
        List<Object> expected = new ArrayList<>();
        for (int e = 0; e < from + 40; e++) {
          if (e % 5 != 4 && e % 3 == p) {
            expected.add(e);
          }
        }
        assertEquals(expected, out.sent(subs[p]));
      }
    }
    assertEquals(16, d.dropped());
    assertEquals(
        6, out.calls().stream().filter(c -> c instanceof RecordingOutbox.Send).count(), "batches");
  }

  @Test
  void dispatch_sourceDropsReplacedInTheSameBatch_asksNothingMore() {
    BoundedPartitionDispatcher d =
        new BoundedPartitionDispatcher("p", 1, e -> (int) e % 3 == 0 ? Dispatchers.DROP : 0);
    TestSubscription s = TestSubscription.toPartition("s", 0);
    d.subscribe(s, out);
    assertEquals(4, d.ask(s, 4, out));
    // the source emitted 6 for 4 (its buffer): 1, 2, 4, 5 fill the demand despite 0 and 3
    assertEquals(List.of(), d.dispatch(range(0, 6), out));
    assertEquals(List.of(1, 2, 4, 5), out.sent(s));
    assertEquals(0, out.askedUpstream());
  }

  @Test
  void dispatch_sourceDropsNotReplaced_asksForTheShortfall() {
    BoundedPartitionDispatcher d =
        new BoundedPartitionDispatcher("p", 1, e -> (int) e % 3 == 0 ? Dispatchers.DROP : 0);
    TestSubscription s = TestSubscription.toPartition("s", 0);
    d.subscribe(s, out);
    d.ask(s, 4, out);
    d.dispatch(range(0, 4), out); // 0 and 3 dropped: 2 events short
    assertEquals(2, out.askedUpstream());
  }

  @Test
  void subscribe_againAfterCancel_neverSendsMoreThanTheNewConsumerAsked() {
    BoundedPartitionDispatcher d = new BoundedPartitionDispatcher("p", 1, e -> 0);
    TestSubscription first = TestSubscription.toPartition("first", 0);
    d.subscribe(first, out);
    d.ask(first, 5, out);
    d.cancel(first, out);
    TestSubscription second = TestSubscription.toPartition("second", 0);
    assertEquals(0, d.subscribe(second, out));
    assertEquals(range(0, 3), List.copyOf(d.dispatch(range(0, 3), out))); // it asked nothing
    d.ask(second, 2, out);
    assertEquals(List.of(2), List.copyOf(d.dispatch(range(0, 3), out)));
    assertEquals(List.of(0, 1), out.sent(second));
  }

  @Test
  void subscribe_againWhileEventsAreOnTheirWay_theyWaitBehindTheBufferAndAreNotAskedTwice() {
    BoundedPartitionDispatcher d = new BoundedPartitionDispatcher("p", 2, e -> (int) e % 2);
    TestSubscription p0 = TestSubscription.toPartition("p0", 0);
    TestSubscription p1 = TestSubscription.toPartition("p1", 1);
    d.subscribe(p0, out);
    d.subscribe(p1, out);
    d.ask(p0, 4, out);
    assertEquals(4, d.ask(p1, 4, out));
    d.cancel(p0, out);
    TestSubscription again = TestSubscription.toPartition("again", 0);
    assertEquals(0, d.subscribe(again, out));
    // 0 is for the new consumer, which asked nothing: 0 and 1 wait in the producer's buffer, and
    // so does 2 (still asked for): the new 3 must not reach p1 before the buffered 1.
    assertEquals(range(0, 2), List.copyOf(d.dispatch(range(0, 2), out)));
    out.setBuffered(2);
    assertEquals(List.of(2), List.copyOf(d.dispatch(range(2, 3), out)));
    out.setBuffered(3);
    // the buffer first (3 events), then 1 more: 3 is still on its way, so 4 - 3 - 1 = 0 upstream
    assertEquals(3, d.ask(again, 4, out));
    out.setBuffered(0);
    assertEquals(List.of(), d.dispatch(range(0, 3), out));
    assertEquals(List.of(), d.dispatch(range(3, 4), out));
    assertEquals(List.of(0, 2), out.sent(again));
    assertEquals(List.of(1, 3), out.sent(p1));
  }

  private static TestSubscription toPartition(String name, int p, int maxDemand, int minDemand) {
    return TestSubscription.of(
        name,
        SubscriptionOptions.builder()
            .maxDemand(maxDemand)
            .minDemand(minDemand)
            .partition(p)
            .build());
  }

  @Test
  void dispatch_noPartitionAtItsReAskThreshold_grantsWhatEveryPartitionCanStillTake() {
    // Spread evenly over 4 partitions, 1000 events leave each 750 pending: above minDemand 500, so
    // no consumer asks again, and without a grant here nothing more would ever be sent.
    BoundedPartitionDispatcher d = new BoundedPartitionDispatcher("p", 4, e -> (int) e % 4);
    long granted = 0;
    for (int p = 0; p < 4; p++) {
      TestSubscription s = toPartition("p" + p, p, 1000, 500);
      d.subscribe(s, out);
      granted += d.ask(s, 1000, out);
    }
    assertEquals(1000, granted);
    assertEquals(List.of(), d.dispatch(range(0, 1000), out));
    assertEquals(750, out.askedUpstream());
    assertEquals(List.of(), d.dispatch(range(1000, 1750), out)); // the grant fits every partition
  }

  @Test
  void dispatch_aPartitionAtItsReAskThreshold_leavesTheGrantToItsAsk() {
    BoundedPartitionDispatcher d = new BoundedPartitionDispatcher("p", 2, e -> 0);
    TestSubscription p0 = toPartition("p0", 0, 1000, 500);
    TestSubscription p1 = toPartition("p1", 1, 1000, 500);
    d.subscribe(p0, out);
    d.subscribe(p1, out);
    d.ask(p0, 1000, out);
    assertEquals(1000, d.ask(p1, 1000, out));
    assertEquals(List.of(), d.dispatch(range(0, 600), out)); // p0 has 400 pending: it will ask
    assertEquals(0, out.askedUpstream());
    assertEquals(600, d.ask(p0, 600, out)); // up to p1's 1000
  }

  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 200));
  }

  /**
   * Random subscribe/ask/emit/cancel sequences: no consumer ever gets more than it asked, every
   * event goes to its key's partition, nothing is held, and every event is sent, dropped or
   * returned as a leftover; once the producer emitted all it was asked for, no live consumer that
   * every partition could serve is left waiting.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void randomSequences_keepTheInvariants(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int partitions = 1 + random.nextInt(3);
    BoundedPartitionDispatcher d =
        new BoundedPartitionDispatcher(
            "p", partitions, e -> (int) e % 7 == 6 ? Dispatchers.DROP : (int) e % partitions);
    TestSubscription[] live = new TestSubscription[partitions];
    long[] asked = new long[partitions];
    long[] received = new long[partitions];
    List<String> log = new ArrayList<>();
    long owed = 0; // what the model producer was asked for and has not emitted
    int next = 0;
    List<Object> buffer = new ArrayList<>();
    int names = 0;
    for (int step = 0; step < 200; step++) {
      int op = random.nextInt(100);
      int p = random.nextInt(partitions);
      if (op < 15 && live[p] == null) {
        // small thresholds, so that partitions sometimes all wait above theirs
        live[p] = toPartition("c" + names++, p, 8, random.nextInt(4));
        asked[p] = 0;
        received[p] = 0;
        log.add("subscribe " + live[p]);
        owed += d.subscribe(live[p], out);
      } else if (op < 22 && live[p] != null) {
        log.add("cancel " + live[p]);
        owed += d.cancel(live[p], out);
        live[p] = null;
      } else if (op < 60 && live[p] != null) {
        long n = 1 + random.nextInt(8);
        asked[p] += n;
        log.add("ask " + live[p] + " " + n);
        owed += d.ask(live[p], n, out);
      } else {
        // the producer serves its buffer first, then emits up to what it owes (sometimes more)
        List<Object> batch = new ArrayList<>(buffer);
        buffer.clear();
        long emit = random.nextLong(owed + 1) + (random.nextInt(5) == 0 ? 2 : 0);
        for (long i = 0; i < emit; i++) {
          batch.add(next++);
        }
        owed = Math.max(0, owed - emit);
        if (batch.isEmpty()) {
          continue;
        }
        log.add("dispatch " + batch);
        long before = out.askedUpstream();
        List<Object> left = List.copyOf(d.dispatch(batch, out));
        owed += out.askedUpstream() - before;
        assertEquals(batch.subList(batch.size() - left.size(), batch.size()), left, log::toString);
        buffer.addAll(left);
      }
      assertEquals(0, d.heldCount(), log::toString);
      long sentTotal = 0;
      for (int q = 0; q < partitions; q++) {
        if (live[q] != null) {
          List<Object> got = out.sent(live[q]);
          received[q] = got.size();
          assertTrue(received[q] <= asked[q], () -> "sent more than asked\n" + log);
          for (Object e : got) {
            assertEquals(q, (int) e % partitions, () -> "wrong partition for " + e + "\n" + log);
          }
        }
      }
      for (RecordingOutbox.Call c : out.calls()) {
        if (c instanceof RecordingOutbox.Send s) {
          sentTotal += s.events().size();
        }
      }
      long accounted = sentTotal + d.dropped() + d.givenUp() + buffer.size();
      assertEquals(next, accounted, () -> "events lost or duplicated\n" + log);
    }
    // Drain: the producer emits exactly what it owes; re-asks must stop (only the shortfall)
    for (int round = 0; round < 1000 && owed > 0; round++) {
      List<Object> batch = new ArrayList<>();
      for (long i = 0; i < owed; i++) {
        batch.add(next++);
      }
      owed = 0;
      long before = out.askedUpstream();
      buffer.addAll(d.dispatch(batch, out));
      owed += out.askedUpstream() - before;
    }
    assertEquals(0, owed, () -> "the source is asked again and again\n" + log);
  }
}
