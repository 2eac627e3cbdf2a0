package dev.flowstage.flink.job;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line of the example jobs: {@code --input <uri-or-path>} (repeatable), {@code --output
 * <dir>} (default: print to the TaskManagers' stdout), {@code --stages <n>} (default 2), {@code
 * --pane <n>} (the windowed job's events per pane, default 100) and {@code --engine flink|local}
 * (local: the same flow on Flowstage's local runtime, for comparison).
 *
 * @param inputs the inputs
 * @param output the output directory, or {@code null}
 * @param stages the parallelism of the flow's layers
 * @param pane events per count window pane
 * @param local whether to run on the local runtime
 */
public record JobArgs(List<String> inputs, String output, int stages, int pane, boolean local) {
  /**
   * Parses {@code args}.
   *
   * @param usage the job's name in messages
   * @param args the arguments
   * @return the parsed arguments
   * @throws IllegalArgumentException with a usage line for a missing or bad argument
   */
  public static JobArgs parse(String usage, String[] args) {
    List<String> inputs = new ArrayList<>();
    String output = null;
    int stages = 2;
    int pane = 100;
    boolean local = false;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (i + 1 >= args.length) {
        throw bad(usage, "missing value after " + name);
      }
      String value = args[++i];
      switch (name) {
        case "--input" -> inputs.add(value);
        case "--output" -> output = value;
        case "--stages" -> stages = positive(usage, name, value);
        case "--pane" -> pane = positive(usage, name, value);
        case "--engine" -> {
          if (!value.equals("flink") && !value.equals("local")) {
            throw bad(usage, "--engine is flink or local, got: " + value);
          }
          local = value.equals("local");
        }
        default -> throw bad(usage, "unknown option " + name);
      }
    }
    if (inputs.isEmpty()) {
      throw bad(usage, "--input is required");
    }
    return new JobArgs(List.copyOf(inputs), output, stages, pane, local);
  }

  private static int positive(String usage, String name, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw bad(usage, name + " must be a positive integer, got: " + value);
  }

  private static IllegalArgumentException bad(String usage, String problem) {
    return new IllegalArgumentException(
        problem
            + "\nusage: "
            + usage
            + " --input <file, directory or URI>... [--output <dir>] [--stages <n>]"
            + " [--pane <n>] [--engine flink|local]");
  }
}
