package dev.flowstage.examples.wordcount;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code flowstage wordcount --graph} shows of the byte path. */
final class FlowWordCountEngineTest {
  @TempDir Path dir;

  @Test
  void mermaid_bytePath_namesItsEmitAndReduceNotTheFusedPlans() throws IOException {
    Path file = dir.resolve("a.txt");
    Files.writeString(file, "a b a\n");
    WordCountJob job = WordCountJob.of(List.of(new Input.FileInput(file, Files.size(file))));

    // The reading stages are flow-core's (ByteReading), as in the fused frequencies() plan, but
    // the CLI wrote this flow itself: its graph names the operation, not the engine's rewrite.
    String graph = new FlowWordCountEngine().mermaid(job);

    assertTrue(graph.contains("emitAndReduce"), graph);
    assertFalse(graph.contains("fused word count"), graph);
  }
}
