package dev.flowstage.flow;

import java.io.Serial;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * A key and how many events had it: what {@link Flow#countBy} emits, one per key ({@link
 * Flow#sumBy} emits a key and its sum in the same shape). It is a {@link Map.Entry} (equal to any
 * entry with the same key and {@code Long} value, printed as {@code key=count}), so code written
 * for the entries of a map works on it, while {@link #count()} reads the count without boxing.
 *
 * {@snippet class=dev.flowstage.flow.snippets.FlowSnippets region=countBy}
 *
 * @param key the key
 * @param count how many events had it (for {@code sumBy}: the key's sum)
 * @param <K> the key type
 */
public record KeyCount<K>(K key, long count) implements Map.Entry<K, Long>, Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Orders by count, highest first, and equal counts by key when keys are {@link Comparable} (so a
   * top N is deterministic): {@code takeSort(10, KeyCount.byCountDescending())} is the ten most
   * frequent keys.
   *
   * @param <K> the key type
   * @return the comparator
   */
  public static <K> SerializableComparator<KeyCount<K>> byCountDescending() {
    return (a, b) -> {
      int c = Long.compare(b.count, a.count);
      return c != 0 ? c : compareKeys(a.key, b.key);
    };
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static int compareKeys(Object a, Object b) {
    if (a instanceof Comparable ca && b != null && a.getClass() == b.getClass()) {
      return ca.compareTo(b);
    }
    return 0;
  }

  /**
   * Returns the key.
   *
   * @return the key
   */
  @Override
  public K getKey() {
    return key;
  }

  /**
   * Returns the count, boxed (prefer {@link #count()}).
   *
   * @return the count
   */
  @Override
  public Long getValue() {
    return count;
  }

  /**
   * Always fails: a key count is immutable.
   *
   * @param value ignored
   * @return never
   * @throws UnsupportedOperationException always
   */
  @Override
  public Long setValue(Long value) {
    throw new UnsupportedOperationException("KeyCount is immutable");
  }

  /**
   * Returns whether {@code o} is a {@link Map.Entry} with an equal key and the same count as a
   * {@code Long}, as {@link Map.Entry#equals} specifies.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Map.Entry<?, ?> e
        && Objects.equals(key, e.getKey())
        && e.getValue() instanceof Long v
        && v == count;
  }

  /**
   * Returns the hash {@link Map.Entry#hashCode} specifies.
   *
   * @return the hash
   */
  @Override
  public int hashCode() {
    return Objects.hashCode(key) ^ Long.hashCode(count);
  }

  /**
   * Returns {@code key=count}, as a map entry prints.
   *
   * @return the text
   */
  @Override
  public String toString() {
    return key + "=" + count;
  }
}
