package dev.flowstage.flink.job;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Window;
import java.io.Serializable;
import java.util.TreeMap;

/**
 * A windowed job: lines {@code <key> <value>} of one input file, partitioned by key into {@code
 * --stages} partitions, summed per key in count windows of {@code --pane} events per partition.
 * Writes one line per pane: the partition's sums, as a sorted map. With one input file each
 * partition sees its events in file order on both runtimes, so the panes are the same.
 */
public final class WindowedSumJob {
  private WindowedSumJob() {}

  /**
   * One reading.
   *
   * @param key the key
   * @param value the value
   */
  public record Reading(String key, long value) implements Serializable {}

  /**
   * Runs the job.
   *
   * @param args see {@link JobArgs}
   * @throws Exception if the job fails
   */
  public static void main(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("WindowedSumJob", args);
    Jobs.run("flowstage windowed sums", a, (lines, x) -> sums(lines, x.stages(), x.pane()));
  }

  /**
   * The windowed flow over {@code lines}.
   *
   * @param lines lines {@code <key> <value>}; blank lines are skipped
   * @param stages the partitions
   * @param pane events per pane
   * @return one line per pane
   */
  public static Flow<String> sums(Flow<String> lines, int stages, int pane) {
    return lines
        .filter(l -> !l.isBlank())
        .map(WindowedSumJob::parse)
        .partition(o -> o.stages(stages).<Reading>key(Reading::key).window(Window.count(pane)))
        .reduce(TreeMap<String, Long>::new, WindowedSumJob::add)
        .map(TreeMap::toString);
  }

  private static Reading parse(String line) {
    String[] f = line.trim().split("\\s+");
    if (f.length != 2) {
      throw new IllegalArgumentException("expected '<key> <value>', got: " + line);
    }
    return new Reading(f[0], Long.parseLong(f[1]));
  }

  private static TreeMap<String, Long> add(TreeMap<String, Long> sums, Reading r) {
    sums.merge(r.key(), r.value(), Long::sum);
    return sums;
  }
}
