package dev.flowstage.stage.dispatch;

import static dev.flowstage.stage.dispatch.Events.copy;
import static dev.flowstage.stage.dispatch.Events.range;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.testing.RecordingOutbox;
import dev.flowstage.stage.testing.TestSubscription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class PartitionDispatcherTest {
  /** Two partitions: even events to 0, odd to 1. */
  private final PartitionDispatcher<Integer> dispatcher =
      (PartitionDispatcher<Integer>) Dispatchers.<Integer>partition(2, e -> e % 2);

  private final RecordingOutbox<Integer> out = new RecordingOutbox<>();
  private final TestSubscription p0 = TestSubscription.toPartition("p0", 0);
  private final TestSubscription p1 = TestSubscription.toPartition("p1", 1);

  private static String message(IllegalArgumentException e) {
    return e.getMessage();
  }

  @Test
  void dispatch_byHash_sendsEachPartitionItsEventsInOneBatch() {
    dispatcher.subscribe(p0, out);
    dispatcher.subscribe(p1, out);
    assertEquals(5, dispatcher.ask(p0, 5, out));
    assertEquals(5, dispatcher.ask(p1, 5, out));
    assertEquals(List.of(), dispatcher.dispatch(range(0, 6), out));
    assertEquals(List.of(List.of(0, 2, 4)), out.batches(p0));
    assertEquals(List.of(List.of(1, 3, 5)), out.batches(p1));
    // p0 has 2 left: its next two events go out at once, the third is queued
    assertEquals(List.of(), dispatcher.dispatch(List.of(6, 8, 10), out));
    assertEquals(List.of(0, 2, 4, 6, 8), out.sent(p0));
    assertEquals(1, dispatcher.heldCount());
  }

  @Test
  void dispatch_beyondPartitionDemand_queuesAndSendsOnAsk() {
    dispatcher.subscribe(p0, out);
    dispatcher.subscribe(p1, out);
    dispatcher.ask(p0, 2, out);
    dispatcher.ask(p1, 4, out);
    // 6 requested upstream; 0, 2, 4 hash to p0 which asked for 2
    assertEquals(List.of(), dispatcher.dispatch(List.of(0, 2, 4, 1, 3, 5), out));
    assertEquals(List.of(0, 2), out.sent(p0));
    assertEquals(List.of(1, 3, 5), out.sent(p1));
    assertEquals(1, dispatcher.heldCount());
    // the queued event is sent at once when p0 asks; the rest of the ask becomes demand
    assertEquals(3, dispatcher.ask(p0, 3, out));
    assertEquals(List.of(List.of(0, 2), List.of(4)), out.batches(p0));
    assertEquals(0, dispatcher.heldCount());
    // the 2 left of the ask are p0's demand: two more events are sent, not queued
    dispatcher.dispatch(List.of(6, 8), out);
    assertEquals(List.of(0, 2, 4, 6, 8), out.sent(p0));
    assertEquals(0, dispatcher.heldCount());
  }

  @Test
  void dispatch_partitionWithoutConsumer_queuesItsEvents() {
    dispatcher.subscribe(p1, out);
    dispatcher.ask(p1, 4, out);
    assertEquals(List.of(), dispatcher.dispatch(range(0, 4), out));
    assertEquals(List.of(1, 3), out.sent(p1));
    assertEquals(2, dispatcher.heldCount());
    dispatcher.subscribe(p0, out);
    dispatcher.ask(p0, 10, out);
    assertEquals(List.of(0, 2), out.sent(p0));
  }

  @Test
  void dispatch_demandUsedUp_returnsUnhashedTailAsLeftover() {
    dispatcher.subscribe(p0, out);
    dispatcher.subscribe(p1, out);
    dispatcher.ask(p0, 1, out);
    dispatcher.ask(p1, 1, out);
    assertEquals(range(2, 5), copy(dispatcher.dispatch(range(0, 5), out)));
    assertEquals(List.of(0), out.sent(p0));
    assertEquals(List.of(1), out.sent(p1));
  }

  @Test
  void dispatch_noDemand_returnsEverything() {
    dispatcher.subscribe(p0, out);
    assertEquals(range(0, 3), copy(dispatcher.dispatch(range(0, 3), out)));
    assertEquals(0, dispatcher.heldCount());
  }

  @Test
  void cancel_withQueuedEvents_givesThemUpReportsThemAndAsksForReplacements() {
    dispatcher.subscribe(p0, out);
    dispatcher.subscribe(p1, out);
    dispatcher.ask(p1, 4, out);
    dispatcher.dispatch(range(0, 4), out); // 1, 3 to p1; 0 and 2 queued for p0, which asked nothing
    // 0 and 2 used up demand p1 asked for: the producer must replace them
    assertEquals(2, dispatcher.cancel(p0, out));
    assertEquals(List.of(0, 2), out.discarded());
    assertEquals(0, dispatcher.heldCount());
    TestSubscription next = TestSubscription.toPartition("next", 0);
    dispatcher.subscribe(next, out);
    dispatcher.ask(next, 2, out);
    assertEquals(List.of(), out.sent(next));
    assertEquals(List.of(), out.sent(p0));
  }

  @Test
  void cancel_withQueuedEventsAheadOfAnInfo_releasesTheInfo() {
    dispatcher.subscribe(p0, out);
    dispatcher.subscribe(p1, out);
    dispatcher.ask(p1, 4, out);
    dispatcher.dispatch(range(0, 4), out); // 0 and 2 queued for p0
    dispatcher.info("done", out);
    assertEquals(List.of(), out.infos());
    dispatcher.cancel(p0, out);
    assertEquals(List.of("done"), out.infos());
  }

  @Test
  void dispatch_toAPartitionWhoseConsumerCancelled_givesTheEventsUpUntilANewConsumer() {
    dispatcher.subscribe(p0, out);
    dispatcher.subscribe(p1, out);
    dispatcher.cancel(p0, out);
    assertEquals(2, dispatcher.ask(p1, 2, out));
    assertEquals(List.of(), dispatcher.dispatch(range(0, 2), out)); // 0 given up, 1 to p1
    assertEquals(List.of(0), out.discarded());
    assertEquals(List.of(1), out.sent(p1));
    assertEquals(1, out.askedUpstream()); // p1 still waits for one event
    TestSubscription next = TestSubscription.toPartition("next", 0);
    dispatcher.subscribe(next, out);
    dispatcher.dispatch(range(2, 4), out); // 2 queued for the new consumer; 3 left over
    assertEquals(1, dispatcher.heldCount());
    assertEquals(List.of(0), out.discarded());
  }

  @Test
  void ask_afterCancel_forwardsOnlyUnsentDemand() {
    dispatcher.subscribe(p0, out);
    dispatcher.ask(p0, 5, out);
    assertEquals(0, dispatcher.cancel(p0, out));
    TestSubscription next = TestSubscription.toPartition("next", 0);
    dispatcher.subscribe(next, out);
    assertEquals(0, dispatcher.ask(next, 3, out));
    assertEquals(2, dispatcher.ask(next, 4, out));
  }

  @Test
  void ask_afterTheCancelledConsumersEventsCame_isNotCountedOnThemAgain() {
    dispatcher.subscribe(p0, out);
    dispatcher.subscribe(p1, out);
    dispatcher.ask(p0, 4, out);
    dispatcher.ask(p1, 2, out);
    dispatcher.cancel(p0, out); // its 4 are pending: on their way, nobody waits for them
    // The 6 requested come: p1 takes 1 and 3 and queues 5, p0's 0, 2 and 4 are given up; those
    // four nobody asked for are p0's, so nothing is asked again
    assertEquals(List.of(), dispatcher.dispatch(List.of(0, 1, 2, 3, 4, 5), out));
    assertEquals(0, out.askedUpstream());
    assertEquals(1, dispatcher.heldCount());
    // p1 gets 5 from its queue and waits for 3 more: the pending 4 have come already, so the ask
    // goes upstream (GenStage counted on them again, and p1 waited for events nobody would emit)
    assertEquals(4, dispatcher.ask(p1, 4, out));
    assertEquals(List.of(1, 3, 5), out.sent(p1));
  }

  @Test
  void dispatch_hashDrops_requestsReplacementsForTheShortfall() {
    Dispatcher<Integer> dropping =
        Dispatchers.partition(2, e -> e % 3 == 0 ? Dispatchers.DROP : e % 2);
    dropping.subscribe(p0, out);
    dropping.subscribe(p1, out);
    dropping.ask(p0, 2, out);
    dropping.ask(p1, 2, out);
    assertEquals(List.of(), dropping.dispatch(range(0, 4), out)); // 0 and 3 dropped
    assertEquals(List.of(2), out.sent(p0));
    assertEquals(List.of(1), out.sent(p1));
    assertEquals(2, out.askedUpstream());
    assertEquals(2, ((PartitionDispatcher<Integer>) dropping).dropped());
    assertEquals(List.of(), out.discarded()); // drops are the hash's choice, not discards
  }

  @Test
  void dispatch_hashDropsReplacedInTheSameBatch_asksNothingMore() {
    Dispatcher<Integer> dropping =
        Dispatchers.partition(2, e -> e % 3 == 0 ? Dispatchers.DROP : e % 2);
    dropping.subscribe(p0, out);
    dropping.subscribe(p1, out);
    dropping.ask(p0, 2, out);
    dropping.ask(p1, 2, out);
    // the producer emitted more than asked (its buffer): the demand is filled despite 0 and 3
    assertEquals(List.of(), dropping.dispatch(range(0, 6), out));
    assertEquals(List.of(2, 4), out.sent(p0));
    assertEquals(List.of(1, 5), out.sent(p1));
    assertEquals(0, out.askedUpstream());
  }

  @Test
  void dispatch_dropsSpreadOverBatches_asksOnlyForWhatTheProducerNoLongerOwes() {
    Dispatcher<Integer> dropping = Dispatchers.partition(1, e -> e % 3 == 0 ? Dispatchers.DROP : 0);
    dropping.subscribe(p0, out);
    dropping.ask(p0, 4, out); // the producer owes 4
    dropping.dispatch(range(0, 2), out); // 0 dropped, 1 sent: still owes 2, 3 missing
    assertEquals(1, out.askedUpstream());
    dropping.dispatch(range(2, 5), out); // 2, 4 sent, 3 dropped: owes 0, 1 missing
    assertEquals(2, out.askedUpstream());
    dropping.dispatch(range(5, 7), out); // 5 sent; 6 left over (the demand is filled)
    assertEquals(List.of(1, 2, 4, 5), out.sent(p0));
  }

  @Test
  void dispatch_hashReturnsUnknownPartition_throwsAndChangesNothing() {
    Dispatcher<Integer> bad = Dispatchers.partition(2, e -> e);
    bad.subscribe(p0, out);
    bad.ask(p0, 5, out);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> bad.dispatch(range(0, 3), out));
    assertTrue(e.getMessage().contains("returned 2 for event 2"), e.getMessage());
    assertTrue(out.calls().isEmpty());
    assertEquals(List.of(), bad.dispatch(List.of(0), out));
    assertEquals(List.of(0), out.sent(p0));
  }

  @Test
  void subscribe_withoutPartition_throwsWithTheFix() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> dispatcher.subscribe(TestSubscription.of("none"), out));
    assertTrue(message(e).contains("partition(p) where p is one of [0, 1]"), message(e));
  }

  @Test
  void subscribe_unknownPartition_throwsListingTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> dispatcher.subscribe(TestSubscription.toPartition("two", 2), out));
    assertEquals("partition must be one of [0, 1], got: 2", message(e));
  }

  @Test
  void subscribe_takenPartition_throws() {
    dispatcher.subscribe(p0, out);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> dispatcher.subscribe(TestSubscription.toPartition("again", 0), out));
    assertTrue(message(e).startsWith("the partition 0 is already taken"), message(e));
    // once cancelled, the partition is free again
    dispatcher.cancel(p0, out);
    assertEquals(0, dispatcher.subscribe(TestSubscription.toPartition("again", 0), out));
  }

  @Test
  void partition_invalidOptions_throwWithClearMessages() {
    assertThrows(IllegalArgumentException.class, () -> Dispatchers.partition(0));
    IllegalArgumentException duplicate =
        assertThrows(
            IllegalArgumentException.class,
            () -> Dispatchers.<String>partition(List.of("a", "b", "a"), e -> e));
    assertTrue(message(duplicate).contains("distinct"), message(duplicate));
    assertThrows(
        IllegalArgumentException.class, () -> Dispatchers.<String>partition(List.of(), e -> e));
  }

  @Test
  void dispatch_namedPartitions_routesByNameAndDropsOnNull() {
    Dispatcher<String> named =
        Dispatchers.partition(
            List.of("odd", "even"),
            (String e) -> e.isEmpty() ? null : (e.length() % 2 == 0 ? "even" : "odd"));
    RecordingOutbox<String> names = new RecordingOutbox<>();
    TestSubscription odd = TestSubscription.toPartition("odd", "odd");
    TestSubscription even = TestSubscription.toPartition("even", "even");
    named.subscribe(odd, names);
    named.subscribe(even, names);
    named.ask(odd, 5, names);
    named.ask(even, 5, names);
    named.dispatch(List.of("a", "bb", "", "ccc", "dddd"), names);
    assertEquals(List.of("a", "ccc"), names.sent(odd));
    assertEquals(List.of("bb", "dddd"), names.sent(even));
    assertEquals(1, names.askedUpstream());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> named.subscribe(TestSubscription.toPartition("x", "prime"), names));
    assertEquals("partition must be one of [odd, even], got: \"prime\"", message(e));
  }

  @Test
  void dispatch_namedHashReturnsUnknownName_throws() {
    Dispatcher<String> named = Dispatchers.partition(List.of("a"), (String e) -> e);
    RecordingOutbox<String> names = new RecordingOutbox<>();
    TestSubscription a = TestSubscription.toPartition("a", "a");
    named.subscribe(a, names);
    named.ask(a, 2, names);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> named.dispatch(List.of("z"), names));
    assertTrue(e.getMessage().contains("must return one of [a]"), e.getMessage());
  }

  @Test
  void dispatch_defaultHash_sendsEqualEventsToTheSamePartition() {
    Dispatcher<String> hashed = Dispatchers.partition(3);
    RecordingOutbox<String> rec = new RecordingOutbox<>();
    List<TestSubscription> subs =
        List.of(
            TestSubscription.toPartition("0", 0),
            TestSubscription.toPartition("1", 1),
            TestSubscription.toPartition("2", 2));
    for (TestSubscription s : subs) {
      hashed.subscribe(s, rec);
      hashed.ask(s, 100, rec);
    }
    hashed.dispatch(List.of("x", "y", "z", "x", "y", "z", "w"), rec);
    int holders = 0;
    for (TestSubscription s : subs) {
      List<Object> got = rec.sent(s);
      if (got.contains("x")) {
        holders++;
        assertEquals(2, got.stream().filter("x"::equals).count());
      }
    }
    assertEquals(1, holders);
  }

  @Test
  void info_nothingQueued_isDeliveredAtOnce() {
    dispatcher.subscribe(p0, out);
    dispatcher.info("now", out);
    assertEquals(List.of("now"), out.infos());
  }

  @Test
  void info_withQueuedEvents_waitsUntilEveryQueueSentThem() {
    Dispatcher<Integer> three = Dispatchers.partition(3, e -> e % 3);
    TestSubscription q0 = TestSubscription.toPartition("q0", 0);
    TestSubscription q1 = TestSubscription.toPartition("q1", 1);
    TestSubscription q2 = TestSubscription.toPartition("q2", 2);
    three.subscribe(q0, out);
    three.subscribe(q1, out);
    three.subscribe(q2, out);
    three.ask(q2, 4, out);
    three.dispatch(List.of(0, 1, 3, 4), out); // q0 holds 0, 3; q1 holds 1, 4
    assertEquals(4, three.heldCount());
    three.info("first", out);
    three.ask(q0, 1, out);
    three.ask(q0, 1, out);
    assertEquals(List.of(), out.infos()); // q1 still holds 1 and 4
    three.info("second", out); // waits behind "first" on q1 only
    three.ask(q1, 5, out);
    assertEquals(List.of("first", "second"), out.infos());
    List<RecordingOutbox.Call> calls = out.calls();
    assertEquals(new RecordingOutbox.Send(q1, List.of(1, 4)), calls.get(calls.size() - 3));
    assertEquals(List.of(List.of(0), List.of(3)), out.batches(q0));
    assertEquals(0, three.heldCount());
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 7, 8, 64})
  void defaultHash_anyPartitionCount_routesEachEventToItsPartitionOf(int partitions) {
    PartitionDispatcher<Object> d = (PartitionDispatcher<Object>) Dispatchers.partition(partitions);
    RecordingOutbox<Object> rec = new RecordingOutbox<>();
    TestSubscription[] subs = new TestSubscription[partitions];
    for (int p = 0; p < partitions; p++) {
      subs[p] = TestSubscription.toPartition("p" + p, p);
      d.subscribe(subs[p], rec);
      d.ask(subs[p], 10_000, rec);
    }
    Random random = new Random(partitions);
    List<Object> events = new ArrayList<>();
    events.addAll(List.of(0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE, "word", -65_536L));
    for (int i = 0; i < 2000; i++) {
      events.add(random.nextInt());
    }
    assertEquals(List.of(), d.dispatch(events, rec));
    for (int p = 0; p < partitions; p++) {
      for (Object e : rec.sent(subs[p])) {
        assertEquals(Dispatchers.partitionOf(e, partitions), p, "partition of " + e);
      }
    }
    long sent = 0;
    for (TestSubscription s : subs) {
      sent += rec.sent(s).size();
    }
    assertEquals(events.size(), sent);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 7, 8, 64})
  void partitionOf_randomKeys_staysInRangeAndSpreadsEvenly(int partitions) {
    int[] counts = new int[partitions];
    Random random = new Random(42);
    int keys = 64_000;
    for (int i = 0; i < keys; i++) {
      int p = Dispatchers.partitionOf("w" + random.nextInt(), partitions);
      assertTrue(p >= 0 && p < partitions, "partition " + p);
      counts[p]++;
    }
    double expected = (double) keys / partitions;
    for (int c : counts) {
      assertTrue(
          Math.abs(c - expected) < expected * 0.1 + 10, "uneven: " + Arrays.toString(counts));
    }
  }

  @Test
  void partitionOf_keysOfOnePartition_fillAHashMapsBucketsEvenly() {
    // The keys routed to one partition must not share HashMap's bucket bits (see partitionOf).
    int partitions = 8;
    int table = 1 << 12;
    boolean[] used = new boolean[table];
    int inPartition = 0;
    for (int i = 0; inPartition < table; i++) {
      String key = "k" + i;
      if (Dispatchers.partitionOf(key, partitions) == 0) {
        int h = key.hashCode();
        used[(h ^ (h >>> 16)) & (table - 1)] = true;
        inPartition++;
      }
    }
    int buckets = 0;
    for (boolean u : used) {
      buckets += u ? 1 : 0;
    }
    // Random placement of n keys in n buckets uses about 63%; routing by the low bits would use
    // 1/8.
    assertTrue(buckets > table / 2, "buckets used: " + buckets + " of " + table);
  }
}
