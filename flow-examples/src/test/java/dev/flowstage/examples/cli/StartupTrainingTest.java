package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class StartupTrainingTest {
  /**
   * The training run scripts/flowstage records its start-up cache from: every command it runs must
   * succeed (a renamed option would otherwise leave users without the cache), and the generated
   * text is removed.
   */
  @Test
  void train_everyCommandSucceeds_andTheTextIsRemoved() throws IOException {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    List<Path> before = trainingDirs(tmp);

    assertEquals(0, StartupTraining.train(2_000));

    assertEquals(before, trainingDirs(tmp));
  }

  private static List<Path> trainingDirs(Path tmp) throws IOException {
    try (var dirs = Files.list(tmp)) {
      return dirs.filter(p -> p.getFileName().toString().startsWith("flowstage-training"))
          .sorted()
          .toList();
    }
  }
}
