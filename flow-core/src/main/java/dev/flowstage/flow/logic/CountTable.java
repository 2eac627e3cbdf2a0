package dev.flowstage.flow.logic;

import dev.flowstage.flow.KeyCount;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjLongConsumer;

/**
 * An open-addressing table from object keys to {@code long} counts, the accumulator of {@code
 * Flow.countBy}: a count is a slot of a {@code long[]}, so counting an event allocates nothing once
 * its key is known (a {@code HashMap<K, Long>} boxes a new {@code Long} per count above 127). It
 * starts small and doubles when half full, so a stage's table is sized by the keys it actually
 * sees. Keys must not be {@code null} and must not change their hash while in the table. Not
 * thread-safe: each stage owns its table, and a table crosses threads only as a whole, after its
 * stage is done with it.
 */
public final class CountTable implements Cloneable, Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private static final int INITIAL_CAPACITY = 16;

  // Serializable when the keys are, as for any JDK map (a backend ships partial tables).
  @SuppressWarnings("serial")
  private Object[] keys;

  private long[] counts;
  private int size;

  /** Creates an empty table of {@value #INITIAL_CAPACITY} slots. */
  public CountTable() {
    keys = new Object[INITIAL_CAPACITY];
    counts = new long[INITIAL_CAPACITY];
  }

  /**
   * Adds {@code delta} to the count of {@code key} (a new key starts at 0).
   *
   * @param key the key, not {@code null}
   * @param delta what to add
   * @return this table
   * @throws NullPointerException if {@code key} is {@code null}
   */
  public CountTable add(Object key, long delta) {
    int slot = slot(key);
    if (keys[slot] == null) {
      keys[slot] = key;
      counts[slot] = delta;
      if (++size * 2 > keys.length) {
        grow();
      }
    } else {
      counts[slot] += delta;
    }
    return this;
  }

  /**
   * Returns the count of {@code key}.
   *
   * @param key the key
   * @return its count, 0 if absent
   */
  public long get(Object key) {
    int slot = slot(key);
    return keys[slot] == null ? 0 : counts[slot];
  }

  /**
   * Returns how many distinct keys the table holds.
   *
   * @return the number of keys
   */
  public int size() {
    return size;
  }

  /**
   * Calls {@code action} with every key and its count, in no particular order.
   *
   * @param action receives each key and count
   */
  public void forEach(ObjLongConsumer<Object> action) {
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        action.accept(keys[i], counts[i]);
      }
    }
  }

  /**
   * Returns one {@link KeyCount} per key, in no particular order (a fresh list of fresh, immutable
   * entries: later counting does not change them).
   *
   * @param <K> the key type
   * @return the entries
   */
  @SuppressWarnings("unchecked")
  public <K> List<KeyCount<K>> entries() {
    List<KeyCount<K>> out = new ArrayList<>(size);
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] != null) {
        out.add(new KeyCount<>((K) keys[i], counts[i]));
      }
    }
    return out;
  }

  /**
   * Merges two tables into one: the counts of each key are added. The smaller table is added into
   * the larger, which is returned (the other must not be used afterwards), so merging the partial
   * tables of a partition costs the smaller side.
   *
   * @param a a table
   * @param b another table
   * @return {@code a} or {@code b}, holding the sums
   */
  public static CountTable merge(CountTable a, CountTable b) {
    CountTable into = a.size >= b.size ? a : b;
    CountTable from = into == a ? b : a;
    for (int i = 0; i < from.keys.length; i++) {
      if (from.keys[i] != null) {
        into.add(from.keys[i], from.counts[i]);
      }
    }
    return into;
  }

  /**
   * Returns an independent copy (used when a window that goes on emits a snapshot).
   *
   * @return a copy
   */
  @Override
  public CountTable clone() {
    try {
      CountTable c = (CountTable) super.clone();
      c.keys = keys.clone();
      c.counts = counts.clone();
      return c;
    } catch (CloneNotSupportedException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("{");
    forEach(
        (k, c) -> {
          if (b.length() > 1) {
            b.append(", ");
          }
          b.append(k).append('=').append(c);
        });
    return b.append('}').toString();
  }

  /** The slot holding {@code key}, or the empty slot where it would go (linear probing). */
  private int slot(Object key) {
    if (key == null) {
      throw new NullPointerException("CountTable keys must not be null");
    }
    int mask = keys.length - 1;
    int i = spread(key.hashCode()) & mask;
    while (true) {
      Object k = keys[i];
      if (k == null || k.equals(key)) {
        return i;
      }
      i = (i + 1) & mask;
    }
  }

  /**
   * Mixes the high bits in: many hashCode()s differ only there (Float, small records). The table
   * indexes by the low bits of it; a partition that routes keys to tables ({@code Shard}) uses its
   * high bits, so the keys of one table still spread over its slots.
   *
   * @param h a key's {@code hashCode()}
   * @return the mixed hash
   */
  public static int spread(int h) {
    int x = h * 0x9E3779B9;
    return x ^ (x >>> 16);
  }

  private void grow() {
    Object[] oldKeys = keys;
    long[] oldCounts = counts;
    keys = new Object[oldKeys.length * 2];
    counts = new long[oldKeys.length * 2];
    int mask = keys.length - 1;
    for (int j = 0; j < oldKeys.length; j++) {
      Object k = oldKeys[j];
      if (k != null) {
        int i = spread(k.hashCode()) & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = k;
        counts[i] = oldCounts[j];
      }
    }
  }
}
