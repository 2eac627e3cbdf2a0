package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.examples.wordcount.Input;
import dev.flowstage.flow.Flow;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI walks a directory with the file source's rules ({@code FileSelection}): for every hidden
 * and glob option, {@code wordcount} counts exactly the files {@code Flow.fromFiles} reads from the
 * same folder, in the same order, and counts the hidden ones it left out.
 */
final class WalkRulesTest {
  @TempDir Path dir;

  /** Writes a file whose one line is its path under the walked root, to tell files apart. */
  private void file(Path root, String name) throws IOException {
    Path p = root.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, name + "\n");
  }

  /**
   * A hidden root (given explicitly, so walked), hidden files and folders at two depths, a folder
   * whose name matches the globs and one that is hidden and matches them, and links to a file and
   * to a folder, which neither side follows.
   */
  private Path tree() throws IOException {
    Path root = dir.resolve(".root");
    for (String name :
        List.of(
            "a.log",
            "b.txt",
            "c",
            ".hidden.log",
            ".git/objects/x.log",
            "sub/e.log",
            "sub/f.txt",
            "sub/.g.log",
            "sub/.h/i.log",
            "dir.log/j.txt",
            "dir.log/k.log",
            ".dot.log/l.log",
            "a-b/m.log",
            "a/n.log")) {
      file(root, name);
    }
    Files.createSymbolicLink(root.resolve("link.log"), root.resolve("a.log"));
    Files.createSymbolicLink(root.resolve("linkdir"), root.resolve("sub"));
    return root;
  }

  /** The walked files the CLI counts, as paths under {@code root}, in its order. */
  private static List<String> cli(Path root, boolean hidden, List<String> globs, long[] skipped) {
    InputResolver.Selection selection =
        new InputResolver.Selection(hidden, false, globs, null, false);
    try {
      InputResolver.Resolved r =
          InputResolver.resolve(
              List.of(root.toString()), new ByteArrayInputStream(new byte[0]), selection);
      skipped[0] = r.hidden();
      assertEquals(0, r.binary());
      List<String> names = new ArrayList<>();
      for (Input input : r.inputs()) {
        names.add(root.relativize(((Input.FileInput) input).path()).toString());
      }
      return names;
    } catch (InputResolver.BadInputException e) {
      assertTrue(e.getMessage().startsWith("nothing to count: "), e.getMessage());
      skipped[0] = -1;
      return List.of();
    }
  }

  /** The lines {@code Flow.fromFiles} reads from {@code root}, one per file, in path order. */
  private static List<String> flow(Path root, boolean hidden, List<String> globs) {
    List<String> lines =
        new ArrayList<>(
            Flow.fromFiles(
                    List.of(root),
                    o -> o,
                    f -> f.includeHidden(hidden).globs(globs.toArray(String[]::new)))
                .toList());
    lines.sort(null);
    return lines;
  }

  @Test
  void cliAndFileSource_readTheSameFiles_forEveryHiddenAndGlobOption() throws IOException {
    Path root = tree();
    List<List<String>> globSets =
        List.of(
            List.of(),
            List.of("*.log"),
            List.of("*.log", "*.txt"),
            List.of("?"),
            List.of("*.md"),
            List.of("{a,b}*"));
    for (boolean hidden : new boolean[] {false, true}) {
      for (List<String> globs : globSets) {
        long[] skipped = {0};
        List<String> cli = cli(root, hidden, globs, skipped);
        String what = "hidden=" + hidden + " globs=" + globs;
        assertEquals(flow(root, hidden, globs), cli, what);
        if (skipped[0] >= 0) {
          // .hidden.log, .git, .dot.log, sub/.g.log, sub/.h: a folder once, not what is in it.
          assertEquals(hidden ? 0 : 5, skipped[0], what);
        }
      }
    }
    // The fixed points the comparison rests on: without filters every regular file is read (the
    // links are not), and hidden names are left out whatever the globs say.
    assertEquals(
        List.of(
            ".dot.log/l.log",
            ".git/objects/x.log",
            ".hidden.log",
            "a-b/m.log",
            "a.log",
            "a/n.log",
            "b.txt",
            "c",
            "dir.log/j.txt",
            "dir.log/k.log",
            "sub/.g.log",
            "sub/.h/i.log",
            "sub/e.log",
            "sub/f.txt"),
        cli(root, true, List.of(), new long[1]));
    assertEquals(
        List.of("a-b/m.log", "a.log", "a/n.log", "dir.log/k.log", "sub/e.log"),
        cli(root, false, List.of("*.log"), new long[1]));
  }

  @Test
  void aFolderGivenAsALink_isWalked_byTheCliAndTheFileSource() throws IOException {
    Path root = tree();
    Path link = Files.createSymbolicLink(dir.resolve("logs"), root);
    long[] skipped = {0};
    List<String> cli = cli(link, false, List.of("*.log"), skipped);
    assertEquals(List.of("a-b/m.log", "a.log", "a/n.log", "dir.log/k.log", "sub/e.log"), cli);
    assertEquals(5, skipped[0]);
    assertEquals(flow(link, false, List.of("*.log")), cli);
  }

  @Test
  void badGlob_isTheFileSourcesCheck_inTheClisWords() {
    String parser =
        assertThrows(
                IllegalArgumentException.class,
                () -> FileSystems.getDefault().getPathMatcher("glob:a[b"))
            .getMessage();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new InputResolver.Selection(false, false, List.of("*.log", "a[b"), null, false));
    assertEquals("bad --glob 'a[b': " + parser + " (try '*.log')", e.getMessage());
  }

  /**
   * A big folder: the files keep their path order, binary files are skipped and counted, and of two
   * bad files the first in path order is the one reported.
   */
  @Test
  void bigFolder_looksInOrder_andReportsTheFirstBadFileInPathOrder(@TempDir Path root)
      throws Exception {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      String name = String.format("f%04d.txt", i);
      if (i % 100 == 7) {
        Files.write(root.resolve(name), new byte[] {'a', 0, 'b'}); // binary: skipped
      } else {
        Files.writeString(root.resolve(name), "word " + i + "\n");
        expected.add(name);
      }
    }
    InputResolver.Selection all = new InputResolver.Selection(false, false, List.of(), null, false);
    InputResolver.Resolved r =
        InputResolver.resolve(List.of(root.toString()), new ByteArrayInputStream(new byte[0]), all);
    List<String> names = new ArrayList<>();
    for (Input input : r.inputs()) {
      names.add(root.relativize(((Input.FileInput) input).path()).toString());
    }
    assertEquals(expected, names);
    assertEquals(7, r.binary());
    Files.writeString(root.resolve("f0600.gz"), "not gzip");
    Files.writeString(root.resolve("f0300.gz"), "not gzip either");
    InputResolver.BadInputException e =
        assertThrows(
            InputResolver.BadInputException.class,
            () ->
                InputResolver.resolve(
                    List.of(root.toString()), new ByteArrayInputStream(new byte[0]), all));
    assertTrue(e.getMessage().contains("f0300.gz"), e.getMessage());
  }
}
