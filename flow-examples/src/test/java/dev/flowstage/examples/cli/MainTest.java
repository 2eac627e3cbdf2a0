package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.examples.Examples;
import org.junit.jupiter.api.Test;

final class MainTest {

  @Test
  void help_listsSubcommandsAndExamples() {
    CliRun r = CliRun.run("--help");
    assertEquals(0, r.status());
    assertTrue(r.out().contains("wordcount"), r.out());
    assertTrue(r.out().contains("example"), r.out());
    assertTrue(r.out().contains("Examples:"), r.out());
  }

  @Test
  void noArguments_printsUsage() {
    CliRun r = CliRun.run();
    assertEquals(0, r.status());
    assertTrue(r.out().startsWith("Usage: flowstage"), r.out());
  }

  @Test
  void version_namesFlowstageAndJava() {
    CliRun r = CliRun.run("--version");
    assertEquals(0, r.status());
    assertTrue(r.out().startsWith("flowstage "), r.out());
    assertTrue(r.out().contains("Java "), r.out());
  }

  @Test
  void wordcountHelp_describesEveryOptionWithExamples() {
    CliRun r = CliRun.run("wordcount", "--help");
    assertEquals(0, r.status());
    for (String option :
        new String[] {
          "--tokenizer",
          "--top",
          "--stages",
          "--max-demand",
          "--charset",
          "--json",
          "--stats",
          "--graph",
          "--report",
          "Examples:",
          "Exit status"
        }) {
      assertTrue(r.out().contains(option), option + " missing from:\n" + r.out());
    }
  }

  @Test
  void helpSubcommand_printsSubcommandHelp() {
    CliRun r = CliRun.run("help", "example");
    assertEquals(0, r.status());
    assertTrue(r.out().startsWith("Usage: flowstage example"), r.out());
  }

  @Test
  void unknownSubcommand_oneLine_exit2() {
    CliRun r = CliRun.run("frobnicate");
    assertEquals(2, r.status());
    assertTrue(r.errIsOneLine(), r.err());
  }

  @Test
  void example_noName_listsEveryExampleOnOneLineEach() {
    CliRun r = CliRun.run("example");
    assertEquals(0, r.status(), r.err());
    var lines = r.out().lines().toList();
    assertEquals(Examples.all().size(), lines.size(), r.out());
    for (int i = 0; i < lines.size(); i++) {
      assertTrue(lines.get(i).startsWith(Examples.all().get(i).name() + " "), lines.get(i));
    }
  }

  @Test
  void example_unknownName_oneLine_exit2() {
    CliRun r = CliRun.run("example", "nope");
    assertEquals(2, r.status());
    assertTrue(r.errIsOneLine(), r.err());
    assertTrue(r.err().contains("unknown example 'nope'"), r.err());
  }

  @Test
  void example_wordcount_runsToItsEnd() {
    CliRun r = CliRun.run("example", "wordcount");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("The top 5 across both partitions"), r.out());
  }
}
