package dev.flowstage.examples.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code flowstage} command line: {@code flowstage wordcount [PATH...]}, {@code flowstage
 * example [NAME]}, {@code --help} and {@code --version}.
 *
 * <p>Exit status: 0 on success, 2 for a bad option or bad input (one line on stderr naming the
 * problem), 3 when the heap ran out, 1 for any other failure. Every failure is one line on stderr;
 * {@code --debug} adds its stack trace and the stage runtime's log.
 */
@Command(
    name = "flowstage",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Back-pressured, parallel data processing on virtual threads:"
          + " Elixir's GenStage and Flow for Java.",
    },
    footer = {
      "",
      "Examples:",
      "  flowstage wordcount                 top words of the built-in sample text",
      "  flowstage wordcount --json FILE     the same for a file, as JSON",
      "  flowstage example                   list the examples",
      "  flowstage example producer-consumer run one",
      "  flowstage help wordcount            every wordcount option",
    })
public final class Main implements Callable<Integer> {

  /** Exit status for a bad option or bad input: a missing, unreadable or non-regular file. */
  public static final int EXIT_USAGE = 2;

  /** Exit status for an unexpected failure. */
  public static final int EXIT_FAILURE = 1;

  /** Exit status when the JVM ran out of heap. */
  public static final int EXIT_MEMORY = 3;

  @Spec CommandSpec spec;

  private Main() {}

  /**
   * Runs the command line and exits the JVM with its exit status.
   *
   * @param args the command-line arguments
   */
  public static void main(String[] args) {
    // A failure reaches the user once, as one line from run(); the stage runtime's own log of it
    // would print a stack trace first. --debug keeps the log.
    if (!List.of(args).contains(DEBUG)) {
      STAGE_LOG.setLevel(java.util.logging.Level.OFF);
    }
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Prints stack traces and the stage runtime's log; accepted by every command. */
  static final String DEBUG = "--debug";

  /** Held, since the JDK keeps loggers only weakly, and a collected one loses its level. */
  private static final java.util.logging.Logger STAGE_LOG =
      java.util.logging.Logger.getLogger("dev.flowstage");

  /**
   * Runs the command line in-process with {@code System.in} as standard input.
   *
   * @param out where results go
   * @param err where errors and progress go
   * @param args the command-line arguments
   * @return the exit status
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(CliEnvironment.system(out, err), args);
  }

  /**
   * Runs the command line in-process in the given environment; tests use this to supply standard
   * input, a terminal or not, and a small sample text.
   *
   * @param env streams and services
   * @param args the command-line arguments
   * @return the exit status
   */
  public static int run(CliEnvironment env, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.addSubcommand(new WordCountCommand(env));
    cli.addSubcommand(new ExampleCommand(env));
    cli.addSubcommand(new CommandLine.HelpCommand());
    cli.setOut(env.out()).setErr(env.err());
    cli.setParameterExceptionHandler(
        (e, arguments) -> {
          String command = e.getCommandLine().getCommandSpec().qualifiedName();
          env.err()
              .println("flowstage: " + oneLine(e.getMessage()) + " (see '" + command + " --help')");
          env.err().flush();
          return EXIT_USAGE;
        });
    boolean debug = List.of(args).contains(DEBUG);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> failed(env, e, debug));
    int status;
    try {
      status = cli.execute(args);
    } catch (Throwable t) { // an Error picocli does not catch: still one line, never a trace
      status = failed(env, t, debug);
    }
    env.out().flush();
    env.err().flush();
    return status;
  }

  /**
   * Reports a failure as one line on stderr (and its stack trace with {@code --debug}).
   *
   * @return {@link #EXIT_USAGE} for bad input, {@link #EXIT_MEMORY} when the heap ran out, else
   *     {@link #EXIT_FAILURE}
   */
  private static int failed(CliEnvironment env, Throwable e, boolean debug) {
    if (debug) {
      e.printStackTrace(env.err());
    }
    int status;
    if (e instanceof InputResolver.BadInputException || e instanceof java.io.IOException) {
      env.err().println("flowstage: " + oneLine(e.getMessage()));
      status = EXIT_USAGE;
    } else if (causeOf(e, OutOfMemoryError.class) != null) {
      env.err()
          .println(
              "flowstage: out of memory ("
                  + oneLine(causeOf(e, OutOfMemoryError.class).getMessage())
                  + "); give the JVM more heap (JAVA_OPTS=-Xmx2g) or use fewer --stages");
      status = EXIT_MEMORY;
    } else {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      env.err()
          .println(
              "flowstage: unexpected failure: "
                  + oneLine(String.valueOf(root))
                  + (debug ? "" : " (run with --debug for the stack trace)"));
      status = EXIT_FAILURE;
    }
    env.err().flush();
    return status;
  }

  private static Throwable causeOf(Throwable t, Class<? extends Throwable> type) {
    for (int depth = 0; t != null && depth < 64; t = t.getCause(), depth++) {
      if (type.isInstance(t)) {
        return t;
      }
    }
    return null;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** Reads the version from the jar's manifest ({@code Implementation-Version}). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {
        "flowstage " + (v == null ? "(development build, not from a jar)" : v),
        "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")"
      };
    }
  }
}
