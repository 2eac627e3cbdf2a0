package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.logic.FileSelection;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's {@code FileSystem} seen through {@link FlinkFileTree} is walked by flow-core's one walk
 * with the local rules: the same folder walked through {@code java.nio} and through Flink's view of
 * it (its {@code file:} URI, and a non-local {@code fakefs:} file system) gives the same files,
 * sizes, order, skips and errors.
 */
final class FlinkFileTreeTest {
  @TempDir java.nio.file.Path dir;

  private static final List<FileOptions> OPTIONS =
      List.of(
          FileOptions.defaults(),
          FileOptions.defaults().includeHidden(false),
          FileOptions.defaults().includeHidden(false).globs("*.log"));

  /** Names whose order tells a whole-path, code-point sort from any other. */
  private void tree() throws IOException {
    for (String name :
        List.of(
            "a/n.log",
            "a-b/m.log",
            "a.log",
            "b.txt",
            ".hidden.log",
            ".git/x.log",
            "sub/deeper/c.log",
            "sub/d.txt",
            "\u00e9.log",
            "\ue000.log",
            "\ud834\udd1e.log")) { // U+1D11E: after U+E000 by code point, before it by char
      java.nio.file.Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, name + "\n".repeat(name.length()));
    }
    Files.createDirectories(dir.resolve("empty"));
  }

  private static final FileSystem LOCAL_FLINK = FileSystem.getLocalFileSystem();

  @Test
  void fileUriView_walksAsJavaNio_sameFilesSizesOrderAndSkips() throws IOException {
    tree();
    for (FileOptions options : OPTIONS) {
      FileSelection selection = new FileSelection(options);
      List<String> nioSkipped = new ArrayList<>();
      List<String> nio = new ArrayList<>();
      for (FileSelection.Listed<java.nio.file.Path> f :
          selection.walk(
              FileSelection.LOCAL, dir, (p, why) -> nioSkipped.add(why + " " + p.toString()))) {
        nio.add(f.path() + " " + f.size());
      }
      List<String> flinkSkipped = new ArrayList<>();
      List<String> flink = new ArrayList<>();
      for (FileSelection.Listed<Path> f :
          selection.walk(
              new FlinkFileTree(LOCAL_FLINK),
              new Path(dir.toUri()),
              (p, why) -> flinkSkipped.add(why + " " + FlinkInput.named(p)))) {
        flink.add(FlinkInput.named(f.path()) + " " + f.size());
      }
      assertEquals(nio, flink, options.toString());
      nioSkipped.sort(null);
      flinkSkipped.sort(null);
      assertEquals(nioSkipped, flinkSkipped, options.toString());
    }
    List<String> all = new ArrayList<>();
    for (java.nio.file.Path p : new FileSelection(FileOptions.defaults()).walk(dir, (p, w) -> {})) {
      all.add(dir.relativize(p).toString());
    }
    assertEquals(
        List.of(
            ".git/x.log",
            ".hidden.log",
            "a-b/m.log",
            "a.log",
            "a/n.log",
            "b.txt",
            "sub/d.txt",
            "sub/deeper/c.log",
            "\u00e9.log",
            "\ue000.log",
            "\ud834\udd1e.log"),
        all);
  }

  @Test
  void fileUriView_failsAsJavaNio_forAMissingFolderAndAFile() throws IOException {
    tree();
    FileSelection selection = new FileSelection(FileOptions.defaults());
    FlinkFileTree flink = new FlinkFileTree(LOCAL_FLINK);
    for (String name : List.of("missing", "a.log")) {
      java.nio.file.Path p = dir.resolve(name);
      IOException nio = assertThrows(IOException.class, walk(selection, FileSelection.LOCAL, p));
      IOException viaFlink =
          assertThrows(IOException.class, walk(selection, flink, new Path(p.toUri())));
      assertEquals(
          name.equals("missing") ? NoSuchFileException.class : NotDirectoryException.class,
          nio.getClass());
      assertEquals(nio.getClass(), viaFlink.getClass(), name);
      assertEquals(p.toString(), nio.getMessage());
      assertEquals(nio.getMessage(), viaFlink.getMessage(), name);
    }
  }

  private static <P> Executable walk(FileSelection selection, FileSelection.Tree<P> tree, P p) {
    return () -> selection.walk(tree, p, (skipped, why) -> {});
  }

  /** A non-local file system (registered for tests under {@code fakefs:}) lists as locally. */
  @Test
  void nonLocalFileSystem_listsTheLocalWalksFiles_andFailsForAMissingPath() throws Exception {
    tree();
    for (FileOptions options : OPTIONS) {
      List<String> local = new ArrayList<>();
      for (FileSelection.Listed<java.nio.file.Path> f :
          new FileSelection(options).walkSized(dir, (p, why) -> {})) {
        local.add(f.path() + " " + f.size());
      }
      List<String> fake = new ArrayList<>();
      for (Tuple2<String, Long> f :
          new FlinkInput.Files(List.of(FakeFileSystem.uri(dir)), options).listed()) {
        assertTrue(f.f0.startsWith(FakeFileSystem.SCHEME + ":/"), f.f0);
        fake.add(URI.create(f.f0).getPath() + " " + f.f1);
      }
      assertEquals(local, fake, options.toString());
    }
    // A named file is read whatever the globs say, as locally.
    java.nio.file.Path named = dir.resolve("b.txt");
    assertEquals(
        List.of(Tuple2.of(FakeFileSystem.uri(named), Files.size(named))),
        new FlinkInput.Files(
                List.of(FakeFileSystem.uri(named)), FileOptions.defaults().globs("*.log"))
            .listed());
    // Read on Flink through the fake file system: the local source's lines.
    List<String> lines =
        FlinkFlowsTest.onFlink(FlinkFlows.fromFiles(List.of(FakeFileSystem.uri(dir))));
    List<String> expected = Flow.fromFiles(dir).toList();
    assertEquals(FlinkFlowsTest.multiset(expected), FlinkFlowsTest.multiset(lines));

    String missing = FakeFileSystem.uri(dir.resolve("missing"));
    FlowException e =
        assertThrows(
            FlowException.class,
            () -> new FlinkInput.Files(List.of(missing), FileOptions.defaults()).listed());
    assertEquals("fromFiles", e.stage());
    NoSuchFileException cause = assertInstanceOf(NoSuchFileException.class, e.getCause());
    assertEquals(new Path(missing).toString(), cause.getMessage());
  }
}
