package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Fifos;
import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.logic.FileSelection;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's file source lists the files of a folder as the local one does: same files, same order.
 */
final class FlinkFileListingTest {
  @TempDir Path dir;

  @Test
  void folder_listsTheLocalWalksFiles_inWholePathOrder() throws IOException {
    for (String name :
        List.of(
            "a/n.log", "a-b/m.log", "a.log", "b.txt", ".hidden.log", ".git/x.log", "sub/c.log")) {
      Path p = dir.resolve(name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, name + "\n");
    }
    for (FileOptions options :
        List.of(
            FileOptions.defaults(),
            FileOptions.defaults().includeHidden(false),
            FileOptions.defaults().includeHidden(false).globs("*.log"))) {
      List<String> local = new ArrayList<>();
      for (Path p : new FileSelection(options).walk(dir, (skipped, why) -> {})) {
        local.add(p.toString());
      }
      List<String> flink = new ArrayList<>();
      for (String uri : new FlinkInput.Files(List.of(dir.toString()), options).files()) {
        flink.add(URI.create(uri).getPath());
      }
      assertEquals(local, flink, options.toString());
    }
    // Whole-path order, not folder by folder: '-' and '.' sort before '/'.
    List<String> names = new ArrayList<>();
    for (String uri :
        new FlinkInput.Files(List.of(dir.toString()), FileOptions.defaults()).files()) {
      names.add(dir.relativize(Path.of(URI.create(uri).getPath())).toString());
    }
    assertEquals(
        List.of(".git/x.log", ".hidden.log", "a-b/m.log", "a.log", "a/n.log", "b.txt", "sub/c.log"),
        names);
  }

  /**
   * Links and pipes inside a folder are skipped on Flink as locally (the same walk), so a link
   * cycle ends instead of recursing; a named pipe is read whole on Flink as locally.
   */
  @Test
  void linksAndPipes_listedAsLocally_aNamedPipeReadWhole() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("logs"));
    Files.writeString(folder.resolve("a.log"), "a\n");
    Path outside = Files.writeString(dir.resolve("outside.log"), "outside\n");
    Files.createSymbolicLink(folder.resolve("link.log"), outside);
    Files.createSymbolicLink(folder.resolve("loop"), folder); // a cycle through a link
    Fifos fifos = new Fifos(dir);
    Path inside = fifos.make("logs/inside.pipe", new byte[0]); // neither engine opens it
    List<String> local = new ArrayList<>();
    for (Path p : new FileSelection(FileOptions.defaults()).walk(folder, (skipped, why) -> {})) {
      local.add(p.toString());
    }
    List<String> flink = new ArrayList<>();
    for (String uri :
        new FlinkInput.Files(List.of(folder.toString()), FileOptions.defaults()).files()) {
      flink.add(URI.create(uri).getPath());
    }
    assertEquals(List.of(folder.resolve("a.log").toString()), local);
    assertEquals(local, flink);
    // Following links: the linked file is read on both, the cycle skipped on both.
    FileOptions follow = FileOptions.defaults().followLinks(true);
    List<String> localFollowed = new ArrayList<>();
    for (Path p : new FileSelection(follow).walk(folder, (skipped, why) -> {})) {
      localFollowed.add(p.toString());
    }
    List<String> flinkFollowed = new ArrayList<>();
    for (String uri : new FlinkInput.Files(List.of(folder.toString()), follow).files()) {
      flinkFollowed.add(URI.create(uri).getPath());
    }
    assertEquals(
        List.of(folder.resolve("a.log").toString(), folder.resolve("link.log").toString()),
        localFollowed);
    assertEquals(localFollowed, flinkFollowed);

    Files.newInputStream(inside).close(); // lets its writer finish

    byte[] text = "one two\nthree\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Path pipe = fifos.make("named.pipe", text);
    assertEquals(List.of("one two", "three"), FlinkFlowsTest.onFlink(Flow.fromFiles(pipe)));
    fifos.awaitWriters();
  }

  /** A missing file fails both engines alike: a FlowException for fromFiles, naming the file. */
  @Test
  void missingFile_failsAsLocally_aFlowExceptionNamingIt() {
    Path missing = dir.resolve("missing.txt");
    Flow<String> flow = Flow.fromFiles(missing).map(l -> l);
    FlowException local = assertThrows(FlowException.class, flow::toList);
    FlowException flink = assertThrows(FlowException.class, () -> FlinkFlowsTest.onFlink(flow));
    for (FlowException e : List.of(local, flink)) {
      assertEquals("fromFiles", e.stage());
      assertInstanceOf(IOException.class, e.getCause());
      assertTrue(e.getMessage().contains("missing.txt"), e.getMessage());
    }
  }

  /**
   * A file that grew after it was listed gives the lines that start before its listed size, as the
   * local source's ranges read it (a line being written when listed is read whole); a file listed
   * at size 0 (a {@code /proc} file) is read to its end.
   */
  @Test
  void readLines_fileLongerThanListed_givesTheLinesItHadWhenListed() throws IOException {
    Path file = dir.resolve("growing.log");
    Files.writeString(file, "a b\nc\nd e\n");
    FlinkInput.ReadLines read = new FlinkInput.ReadLines("UTF-8", FileOptions.defaults());
    for (long listed : new long[] {4, 3, 5, 6, 10, 0, -1}) {
      List<Object> lines = new ArrayList<>();
      read.read(file.toUri().toString(), listed, into(lines));
      List<Object> expected =
          listed <= 0
              ? List.of("a b", "c", "d e")
              : listed <= 4
                  ? List.of("a b")
                  : listed <= 6 ? List.of("a b", "c") : List.of("a b", "c", "d e");
      assertEquals(expected, lines, "listed at " + listed);
    }
  }

  /** The listing gives each file's size, and a file that ends before it fails its reader. */
  @Test
  void readLines_fileShorterThanListed_failsNamingIt() throws IOException {
    Path file = dir.resolve("cut.log");
    Files.writeString(file, "a b\nc\n");
    List<org.apache.flink.api.java.tuple.Tuple2<String, Long>> listed =
        new FlinkInput.Files(List.of(file.toString()), FileOptions.defaults()).listed();
    assertEquals(1, listed.size());
    assertEquals(Files.size(file), listed.get(0).f1);
    FlinkInput.ReadLines read = new FlinkInput.ReadLines("UTF-8", FileOptions.defaults());
    List<Object> lines = new ArrayList<>();
    org.apache.flink.util.Collector<Object> out = into(lines);
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                read.flatMap(
                    org.apache.flink.api.java.tuple.Tuple2.of(listed.get(0).f0, 99L), out));
    assertTrue(
        e.getMessage().contains("cut.log: the file shrank while being read"), e.getMessage());
    assertEquals(List.of("a b", "c"), lines);
  }

  /** A Flink collector that adds what it is given to {@code lines}. */
  private static org.apache.flink.util.Collector<Object> into(List<Object> lines) {
    return new org.apache.flink.util.Collector<>() {
      @Override
      public void collect(Object line) {
        lines.add(line);
      }

      @Override
      public void close() {}
    };
  }
}
