package dev.flowstage.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The {@code flowstage} command line: {@code flowstage wordcount [FILE...]} and friends. */
@Command(
    name = "flowstage",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Back-pressured, parallel data processing on virtual threads.",
    subcommands = {Main.WordCountCommand.class})
public final class Main implements Callable<Integer> {

  /** Exit code for bad input: a missing or unreadable file, or a bad option. */
  public static final int EXIT_USAGE = 2;

  /**
   * Runs the command line and exits the JVM with its exit code.
   *
   * @param args the command-line arguments
   */
  public static void main(String[] args) {
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /**
   * Runs the command line in-process, writing to the given streams; used by tests.
   *
   * @param out where results go
   * @param err where errors go
   * @param args the command-line arguments
   * @return the exit code
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out).setErr(err);
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 0;
  }

  /** Reads the version from the jar's manifest, falling back to "development". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"flowstage " + (v == null ? "development" : v)};
    }
  }

  @Command(
      name = "wordcount",
      mixinStandardHelpOptions = true,
      description =
          "Counts words in files (default: a built-in sample text) and prints the top words.")
  static final class WordCountCommand implements Callable<Integer> {
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+(?:'[\\p{L}\\p{N}]+)*");

    @Spec CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "Files to count.")
    List<Path> files = new ArrayList<>();

    @Option(names = "--top", defaultValue = "10", description = "How many words to print.")
    int top;

    @Override
    public Integer call() throws IOException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      Map<String, Long> counts = new HashMap<>();
      if (files.isEmpty()) {
        try (InputStream in =
            Main.class.getResourceAsStream("/dev/flowstage/examples/sample.txt")) {
          count(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), counts);
        }
      }
      for (Path file : files) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
          err.println("flowstage: cannot read " + file + ": no such readable file");
          return EXIT_USAGE;
        }
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          count(reader, counts);
        }
      }
      counts.entrySet().stream()
          .sorted(
              Map.Entry.<String, Long>comparingByValue()
                  .reversed()
                  .thenComparing(Map.Entry.comparingByKey()))
          .limit(top)
          .forEach(e -> out.printf("%8d  %s%n", e.getValue(), e.getKey()));
      return 0;
    }

    private static void count(BufferedReader reader, Map<String, Long> counts) throws IOException {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        Matcher m = WORD.matcher(line);
        while (m.find()) {
          counts.merge(m.group().toLowerCase(Locale.ROOT), 1L, Long::sum);
        }
      }
    }
  }
}
