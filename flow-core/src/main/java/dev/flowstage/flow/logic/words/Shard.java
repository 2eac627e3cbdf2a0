package dev.flowstage.flow.logic.words;

import dev.flowstage.flow.logic.CountTable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.ObjLongConsumer;

/**
 * Partial counts of one reading stage for one counting stage, the event that crosses the partition
 * on the byte path of a word count ({@code flowstage wordcount}, and {@code Flow}'s fused file word
 * count). Immutable once built.
 *
 * <p>A word has exactly one form, so the counting stage never has to match one form against the
 * other: a word of ASCII characters only travels as its bytes, packed into {@code ascii} with its
 * byte hash ({@link ByteWordCounts#hash}), and is never decoded unless it reaches the top N or
 * {@code --output}; any other word travels as a {@code String}. ASCII bytes are the same characters
 * in every charset the byte path reads, and a word with any other byte decodes to at least one
 * non-ASCII character (a replacement character for malformed input), so the two sets never meet.
 * The partition of an ASCII word comes from its byte hash, of any other word from its {@code
 * String} hash ({@link #partitionOf(String, int)} for both).
 *
 * <p>At the end of its input a reading stage of the byte path hands its table over whole instead
 * ({@link #table()}, {@link ByteWordCounts#drainLast}): each counting stage gets a shard with the
 * same table, whose ASCII words of its partition are its own, and its other words as {@code
 * String}s.
 *
 * @param partition the counting stage these words belong to, in {@code [0, stages)}
 * @param ascii the ASCII words, one entry each: count (8 bytes), hash (4), length (4), the bytes;
 *     followed by {@link #SLACK} bytes so eight-byte reads stay inside the array
 * @param asciiWords how many entries {@code ascii} holds
 * @param words the other distinct words
 * @param counts how often each of {@code words} occurred, same index
 * @param occurrences the sum of the counts of {@code ascii} and {@code words} (not of {@code
 *     table})
 * @param table a reading stage's table handed over at the end of its input, whose ASCII words of
 *     this shard's partition belong to it too, or {@code null}
 */
public record Shard(
    int partition,
    byte[] ascii,
    int asciiWords,
    String[] words,
    long[] counts,
    long occurrences,
    FrozenCounts table) {

  static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  /** Bytes of an {@code ascii} entry before the word: count, hash and length. */
  static final int ENTRY = 16;

  /** Room after the packed words, for eight-byte reads. */
  static final int SLACK = 16;

  private static final long HIGHS = 0x8080_8080_8080_8080L;

  /** {@return how many distinct words this shard holds itself (not counting its table's)} */
  public int size() {
    return asciiWords + words.length;
  }

  /**
   * Gives every word of this shard, decoded, with its count, its table's words of its partition
   * included (for tests and checks).
   *
   * @param action receives each word and its count
   */
  public void forEach(ObjLongConsumer<String> action) {
    if (table != null) {
      table.forEach(partition, count -> true, action);
    }
    for (int i = 0, off = 0; i < asciiWords; i++) {
      int len = (int) INT.get(ascii, off + 12);
      action.accept(
          new String(ascii, off + ENTRY, len, StandardCharsets.ISO_8859_1),
          (long) LONG.get(ascii, off));
      off += ENTRY + len;
    }
    for (int i = 0; i < words.length; i++) {
      action.accept(words[i], counts[i]);
    }
  }

  /**
   * The counting stage of an ASCII word with byte hash {@code hash} (the hash's high bits).
   *
   * @param hash the word's byte hash
   * @param partitions how many counting stages
   * @return its stage, in {@code [0, partitions)}
   */
  public static int partitionOf(int hash, int partitions) {
    return (int) (((hash & 0xffff_ffffL) * partitions) >>> 32);
  }

  /**
   * The counting stage of {@code word}: the same for every reading stage, every flush and both
   * forms a word can travel in, so each word is counted by exactly one stage.
   *
   * @param word the word
   * @param partitions how many counting stages
   * @return its stage, in {@code [0, partitions)}
   */
  public static int partitionOf(String word, int partitions) {
    byte[] bytes = asciiBytes(word);
    if (bytes != null) {
      return partitionOf(ByteWordCounts.hash(bytes, 0, word.length()), partitions);
    }
    // The high bits of the counting table's own mix; it indexes its slots by the low bits.
    int mixed = CountTable.spread(word.hashCode());
    return (int) (((mixed & 0xffff_ffffL) * partitions) >>> 32);
  }

  /** The bytes of an all-ASCII word, with {@link #SLACK} zero bytes after them; null otherwise. */
  private static byte[] asciiBytes(String word) {
    int n = word.length();
    byte[] b = new byte[n + SLACK];
    for (int i = 0; i < n; i++) {
      char c = word.charAt(i);
      if (c >= 0x80) {
        return null;
      }
      b[i] = (byte) c;
    }
    return b;
  }

  /**
   * Writes an entry's header at {@code off}: count, hash and length, the layout of {@code ascii}
   * (and of a counting stage's table, {@link ShardCounts}); the word's bytes follow it.
   */
  static void putHeader(byte[] a, int off, long count, int hash, int len) {
    LONG.set(a, off, count);
    INT.set(a, off + 8, hash);
    INT.set(a, off + 12, len);
  }

  /** Whether the eight bytes of {@code block} are all ASCII. */
  static boolean isAscii(long block) {
    return (block & HIGHS) == 0;
  }

  /** Whether {@code b[from, from + len)} is all ASCII. */
  static boolean isAscii(byte[] b, int from, int len) {
    int j = 0;
    long or = 0;
    for (; j + 8 <= len; j += 8) {
      or |= (long) LONG.get(b, from + j);
    }
    for (; j < len; j++) {
      or |= b[from + j] & 0xff;
    }
    return isAscii(or);
  }

  /**
   * The partition of a shard, for the hash of the partition its words cross: a shard is built for
   * one counting stage.
   *
   * @param shard a {@link Shard}
   * @return its {@link #partition()}
   */
  public static int partitionOfShard(Object shard) {
    return ((Shard) shard).partition();
  }

  /** Collects the shards of one drain, one per counting stage, choosing each word's form. */
  public static final class Builders {
    private final Builder[] builders;

    /**
     * Builders for {@code partitions} shards, each sized for {@code expected} words.
     *
     * @param partitions how many counting stages
     * @param expected how many words each shard is sized for at first
     */
    public Builders(int partitions, int expected) {
      builders = new Builder[partitions];
      for (int p = 0; p < partitions; p++) {
        builders[p] = new Builder(p, expected);
      }
    }

    /**
     * Adds a word given as a {@code String}: ASCII ones are packed as bytes.
     *
     * @param word the word
     * @param count how often it occurred
     */
    public void add(String word, long count) {
      byte[] bytes = asciiBytes(word);
      if (bytes == null) {
        builders[partitionOf(word, builders.length)].add(word, count);
      } else {
        addAscii(bytes, 0, word.length(), ByteWordCounts.hash(bytes, 0, word.length()), count);
      }
    }

    /** Adds an ASCII word given as bytes with its byte hash. */
    void addAscii(byte[] b, int from, int len, int hash, long count) {
      builders[partitionOf(hash, builders.length)].addAscii(b, from, len, hash, count);
    }

    /**
     * Adds an ASCII word of at most 16 bytes given as two little-endian blocks, zero past its
     * length ({@code rest} is 0 for a word of at most 8), with its byte hash: two stores instead of
     * a copy through a buffer.
     */
    void addAscii(long first, long rest, int len, int hash, long count) {
      builders[partitionOf(hash, builders.length)].addAscii(first, rest, len, hash, count);
    }

    /** {@return the non-empty shards, in partition order} */
    public java.util.List<Shard> build() {
      java.util.List<Shard> shards = new java.util.ArrayList<>(builders.length);
      for (Builder b : builders) {
        if (b.size() > 0) {
          shards.add(b.build(null));
        }
      }
      return shards;
    }

    /** {@return one shard per partition, empty or not, each handing over {@code table}} */
    java.util.List<Shard> buildAll(FrozenCounts table) {
      java.util.List<Shard> shards = new java.util.ArrayList<>(builders.length);
      for (Builder b : builders) {
        shards.add(b.build(table));
      }
      return shards;
    }
  }

  /** Collects one shard's words. */
  static final class Builder {
    private final int partition;
    private byte[] ascii;
    private int used;
    private int asciiWords;
    private String[] words;
    private long[] counts;
    private int size;
    private long occurrences;

    Builder(int partition, int capacity) {
      this.partition = partition;
      this.ascii = new byte[capacity * 32 + SLACK]; // an entry is 16 bytes and the word
      this.words = new String[4];
      this.counts = new long[4];
    }

    int size() {
      return asciiWords + size;
    }

    void add(String word, long count) {
      if (size == words.length) {
        words = Arrays.copyOf(words, size * 2);
        counts = Arrays.copyOf(counts, size * 2);
      }
      words[size] = word;
      counts[size] = count;
      size++;
      occurrences += count;
    }

    void addAscii(byte[] b, int from, int len, int hash, long count) {
      int at = entry(len, hash, count);
      System.arraycopy(b, from, ascii, at, len);
    }

    void addAscii(long first, long rest, int len, int hash, long count) {
      int at = entry(len, hash, count);
      // SLACK (16) after the word leaves room for both blocks whatever the length.
      LONG.set(ascii, at, first);
      LONG.set(ascii, at + 8, rest);
    }

    /**
     * Appends the header of an entry for a word of {@code len} bytes, growing the array if need be.
     *
     * @return the offset its bytes go to
     */
    private int entry(int len, int hash, long count) {
      long need = (long) used + ENTRY + len + SLACK;
      if (need > ascii.length) {
        ascii =
            ByteWordCounts.grown(ascii, need, 2L * ascii.length, "a shard of " + need + " bytes");
      }
      putHeader(ascii, used, count, hash, len);
      int at = used + ENTRY;
      used = at + len;
      asciiWords++;
      occurrences += count;
      return at;
    }

    Shard build(FrozenCounts table) {
      return new Shard(
          partition,
          ascii, // not copied: the entries are read by count, and the slack is always there
          asciiWords,
          Arrays.copyOf(words, size),
          Arrays.copyOf(counts, size),
          occurrences,
          table);
    }
  }
}
