package dev.flowstage.examples.cli;

import dev.flowstage.examples.Examples;
import dev.flowstage.examples.Examples.Example;
import java.util.List;
import java.util.Optional;

/** {@code flowstage example [NAME]}: lists the examples, or runs one. */
final class ExampleCommand {
  /** The positional, help text and (no) options of {@code flowstage example}. */
  static final Args.Command COMMAND =
      new Args.Command(
          "flowstage example",
          "[NAME]",
          false,
          "The example to run (see the list printed without NAME).",
          List.of(),
          List.of(),
          List.of(
              "Runs one of the bundled examples, or lists them when no NAME is given.",
              "Each example prints a short narrative of what its stages do and ends by itself."),
          List.of(
              "",
              "Examples:",
              "  flowstage example                     one line per example",
              "  flowstage example rate-limiter        run the rate limiter"));

  private final CliEnvironment env;
  private final String name;

  ExampleCommand(CliEnvironment env, Args.Parsed parsed) {
    this.env = env;
    this.name = parsed.positionals().isEmpty() ? null : parsed.positionals().getFirst();
  }

  /** Lists the examples, or runs the named one; an unknown name is a usage error. */
  int call() throws Exception {
    if (name == null) {
      int width = Examples.all().stream().mapToInt(e -> e.name().length()).max().orElse(0);
      for (Example e : Examples.all()) {
        env.out().printf("%-" + width + "s  %s%n", e.name(), e.summary());
      }
      env.out().flush();
      return 0;
    }
    Optional<Example> example = Examples.find(name);
    if (example.isEmpty()) {
      throw new Args.UsageException(
          COMMAND.name(), "unknown example '" + name + "'; run 'flowstage example' to list them");
    }
    example.get().body().run(env.out());
    env.out().flush();
    return 0;
  }
}
