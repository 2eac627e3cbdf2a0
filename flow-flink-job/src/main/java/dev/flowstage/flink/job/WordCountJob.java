package dev.flowstage.flink.job;

import dev.flowstage.flow.Flow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word count over files, directories or file-system URIs, as a Flink job: {@code flink run -c
 * dev.flowstage.flink.job.WordCountJob flowstage-flink-job.jar --input s3://bucket/books/ --output
 * s3://bucket/counts/}. Writes one {@code word<TAB>count} line per distinct word.
 */
public final class WordCountJob {
  private WordCountJob() {}

  /**
   * Runs the job.
   *
   * @param args see {@link JobArgs}
   * @throws Exception if the job fails
   */
  public static void main(String[] args) throws Exception {
    JobArgs a = JobArgs.parse("WordCountJob", args);
    Jobs.run("flowstage word count", a, (lines, x) -> wordCount(lines, x.stages()));
  }

  /**
   * The word count flow over {@code lines}: words split on whitespace, counted per partition
   * (pre-reduced upstream), one {@code word<TAB>count} line per word.
   *
   * @param lines the input lines
   * @param stages the partitions
   * @return the counts as lines
   */
  public static Flow<String> wordCount(Flow<String> lines, int stages) {
    return lines
        .flatMap(WordCountJob::words)
        .partition(o -> o.stages(stages))
        .reduce(HashMap<String, Long>::new, WordCountJob::add, WordCountJob::merge)
        .flatMap(WordCountJob::toLines);
  }

  private static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    for (String w : line.split("\\s+")) {
      if (!w.isEmpty()) {
        words.add(w);
      }
    }
    return words;
  }

  private static HashMap<String, Long> add(HashMap<String, Long> counts, String word) {
    counts.merge(word, 1L, Long::sum);
    return counts;
  }

  private static HashMap<String, Long> merge(HashMap<String, Long> a, HashMap<String, Long> b) {
    b.forEach((w, n) -> a.merge(w, n, Long::sum));
    return a;
  }

  private static List<String> toLines(Map<String, Long> counts) {
    List<String> out = new ArrayList<>(counts.size());
    counts.forEach((w, n) -> out.add(w + "\t" + n));
    return out;
  }
}
