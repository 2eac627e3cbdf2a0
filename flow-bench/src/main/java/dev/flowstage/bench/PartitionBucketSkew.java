package dev.flowstage.bench;

import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.dispatch.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Shows how the partition dispatcher's default hash interacts with {@code java.util.HashMap}:
 * routes 500 000 random short words through {@link Dispatchers#partition(int)} (the real
 * dispatcher, so the real hash) and reports, for the words of partition 0, how many buckets of a
 * {@code HashMap} holding them can be used, and the mean and longest chain. The bucket index is
 * {@code HashMap}'s documented one, {@code (h ^ (h >>> 16)) & (table - 1)}, at the default load
 * factor 0.75.
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.PartitionBucketSkew
 * }
 */
public final class PartitionBucketSkew {
  private PartitionBucketSkew() {}

  /** A subscription of our own: only its options matter to the dispatcher. */
  private record Sub(SubscriptionOptions options) implements Subscription {}

  /**
   * Prints one line per partition count (1, 2, 4, 8).
   *
   * @param args none
   */
  public static void main(String[] args) {
    SplittableRandom random = new SplittableRandom(1);
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 500_000; i++) {
      StringBuilder sb = new StringBuilder();
      int length = 3 + random.nextInt(8);
      for (int k = 0; k < length; k++) {
        sb.append((char) ('a' + random.nextInt(26)));
      }
      words.add(sb.toString());
    }
    for (int partitions : new int[] {1, 2, 4, 8}) {
      List<String> first = partitionZero(words, partitions);
      int n = first.size();
      int table = Integer.highestOneBit((int) Math.ceil(n / 0.75) - 1) << 1;
      int[] bins = new int[table];
      for (String w : first) {
        int h = w.hashCode();
        bins[(h ^ (h >>> 16)) & (table - 1)]++;
      }
      int used = 0;
      int longest = 0;
      int treeified = 0;
      for (int b : bins) {
        used += b > 0 ? 1 : 0;
        longest = Math.max(longest, b);
        treeified += b >= 8 ? 1 : 0;
      }
      System.out.printf(
          Locale.ROOT,
          "partitions=%d  keys in partition 0=%d  table=%d  buckets used=%.1f%%  mean chain=%.2f"
              + "  longest=%d  bins with 8+ keys=%d%n",
          partitions,
          n,
          table,
          100.0 * used / table,
          (double) n / used,
          longest,
          treeified);
    }
  }

  private static List<String> partitionZero(List<String> words, int partitions) {
    Dispatcher<String> dispatcher = Dispatchers.partition(partitions);
    List<String> zero = new ArrayList<>();
    Subscription[] subs = new Subscription[partitions];
    Outbox<String> outbox =
        new Outbox<>() {
          @Override
          public void send(Subscription to, List<String> events) {
            if (to == subs[0]) {
              zero.addAll(events);
            }
          }

          @Override
          public void askUpstream(long demand) {}

          @Override
          public void info(Object message) {}
        };
    for (int p = 0; p < partitions; p++) {
      subs[p] = new Sub(SubscriptionOptions.builder().partition(p).build());
      dispatcher.subscribe(subs[p], outbox);
      dispatcher.ask(subs[p], words.size(), outbox);
    }
    List<String> left = dispatcher.dispatch(words, outbox);
    if (!left.isEmpty()) {
      throw new IllegalStateException(left.size() + " words were not routed");
    }
    return zero;
  }
}
