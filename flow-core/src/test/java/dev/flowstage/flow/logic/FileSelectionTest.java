package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.FileOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which walked names {@link FileSelection} reads, and why it skips the others. */
class FileSelectionTest {
  private static final List<String> NAMES =
      List.of("a.log", "b.txt", ".hidden.log", ".git", ".", "..", "", "x.log.gz", "log");

  @Test
  void hidden_isANameStartingWithADot_andOnlyWhenHiddenNamesAreLeftOut() {
    FileSelection skip = new FileSelection(FileOptions.defaults().includeHidden(false));
    for (String name : NAMES) {
      boolean dot = name.startsWith(".");
      assertEquals(dot, skip.skipsAsHidden(name), name);
      assertEquals(!dot, skip.walksInto(name), name);
      assertEquals(!dot, skip.reads(name), name);
    }
    FileSelection keep = new FileSelection(FileOptions.defaults());
    for (String name : NAMES) {
      assertFalse(keep.skipsAsHidden(name), name);
      assertTrue(keep.walksInto(name), name);
      assertTrue(keep.reads(name), name);
    }
  }

  @Test
  void globs_chooseFilesByName_notFolders_andAHiddenNameIsSkippedAsHiddenFirst() {
    FileSelection logs =
        new FileSelection(FileOptions.defaults().includeHidden(false).globs("*.log", "*.gz"));
    assertTrue(logs.reads("a.log"));
    assertTrue(logs.reads("x.log.gz"));
    assertFalse(logs.reads("b.txt"));
    assertFalse(logs.skipsAsHidden("b.txt"), "a glob miss is not a hidden skip");
    assertFalse(logs.reads(".hidden.log"));
    assertTrue(logs.skipsAsHidden(".hidden.log"), "hidden even though the glob matches");
    assertTrue(logs.walksInto("b.txt"), "globs do not choose folders");
    assertFalse(logs.walksInto(".git"));
    FileSelection all =
        new FileSelection(FileOptions.defaults().includeHidden(true).globs("*.log"));
    assertTrue(all.reads(".hidden.log"));
    assertFalse(all.reads(".git"));
  }

  @Test
  void walk_followsAFolderGivenAsALink_namesWhatItFindsUnderTheLink_andNotLinksInside(
      @TempDir Path dir) throws IOException {
    Path real = dir.resolve("real");
    Files.createDirectories(real.resolve("sub"));
    Files.createDirectories(real.resolve(".cache"));
    Files.writeString(real.resolve("a.log"), "a\n");
    Files.writeString(real.resolve("sub/b.log"), "b\n");
    Files.writeString(real.resolve(".h.log"), "h\n");
    Files.writeString(real.resolve(".cache/c.log"), "c\n");
    Files.createSymbolicLink(real.resolve("inner"), real.resolve("sub")); // not followed
    Files.createSymbolicLink(real.resolve("a-link.log"), real.resolve("a.log")); // not read
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    FileSelection selection = new FileSelection(FileOptions.defaults().includeHidden(false));

    List<Path> skipped = new ArrayList<>();
    assertEquals(
        List.of(link.resolve("a.log"), link.resolve("sub/b.log")),
        selection.walk(link, skipped::add));
    skipped.sort(null);
    assertEquals(List.of(link.resolve(".cache"), link.resolve(".h.log")), skipped);
    // The same folder walked by its own name: the same files, named under it.
    assertEquals(
        List.of(real.resolve("a.log"), real.resolve("sub/b.log")), selection.walk(real, p -> {}));
  }
}
