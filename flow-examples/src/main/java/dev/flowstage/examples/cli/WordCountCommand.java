package dev.flowstage.examples.cli;

import dev.flowstage.examples.wordcount.Input;
import dev.flowstage.examples.wordcount.WordCountJob;
import dev.flowstage.examples.wordcount.WordCountResult;
import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.flow.FlowReport;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.stage.StageStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowstage wordcount}: the most frequent words of files, directories or stdin. */
@Command(
    name = "wordcount",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    sortOptions = false,
    description = {
      "Counts words in parallel and prints the most frequent ones.",
      "With no PATH it counts a built-in sample text (about 16 MB, generated"
          + " deterministically from a short text written for Flowstage).",
    },
    footer = {
      "",
      "Examples:",
      "  flowstage wordcount                        the built-in sample",
      "  flowstage wordcount notes.txt docs/        a file and every file under docs/",
      "  cat *.log | flowstage wordcount -          standard input",
      "  flowstage wordcount --tokenizer space --top 20 --stages 4 big.txt",
      "  flowstage wordcount --json book.txt        machine-readable result",
      "  flowstage wordcount --stats book.txt       with stage statistics",
      "  flowstage wordcount --graph                print the stage graph as Mermaid",
      "  flowstage wordcount --report run.html      also write an HTML run report",
      "  flowstage wordcount --glob '*.log' --output counts/ logs/",
      "",
      "Exit status: 0 on success; 2 for a bad option or a missing, unreadable or"
          + " non-regular file; 3 when the heap ran out; 1 for any other failure. A failure is"
          + " one line on stderr (--debug adds the stack trace). Malformed bytes never stop a"
          + " count: they become U+FFFD and are counted in the summary.",
    })
final class WordCountCommand implements Callable<Integer> {
  private final CliEnvironment env;

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "PATH",
      arity = "0..*",
      description =
          "Files, directories (walked recursively) or - for standard input. Files named *.gz"
              + " are decompressed, each by one stage, in parallel across files.")
  List<String> paths = new ArrayList<>();

  @Option(
      names = "--tokenizer",
      paramLabel = "KIND",
      defaultValue = "words",
      converter = TokenizerConverter.class,
      description = {
        "words (default): runs of letters and digits, inner apostrophes kept, lowercased.",
        "space: split on the space character, case and punctuation kept."
      })
  Tokenizer tokenizer = Tokenizer.WORDS;

  @Option(
      names = "--top",
      paramLabel = "N",
      defaultValue = "10",
      description = "How many words to print (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(
      names = "--stages",
      paramLabel = "N",
      description =
          "Parallel stages per layer, at most 1024 (default: one per core). A small input"
              + " uses fewer: one per 256 KiB; standard input at most four per core.")
  Integer stages;

  @Option(
      names = "--max-demand",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Largest batch a stage asks for (default: ${DEFAULT-VALUE}).")
  int maxDemand;

  @Option(
      names = "--charset",
      paramLabel = "NAME",
      converter = CharsetConverter.class,
      description = {
        "Encoding of the input. Default: UTF-8, or the charset of a file's byte order mark"
            + " (UTF-8, UTF-16LE/BE, UTF-32LE/BE); a mark is never part of a word.",
        "Given explicitly, every file is read in NAME (only a mark of NAME is dropped)."
      })
  Charset charset;

  @Option(
      names = "--include-hidden",
      description = "Also count hidden files and folders (.name) found in directories.")
  boolean includeHidden;

  @Option(
      names = "--include-binary",
      description = "Also count files that look binary (a NUL byte in the first 8 KiB).")
  boolean includeBinary;

  @Option(
      names = "--glob",
      paramLabel = "PATTERN",
      split = ",",
      description = {
        "Only count files found in directories whose name matches (repeatable, or a comma"
            + " list): --glob '*.log' --glob '*.txt'. Named files are always counted."
      })
  List<String> globs = new ArrayList<>();

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Option(names = "--stats", description = "Print per-stage statistics after the result.")
  boolean stats;

  @Option(names = "--graph", description = "Print the stage graph as Mermaid and exit.")
  boolean graph;

  @Option(
      names = "--report",
      paramLabel = "FILE",
      description = {
        "Also write a run report to FILE: one self-contained HTML page with the stage",
        "graph and per-stage bars (events, busy and waiting time, buffer high-water)."
      })
  Path report;

  @Option(names = "--no-progress", description = "Never draw the progress bar on stderr.")
  boolean noProgress;

  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = {
        "Also write every word and its count into DIR as CSV (word,count) part files, with a"
            + " _SUCCESS marker. DIR appears only if the whole count succeeded; an existing DIR"
            + " is refused unless --overwrite."
      })
  java.nio.file.Path output;

  @Option(names = "--overwrite", description = "With --output: replace an existing DIR.")
  boolean overwrite;

  @Option(
      names = "--debug",
      description = "On failure, print the stack trace and the stage runtime's log too.")
  boolean debug;

  /** What the last run left out (hidden and binary files), for the JSON and stats output. */
  private InputResolver.Resolved skipped = new InputResolver.Resolved(List.of(), 0, 0);

  WordCountCommand(CliEnvironment env) {
    this.env = env;
  }

  /** One line on stderr per kind of file left out, so a count never silently ignores input. */
  private static void noteSkipped(PrintWriter err, InputResolver.Resolved r) {
    if (r.hidden() > 0) {
      err.println(
          "flowstage: skipped "
              + plural(r.hidden(), "hidden file or folder", "hidden files and folders")
              + " (--include-hidden counts them)");
    }
    if (r.binary() > 0) {
      err.println(
          "flowstage: skipped "
              + plural(r.binary(), "binary file", "binary files")
              + " (--include-binary counts them)");
    }
    err.flush();
  }

  private static String plural(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static int defaultStages() {
    return Runtime.getRuntime().availableProcessors();
  }

  @Override
  public Integer call() throws InputResolver.BadInputException, IOException {
    InputResolver.Resolved resolved;
    WordCountJob job;
    try {
      InputResolver.Selection selection =
          new InputResolver.Selection(includeHidden, includeBinary, globs, charset);
      resolved =
          paths.isEmpty()
              ? new InputResolver.Resolved(List.of(new Input.SampleInput(env.sample().get())), 0, 0)
              : InputResolver.resolve(paths, env.stdin(), selection);
      job =
          new WordCountJob(
              resolved.inputs(),
              tokenizer,
              top,
              stages == null ? defaultStages() : stages,
              maxDemand,
              charset == null ? StandardCharsets.UTF_8 : charset,
              charset == null);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    if (report != null) {
      Path dir = report.toAbsolutePath().getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        throw new ParameterException(
            spec.commandLine(), "--report: no such directory: " + dir + " (create it first)");
      }
    }
    skipped = resolved;
    noteSkipped(env.err(), resolved);
    if (overwrite && output == null) {
      throw new ParameterException(spec.commandLine(), "--overwrite needs --output DIR");
    }
    if (output != null && !overwrite && Files.exists(output)) {
      throw new InputResolver.BadInputException(
          "output directory exists: " + output + " (--overwrite replaces it)");
    }
    PrintWriter out = env.out();
    if (graph) {
      out.print(env.engine().mermaid(job));
      out.flush();
      return 0;
    }
    WordCountResult result;
    LongAdder progress = new LongAdder();
    if (ProgressBar.shouldShow(
        noProgress, env.stderrIsTerminal(), job.totalBytes(), env.progressThresholdBytes())) {
      ProgressBar bar = new ProgressBar(env.err(), job.totalBytes(), progress::sum);
      try {
        result = count(job, progress);
      } finally {
        bar.close();
      }
    } else {
      result = count(job, progress);
    }
    if (json) {
      out.println(toJson(result, tokenizer, stats, skipped.hidden(), skipped.binary()));
    } else {
      printText(out, result);
      if (stats) {
        out.println();
        out.printf(
            Locale.ROOT, "skipped: %d hidden, %d binary%n%n", skipped.hidden(), skipped.binary());
        printStats(out, result);
      }
    }
    if (report != null) {
      try {
        FlowReport.write(
            result.graph(), result.statistics(), "flowstage wordcount: run report", report);
      } catch (IOException e) {
        throw new IOException("cannot write the report " + report + ": " + e, e);
      }
    }
    out.flush();
    return 0;
  }

  private WordCountResult count(WordCountJob job, LongAdder progress) throws IOException {
    return output == null
        ? env.engine().run(job, progress)
        : env.engine().run(job, progress, output, overwrite);
  }

  static void printText(PrintWriter out, WordCountResult r) {
    int width = "count".length();
    for (WordFrequency f : r.top()) {
      width = Math.max(width, Long.toString(f.count()).length());
    }
    out.printf(Locale.ROOT, "%" + width + "s  %s%n", "count", "word");
    for (WordFrequency f : r.top()) {
      out.printf(Locale.ROOT, "%" + width + "d  %s%n", f.count(), f.word());
    }
    out.println();
    StringBuilder summary = new StringBuilder();
    summary
        .append(plural(r.files(), "file"))
        .append(", ")
        .append(plural(r.bytes(), "byte"))
        .append(", ")
        .append(plural(r.lines(), "line"))
        .append(", ")
        .append(plural(r.words(), "word"))
        .append(" (")
        .append(r.distinct())
        .append(" distinct)");
    if (r.malformed() > 0) {
      summary
          .append(", ")
          .append(plural(r.malformed(), "malformed byte sequence"))
          .append(" replaced by U+FFFD");
    }
    summary.append(" in ").append(r.elapsed().toMillis()).append(" ms");
    out.println(summary);
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  static void printStats(PrintWriter out, WordCountResult result) {
    List<StageStats> stages = result.stages();
    int width = "stage".length();
    for (StageStats s : stages) {
      width = Math.max(width, s.name().length());
    }
    String format = "%-" + width + "s  %12s  %12s  %8s  %9s  %10s  %9s  %8s  %s%n";
    out.printf(
        Locale.ROOT,
        format,
        "stage",
        "events in",
        "events out",
        "asks",
        "in/ask",
        "buffer max",
        "discarded",
        "busy ms",
        "what");
    for (StageStats s : stages) {
      out.printf(
          Locale.ROOT,
          format,
          s.name(),
          s.eventsIn(),
          s.eventsOut(),
          s.asksSent(),
          perAsk(s.eventsIn(), s.asksSent()),
          s.bufferHighWater(),
          s.discarded(),
          s.busyNanos() / 1_000_000,
          result.groupOf(s.name()));
    }
  }

  static String toJson(WordCountResult r, Tokenizer tokenizer, boolean withStages) {
    return toJson(r, tokenizer, withStages, 0, 0);
  }

  static String toJson(
      WordCountResult r, Tokenizer tokenizer, boolean withStages, long hidden, long binary) {
    Json json =
        new Json()
            .beginObject()
            .field("tokenizer", cliName(tokenizer))
            .field("files", r.files())
            .field("bytes", r.bytes())
            .field("lines", r.lines())
            .field("words", r.words())
            .field("distinct", r.distinct())
            .field("malformed", r.malformed())
            .beginArray("top");
    for (WordFrequency f : r.top()) {
      json.beginObject().field("word", f.word()).field("count", f.count()).endObject();
    }
    json.endArray().field("elapsedMs", r.elapsed().toMillis());
    json.beginObject("skipped").field("hidden", hidden).field("binary", binary).endObject();
    if (withStages) {
      json.beginArray("stages");
      for (StageStats s : r.stages()) {
        json.beginObject()
            .field("name", s.name())
            .field("group", r.groupOf(s.name()))
            .field("eventsIn", s.eventsIn())
            .field("eventsOut", s.eventsOut())
            .field("asksSent", s.asksSent())
            .field("bufferHighWater", s.bufferHighWater())
            .field("discarded", s.discarded())
            .field("busyMs", s.busyNanos() / 1_000_000)
            .endObject();
      }
      json.endArray();
    }
    return json.endObject().toString();
  }

  /**
   * The name of a tokenizer on the command line and in the JSON output: {@code words}, {@code
   * space}.
   */
  static String cliName(Tokenizer tokenizer) {
    return tokenizer.name().toLowerCase(Locale.ROOT);
  }

  /** Accepts {@code words} and {@code space}, in any case. */
  static final class TokenizerConverter implements CommandLine.ITypeConverter<Tokenizer> {
    @Override
    public Tokenizer convert(String value) {
      for (Tokenizer t : Tokenizer.values()) {
        if (cliName(t).equalsIgnoreCase(value)) {
          return t;
        }
      }
      throw new CommandLine.TypeConversionException(
          "unknown tokenizer '" + value + "' (use words or space)");
    }
  }

  /** Accepts any charset name the JVM knows, such as UTF-8, ISO-8859-1 or windows-1252. */
  static final class CharsetConverter implements CommandLine.ITypeConverter<Charset> {
    @Override
    public Charset convert(String value) {
      try {
        return Charset.forName(value);
      } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
        throw new CommandLine.TypeConversionException(
            "unknown charset '" + value + "' (try UTF-8, ISO-8859-1 or windows-1252)");
      }
    }
  }

  /**
   * Events per ask for the stats table: one decimal below 10, so a stage that takes one chunk per
   * ask (the byte path's reading stages) shows 0.7, not 0.
   */
  static String perAsk(long events, long asks) {
    if (asks == 0) {
      return "-";
    }
    double r = (double) events / asks;
    return r < 10 ? String.format(java.util.Locale.ROOT, "%.1f", r) : Long.toString(events / asks);
  }
}
