package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flowstage.flow.KeyCount;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CountTable} against a {@code HashMap} on the cases its index must get right: colliding and
 * equal hashes, growth, merging in either direction, copies and serialization.
 */
class CountTableTest {
  /** A key whose hash the test chooses, so keys collide on purpose. */
  private record Key(int id, int hash) implements java.io.Serializable {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.id == id;
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private static Map<Object, Long> asMap(CountTable t) {
    Map<Object, Long> m = new HashMap<>();
    t.forEach((k, c) -> assertEquals(null, m.put(k, c), "a key listed twice: " + k));
    Map<Object, Long> fromEntries = new HashMap<>();
    for (KeyCount<Object> kc : t.entries()) {
      fromEntries.put(kc.key(), kc.count());
    }
    assertEquals(m, fromEntries);
    assertEquals(m.size(), t.size());
    return m;
  }

  @Test
  void randomKeysAndDeltas_matchAHashMap_throughGrowth() {
    Random random = new Random(15);
    for (int round = 0; round < 20; round++) {
      CountTable t = new CountTable();
      Map<Object, Long> expected = new HashMap<>();
      int distinct = 1 + random.nextInt(round < 10 ? 50 : 20_000);
      for (int i = 0; i < 3 * distinct; i++) {
        // Equal hashes for several ids: probe runs over equal hashes (long ones in small rounds).
        int id = random.nextInt(distinct);
        Object key = round % 2 == 0 ? new Key(id, round < 10 ? id % 7 : id / 3) : "w" + id;
        long delta = random.nextInt(5) - 1;
        t.add(key, delta);
        expected.merge(key, delta, Long::sum);
      }
      assertEquals(expected, asMap(t));
      for (Map.Entry<Object, Long> e : expected.entrySet()) {
        assertEquals(e.getValue(), t.get(e.getKey()));
      }
      assertEquals(0, t.get(new Key(-1, 3)));
    }
  }

  @Test
  void hashesDifferingOnlyInHighBits_spreadOverTheIndex() {
    CountTable t = new CountTable();
    for (int i = 0; i < 5000; i++) {
      t.add(new Key(i, i << 20), i);
    }
    assertEquals(5000, t.size());
    assertEquals(4999, t.get(new Key(4999, 4999 << 20)));
  }

  @Test
  void merge_addsTheSmallerIntoTheLarger_eitherWay() {
    for (boolean largeFirst : new boolean[] {true, false}) {
      CountTable large = new CountTable();
      CountTable small = new CountTable();
      Map<Object, Long> expected = new HashMap<>();
      for (int i = 0; i < 3000; i++) {
        large.add(new Key(i, i % 11), 2);
        expected.merge(new Key(i, i % 11), 2L, Long::sum);
      }
      for (int i = 2900; i < 3100; i++) {
        small.add(new Key(i, i % 11), 5);
        expected.merge(new Key(i, i % 11), 5L, Long::sum);
      }
      CountTable m = largeFirst ? CountTable.merge(large, small) : CountTable.merge(small, large);
      assertSame(large, m);
      assertEquals(expected, asMap(m));
      // The merged table keeps counting.
      m.add(new Key(5000, 0), 1).add(new Key(0, 0), 1);
      assertEquals(3, m.get(new Key(0, 0)));
      assertEquals(1, m.get(new Key(5000, 0)));
    }
  }

  @Test
  void clone_isIndependent() {
    CountTable t = new CountTable();
    for (int i = 0; i < 100; i++) {
      t.add("k" + i, 1);
    }
    CountTable c = t.clone();
    for (int i = 0; i < 1000; i++) {
      t.add("k" + i, 1); // grows the original's arrays and index
    }
    assertEquals(100, c.size());
    assertEquals(1, c.get("k0"));
    assertEquals(0, c.get("k500"));
    c.add("k0", 10);
    assertEquals(2, t.get("k0"));
    assertEquals(11, c.get("k0"));
  }

  @Test
  void serializedTable_keepsCounting() throws Exception {
    CountTable t = new CountTable();
    for (int i = 0; i < 300; i++) {
      t.add(new Key(i, i % 5), i);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(t);
    }
    CountTable back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (CountTable) in.readObject();
    }
    assertEquals(asMap(t), asMap(back));
    back.add(new Key(7, 2), 1).add(new Key(1000, 0), 1);
    assertEquals(8, back.get(new Key(7, 2)));
    assertEquals(301, back.size());
  }

  @Test
  void nullKeys_areRejected() {
    CountTable t = new CountTable();
    assertThrows(NullPointerException.class, () -> t.add(null, 1));
    assertThrows(NullPointerException.class, () -> t.get(null));
    assertEquals(List.of(), t.entries());
    assertEquals("{}", t.toString());
    assertEquals("{a=2}", t.add("a", 2).toString());
  }
}
