package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.flow.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class WordCountExampleTest {

  @Test
  void run_matchesASequentialCountOfTheSameText() throws IOException {
    StringWriter text = new StringWriter();
    Totals totals = WordCountExample.run(new PrintWriter(text, true));

    Map<String, Long> oracle = new HashMap<>();
    try (LineSource source = SampleText.ofLines(20_000).lines(n -> {})) {
      for (String line = source.nextLine(); line != null; line = source.nextLine()) {
        for (String w : Tokenizer.WORDS.tokens(line)) {
          oracle.merge(w, 1L, Long::sum);
        }
      }
    }
    List<WordFrequency> expected =
        oracle.entrySet().stream()
            .map(e -> new WordFrequency(e.getKey(), e.getValue()))
            .sorted(WordFrequency.BY_COUNT_THEN_WORD)
            .limit(5)
            .toList();
    assertEquals(expected, totals.top());
    assertEquals(oracle.size(), totals.distinct());
    assertEquals(oracle.values().stream().mapToLong(Long::longValue).sum(), totals.words());
    assertTrue(text.toString().contains("Every stage has ended"), text.toString());
  }
}
