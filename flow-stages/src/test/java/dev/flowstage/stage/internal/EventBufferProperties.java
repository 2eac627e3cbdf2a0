package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.stage.BufferKeep;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Model test: the buffer against a plain deque of events and infos (Caffeine-style fuzzer). */
final class EventBufferProperties {
  static LongStream seeds() {
    return LongStream.range(0, Long.getLong("properties.tries", 200));
  }

  private record Info(String name) {}

  @ParameterizedTest
  @MethodSource("seeds")
  void buffer_matchesDequeModel(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    BufferKeep keep = r.nextBoolean() ? BufferKeep.FIRST : BufferKeep.LAST;
    int cap = r.nextInt(0, 12);
    EventBuffer<Integer> buffer = new EventBuffer<>(cap, keep);
    Deque<Object> model = new ArrayDeque<>(); // Integers and Infos, in order
    List<String> ops = new ArrayList<>();
    int next = 0;
    for (int step = 0; step < 60; step++) {
      List<Object> released = new ArrayList<>();
      List<Object> expectedReleased = new ArrayList<>();
      int op = r.nextInt(3);
      if (op == 0) {
        int n = r.nextInt(0, 8);
        List<Integer> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          batch.add(next++);
        }
        ops.add("store" + batch);
        long discarded = buffer.store(batch, released);
        long expectedDiscarded = modelStore(model, batch, cap, keep, expectedReleased);
        assertEquals(expectedDiscarded, discarded, () -> "seed " + seed + " ops " + ops);
      } else if (op == 1) {
        Info info = new Info("i" + step);
        ops.add("info " + info.name());
        boolean stored = buffer.storeInfo(info);
        boolean modelHasEvents = model.stream().anyMatch(o -> o instanceof Integer);
        assertEquals(modelHasEvents, stored, () -> "seed " + seed + " ops " + ops);
        if (stored) {
          model.addLast(info);
        }
      } else {
        long n = r.nextInt(0, 10);
        ops.add("take " + n);
        List<Integer> taken = buffer.take(n, released);
        List<Integer> expected = new ArrayList<>();
        while (expected.size() < n && model.peekFirst() instanceof Integer i) {
          expected.add(i);
          model.pollFirst();
        }
        while (model.peekFirst() instanceof Info i && (!expected.isEmpty() || n == 0)) {
          if (expected.isEmpty()) {
            break;
          }
          expectedReleased.add(model.pollFirst());
        }
        assertEquals(expected, taken, () -> "seed " + seed + " ops " + ops);
      }
      assertEquals(expectedReleased, released, () -> "seed " + seed + " ops " + ops);
      long events = model.stream().filter(o -> o instanceof Integer).count();
      assertEquals(events, buffer.size(), () -> "seed " + seed + " ops " + ops);
    }
  }

  private static long modelStore(
      Deque<Object> model, List<Integer> batch, int cap, BufferKeep keep, List<Object> released) {
    long size = model.stream().filter(o -> o instanceof Integer).count();
    if (keep == BufferKeep.FIRST) {
      long room = cap - size;
      int accepted = (int) Math.min(room, batch.size());
      model.addAll(batch.subList(0, accepted));
      return batch.size() - accepted;
    }
    model.addAll(batch);
    long discarded = 0;
    long count = size + batch.size();
    while (count > cap) {
      // Drop the oldest event; infos that were ahead of it are released.
      while (model.peekFirst() instanceof Info) {
        released.add(model.pollFirst());
      }
      model.pollFirst();
      count--;
      discarded++;
    }
    if (discarded > 0) {
      while (model.peekFirst() instanceof Info) {
        released.add(model.pollFirst());
      }
    }
    return discarded;
  }
}
