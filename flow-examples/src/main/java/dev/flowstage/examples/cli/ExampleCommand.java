package dev.flowstage.examples.cli;

import dev.flowstage.examples.Examples;
import dev.flowstage.examples.Examples.Example;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowstage example [NAME]}: lists the examples, or runs one. */
@Command(
    name = "example",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Runs one of the bundled examples, or lists them when no NAME is given.",
      "Each example prints a short narrative of what its stages do and ends by itself.",
    },
    footer = {
      "",
      "Examples:",
      "  flowstage example                     one line per example",
      "  flowstage example rate-limiter        run the rate limiter",
    })
final class ExampleCommand implements Callable<Integer> {
  private final CliEnvironment env;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "NAME",
      arity = "0..1",
      description = "The example to run (see the list printed without NAME).")
  String name;

  ExampleCommand(CliEnvironment env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
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
      throw new ParameterException(
          spec.commandLine(),
          "unknown example '" + name + "'; run 'flowstage example' to list them");
    }
    example.get().body().run(env.out());
    env.out().flush();
    return 0;
  }
}
