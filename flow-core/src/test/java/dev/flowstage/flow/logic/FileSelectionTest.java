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

    List<String> skipped = new ArrayList<>();
    assertEquals(
        List.of(link.resolve("a.log"), link.resolve("sub/b.log")),
        selection.walk(link, (p, why) -> skipped.add(why + " " + dir.relativize(p))));
    skipped.sort(null);
    assertEquals(
        List.of(
            "HIDDEN link/.cache", "HIDDEN link/.h.log", "LINK link/a-link.log", "LINK link/inner"),
        skipped);
    // The same folder walked by its own name: the same files, named under it.
    assertEquals(
        List.of(real.resolve("a.log"), real.resolve("sub/b.log")),
        selection.walk(real, (p, why) -> {}));
  }

  @Test
  void walk_withFollowLinks_readsLinkedFilesAndFolders_skipsLoopsAndBrokenLinks_sayingWhy(
      @TempDir Path dir) throws IOException {
    Path logs = Files.createDirectories(dir.resolve("logs"));
    Path archive = Files.createDirectories(dir.resolve("archive"));
    Files.writeString(logs.resolve("app.log"), "a\n");
    Files.writeString(archive.resolve("old.log"), "o\n");
    Files.createSymbolicLink(logs.resolve("current.log"), logs.resolve("app.log"));
    Files.createSymbolicLink(logs.resolve("archive"), archive); // walked, named under the link
    Files.createSymbolicLink(logs.resolve("up"), logs); // back to a folder that holds it
    Files.createSymbolicLink(logs.resolve("gone.log"), dir.resolve("missing.log"));
    Files.createSymbolicLink(logs.resolve(".hidden-link"), archive);

    List<String> skipped = new ArrayList<>();
    FileSelection follow =
        new FileSelection(FileOptions.defaults().includeHidden(false).followLinks(true));
    assertEquals(
        List.of(
            logs.resolve("app.log"), logs.resolve("archive/old.log"), logs.resolve("current.log")),
        follow.walk(logs, (p, why) -> skipped.add(why + " " + logs.relativize(p))));
    skipped.sort(null);
    assertEquals(List.of("BROKEN_LINK gone.log", "HIDDEN .hidden-link", "LOOP up"), skipped);

    // Not following: every link skipped as a link, nothing read twice.
    skipped.clear();
    FileSelection plain = new FileSelection(FileOptions.defaults());
    assertEquals(
        List.of(logs.resolve("app.log")),
        plain.walk(logs, (p, why) -> skipped.add(why + " " + logs.relativize(p))));
    skipped.sort(null);
    assertEquals(
        List.of(
            "LINK .hidden-link", "LINK archive", "LINK current.log", "LINK gone.log", "LINK up"),
        skipped);
  }

  @Test
  void walk_skipsAPipeInsideAFolder_asSpecial(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.log"), "a\n");
    Path fifo = dir.resolve("pipe");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(mkfifo.waitFor() == 0, "mkfifo unavailable");
    List<String> skipped = new ArrayList<>();
    assertEquals(
        List.of(dir.resolve("a.log")),
        new FileSelection(FileOptions.defaults())
            .walk(dir, (p, why) -> skipped.add(why + " " + dir.relativize(p))));
    assertEquals(List.of("SPECIAL pipe"), skipped);
  }

  @Test
  void walk_ofAMissingPathOrAFile_failsNamingIt_andAHiddenLinkIsHiddenBeforeALoop(@TempDir Path dir)
      throws IOException {
    FileSelection selection =
        new FileSelection(FileOptions.defaults().includeHidden(false).followLinks(true));
    Path missing = dir.resolve("missing");
    java.nio.file.NoSuchFileException gone =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.nio.file.NoSuchFileException.class, () -> selection.walk(missing, (p, w) -> {}));
    assertEquals(missing.toString(), gone.getMessage());
    Path file = Files.writeString(dir.resolve("a.log"), "a\n");
    java.nio.file.NotDirectoryException notFolder =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.nio.file.NotDirectoryException.class, () -> selection.walk(file, (p, w) -> {}));
    assertEquals(file.toString(), notFolder.getMessage());

    // One rule for every kind of entry: a hidden name is skipped as hidden, even a loop.
    Files.createSymbolicLink(dir.resolve(".up"), dir);
    Files.createSymbolicLink(dir.resolve("up"), dir);
    List<String> skipped = new ArrayList<>();
    assertEquals(
        List.of(file), selection.walk(dir, (p, why) -> skipped.add(why + " " + dir.relativize(p))));
    skipped.sort(null);
    assertEquals(List.of("HIDDEN .up", "LOOP up"), skipped);
  }

  @Test
  void byCodePoint_sortsAsUtf8Bytes_notAsChars() {
    String privateUse = "\ue000";
    String clef = "\ud834\udd1e"; // U+1D11E
    assertTrue(privateUse.compareTo(clef) > 0, "String order puts the clef first");
    assertTrue(FileSelection.byCodePoint(privateUse, clef) < 0);
    assertTrue(FileSelection.byCodePoint("a-b/m.log", "a/n.log") < 0);
    assertTrue(FileSelection.byCodePoint("a", "a/b") < 0);
    assertEquals(0, FileSelection.byCodePoint(clef, clef));
  }
}
