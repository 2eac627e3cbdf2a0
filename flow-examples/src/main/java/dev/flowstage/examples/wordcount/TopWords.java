package dev.flowstage.examples.wordcount;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.Tokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * The word count as a Flow user writes it first: read files, cut lines into words with Flow's
 * {@link Tokenizer}, count each word ({@link Flow#frequencies()}), keep the top N. Flow partitions
 * by word and pre-counts in the reading stages by itself, and the local engine runs this plan on
 * the byte path ({@code graph()} shows it); this is the README's example.
 */
public final class TopWords {
  private TopWords() {}

  /**
   * Returns the {@code n} most frequent space-separated words of the files, highest count first
   * (ties by word).
   *
   * @param files the files (or directories) to read
   * @param n how many words to keep, at least 1
   * @return at most {@code n} words and their counts
   */
  public static List<KeyCount<String>> topWords(List<Path> files, int n) {
    // snippet-start: readme-countby
    return Flow.fromFiles(files.toArray(Path[]::new))
        .flatMap(Tokenizer.SPACE) // split on ' ', empty strings dropped
        .frequencies() // one KeyCount per word: countBy(word -> word)
        .takeSort(n, KeyCount.byCountDescending())
        .toList()
        .get(0);
    // snippet-end: readme-countby
  }
}
