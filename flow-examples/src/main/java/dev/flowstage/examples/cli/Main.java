package dev.flowstage.examples.cli;

import java.io.PrintWriter;
import java.util.List;

/**
 * The {@code flowstage} command line: {@code flowstage wordcount [PATH...]}, {@code flowstage
 * example [NAME]}, {@code flowstage help [COMMAND]}, {@code --help} and {@code --version}.
 *
 * <p>Exit status: 0 on success, 2 for a bad option or bad input (one line on stderr naming the
 * problem), 3 when the heap ran out, 1 for any other failure. Every failure is one line on stderr;
 * {@code --debug} adds its stack trace and the stage runtime's log. The arguments are parsed by
 * {@link Args}, from one option table per command.
 */
public final class Main {

  /** Exit status for a bad option or bad input: a missing, unreadable or non-regular file. */
  public static final int EXIT_USAGE = 2;

  /** Exit status for an unexpected failure. */
  public static final int EXIT_FAILURE = 1;

  /** Exit status when the JVM ran out of heap. */
  public static final int EXIT_MEMORY = 3;

  private Main() {}

  /**
   * Runs the command line and exits the JVM with its exit status.
   *
   * @param args the command-line arguments
   */
  public static void main(String[] args) {
    // A failure reaches the user once, as one line from run(); the stage runtime's own log of it
    // would print a stack trace first. --debug keeps the log.
    if (!Args.flagGiven(List.of(args), DEBUG)) {
      STAGE_LOG.setLevel(java.util.logging.Level.OFF);
    }
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Prints stack traces and the stage runtime's log; an option of {@code wordcount}. */
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
    boolean debug = Args.flagGiven(List.of(args), DEBUG);
    int status;
    try {
      status = dispatch(env, List.of(args));
    } catch (Args.UsageException e) {
      env.err()
          .println("flowstage: " + oneLine(e.getMessage()) + " (see '" + e.command() + " --help')");
      status = EXIT_USAGE;
    } catch (Throwable t) { // an Error too: still one line, never a trace without --debug
      status = failed(env, t, debug);
    }
    env.out().flush();
    env.err().flush();
    return status;
  }

  /** {@code flowstage help [COMMAND]}. */
  private static final Args.Command HELP_COMMAND =
      new Args.Command(
          "flowstage help",
          "[COMMAND]",
          false,
          "The command to describe; none: this program.",
          List.of(),
          List.of(),
          List.of("Display help information about the specified command."),
          List.of());

  /** The top level: its options are only --help and --version; the rest is a command's. */
  private static final Args.Command TOP =
      new Args.Command(
          "flowstage",
          null,
          false,
          null,
          List.of(),
          List.of(WordCountCommand.COMMAND, ExampleCommand.COMMAND, HELP_COMMAND),
          List.of(
              "Back-pressured, parallel data processing on virtual threads:"
                  + " Elixir's GenStage and Flow for Java."),
          List.of(
              "",
              "Examples:",
              "  flowstage wordcount                 top words of the built-in sample text",
              "  flowstage wordcount --json FILE     the same for a file, as JSON",
              "  flowstage example                   list the examples",
              "  flowstage example producer-consumer run one",
              "  flowstage help wordcount            every wordcount option"));

  /**
   * Parses the top level's options up to the command's name, then the command's arguments with its
   * own table, and runs it.
   */
  private static int dispatch(CliEnvironment env, List<String> args) throws Exception {
    int first = 0;
    while (first < args.size() && args.get(first).startsWith("-") && !args.get(first).equals("-")) {
      first++;
    }
    Args.Parsed top = TOP.parse(args.subList(0, first));
    if (helpOrVersion(env.out(), TOP, top)) {
      return 0;
    }
    if (first == args.size()) {
      TOP.usage(env.out());
      return 0;
    }
    String name = args.get(first);
    List<String> rest = args.subList(first + 1, args.size());
    Args.Command command = command(name);
    Args.Parsed parsed = command.parse(rest);
    if (helpOrVersion(env.out(), command, parsed)) {
      return 0;
    }
    if (command == WordCountCommand.COMMAND) {
      return new WordCountCommand(env, parsed).call();
    } else if (command == ExampleCommand.COMMAND) {
      return new ExampleCommand(env, parsed).call();
    }
    // help [COMMAND]
    if (parsed.positionals().isEmpty()) {
      TOP.usage(env.out());
    } else {
      command(parsed.positionals().getFirst()).usage(env.out());
    }
    return 0;
  }

  private static Args.Command command(String name) {
    for (Args.Command c : TOP.commands()) {
      if (c.simpleName().equals(name)) {
        return c;
      }
    }
    throw new Args.UsageException(
        TOP.name(), "unknown command '" + name + "' (use wordcount, example or help)");
  }

  /** Prints the help or the version if asked for; both end the command with status 0. */
  private static boolean helpOrVersion(PrintWriter out, Args.Command command, Args.Parsed parsed) {
    if (parsed.has(Args.HELP)) {
      command.usage(out);
      return true;
    }
    if (parsed.has(Args.VERSION)) {
      String v = Main.class.getPackage().getImplementationVersion();
      out.println("flowstage " + (v == null ? "(development build, not from a jar)" : v));
      out.println(
          "Java " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ")");
      out.flush();
      return true;
    }
    return false;
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
}
