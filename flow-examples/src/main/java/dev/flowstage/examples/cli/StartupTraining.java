package dev.flowstage.examples.cli;

import dev.flowstage.examples.wordcount.SampleText;
import dev.flowstage.examples.wordcount.WordCountEngine;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training run {@code scripts/flowstage} records an ahead-of-time cache from (JDK 25+, {@code
 * -XX:AOTCacheOutput}; see scripts/lib/cli.sh): it runs {@code flowstage wordcount} the ways users
 * run it, on a generated text, so that the cache holds the classes those runs load and the method
 * profiles of their hot loops. A later run then starts with its classes loaded and linked and
 * compiles its hot loops sooner, which on a small machine leaves the cores to the counting instead
 * of the JIT compiler.
 *
 * <p>Covered: both tokenizers on the byte path (files in UTF-8, with non-ASCII and over-long
 * words), a gzip file (decompressed into the byte path), standard input (the text piped in, read as
 * one stream by the byte path), the line path (a UTF-16 copy of part of the text, as other charsets
 * are read), {@code --json} and the table output. The text is written to a temporary directory,
 * deleted at the end.
 */
public final class StartupTraining {
  /** Lines of generated text: about 12 MiB, a few seconds of training on two cores. */
  static final int LINES = 150_000;

  private static final long SEED = 2026_12_02L;

  private StartupTraining() {}

  /**
   * Runs the training commands and exits with status 0, or with the first failing command's status
   * (its error output printed), so a broken cache is never built from a failed run.
   *
   * @param args ignored
   * @throws IOException if the temporary text cannot be written
   */
  public static void main(String[] args) throws IOException {
    int status = train(LINES);
    System.exit(status);
  }

  /**
   * Writes the training text and runs the training commands in this JVM.
   *
   * @param lines how many lines of text to generate
   * @return 0, or the exit status of the first command that failed
   * @throws IOException if the temporary text cannot be written
   */
  static int train(int lines) throws IOException {
    Path dir = Files.createTempDirectory("flowstage-training");
    try {
      Path text = dir.resolve("text.txt");
      write(text, lines);
      Path gz = dir.resolve("text.txt.gz");
      try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
        Files.copy(text, out);
      }
      // A tenth of the text in UTF-16, which the byte path does not read: the line path's run.
      Path utf16 = dir.resolve("text-utf16.txt");
      try (var in = Files.lines(text, StandardCharsets.UTF_8)) {
        Files.write(utf16, in.limit(lines / 10 + 1).toList(), StandardCharsets.UTF_16);
      }
      List<List<String>> commands =
          List.of(
              List.of("wordcount", text.toString()),
              List.of("wordcount", "--tokenizer", "space", "--json", text.toString()),
              List.of("wordcount", "--tokenizer", "space", "--json", gz.toString()),
              List.of("wordcount", "--charset", "UTF-16", "--json", utf16.toString()));
      for (List<String> command : commands) {
        StringWriter err = new StringWriter();
        int status =
            Main.run(
                new PrintWriter(Writer.nullWriter()),
                new PrintWriter(err),
                command.toArray(String[]::new));
        if (status != 0) {
          System.err.print(err);
          return status;
        }
      }
      // Standard input, as `cat text.txt | flowstage wordcount -` gives it: the text file stands in
      // for the pipe (System.in is left alone: the training may itself run with a terminal).
      try (InputStream stdin = Files.newInputStream(text)) {
        StringWriter err = new StringWriter();
        CliEnvironment env =
            new CliEnvironment(
                stdin,
                new PrintWriter(Writer.nullWriter()),
                new PrintWriter(err),
                false,
                CliEnvironment.DEFAULT_PROGRESS_THRESHOLD,
                WordCountEngine.standard(),
                SampleText::standard);
        int status = Main.run(env, "wordcount", "--json", "-");
        if (status != 0) {
          System.err.print(err);
          return status;
        }
      }
      return 0;
    } finally {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException | UncheckedIOException e) {
        // A temporary file left behind is not worth failing the training for.
      }
    }
  }

  /**
   * Writes {@code lines} lines of words drawn with a Zipf-like skew from a vocabulary of short,
   * medium and long ASCII words, some capitalised or followed by punctuation, and a few non-ASCII
   * ones: every branch of the byte path's tables and of both tokenizers is taken.
   */
  private static void write(Path file, int lines) throws IOException {
    SplittableRandom random = new SplittableRandom(SEED);
    List<String> vocabulary = new ArrayList<>();
    for (int i = 0; i < 60_000; i++) {
      int length = 1 + (int) Math.min(30, Math.abs(random.nextGaussian() * 6));
      StringBuilder w = new StringBuilder(length);
      for (int c = 0; c < length; c++) {
        w.append((char) ('a' + random.nextInt(26)));
      }
      switch (i % 17) {
        case 3 -> w.setCharAt(0, Character.toUpperCase(w.charAt(0)));
        case 5 -> w.append(',');
        case 7 -> w.append("\u00e9t\u00e9");
        case 11 -> w.append("'s");
        default -> {}
      }
      vocabulary.add(w.toString());
    }
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int l = 0; l < lines; l++) {
        int words = 4 + random.nextInt(16);
        for (int w = 0; w < words; w++) {
          if (w > 0) {
            out.write(' ');
          }
          // Squaring a uniform draw skews it towards the front: frequent words, a long tail.
          double u = random.nextDouble();
          out.write(vocabulary.get((int) (u * u * u * vocabulary.size())));
        }
        out.write(l % 5 == 0 ? "\r\n" : "\n");
      }
    }
  }
}
