package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.stage.BufferKeep;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class EventBufferTest {
  private final List<Object> infos = new ArrayList<>();

  @Test
  void store_overBufferSize_keepsLastAndCountsDiscarded() {
    EventBuffer<Integer> b = new EventBuffer<>(5, BufferKeep.LAST);
    assertEquals(0, b.store(List.of(0, 1, 2), infos));
    assertEquals(3, b.store(List.of(3, 4, 5, 6, 7), infos));
    assertEquals(List.of(3, 4, 5, 6, 7), b.take(10, infos));
  }

  @Test
  void store_overBufferSize_keepsFirstAndDropsNewEvents() {
    EventBuffer<Integer> b = new EventBuffer<>(5, BufferKeep.FIRST);
    assertEquals(0, b.store(List.of(0, 1, 2), infos));
    assertEquals(3, b.store(List.of(3, 4, 5, 6, 7), infos));
    assertEquals(List.of(0, 1, 2, 3, 4), b.take(10, infos));
  }

  @Test
  void store_intoEmptyBuffer_partlyTakenThenOverflowing_keepsOrderAndPolicy() {
    EventBuffer<Integer> b = new EventBuffer<>(4, BufferKeep.LAST);
    assertEquals(0, b.store(new ArrayList<>(List.of(0, 1, 2, 3)), infos)); // held, not copied
    assertEquals(List.of(0), b.take(1, infos));
    assertTrue(b.storeInfo("after 3"));
    assertEquals(1, b.store(List.of(4, 5), infos)); // the held rest moves to the ring; 1 dropped
    assertEquals(List.of(2, 3), b.take(10, infos));
    assertEquals(List.of("after 3"), infos);
    assertEquals(List.of(4, 5), b.take(10, infos));
    assertTrue(b.isEmpty());
    assertEquals(0, b.store(List.of(6, 7), infos)); // empty again: held again
    assertEquals(List.of(6, 7), b.take(10, infos));
    assertEquals(0, b.size());
  }

  @Test
  void store_zeroCapacity_discardsEverything() {
    EventBuffer<Integer> b = new EventBuffer<>(0, BufferKeep.LAST);
    assertEquals(2, b.store(List.of(1, 2), infos));
    assertTrue(b.isEmpty());
  }

  @Test
  void storeInfo_emptyBuffer_returnsFalseSoCallerDeliversNow() {
    EventBuffer<Integer> b = new EventBuffer<>(5, BufferKeep.LAST);
    assertFalse(b.storeInfo("now"));
  }

  @Test
  void putBack_unsentEnd_comesBackFirst_andTheReleasedInfoWaitsBehindIt() {
    for (boolean held : new boolean[] {true, false}) {
      EventBuffer<Integer> b = new EventBuffer<>(100, BufferKeep.LAST);
      List<Object> due = new ArrayList<>();
      if (held) {
        b.store(List.of(1, 2, 3, 4), due); // kept as it is: taken as views
      } else {
        b.store(List.of(0), due);
        b.take(1, due);
        b.store(List.of(9), due); // the ring: stored, then the held batch copied in
        b.store(List.of(1, 2, 3, 4), due);
        b.take(1, due);
      }
      assertTrue(b.storeInfo("done"));
      b.store(List.of(5), due);

      List<Integer> taken = b.take(10, due);
      assertEquals(List.of(1, 2, 3, 4), taken);
      assertEquals(List.of("done"), due);
      b.putBack(taken.subList(2, 4), due); // only 1 and 2 were sent

      assertEquals(List.of(), due);
      assertEquals(3, b.size());
      assertEquals(List.of(3, 4), b.take(10, due));
      assertEquals(List.of("done"), due, "the info is due only after the events put back");
      due.clear();
      assertEquals(List.of(5), b.take(10, due));
    }
  }

  @Test
  void take_stopsAtInfoAndReleasesItAfterItsEvents() {
    EventBuffer<Integer> b = new EventBuffer<>(100, BufferKeep.LAST);
    b.store(List.of(0, 1, 2), infos);
    assertTrue(b.storeInfo("a"));
    assertTrue(b.storeInfo("b"));
    b.store(List.of(3, 4), infos);
    assertEquals(List.of(0, 1), b.take(2, infos));
    assertEquals(List.of(), infos);
    assertEquals(List.of(2), b.take(10, infos));
    assertEquals(List.of("a", "b"), infos);
    assertEquals(List.of(3, 4), b.take(10, infos));
  }

  @Test
  void store_keepLastDropsEventsBeforeInfo_releasesInfoImmediately() {
    EventBuffer<Integer> b = new EventBuffer<>(2, BufferKeep.LAST);
    b.store(List.of(0, 1), infos);
    b.storeInfo("behind-1");
    b.store(List.of(2, 3), infos);
    assertEquals(List.of("behind-1"), infos);
    assertEquals(List.of(2, 3), b.take(5, infos));
  }

  @Test
  void constructor_negativeCapacity_throws() {
    assertThrows(IllegalArgumentException.class, () -> new EventBuffer<>(-1, BufferKeep.LAST));
  }
}
