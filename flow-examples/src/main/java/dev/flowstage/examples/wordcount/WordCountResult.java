package dev.flowstage.examples.wordcount;

import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.stage.StageStats;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a word count.
 *
 * @param files how many inputs were counted (the sample text and standard input count as one each)
 * @param bytes bytes read
 * @param lines lines read (a last line without a terminator counts)
 * @param words words found
 * @param distinct distinct words
 * @param malformed malformed byte sequences replaced by U+FFFD
 * @param top the most frequent words, by count descending, then word ascending
 * @param elapsed wall-clock time of the count
 * @param stages the counters of each stage of the flow (see {@link StageStats})
 * @param stageGroups what each group of stages does, by group id (the prefix of a stage's name
 *     before the dot, e.g. {@code g1} for {@code g1.0}); from the flow's graph
 * @param graph the stage graph that ran, or {@code null} when none is known (with {@code --output})
 * @param statistics the flow's final statistics (for {@code --report}), or {@code null} with {@code
 *     --output}
 */
public record WordCountResult(
    long files,
    long bytes,
    long lines,
    long words,
    long distinct,
    long malformed,
    List<WordFrequency> top,
    Duration elapsed,
    List<StageStats> stages,
    Map<String, String> stageGroups,
    FlowGraph graph,
    FlowStatistics statistics) {

  /** Copies the lists and the map. */
  public WordCountResult {
    top = List.copyOf(top);
    stages = List.copyOf(stages);
    stageGroups = Map.copyOf(stageGroups);
  }

  /**
   * Returns what the group of the named stage does, e.g. {@code map-reduce x2: reduce, onTrigger}.
   *
   * @param stageName a stage name from {@link #stages()}
   * @return the group's label, or an empty string if unknown
   */
  public String groupOf(String stageName) {
    int dot = stageName.indexOf('.');
    return stageGroups.getOrDefault(dot < 0 ? stageName : stageName.substring(0, dot), "");
  }

  /**
   * A word and how often it occurs.
   *
   * @param word the word
   * @param count its occurrences
   */
  public record WordFrequency(String word, long count) {
    /** Most frequent first; equal counts by word, ascending, so the order is deterministic. */
    public static final Comparator<WordFrequency> BY_COUNT_THEN_WORD =
        Comparator.comparingLong(WordFrequency::count)
            .reversed()
            .thenComparing(WordFrequency::word);
  }
}
