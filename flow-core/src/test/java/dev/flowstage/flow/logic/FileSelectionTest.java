package dev.flowstage.flow.logic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.FileOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
