package dev.flowstage.bench.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.bench.wordcount.WordCountResult.WordCount;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class WordCountComparisonTest {

  @Test
  void parseCliJson_cliOutput_readsTotalsTopAndElapsed() {
    String json =
        """
        {"files": 1, "bytes": 120, "lines": 3, "words": 7, "distinct": 3,
         "top": [{"word": "a", "count": 4}, {"word": "b", "count": 2}, {"word": "c", "count": 1}],
         "elapsedMillis": 12.5}
        """;
    WordCountComparison.ParsedOutput p = WordCountComparison.parseCliJson(json);
    assertEquals(
        new WordCountResult(
            7,
            3,
            null,
            List.of(new WordCount("a", 4), new WordCount("b", 2), new WordCount("c", 1))),
        p.result());
    assertEquals(12.5, p.countMs());
  }

  @Test
  void parseCanonical_outputAndStderr_readsResultAndCountTime() {
    WordCountResult r = WordCountResult.ofMap(Map.of("x", 2L));
    WordCountComparison.ParsedOutput p =
        WordCountComparison.parseCanonical(r.render(), "WARNING: noise\nelapsed_ms=41.5\n");
    assertEquals(r, p.result());
    assertEquals(41.5, p.countMs());
  }

  @Test
  void parseCanonical_noTiming_leavesCountTimeUnknown() {
    WordCountResult r = WordCountResult.ofMap(Map.of("x", 2L));
    assertNull(WordCountComparison.parseCanonical(r.render(), "").countMs());
  }

  @Test
  void command_cliWithStages_passesSpaceTokenizerJsonTopAndStages() {
    List<String> cmd =
        WordCountComparison.command(
            "flowstage-cli", 2, Path.of("c.txt"), Path.of("b.jar"), Path.of("f.jar"));
    assertEquals(
        List.of(
            "-jar",
            "f.jar",
            "wordcount",
            "--tokenizer",
            "space",
            "--json",
            "--top",
            "20",
            "--stages",
            "2",
            "c.txt"),
        cmd);
  }

  @Test
  void command_unknownImplementation_throws() {
    assertThrows(
        IllegalArgumentException.class,
        () -> WordCountComparison.command("nope", null, Path.of("c"), Path.of("b"), Path.of("f")));
  }

  @Test
  void command_flowApiPlain_passesPlainBeforeTheStagesAndFile() {
    assertEquals(
        List.of(
            "-cp",
            "b.jar",
            "dev.flowstage.bench.wordcount.FlowWordCount",
            "--plain",
            "--stages",
            "2",
            "c.txt"),
        WordCountComparison.command(
            "flow-api-plain", 2, Path.of("c.txt"), Path.of("b.jar"), Path.of("f.jar")));
  }

  @Test
  void command_newBaselinesAndFlowJobs_nameTheirMainClasses() {
    Path c = Path.of("c.txt");
    Path b = Path.of("b.jar");
    Path f = Path.of("f.jar");
    String pkg = "dev.flowstage.bench.wordcount.";
    assertEquals(
        List.of("-cp", "b.jar", pkg + "RxJavaWordCount", "c.txt"),
        WordCountComparison.command("rxjava", null, c, b, f));
    assertEquals(
        List.of("-cp", "b.jar", pkg + "VirtualThreadWordCount", "c.txt"),
        WordCountComparison.command("virtual-threads", null, c, b, f));
    assertEquals(
        List.of("-cp", "b.jar", pkg + "VirtualThreadWordCount", "--boxed", "c.txt"),
        WordCountComparison.command("virtual-threads-boxed", null, c, b, f));
    assertEquals(
        List.of("-cp", "b.jar", pkg + "FlowKeyedWordCount", "--countby", "--stages", "2", "c.txt"),
        WordCountComparison.command("flow-api-countby", 2, c, b, f));
    assertEquals(
        List.of("-cp", "b.jar", pkg + "FlowKeyedWordCount", "--countby-split", "c.txt"),
        WordCountComparison.command("flow-api-countby-split", null, c, b, f));
    assertEquals(
        List.of("-cp", "b.jar", pkg + "FlowKeyedWordCount", "--jdk", "c.txt"),
        WordCountComparison.command("flow-api-jdk", null, c, b, f));
  }

  @Test
  void withCliOpts_goBeforeTheCliJar_andOnlyForTheCli() {
    List<String> cli =
        WordCountComparison.command(
            "flowstage-cli", null, Path.of("c"), Path.of("b"), Path.of("f"));
    List<String> opts = List.of("-XX:AOTCache=f.aot");

    List<String> withOpts = WordCountComparison.withCliOpts("flowstage-cli", opts, cli);

    assertEquals("-XX:AOTCache=f.aot", withOpts.get(0));
    assertEquals(cli, withOpts.subList(1, withOpts.size()));
    List<String> rx =
        WordCountComparison.command("rxjava", null, Path.of("c"), Path.of("b"), Path.of("f"));
    assertEquals(rx, WordCountComparison.withCliOpts("rxjava", opts, rx));
  }

  @Test
  void options_danglingName_throwsTeachingTheFormat() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> WordCountComparison.options(new String[] {"--runs"}));
    assertTrue(e.getMessage().contains("--name value"), e.getMessage());
  }
}
