package dev.flowstage.bench.wordcount;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The shared shape of every word count {@code main}: read one file argument, count, print the
 * {@link WordCountResult#render() canonical result} on standard output and the counting time on
 * standard error as {@code elapsed_ms=N} (JVM start-up excluded; the driver measures wall time
 * separately).
 */
final class WordCountMain {
  private WordCountMain() {}

  /** One way of counting the words of a file. */
  @FunctionalInterface
  interface Counter {
    WordCountResult count(Path file) throws Exception;
  }

  static void run(String name, String[] args, Counter counter) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: " + name + " FILE");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    if (!Files.isRegularFile(file) && !Files.isDirectory(file)) {
      // A folder is for the implementations that walk one (the many-files run's).
      System.err.println(name + ": no such file or folder " + file);
      System.exit(2);
    }
    long start = System.nanoTime();
    WordCountResult result = counter.count(file);
    long elapsed = System.nanoTime() - start;
    System.out.print(result.render());
    System.out.flush();
    System.err.printf(Locale.ROOT, "elapsed_ms=%.1f%n", elapsed / 1e6);
  }
}
