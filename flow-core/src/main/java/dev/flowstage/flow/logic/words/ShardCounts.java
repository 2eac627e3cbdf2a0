package dev.flowstage.flow.logic.words;

import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.logic.CountTable;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.function.ObjLongConsumer;

/**
 * The reduce state of one counting stage of a word count's byte path ({@code flowstage wordcount},
 * {@code Flow}'s fused file word count): adds up the {@link Shard}s the reading stages send. ASCII
 * words stay bytes, in an open-addressing table over a byte arena, so merging a shard makes no
 * object and hashes nothing (the shard carries each word's hash), and the garbage collector has
 * only two primitive arrays to look at however many words are held; other words go to a {@code
 * String}-keyed table. A word is decoded only when it is given out ({@link #forEach}, {@link
 * #entries}). Confined to its stage's thread.
 *
 * <p>A reading stage of the byte path hands its whole table over at the end of its input ({@link
 * Shard#table()}): the first such table is this stage's base, whose entries of this stage's
 * partition count as this stage's and take the counts of every later table and shard in place
 * (found words) or in this table (words the base lacks). The shards' words are moved into the base
 * once all are in, when the counts are first read ({@link #settle}).
 */
public final class ShardCounts {
  private static final VarHandle LONG = Shard.LONG;
  private static final VarHandle INT = Shard.INT;

  /**
   * Bytes per arena entry before the word: its count (8), hash (4) and length (4), the layout of a
   * {@link Shard}'s entries, so that the first shard's entries become the arena by one copy.
   */
  private static final int HEADER = Shard.ENTRY;

  /** Hash << 32 | 1 << 31 | arena offset; 0 is empty. */
  private long[] slots = new long[64];

  private int mask = 63;
  private int size;
  private byte[] arena = new byte[4096];
  private int used;
  private final CountTable others = new CountTable();
  private long words;

  /** The first reading table handed over, or null; {@link #partition} is this stage's. */
  private FrozenCounts base;

  private int partition;

  /** Whether this table's words are in {@link #base} where it holds them ({@link #settle}). */
  private boolean settled = true;

  /** How many of this table's entries were moved into {@link #base}. */
  private int moved;

  /**
   * How much this stage added to its words in {@link #base}, from later tables; {@link #words}
   * still holds what it moved there from its shards.
   */
  private long addedToBase;

  /** Creates empty counts. */
  public ShardCounts() {}

  /**
   * Adds a reading stage's partial counts; the reducer of the counting layer. A shard handing a
   * table over ({@link Shard#table()}) makes that table this stage's base if it has none yet, or
   * has the table's words of this stage added to the base (or here, for the words it lacks).
   *
   * @param shard words this partition owns, with their counts
   * @return this
   */
  public ShardCounts merge(Shard shard) {
    settled = false;
    FrozenCounts table = shard.table();
    if (table != null) {
      if (base == null) {
        base = table;
        partition = shard.partition();
      } else {
        // The later table's words: added to the base's where it has them, else to this table.
        addedToBase += table.addTo(base, shard.partition(), this);
      }
    }
    byte[] d = shard.ascii();
    int n = shard.asciiWords();
    if (size == 0 && n > 0 && adopt(d, n)) {
      addOthers(shard);
      return this;
    }
    if (size == 0 && n > slots.length / 2) {
      // One table for the first shard instead of a dozen rehashes.
      int capacity = capacityFor(n);
      slots = new long[capacity];
      mask = capacity - 1;
    }
    for (int i = 0, off = 0; i < n; ) {
      int batch = Math.min(BATCH, n - i);
      off = touch(d, off, batch);
      for (int k = 0; k < batch; k++) {
        add(d, at[k] + Shard.ENTRY, lens[k], hashes[k], (long) LONG.get(d, at[k]));
      }
      i += batch;
    }
    addOthers(shard);
    return this;
  }

  /**
   * Keeps the sum of loads made only to touch memory ({@link FrozenCounts#addTo}), so the JIT
   * cannot drop them; in this stage's own field, as the table it was read from is shared.
   */
  void keep(long touched) {
    sink += touched;
  }

  /** Adds a later table's word that the base lacks ({@link FrozenCounts#addTo}). */
  void addAbsent(byte[] b, int from, int len, int hash, long count) {
    add(b, from, len, hash, count);
    words += count;
  }

  /** Slots for {@code n} words, at most half full: a first shard's table needs no growing. */
  private static int capacityFor(int n) {
    return Integer.highestOneBit(n) << 2;
  }

  /** Adds a shard's words that are not ASCII, and its occurrences. */
  private void addOthers(Shard shard) {
    String[] w = shard.words();
    long[] c = shard.counts();
    for (int i = 0; i < w.length; i++) {
      others.add(w[i], c[i]);
    }
    words += shard.occurrences();
  }

  /**
   * Takes the ASCII entries of the first shard into an empty table: one copy of their bytes as the
   * arena and one slot each, where adding them one by one copied each entry and grew the arena a
   * dozen times. A stage's first shard is the largest of a flushing run (the reading stages' tables
   * are full then), merged before the JIT has compiled the adding loop. A shard holds each word
   * once (it is one drain of one table); should two entries be the same word, the table stays empty
   * and the shard is added entry by entry instead.
   *
   * @return whether the shard was taken (false: the table is still empty)
   */
  private boolean adopt(byte[] d, int n) {
    int capacity = Math.max(64, capacityFor(n));
    long[] t = new long[capacity];
    int m = capacity - 1;
    int off = 0;
    for (int i = 0; i < n; i++) {
      int hash = (int) INT.get(d, off + 8);
      int len = (int) INT.get(d, off + 12);
      int idx = hash & m;
      long slot;
      while ((slot = t[idx]) != 0) {
        if ((int) (slot >>> 32) == hash) {
          int other = (int) slot & Integer.MAX_VALUE;
          if ((int) INT.get(d, other + 12) == len
              && ByteWordCounts.sameBytes(d, other + HEADER, d, off + HEADER, len)) {
            return false; // a word twice: not one drain's shard
          }
        }
        idx = (idx + 1) & m;
      }
      t[idx] = ByteWordCounts.slot(hash, off);
      off += HEADER + len;
    }
    // Room for a quarter more bytes before the first growth, and the slack eight-byte reads need.
    arena =
        java.util.Arrays.copyOf(
            d, (int) Math.min((long) off + off / 4 + Shard.SLACK, Integer.MAX_VALUE - 16L));
    used = off;
    slots = t;
    mask = m;
    size = n;
    return true;
  }

  /** How many entries of a shard are looked up together. */
  private static final int BATCH = 32;

  private final int[] at = new int[BATCH];
  private final int[] lens = new int[BATCH];
  private final int[] hashes = new int[BATCH];

  /** Where the touching loads go, so the JIT cannot drop them. */
  private long sink;

  /**
   * Notes the next {@code batch} entries of {@code d} from {@code off} on and touches their slots,
   * then the arena entries those slots point to: the loads are independent, so their cache misses
   * overlap instead of being paid one after the other by the lookups (a counting stage's table is
   * far larger than the cache, and a shard's words hit it at random).
   *
   * @return the offset after the batch
   */
  private int touch(byte[] d, int off, int batch) {
    long[] t = slots;
    byte[] a = arena;
    long touched = 0;
    for (int k = 0; k < batch; k++) {
      int len = (int) INT.get(d, off + 12);
      int hash = (int) INT.get(d, off + 8);
      at[k] = off;
      lens[k] = len;
      hashes[k] = hash;
      touched += t[hash & mask];
      off += Shard.ENTRY + len;
    }
    for (int k = 0; k < batch; k++) {
      long slot = t[hashes[k] & mask];
      if (slot != 0) {
        touched += a[(int) slot & Integer.MAX_VALUE];
      }
    }
    sink += touched;
    return off;
  }

  /**
   * Adds {@code count} to the word {@code b[from, from + len)}, whose byte hash is {@code hash}.
   */
  private void add(byte[] b, int from, int len, int hash, long count) {
    long[] t = slots;
    int idx = hash & mask;
    while (true) {
      long slot = t[idx];
      if (slot == 0) {
        insert(b, from, len, hash, count, idx);
        return;
      }
      if ((int) (slot >>> 32) == hash) {
        int off = (int) slot & Integer.MAX_VALUE;
        if ((int) INT.get(arena, off + 12) == len
            && ByteWordCounts.sameBytes(arena, off + HEADER, b, from, len)) {
          LONG.set(arena, off, (long) LONG.get(arena, off) + count);
          return;
        }
      }
      idx = (idx + 1) & mask;
    }
  }

  private void insert(byte[] b, int from, int len, int hash, long count, int idx) {
    int off = used;
    long need = (long) off + HEADER + len + Shard.SLACK;
    if (need > arena.length) {
      // Grows by half, not double: the old and the new arena are both live while copying.
      arena =
          ByteWordCounts.grown(arena, need, arena.length * 3L / 2, "a counting stage's vocabulary");
    }
    Shard.putHeader(arena, off, count, hash, len);
    System.arraycopy(b, from, arena, off + HEADER, len);
    used = off + HEADER + len;
    slots[idx] = ByteWordCounts.slot(hash, off);
    if (++size * 2 > slots.length) {
      grow();
    }
  }

  private void grow() {
    slots = ByteWordCounts.rehashed(slots);
    mask = slots.length - 1;
  }

  /** {@return how many words (occurrences) were added} */
  public long words() {
    settle();
    return base == null ? words : words + base.words(partition) + addedToBase;
  }

  /** {@return how many distinct words this stage holds} */
  public int distinct() {
    settle();
    return size - moved + others.size() + (base == null ? 0 : base.distinct(partition));
  }

  /**
   * Moves this table's words that the base holds into the base (their entries here keep count 0),
   * so each word has one count. Run when the counts are first read after a merge: all shards and
   * tables are in by then (a counting stage reads its counts at the end of its input), and a word's
   * shard and its base table can come in any order.
   */
  private void settle() {
    if (settled) {
      return;
    }
    settled = true;
    if (base == null) {
      return;
    }
    byte[] a = arena;
    for (int off = 0; off < used; ) {
      long count = (long) LONG.get(a, off);
      int len = (int) INT.get(a, off + 12);
      if (count != 0 && base.addIfPresent(a, off + HEADER, len, (int) INT.get(a, off + 8), count)) {
        LONG.set(a, off, 0L);
        moved++; // its count is the base's now: the sum of words() does not change
      }
      off += HEADER + len;
    }
  }

  /**
   * Gives the words whose count {@code admits} accepts, decoded, with their counts, in no
   * particular order: only those words are decoded (the top N of {@code flowstage wordcount} asks
   * for the few that can still enter it).
   *
   * @param admits whether a word of this count is wanted
   * @param action receives each wanted word and its count
   */
  public void forEach(LongPredicate admits, ObjLongConsumer<String> action) {
    settle();
    byte[] a = arena;
    for (int off = 0; off < used; ) {
      long count = (long) LONG.get(a, off);
      int len = (int) INT.get(a, off + 12);
      if (count != 0 && admits.test(count)) {
        action.accept(new String(a, off + HEADER, len, StandardCharsets.ISO_8859_1), count);
      }
      off += HEADER + len;
    }
    if (base != null) {
      base.forEach(partition, admits, action);
    }
    others.forEach(
        (word, count) -> {
          if (admits.test(count)) {
            action.accept((String) word, count);
          }
        });
  }

  /**
   * Returns one {@link KeyCount} per word, in no particular order: what {@code Flow.frequencies()}
   * emits at the end of its input (fresh entries, which later merging does not change).
   *
   * @return the entries
   */
  public List<KeyCount<String>> entries() {
    List<KeyCount<String>> out = new ArrayList<>(distinct());
    forEach(count -> true, (word, count) -> out.add(new KeyCount<>(word, count)));
    return out;
  }
}
