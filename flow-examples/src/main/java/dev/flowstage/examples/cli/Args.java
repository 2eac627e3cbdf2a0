package dev.flowstage.examples.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The command line's own argument parser: one {@link Command} table per command, which both parses
 * the arguments and prints the help text, so an option and its help cannot drift apart.
 *
 * <p>It accepts {@code --name=value} and {@code --name value}, flags ({@code --json}, also {@code
 * --json=true}), {@code -} as a positional (standard input), {@code --} ending the options, and a
 * repeated option only where the table says so. Hand-written instead of picocli because picocli's
 * model building cost more than a small word count (docs/adr/0010-cli-parses-its-own-arguments.md).
 */
final class Args {
  private Args() {}

  /** Help text is wrapped to this many columns. */
  static final int WIDTH = 80;

  /** Descriptions start here, or on the next line when the option's label is wider. */
  private static final int LABEL_COLUMN = 25;

  /** {@code -h}, {@code --help}: accepted by every command. */
  static final Option<Boolean> HELP =
      new Option<>(
          "--help", "-h", null, Args::toBoolean, false, false, List.of("Show this help and exit."));

  /** {@code -V}, {@code --version}: accepted by every command. */
  static final Option<Boolean> VERSION =
      new Option<>(
          "--version",
          "-V",
          null,
          Args::toBoolean,
          false,
          false,
          List.of("Print version information and exit."));

  /**
   * A bad command line: reported as one line that points to the help of {@link #command()}, with
   * exit status 2.
   */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The qualified command whose help explains the problem, e.g. {@code flowstage wordcount}. */
    private final String command;

    UsageException(String command, String message) {
      super(message, null, false, false); // a user's mistake: no stack trace to fill or print
      this.command = command;
    }

    /** The qualified name of the command whose help to point to. */
    String command() {
      return command;
    }
  }

  /**
   * One option of a command.
   *
   * @param name the long name, {@code --top}
   * @param shortName the short name, {@code -h}, or null
   * @param label what the value is called in the help ({@code N}), or null for a flag
   * @param converter turns the text into the value; throws {@link IllegalArgumentException} with
   *     the reason for a bad value
   * @param defaultValue the value when the option is absent (a list option's is empty)
   * @param list whether the option may be repeated, each value also a comma list
   * @param description the help text, one entry per paragraph
   * @param <T> the type of one value
   */
  record Option<T>(
      String name,
      String shortName,
      String label,
      Function<String, T> converter,
      T defaultValue,
      boolean list,
      List<String> description) {

    /** A flag: present or not; {@code --name=true} and {@code --name=false} are accepted too. */
    static Option<Boolean> flag(String name, String... description) {
      return new Option<>(name, null, null, Args::toBoolean, false, false, List.of(description));
    }

    /** An option given at most once, with a value. */
    static <T> Option<T> value(
        String name,
        String label,
        Function<String, T> converter,
        T defaultValue,
        String... description) {
      return new Option<>(name, null, label, converter, defaultValue, false, List.of(description));
    }

    /** An option that may be repeated, each value also a comma-separated list. */
    static <T> Option<T> list(
        String name, String label, Function<String, T> converter, String... description) {
      return new Option<>(name, null, label, converter, null, true, List.of(description));
    }

    boolean takesValue() {
      return label != null;
    }

    /** How the option appears in the help: {@code -h, --help}, {@code --top=N}. */
    String helpLabel() {
      String value = label == null ? "" : "=" + label + (list ? "[," + label + "...]" : "");
      return (shortName == null ? "    " : shortName + ", ") + name + value;
    }
  }

  /**
   * A command: its qualified name, options, positional parameters, subcommands and help text.
   *
   * @param name the qualified name, {@code flowstage wordcount}
   * @param positionals the positionals' label in the help, {@code [PATH...]}, or null for none
   * @param manyPositionals whether more than one positional is accepted
   * @param positionalDescription the positionals' help text, or null
   * @param options the options, in the order the help lists them ({@link #HELP} and {@link
   *     #VERSION} are added)
   * @param commands the subcommands the help lists
   * @param description the help's description, one entry per paragraph
   * @param footer the help's last lines, printed as written (wrapped if too long)
   */
  record Command(
      String name,
      String positionals,
      boolean manyPositionals,
      String positionalDescription,
      List<Option<?>> options,
      List<Command> commands,
      List<String> description,
      List<String> footer) {

    Command {
      List<Option<?>> all = new ArrayList<>(options);
      all.add(HELP);
      all.add(VERSION);
      options = List.copyOf(all);
    }

    /** The last word of the qualified name: {@code wordcount}. */
    String simpleName() {
      return name.substring(name.lastIndexOf(' ') + 1);
    }

    private UsageException usage(String message) {
      return new UsageException(name, message);
    }

    /** The option of a long or short name ({@link #optionName}), or null. */
    private Option<?> find(String name) {
      for (Option<?> o : options) {
        if (o.name().equals(name) || name.equals(o.shortName())) {
          return o;
        }
      }
      return null;
    }

    /**
     * Parses the arguments that follow this command's name.
     *
     * @throws UsageException for an unknown option, a missing or bad value, an option repeated that
     *     may not be, or too many positionals
     */
    Parsed parse(List<String> args) {
      Map<Option<?>, List<Object>> values = new HashMap<>();
      List<String> positional = new ArrayList<>();
      boolean optionsEnded = false;
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        if (optionsEnded || arg.equals("-") || !arg.startsWith("-")) {
          positional.add(arg);
          continue;
        }
        if (arg.equals("--")) {
          optionsEnded = true;
          continue;
        }
        String name = optionName(arg);
        Option<?> option = find(name);
        if (option == null) {
          throw usage("unknown option '" + name + "'" + suggestion(name));
        }
        String text;
        if (name.length() < arg.length()) {
          text = arg.substring(name.length() + 1);
        } else if (!option.takesValue()) {
          text = "true";
        } else if (i + 1 < args.size()
            && !args.get(i + 1).equals("--")
            && find(optionName(args.get(i + 1))) == null) {
          text = args.get(++i);
        } else {
          throw usage(
              "missing value for option '"
                  + option.name()
                  + "' ("
                  + option.label()
                  + ")"
                  + (i + 1 < args.size() ? ", found '" + args.get(i + 1) + "'" : ""));
        }
        List<Object> got = values.computeIfAbsent(option, o -> new ArrayList<>());
        if (!got.isEmpty() && !option.list()) {
          throw usage("option '" + option.name() + "' may be given only once");
        }
        for (String part : option.list() ? text.split(",", -1) : new String[] {text}) {
          try {
            got.add(option.converter().apply(part));
          } catch (IllegalArgumentException e) {
            throw usage("invalid value for option '" + option.name() + "': " + e.getMessage());
          }
        }
      }
      if (positional.size() > (positionals == null ? 0 : manyPositionals ? Integer.MAX_VALUE : 1)) {
        throw usage("unexpected argument '" + positional.get(positionals == null ? 0 : 1) + "'");
      }
      return new Parsed(values, List.copyOf(positional));
    }

    /** A "did you mean" for an unknown option: a close or longer spelling of it, if any. */
    private String suggestion(String unknown) {
      String best = null;
      int bestDistance = Integer.MAX_VALUE;
      for (Option<?> o : options) {
        int d =
            unknown.length() > 3 && o.name().startsWith(unknown) ? 0 : distance(unknown, o.name());
        if (d < bestDistance) {
          best = o.name();
          bestDistance = d;
        }
      }
      // One edit per four letters: --stage finds --stages, --nope finds nothing.
      int allowed = Math.max(1, (unknown.length() - 2) / 4);
      return best != null && bestDistance <= allowed ? "; did you mean '" + best + "'?" : "";
    }

    /** Prints the help: usage line, description, positionals, options, subcommands, footer. */
    void usage(PrintWriter out) {
      out.println(
          "Usage: "
              + name
              + " [OPTION...]"
              + (positionals == null ? commands.isEmpty() ? "" : " [COMMAND]" : " " + positionals));
      for (String paragraph : description) {
        wrap(out, "", paragraph, "");
      }
      if (positionals != null) {
        out.println();
        out.println("Arguments:");
        entry(out, "  " + positionals, List.of(positionalDescription));
      }
      out.println();
      out.println("Options:");
      for (Option<?> o : options) {
        entry(out, "  " + o.helpLabel(), o.description());
      }
      if (!commands.isEmpty()) {
        out.println();
        out.println("Commands:");
        for (Command c : commands) {
          entry(out, "  " + c.simpleName(), List.of(c.description().getFirst()));
        }
      }
      for (String line : footer) {
        wrap(out, "", line, "");
      }
      out.flush();
    }
  }

  /**
   * What a command line said: each option's converted values and the positionals.
   *
   * @param values the converted values of each option given
   * @param positionals the positional arguments, in order
   */
  record Parsed(Map<Option<?>, List<Object>> values, List<String> positionals) {

    /** The option's value, or its default when it was not given. */
    @SuppressWarnings("unchecked") // values holds what option's converter returned
    <T> T get(Option<T> option) {
      List<Object> v = values.get(option);
      return v == null ? option.defaultValue() : (T) v.getLast();
    }

    /** Every value of a list option, in order; empty when it was not given. */
    @SuppressWarnings("unchecked") // values holds what option's converter returned
    <T> List<T> all(Option<T> option) {
      return (List<T>) List.copyOf(values.getOrDefault(option, List.of()));
    }

    /** Whether a flag was given (and not as {@code =false}). */
    boolean has(Option<Boolean> flag) {
      return get(flag);
    }
  }

  /**
   * Whether the flag {@code name} is on in {@code args} before they are parsed (for what must be
   * known even when parsing fails, like {@code --debug}): given as {@code name} or {@code
   * name=true}, the last one winning, and not after {@code --}, where arguments are file names. A
   * value that is not true or false counts as off; the parse reports it.
   *
   * @param args the command-line arguments
   * @param name the flag, e.g. {@code --debug}
   * @return whether it is on
   */
  static boolean flagGiven(List<String> args, String name) {
    boolean on = false;
    for (String arg : args) {
      if (arg.equals("--")) {
        break;
      }
      if (arg.equals(name)) {
        on = true;
      } else if (optionName(arg).equals(name)) {
        String value = arg.substring(name.length() + 1);
        on = value.equalsIgnoreCase("true");
      }
    }
    return on;
  }

  /**
   * The option name an argument gives: {@code --top} of {@code --top=5}; only a long option carries
   * its value after {@code =}.
   */
  private static String optionName(String argument) {
    int eq = argument.startsWith("--") ? argument.indexOf('=') : -1;
    return eq < 0 ? argument : argument.substring(0, eq);
  }

  /** Converts an option's integer value; the reason names the text. */
  static int toInt(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not an integer", e);
    }
  }

  private static boolean toBoolean(String text) {
    if (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(text);
    }
    throw new IllegalArgumentException("'" + text + "' is not true or false (it takes no value)");
  }

  /** One help entry: the label, then its description paragraphs in the description column. */
  private static void entry(PrintWriter out, String label, List<String> paragraphs) {
    String indent = " ".repeat(LABEL_COLUMN);
    String first;
    if (label.length() + 2 <= LABEL_COLUMN) {
      first = label + " ".repeat(LABEL_COLUMN - label.length());
    } else {
      out.println(label);
      first = indent;
    }
    for (String paragraph : paragraphs) {
      wrap(out, first, paragraph, indent);
      first = indent;
    }
  }

  /**
   * Prints text word-wrapped to {@link #WIDTH}: the first line after first, the rest after rest.
   */
  private static void wrap(PrintWriter out, String first, String text, String rest) {
    if (first.length() + text.length() <= WIDTH) { // as written: keeps a footer's aligned columns
      out.println(first + text);
      return;
    }
    StringBuilder line = new StringBuilder(first);
    int start = line.length();
    for (String word : text.split(" ")) {
      if (line.length() > start && line.length() + 1 + word.length() > WIDTH) {
        out.println(line);
        line.setLength(0);
        line.append(rest);
        start = line.length();
      }
      if (line.length() > start) {
        line.append(' ');
      }
      line.append(word);
    }
    out.println(line);
  }

  /** Edit distance, for the "did you mean" of an unknown option. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] t = previous;
      previous = current;
      current = t;
    }
    return previous[b.length()];
  }
}
