package dev.flowstage.examples.wordcount;

import it.unimi.dsi.fastutil.objects.Object2LongMap;
import it.unimi.dsi.fastutil.objects.Object2LongMaps;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The reduce state of one counting stage of {@code flowstage wordcount}: adds up the {@link Shard}s
 * the reading stages send. ASCII words stay bytes, in an open-addressing table over a byte arena,
 * so merging a shard makes no object and hashes nothing (the shard carries each word's hash), and
 * the garbage collector has only two primitive arrays to look at however many words are held; other
 * words go to a {@code String}-keyed map. A word is decoded only if it reaches the top N, or for
 * {@code --output}. Confined to its stage's thread.
 */
final class ShardCounts {
  private static final VarHandle LONG = Shard.LONG;
  private static final VarHandle INT = Shard.INT;

  /** Bytes per arena entry before the word: its count (8) and length (4), as the reading side's. */
  private static final int HEADER = ByteWordCounts.HEADER;

  /** Hash << 32 | 1 << 31 | arena offset; 0 is empty. */
  private long[] slots = new long[64];

  private int mask = 63;
  private int size;
  private byte[] arena = new byte[4096];
  private int used;
  private final Object2LongOpenHashMap<String> others = new Object2LongOpenHashMap<>();
  private long words;

  /** Creates empty counts. */
  ShardCounts() {}

  /**
   * Adds a reading stage's partial counts; the reducer of the counting layer.
   *
   * @param shard words this partition owns, with their counts
   * @return this
   */
  ShardCounts merge(Shard shard) {
    byte[] d = shard.ascii();
    int n = shard.asciiWords();
    if (size == 0 && n > slots.length / 2) {
      // One table for the first shard instead of a dozen rehashes.
      int capacity = Integer.highestOneBit(n) << 2;
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
    String[] w = shard.words();
    long[] c = shard.counts();
    for (int i = 0; i < w.length; i++) {
      others.addTo(w[i], c[i]);
    }
    words += shard.occurrences();
    return this;
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
        if ((int) INT.get(arena, off + 8) == len
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
    used = ByteWordCounts.putEntry(arena, off, count, b, from, len);
    slots[idx] = ByteWordCounts.slot(hash, off);
    if (++size * 2 > slots.length) {
      grow();
    }
  }

  private void grow() {
    slots = ByteWordCounts.rehashed(slots);
    mask = slots.length - 1;
  }

  /**
   * Summarizes this partition: its word and distinct counts and its {@code top} most frequent
   * words, decoding only the words that enter the top list when offered. The global top N is among
   * the partitions' local top N, since each word lives in exactly one partition.
   *
   * @param top how many words to keep
   * @return the summary
   */
  Totals totals(int top) {
    Totals totals = new Totals(top);
    totals.words = words;
    totals.distinct = size + others.size();
    byte[] a = arena;
    for (int off = 0; off < used; ) {
      long count = (long) LONG.get(a, off);
      int len = (int) INT.get(a, off + 8);
      if (totals.admits(count)) {
        totals.offer(new String(a, off + HEADER, len, StandardCharsets.ISO_8859_1), count);
      }
      off += HEADER + len;
    }
    for (Object2LongMap.Entry<String> e : Object2LongMaps.fastIterable(others)) {
      totals.offer(e.getKey(), e.getLongValue());
    }
    return totals;
  }

  /**
   * Every word of this partition with its count, in no particular order, for {@code --output}.
   *
   * @return the rows
   */
  List<WordCountResult.WordFrequency> rows() {
    List<WordCountResult.WordFrequency> rows = new ArrayList<>(size + others.size());
    byte[] a = arena;
    for (int off = 0; off < used; ) {
      long count = (long) LONG.get(a, off);
      int len = (int) INT.get(a, off + 8);
      rows.add(
          new WordCountResult.WordFrequency(
              new String(a, off + HEADER, len, StandardCharsets.ISO_8859_1), count));
      off += HEADER + len;
    }
    for (Object2LongMap.Entry<String> e : Object2LongMaps.fastIterable(others)) {
      rows.add(new WordCountResult.WordFrequency(e.getKey(), e.getLongValue()));
    }
    return rows;
  }
}
