package dev.flowstage.flow.logic.words;

import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.ObjLongConsumer;

/**
 * A reading stage's word table at the end of its input, handed to the counting stages whole ({@link
 * ByteWordCounts#drainLast}) instead of drained into shards: the drain (a pass packing every word
 * into a shard) and the counting stage's copy of it were the end of a word count, paid at every
 * stage count (each reading stage holds about the whole vocabulary), so they weighed most on a run
 * with more stages. Holds only ASCII words (the reading stage sends the others on as {@code
 * String}s, see {@link Shard}), in the reading stage's own layout: words of up to 8 and 16 bytes in
 * the slots, longer ones in an arena.
 *
 * <p>Every counting stage gets the same table ({@link Shard#table()}) and owns the words of its
 * partition ({@link Shard#partitionOf(int, int)} of the word's byte hash), which the table lists
 * per partition: the reading stage sorts its words by partition in the one pass it makes over its
 * table at the end (for the words that are not ASCII), so a counting stage visits only its own
 * words. The first table a stage gets is its base, to whose words the stage adds the counts of its
 * later tables and shards in place ({@link #addIfPresent}); a word the base lacks goes to the
 * stage's own table ({@link ShardCounts}). The stages sharing a table need no lock: a stage writes
 * only the counts of its own words, and reads another stage's entries only while probing past them,
 * for what no stage changes (whether the slot is taken, the key, the length: bits a count update
 * leaves as they were, so even a torn read of a slot being updated answers the same).
 */
public final class FrozenCounts {
  private static final VarHandle LONG = Shard.LONG;
  private static final VarHandle INT = Shard.INT;

  private final long[] shortTable;
  private final int shortMask;
  private final long[] mediumTable;
  private final int mediumMask;
  private final long[] slots;
  private final int mask;
  private final byte[] arena;

  /** Per partition: where its words are (short and medium slot indexes, arena offsets). */
  private final Refs[] shortRefs;

  private final Refs[] mediumRefs;
  private final Refs[] longRefs;

  /** Per partition: how often its words occurred, as handed over. */
  private final long[] words;

  /** Receives a word that is not ASCII, by its bytes: the reading stage decodes it. */
  @FunctionalInterface
  interface Other {
    /** Takes the word {@code b[from, from + len)} (the array may be reused after the call). */
    void accept(byte[] b, int from, int len, long count);
  }

  /**
   * Takes over a reading stage's arrays, which are no longer its own: lists its ASCII words per
   * partition and gives the others to {@code others} (they stay in the arrays, listed nowhere: a
   * word that is not ASCII is never looked up by its bytes).
   */
  FrozenCounts(
      long[] shortTable,
      int shortWords,
      long[] mediumTable,
      int mediumWords,
      long[] slots,
      int longWords,
      byte[] arena,
      int used,
      int partitions,
      Other others) {
    this.shortTable = shortTable;
    this.shortMask = shortTable.length / 2 - 1;
    this.mediumTable = mediumTable;
    this.mediumMask = mediumTable.length / 3 - 1;
    this.slots = slots;
    this.mask = slots.length - 1;
    this.arena = arena;
    this.words = new long[partitions];
    this.shortRefs = Refs.of(partitions, shortWords);
    this.mediumRefs = Refs.of(partitions, mediumWords);
    this.longRefs = Refs.of(partitions, longWords);
    // Three loops in three methods: they run once, at the end of the input, mostly before the JIT
    // compiled them; a method of its own each is compiled on its own, sooner and cheaper.
    listShort(partitions, others);
    listMedium(partitions, others);
    listLong(used, partitions, others);
  }

  private void listShort(int partitions, Other others) {
    byte[] word = new byte[16 + Shard.SLACK];
    long[] st = shortTable;
    for (int j = 0; j < st.length; j += 2) {
      long v = st[j + 1];
      if (v == 0) {
        continue;
      }
      int len = (int) (v & 15);
      long key = st[j];
      if (Shard.isAscii(key)) {
        int p =
            partitions == 1 ? 0 : Shard.partitionOf(ByteWordCounts.shortHash(key, len), partitions);
        shortRefs[p].add(j);
        words[p] += v >>> 4;
      } else {
        LONG.set(word, 0, key);
        others.accept(word, 0, len, v >>> 4);
      }
    }
  }

  private void listMedium(int partitions, Other others) {
    byte[] word = new byte[16 + Shard.SLACK];
    long[] mt = mediumTable;
    for (int j = 0; j < mt.length; j += 3) {
      long v = mt[j + 2];
      if (v == 0) {
        continue;
      }
      int len = (int) (v & 31);
      if (Shard.isAscii(mt[j] | mt[j + 1])) {
        int p =
            partitions == 1
                ? 0
                : Shard.partitionOf(ByteWordCounts.mediumHash(mt[j], mt[j + 1], len), partitions);
        mediumRefs[p].add(j);
        words[p] += v >>> 5;
      } else {
        LONG.set(word, 0, mt[j]);
        LONG.set(word, 8, mt[j + 1]);
        others.accept(word, 0, len, v >>> 5);
      }
    }
  }

  private void listLong(int used, int partitions, Other others) {
    for (int off = 0; off < used; ) {
      int len = (int) INT.get(arena, off + 8);
      int from = off + ByteWordCounts.HEADER;
      long count = (long) LONG.get(arena, off);
      if (Shard.isAscii(arena, from, len)) {
        int p =
            partitions == 1
                ? 0
                : Shard.partitionOf(ByteWordCounts.hash(arena, from, len), partitions);
        longRefs[p].add(off);
        words[p] += count;
      } else {
        others.accept(arena, from, len, count);
      }
      off = from + len;
    }
  }

  /** {@return how often the words of {@code partition} occurred, as handed over} */
  long words(int partition) {
    return words[partition];
  }

  /** {@return how many words of {@code partition} this table holds} */
  int distinct(int partition) {
    return shortRefs[partition].size + mediumRefs[partition].size + longRefs[partition].size;
  }

  /**
   * Adds {@code count} to the word {@code b[from, from + len)} if this table holds it; {@code b}
   * has eight readable bytes after the word. Called only by the counting stage owning the word.
   *
   * @return whether the table holds the word (false: nothing changed)
   */
  boolean addIfPresent(byte[] b, int from, int len, int hash, long count) {
    if (len <= 8) {
      return addShort((long) LONG.get(b, from) & (-1L >>> (64 - 8 * len)), len, hash, count);
    }
    if (len <= 16) {
      long first = (long) LONG.get(b, from);
      long rest = (long) LONG.get(b, from + 8) & (-1L >>> (64 - 8 * (len - 8)));
      return addMedium(first, rest, len, hash, count);
    }
    return addLong(b, from, len, hash, count);
  }

  // The probes below repeat the reading stage's (ByteWordCounts.addShort, addMedium, add) without
  // the insert: one shared probe for both, tried, cost the reading stages' hot loop 1.6% (11
  // alternating runs, one core, 256 MiB), so the tuned loop keeps its own.

  private boolean addShort(long key, int len, int hash, long count) {
    long[] st = shortTable;
    int j = hash & shortMask;
    while (true) {
      long v = st[(j << 1) + 1];
      if (v == 0) {
        return false;
      }
      if (st[j << 1] == key && (v & 15) == len) {
        st[(j << 1) + 1] = v + (count << 4);
        return true;
      }
      j = (j + 1) & shortMask;
    }
  }

  private boolean addMedium(long key, long key2, int len, int hash, long count) {
    long[] mt = mediumTable;
    int j = hash & mediumMask;
    while (true) {
      int at = j * 3;
      long v = mt[at + 2];
      if (v == 0) {
        return false;
      }
      if (mt[at] == key && mt[at + 1] == key2 && (v & 31) == len) {
        mt[at + 2] = v + (count << 5);
        return true;
      }
      j = (j + 1) & mediumMask;
    }
  }

  private boolean addLong(byte[] b, int from, int len, int hash, long count) {
    long[] t = slots;
    int idx = hash & mask;
    while (true) {
      long slot = t[idx];
      if (slot == 0) {
        return false;
      }
      if ((int) (slot >>> 32) == hash) {
        int off = (int) slot & Integer.MAX_VALUE;
        if ((int) INT.get(arena, off + 8) == len
            && ByteWordCounts.sameBytes(arena, off + ByteWordCounts.HEADER, b, from, len)) {
          LONG.set(arena, off, (long) LONG.get(arena, off) + count);
          return true;
        }
      }
      idx = (idx + 1) & mask;
    }
  }

  /** How many words of a later table are looked up in the base together ({@link #addTo}). */
  private static final int BATCH = 32;

  /**
   * Adds this table's words of {@code partition} to {@code base}'s counts where it holds them, and
   * to {@code beside} where it does not: a counting stage's merge of a later table. The base is far
   * larger than the cache and its words are met at random, so the short and medium words are looked
   * up a batch at a time, their slots touched first: the loads are independent, so their cache
   * misses overlap (as {@link ShardCounts#merge} does for a shard).
   *
   * @return how much was added to {@code base}
   */
  long addTo(FrozenCounts base, int partition, ShardCounts beside) {
    long added = 0;
    byte[] word = new byte[16 + Shard.SLACK];
    long[] keys = new long[BATCH];
    long[] keys2 = new long[BATCH];
    long[] values = new long[BATCH];
    int[] hashes = new int[BATCH];
    long touched = 0;
    long[] st = shortTable;
    long[] bst = base.shortTable;
    int bsm = base.shortMask;
    Refs refs = shortRefs[partition];
    for (int i = 0; i < refs.size; i += BATCH) {
      int n = Math.min(BATCH, refs.size - i);
      for (int k = 0; k < n; k++) {
        int j = refs.at[i + k];
        long v = st[j + 1];
        long key = st[j];
        int hash = ByteWordCounts.shortHash(key, (int) (v & 15));
        keys[k] = key;
        values[k] = v;
        hashes[k] = hash;
        touched += bst[((hash & bsm) << 1) + 1];
      }
      for (int k = 0; k < n; k++) {
        long v = values[k];
        int len = (int) (v & 15);
        if (base.addShort(keys[k], len, hashes[k], v >>> 4)) {
          added += v >>> 4;
        } else {
          LONG.set(word, 0, keys[k]);
          beside.addAbsent(word, 0, len, hashes[k], v >>> 4);
        }
      }
    }
    long[] mt = mediumTable;
    long[] bmt = base.mediumTable;
    int bmm = base.mediumMask;
    refs = mediumRefs[partition];
    for (int i = 0; i < refs.size; i += BATCH) {
      int n = Math.min(BATCH, refs.size - i);
      for (int k = 0; k < n; k++) {
        int j = refs.at[i + k];
        long v = mt[j + 2];
        int hash = ByteWordCounts.mediumHash(mt[j], mt[j + 1], (int) (v & 31));
        keys[k] = mt[j];
        keys2[k] = mt[j + 1];
        values[k] = v;
        hashes[k] = hash;
        touched += bmt[(hash & bmm) * 3 + 2];
      }
      for (int k = 0; k < n; k++) {
        long v = values[k];
        int len = (int) (v & 31);
        if (base.addMedium(keys[k], keys2[k], len, hashes[k], v >>> 5)) {
          added += v >>> 5;
        } else {
          LONG.set(word, 0, keys[k]);
          LONG.set(word, 8, keys2[k]);
          beside.addAbsent(word, 0, len, hashes[k], v >>> 5);
        }
      }
    }
    beside.keep(touched);
    byte[] a = arena;
    refs = longRefs[partition];
    for (int i = 0; i < refs.size; i++) {
      int off = refs.at[i];
      long count = (long) LONG.get(a, off);
      int len = (int) INT.get(a, off + 8);
      int from = off + ByteWordCounts.HEADER;
      int hash = ByteWordCounts.hash(a, from, len);
      if (base.addLong(a, from, len, hash, count)) {
        added += count;
      } else {
        beside.addAbsent(a, from, len, hash, count);
      }
    }
    return added;
  }

  /**
   * Gives every word of {@code partition} whose count {@code admits} accepts.
   *
   * @param partition the counting stage whose words are wanted
   * @param admits whether a word of this count is wanted (asked before anything else is read)
   * @param action receives each wanted word (ASCII, so decoded byte for byte) and its count
   */
  void forEach(
      int partition, java.util.function.LongPredicate admits, ObjLongConsumer<String> action) {
    // One method for the three loops, unlike the listing: measured, three methods made a counting
    // stage's merge of a second table slower (31-57 ms against 19-27 ms, 256 MiB, 2 stages).
    byte[] word = new byte[16 + Shard.SLACK];
    long[] st = shortTable;
    Refs refs = shortRefs[partition];
    for (int i = 0; i < refs.size; i++) {
      int j = refs.at[i];
      long v = st[j + 1];
      long count = v >>> 4;
      if (admits.test(count)) {
        LONG.set(word, 0, st[j]);
        action.accept(new String(word, 0, (int) (v & 15), StandardCharsets.ISO_8859_1), count);
      }
    }
    long[] mt = mediumTable;
    refs = mediumRefs[partition];
    for (int i = 0; i < refs.size; i++) {
      int j = refs.at[i];
      long v = mt[j + 2];
      long count = v >>> 5;
      if (admits.test(count)) {
        LONG.set(word, 0, mt[j]);
        LONG.set(word, 8, mt[j + 1]);
        action.accept(new String(word, 0, (int) (v & 31), StandardCharsets.ISO_8859_1), count);
      }
    }
    byte[] a = arena;
    refs = longRefs[partition];
    for (int i = 0; i < refs.size; i++) {
      int off = refs.at[i];
      long count = (long) LONG.get(a, off);
      if (admits.test(count)) {
        int len = (int) INT.get(a, off + 8);
        action.accept(
            new String(a, off + ByteWordCounts.HEADER, len, StandardCharsets.ISO_8859_1), count);
      }
    }
  }

  /** A growing list of ints: where one partition's words of one kind are. */
  private static final class Refs {
    int[] at;
    int size;

    Refs(int capacity) {
      at = new int[capacity];
    }

    /** Lists for {@code partitions} partitions, sized for an even share of {@code words}. */
    static Refs[] of(int partitions, int words) {
      Refs[] refs = new Refs[partitions];
      int share = words / partitions + words / (8 * partitions) + 16;
      for (int p = 0; p < partitions; p++) {
        refs[p] = new Refs(partitions == 1 ? words + 1 : share);
      }
      return refs;
    }

    void add(int ref) {
      if (size == at.length) {
        at = Arrays.copyOf(at, size + (size >> 1) + 16);
      }
      at[size++] = ref;
    }
  }
}
