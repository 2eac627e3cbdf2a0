package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.examples.wordcount.WordCountEngine;
import dev.flowstage.examples.wordcount.WordCountJob;
import dev.flowstage.examples.wordcount.WordCountResult;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Options are validated and sized by the work; every failure is one line and an exit status. */
final class LimitsAndFailuresTest {
  @TempDir Path dir;

  private Path tiny() throws IOException {
    Path file = dir.resolve("tiny.txt");
    Files.writeString(file, "one two two three\n");
    return file;
  }

  @Test
  @Timeout(60) // a behaviour bound, generous for a loaded machine: before, 2000 stages took minutes
  void stages1000_onATinyFile_completesWithTheRightCounts() throws IOException {
    CliRun r = CliRun.run("wordcount", "--json", "--stages", "1000", tiny().toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\"words\":4,"), r.out());
    assertTrue(r.out().contains("{\"word\":\"two\",\"count\":2}"), r.out());
  }

  @Test
  @Timeout(60) // as above: before, standard input took the full 1000 x 1000 subscriptions
  void stages1000_onStandardInput_completesWithTheRightCounts() {
    CliRun r =
        CliRun.run(
            "one two two three\n".getBytes(java.nio.charset.StandardCharsets.UTF_8),
            false,
            Long.MAX_VALUE,
            "wordcount",
            "--json",
            "--stages",
            "1000",
            "-");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\"words\":4,"), r.out());
  }

  @Test
  void stagesAboveTheBound_isAUsageErrorOnOneLine() throws IOException {
    CliRun r = CliRun.run("wordcount", "--stages", "100000", tiny().toString());
    assertEquals(Main.EXIT_USAGE, r.status());
    assertTrue(r.errIsOneLine(), r.err());
    assertTrue(r.err().contains("--stages must be between 1 and 1024, got 100000"), r.err());
  }

  @Test
  void topMaxInt_isAccepted() throws IOException {
    CliRun r = CliRun.run("wordcount", "--top", "2147483647", tiny().toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("2  two"), r.out());
  }

  private static CliRun runWith(WordCountEngine engine, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliEnvironment env =
        new CliEnvironment(
            new ByteArrayInputStream(new byte[0]),
            new PrintWriter(out),
            new PrintWriter(err),
            false,
            Long.MAX_VALUE,
            engine,
            () -> CliRun.SMALL_SAMPLE);
    int status = Main.run(env, args);
    return new CliRun(status, out.toString(), err.toString());
  }

  /** An engine that fails with {@code failure}, as a real one does when the heap runs out. */
  private static WordCountEngine failing(Throwable failure) {
    return new WordCountEngine() {
      @Override
      public WordCountResult run(WordCountJob job, LongAdder progress) {
        if (failure instanceof Error e) {
          throw e;
        }
        throw (RuntimeException) failure;
      }

      @Override
      public String mermaid(WordCountJob job) {
        return "";
      }
    };
  }

  @Test
  void outOfMemory_isOneLineWithItsOwnExitStatus() {
    CliRun r = runWith(failing(new OutOfMemoryError("Java heap space")), "wordcount");
    assertEquals(Main.EXIT_MEMORY, r.status());
    assertTrue(r.errIsOneLine(), r.err());
    assertTrue(r.err().startsWith("flowstage: out of memory (Java heap space)"), r.err());
  }

  @Test
  void outOfMemoryInsideAFlowFailure_isStillReportedAsOutOfMemory() {
    RuntimeException wrapped =
        new IllegalStateException("stage g1.0 failed", new OutOfMemoryError("Java heap space"));
    CliRun r = runWith(failing(wrapped), "wordcount");
    assertEquals(Main.EXIT_MEMORY, r.status());
    assertTrue(r.errIsOneLine(), r.err());
  }

  @Test
  void otherError_isOneLineNamingTheRootCause_andDebugAddsTheTrace() {
    RuntimeException boom = new IllegalStateException("wrapper", new StackOverflowError("deep"));
    CliRun r = runWith(failing(boom), "wordcount");
    assertEquals(Main.EXIT_FAILURE, r.status());
    assertTrue(r.errIsOneLine(), r.err());
    assertTrue(r.err().contains("StackOverflowError: deep"), r.err());
    assertTrue(r.err().contains("--debug"), r.err());

    for (String on : List.of("--debug", "--debug=true")) {
      CliRun debug = runWith(failing(boom), "wordcount", on);
      assertEquals(Main.EXIT_FAILURE, debug.status());
      assertTrue(debug.err().contains("\tat "), on + ": " + debug.err());
      assertFalse(debug.errIsOneLine());
    }
    CliRun off = runWith(failing(boom), "wordcount", "--debug", "--debug=false");
    assertTrue(off.errIsOneLine(), off.err());
  }
}
