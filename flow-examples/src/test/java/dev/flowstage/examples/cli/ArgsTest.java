package dev.flowstage.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's own parser, {@link Args}, through the tables of the real commands. */
final class ArgsTest {

  private static Args.Parsed wordcount(String... args) {
    return WordCountCommand.COMMAND.parse(List.of(args));
  }

  private static Args.UsageException rejected(String... args) {
    return assertThrows(Args.UsageException.class, () -> wordcount(args));
  }

  @Test
  void flagGiven_readsTheFlagBeforeParsing_lastWins_notAfterDoubleDash() {
    assertTrue(Args.flagGiven(List.of("wordcount", "--debug"), "--debug"));
    assertTrue(Args.flagGiven(List.of("--debug=TRUE", "f.txt"), "--debug"));
    assertFalse(Args.flagGiven(List.of("--debug", "--debug=false"), "--debug"));
    assertFalse(Args.flagGiven(List.of("--debug=maybe"), "--debug"));
    assertFalse(Args.flagGiven(List.of("--", "--debug"), "--debug")); // a file named --debug
    assertFalse(Args.flagGiven(List.of("--debugger"), "--debug"));
  }

  @Test
  void value_joinedOrSeparate() {
    assertEquals(3, wordcount("--top=3").get(WordCountCommand.TOP));
    assertEquals(4, wordcount("--top", "4").get(WordCountCommand.TOP));
    assertEquals(
        Tokenizer.SPACE, wordcount("--tokenizer", "SPACE").get(WordCountCommand.TOKENIZER));
    assertEquals(-1, wordcount("--max-demand", "-1").get(WordCountCommand.MAX_DEMAND));
    assertEquals("a=b", wordcount("--output=a=b").get(WordCountCommand.OUTPUT).toString());
  }

  @Test
  void absentOptions_haveTheirDefaults() {
    Args.Parsed p = wordcount();
    assertEquals(10, p.get(WordCountCommand.TOP));
    assertEquals(1000, p.get(WordCountCommand.MAX_DEMAND));
    assertEquals(Tokenizer.WORDS, p.get(WordCountCommand.TOKENIZER));
    assertNull(p.get(WordCountCommand.STAGES));
    assertNull(p.get(WordCountCommand.CHARSET));
    assertFalse(p.has(WordCountCommand.JSON));
    assertEquals(List.of(), p.all(WordCountCommand.GLOB));
    assertEquals(List.of(), p.positionals());
  }

  @Test
  void flags_presentOrExplicitlyTrueOrFalse() {
    assertTrue(wordcount("--json").has(WordCountCommand.JSON));
    assertTrue(wordcount("--json=true").has(WordCountCommand.JSON));
    assertFalse(wordcount("--json=false").has(WordCountCommand.JSON));
    assertEquals(
        "invalid value for option '--json': 'yes' is not true or false (it takes no value)",
        rejected("--json=yes").getMessage());
    // A flag never takes the next argument as its value: it is a path here.
    assertEquals(List.of("true"), wordcount("--json", "true").positionals());
  }

  @Test
  void missingValue_atTheEndOrBeforeAnotherOption() {
    assertEquals("missing value for option '--top' (N)", rejected("--top").getMessage());
    assertEquals(
        "missing value for option '--stages' (N), found '--json'",
        rejected("--stages", "--json").getMessage());
    assertEquals(
        "missing value for option '--top' (N), found '--'", rejected("--top", "--").getMessage());
  }

  @Test
  void unknownOption_isNamed_withASuggestionWhenClose() {
    Args.UsageException e = rejected("--nope");
    assertEquals("unknown option '--nope'", e.getMessage());
    assertEquals("flowstage wordcount", e.command());
    assertEquals(
        "unknown option '--stage'; did you mean '--stages'?", rejected("--stage=3").getMessage());
    assertEquals(
        "unknown option '--max-demnad'; did you mean '--max-demand'?",
        rejected("--max-demnad", "5").getMessage());
    assertEquals("unknown option '-x'", rejected("-x").getMessage());
  }

  @Test
  void badValues_nameTheOptionAndTheReason() {
    assertEquals(
        "invalid value for option '--top': 'x' is not an integer",
        rejected("--top=x").getMessage());
    assertEquals(
        "invalid value for option '--stages': '99999999999' is not an integer",
        rejected("--stages", "99999999999").getMessage());
    assertEquals(
        "invalid value for option '--tokenizer': unknown tokenizer 'letters' (use words or space)",
        rejected("--tokenizer", "letters").getMessage());
    assertEquals(
        "invalid value for option '--charset': unknown charset 'nope'"
            + " (try UTF-8, ISO-8859-1 or windows-1252)",
        rejected("--charset=nope").getMessage());
  }

  @Test
  void doubleDash_endsTheOptions() {
    Args.Parsed p = wordcount("--json", "--", "--stats", "-", "--");
    assertTrue(p.has(WordCountCommand.JSON));
    assertFalse(p.has(WordCountCommand.STATS));
    assertEquals(List.of("--stats", "-", "--"), p.positionals());
  }

  @Test
  void singleDash_isAPositional_standardInput() {
    Args.Parsed p = wordcount("a.txt", "-", "--top", "2", "b.txt");
    assertEquals(List.of("a.txt", "-", "b.txt"), p.positionals());
    assertEquals(2, p.get(WordCountCommand.TOP));
    assertEquals(List.of("-"), wordcount("--top", "2", "-").positionals());
  }

  @Test
  void repeated_onlyWhereTheTableAllowsIt() {
    assertEquals(
        List.of("*.log", "*.txt", "*.md"),
        wordcount("--glob", "*.log", "--glob=*.txt,*.md").all(WordCountCommand.GLOB));
    assertEquals(
        "option '--top' may be given only once", rejected("--top=1", "--top=2").getMessage());
    assertEquals(
        "option '--json' may be given only once", rejected("--json", "--json").getMessage());
  }

  @Test
  void example_takesAtMostOneName() {
    Args.UsageException e =
        assertThrows(
            Args.UsageException.class, () -> ExampleCommand.COMMAND.parse(List.of("a", "b")));
    assertEquals("unexpected argument 'b'", e.getMessage());
    assertEquals("flowstage example", e.command());
  }

  @Test
  void badCommandLines_areOneLine_pointingToTheCommandsHelp_exit2() {
    Map<List<String>, String> cases =
        Map.of(
            List.of("wordcount", "--nope"), "flowstage wordcount --help",
            List.of("example", "--debug"), "flowstage example --help",
            List.of("example", "a", "b"), "flowstage example --help",
            List.of("--nope"), "flowstage --help",
            List.of("frobnicate"), "flowstage --help",
            List.of("help", "frobnicate"), "flowstage --help");
    cases.forEach(
        (args, help) -> {
          CliRun r = CliRun.run(args.toArray(String[]::new));
          assertEquals(Main.EXIT_USAGE, r.status(), args + ": " + r.err());
          assertTrue(r.errIsOneLine(), r.err());
          assertTrue(r.err().startsWith("flowstage: "), r.err());
          assertTrue(r.err().endsWith(" (see '" + help + "')\n"), r.err());
          assertEquals("", r.out());
        });
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--help",
        "-h",
        "help",
        "wordcount --help",
        "wordcount -h",
        "help wordcount",
        "example --help",
        "help example",
        "help help"
      })
  void help_everyCommand_listsItsOptionsWithin80Columns(String line) {
    CliRun r = CliRun.run(line.split(" "));
    assertEquals(0, r.status(), r.err());
    assertEquals("", r.err());
    String[] words = line.split(" ");
    String command =
        words[0].startsWith("-") || words.length == 1
            ? ""
            : words[0].equals("help") ? words[1] : words[0];
    assertTrue(
        r.out().startsWith("Usage: flowstage" + (command.isEmpty() ? " " : " " + command + " ")),
        r.out());
    Args.Command table =
        switch (command) {
          case "wordcount" -> WordCountCommand.COMMAND;
          case "example" -> ExampleCommand.COMMAND;
          default -> null;
        };
    for (Args.Option<?> o : table == null ? List.of(Args.HELP, Args.VERSION) : table.options()) {
      assertTrue(r.out().contains(o.name()), o.name() + " missing from:\n" + r.out());
    }
    for (String l : r.out().lines().toList()) {
      assertTrue(l.length() <= Args.WIDTH, "longer than 80 columns: " + l);
    }
  }

  @Test
  void topLevelHelp_listsTheCommands() {
    String out = CliRun.run("--help").out();
    for (String command : List.of("wordcount", "example", "help")) {
      assertTrue(out.contains("\n  " + command + " "), command + " missing from:\n" + out);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"--version", "-V", "wordcount --version", "example -V"})
  void version_namesFlowstageAndJava(String line) {
    CliRun r = CliRun.run(line.split(" "));
    assertEquals(0, r.status(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(2, lines.size(), r.out());
    assertTrue(lines.get(0).startsWith("flowstage "), r.out());
    assertTrue(lines.get(1).startsWith("Java "), r.out());
  }

  /** A value for each placeholder the README's reference uses. */
  private static final Map<String, String> SAMPLE_VALUES =
      Map.of(
          "N", "2",
          "NAME", "ISO-8859-1",
          "words|space", "space",
          "FILE", "run.html",
          "DIR", "counts",
          "PATTERN", "*.log");

  /**
   * Every option in flow-examples/README.md's command-line reference is accepted with a value of
   * the documented kind, and every option of {@code wordcount} is documented there.
   */
  @Test
  void readmeReference_matchesTheWordcountTable() throws IOException {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("```\nflowstage wordcount [PATH...]");
    assertTrue(start >= 0, "README.md has no command-line reference block");
    String block = readme.substring(start, readme.indexOf("```", start + 3));
    Matcher m = Pattern.compile("(?m)^ {4}(--[a-z-]+)(?: ([^ ]+))?").matcher(block);
    List<String> documented = new ArrayList<>();
    while (m.find()) {
      String option = m.group(1);
      documented.add(option);
      List<String> args = new ArrayList<>(List.of(option));
      if (m.group(2) != null) {
        String value = SAMPLE_VALUES.get(m.group(2));
        assertNotNull(value, "no sample value for " + m.group(2));
        args.add(value);
      }
      Args.Parsed p = wordcount(args.toArray(String[]::new));
      assertEquals(List.of(), p.positionals(), option + " did not take its value");
    }
    for (Args.Option<?> o : WordCountCommand.COMMAND.options()) {
      if (o != Args.HELP && o != Args.VERSION) {
        assertTrue(documented.contains(o.name()), o.name() + " is not in README.md");
      }
    }
  }
}
