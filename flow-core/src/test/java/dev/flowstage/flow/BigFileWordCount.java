package dev.flowstage.flow;

import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Word count over one file, run by {@link FlowFilesTest} in a forked JVM with a heap smaller than
 * the file. Prints {@code total distinct} on one line.
 */
public final class BigFileWordCount {
  private BigFileWordCount() {}

  /**
   * Counts the words of the file given as the only argument.
   *
   * @param args the file path
   */
  public static void main(String[] args) {
    Map<String, Long> counts = wordCount(List.of(Path.of(args[0])));
    long total = counts.values().stream().mapToLong(Long::longValue).sum();
    System.out.println(total + " " + counts.size());
  }

  static Map<String, Long> wordCount(List<Path> paths) {
    return Flow.fromFiles(paths, o -> o.splitBytes(4L << 20))
        .flatMap(line -> Arrays.asList(line.split(" ")))
        .filter(w -> !w.isEmpty())
        .partition()
        .reduce(
            Object2LongOpenHashMap<String>::new,
            (m, w) -> {
              m.addTo(w, 1);
              return m;
            })
        .departition(
            HashMap<String, Long>::new,
            (all, m) -> {
              m.object2LongEntrySet()
                  .forEach(e -> all.merge(e.getKey(), e.getLongValue(), Long::sum));
              return all;
            },
            all -> all)
        .toList()
        .get(0);
  }
}
