package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.flow.KeyCount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class TopWordsTest {
  @TempDir Path dir;

  @Test
  void topWords_matchesAStreamCount() throws IOException {
    Random random = new Random(15);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      text.append("w").append(random.nextInt(300)).append(i % 9 == 0 ? "\n" : "  ");
    }
    Path a = Files.writeString(dir.resolve("a.txt"), text);
    Path b = Files.writeString(dir.resolve("b.txt"), "w1 w1 w2\n\n w3\n");
    Map<String, Long> counts =
        Files.readAllLines(a).stream()
            .flatMap(l -> Arrays.stream(l.split(" ")))
            .filter(w -> !w.isEmpty())
            .collect(Collectors.groupingBy(w -> w, Collectors.counting()));
    List.of("w1", "w1", "w2", "w3").forEach(w -> counts.merge(w, 1L, Long::sum));
    List<KeyCount<String>> expected =
        counts.entrySet().stream()
            .map(e -> new KeyCount<>(e.getKey(), e.getValue()))
            .sorted(KeyCount.byCountDescending())
            .limit(10)
            .toList();
    assertEquals(expected, TopWords.topWords(List.of(a, b), 10));
  }
}
