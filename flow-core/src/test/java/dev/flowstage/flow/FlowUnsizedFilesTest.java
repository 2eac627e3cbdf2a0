package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files listed at size 0 ({@code logic.FileSelection.readsToEnd}): the files of {@code /proc}
 * report 0 and still have lines, which a split by size used to drop (the flow read nothing and said
 * nothing); an empty file still gives nothing. {@code /proc/version} and {@code /proc/filesystems}
 * do not change while the test runs; where they are missing or sized (not Linux), the cases that
 * need them are skipped.
 */
final class FlowUnsizedFilesTest {
  @TempDir Path dir;

  private static Path unsized(String name) throws IOException {
    Path p = Path.of(name);
    assumeTrue(Files.isRegularFile(p) && Files.size(p) == 0, name + " is not a file listed at 0");
    assumeTrue(!Files.readString(p).isEmpty(), name + " is empty");
    return p;
  }

  private static Map<String, Long> oracle(String text) {
    return Arrays.stream(text.split("[ \n]"))
        .filter(w -> !w.isEmpty())
        .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
  }

  @Test
  void fromFiles_aProcFileListedAtZero_readsEveryLine() throws IOException {
    Path version = unsized("/proc/version");
    List<String> lines = Flow.fromFiles(version).toList();
    assertEquals(Files.readAllLines(version), lines);
    assertFalse(lines.isEmpty());
  }

  @Test
  void frequencies_procFilesBesideARegularOne_countEveryWord() throws IOException {
    Path filesystems = unsized("/proc/filesystems");
    Path version = unsized("/proc/version");
    Path regular = Files.writeString(dir.resolve("a.txt"), "nodev ext4 nodev\nmore words\n");
    String all =
        Files.readString(filesystems)
            + "\n"
            + Files.readString(version)
            + "\n"
            + Files.readString(regular);
    Map<String, Long> expected = oracle(all.replace('\t', ' '));
    // Tabs are no delimiter of the space tokenizer: map them so both sides cut the same words.
    Map<String, Long> counted =
        Flow.fromFiles(filesystems, version, regular)
            .map(line -> line.replace('\t', ' '))
            .flatMap(Tokenizer.SPACE)
            .frequencies()
            .toList()
            .stream()
            .collect(Collectors.toMap(KeyCount::key, KeyCount::count, Long::sum, TreeMap::new));
    assertEquals(expected, counted);
    // The fused file word count (the byte path: fromFiles, a tokenizer, frequencies) reads them
    // to their end as well.
    Map<String, Long> fused =
        Flow.fromFiles(version, regular).flatMap(Tokenizer.SPACE).frequencies().toList().stream()
            .collect(Collectors.toMap(KeyCount::key, KeyCount::count, Long::sum, TreeMap::new));
    assertEquals(oracle(Files.readString(version) + "\n" + Files.readString(regular)), fused);
  }

  @Test
  void fromFiles_emptyFilesBesideOthers_giveNothing() throws IOException {
    Files.createFile(dir.resolve("empty.txt"));
    Files.createFile(dir.resolve("empty.gz"));
    Files.writeString(dir.resolve("b.txt"), "one two\nthree\n");
    assertEquals(List.of("one two", "three"), Flow.fromFiles(dir).toList());
    assertEquals(
        Map.of("one", 1L, "two", 1L, "three", 1L),
        Flow.fromFiles(dir).flatMap(Tokenizer.SPACE).frequencies().toList().stream()
            .collect(Collectors.toMap(KeyCount::key, KeyCount::count)));
  }
}
