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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/** {@code flowstage wordcount}: the most frequent words of files, directories or stdin. */
final class WordCountCommand {
  static final Args.Option<Tokenizer> TOKENIZER =
      Args.Option.value(
          "--tokenizer",
          "KIND",
          WordCountCommand::tokenizer,
          Tokenizer.WORDS,
          "words (default): runs of letters and digits, inner apostrophes kept, lowercased.",
          "space: split on the space character, case and punctuation kept.");

  static final Args.Option<Integer> TOP =
      Args.Option.value("--top", "N", Args::toInt, 10, "How many words to print (default: 10).");

  static final Args.Option<Integer> STAGES =
      Args.Option.value(
          "--stages",
          "N",
          Args::toInt,
          null,
          "Parallel stages per layer, at most 1024 (default: one per core). A small input"
              + " uses fewer: one per 256 KiB; standard input at most four per core.");

  static final Args.Option<Integer> MAX_DEMAND =
      Args.Option.value(
          "--max-demand",
          "N",
          Args::toInt,
          1000,
          "Largest batch a stage asks for (default: 1000).");

  static final Args.Option<Charset> CHARSET =
      Args.Option.value(
          "--charset",
          "NAME",
          WordCountCommand::charset,
          null,
          "Encoding of the input. Default: UTF-8, or the charset of a file's byte order mark"
              + " (UTF-8, UTF-16LE/BE, UTF-32LE/BE); a mark is never part of a word.",
          "Given explicitly, every file is read in NAME (only a mark of NAME is dropped).");

  static final Args.Option<Boolean> INCLUDE_HIDDEN =
      Args.Option.flag(
          "--include-hidden", "Also count hidden files and folders (.name) found in directories.");

  static final Args.Option<Boolean> INCLUDE_BINARY =
      Args.Option.flag(
          "--include-binary", "Also count files that look binary (a NUL byte in the first 8 KiB).");

  static final Args.Option<Boolean> FOLLOW_LINKS =
      Args.Option.flag(
          "--follow-links",
          "Follow symbolic links found in directories (a link back to a folder holding it is"
              + " skipped). Without it links in directories are skipped, as grep -r does.");

  static final Args.Option<String> GLOB =
      Args.Option.list(
          "--glob",
          "PATTERN",
          pattern -> pattern,
          "Only count files found in directories whose name matches (repeatable, or a comma"
              + " list): --glob '*.log' --glob '*.txt'. Named files are always counted.");

  static final Args.Option<Boolean> JSON =
      Args.Option.flag("--json", "Print the result as one JSON object.");

  static final Args.Option<Boolean> STATS =
      Args.Option.flag("--stats", "Print per-stage statistics after the result.");

  static final Args.Option<Boolean> GRAPH =
      Args.Option.flag("--graph", "Print the stage graph as Mermaid and exit.");

  static final Args.Option<Path> REPORT =
      Args.Option.value(
          "--report",
          "FILE",
          Path::of,
          null,
          "Also write a run report to FILE: one self-contained HTML page with the stage graph"
              + " and per-stage bars (events, busy and waiting time, buffer high-water).");

  static final Args.Option<Boolean> NO_PROGRESS =
      Args.Option.flag("--no-progress", "Never draw the progress bar on stderr.");

  static final Args.Option<Path> OUTPUT =
      Args.Option.value(
          "--output",
          "DIR",
          Path::of,
          null,
          "Also write every word and its count into DIR as CSV (word,count) part files, with a"
              + " _SUCCESS marker. DIR appears only if the whole count succeeded; an existing DIR"
              + " is refused unless --overwrite.");

  static final Args.Option<Boolean> OVERWRITE =
      Args.Option.flag("--overwrite", "With --output: replace an existing DIR.");

  /** Read by {@link Main} before parsing, so that it also applies to a failure to parse. */
  static final Args.Option<Boolean> DEBUG =
      Args.Option.flag(
          Main.DEBUG, "On failure, print the stack trace and the stage runtime's log too.");

  /** The options, positionals and help text of {@code flowstage wordcount}. */
  static final Args.Command COMMAND =
      new Args.Command(
          "flowstage wordcount",
          "[PATH...]",
          true,
          "Files, directories (walked recursively), pipes such as <(zcat a.gz), or - for"
              + " standard input. Files named *.gz are decompressed, each by one stage, in"
              + " parallel across files.",
          List.of(
              TOKENIZER,
              TOP,
              STAGES,
              MAX_DEMAND,
              CHARSET,
              INCLUDE_HIDDEN,
              INCLUDE_BINARY,
              FOLLOW_LINKS,
              GLOB,
              JSON,
              STATS,
              GRAPH,
              REPORT,
              NO_PROGRESS,
              OUTPUT,
              OVERWRITE,
              DEBUG),
          List.of(),
          List.of(
              "Counts words in parallel and prints the most frequent ones.",
              "With no PATH it counts a built-in sample text (about 16 MB, generated"
                  + " deterministically from a short text written for Flowstage)."),
          List.of(
              "",
              "Examples:",
              "  flowstage wordcount                        the built-in sample",
              "  flowstage wordcount notes.txt docs/        a file and every file under docs/",
              "  cat *.log | flowstage wordcount -          standard input",
              "  flowstage wordcount <(zcat a.gz) <(zcat b.gz)   pipes, read in parallel",
              "  flowstage wordcount --tokenizer space --top 20 --stages 4 big.txt",
              "  flowstage wordcount --json book.txt        machine-readable result",
              "  flowstage wordcount --stats book.txt       with stage statistics",
              "  flowstage wordcount --graph                print the stage graph as Mermaid",
              "  flowstage wordcount --report run.html      also write an HTML run report",
              "  flowstage wordcount --glob '*.log' --output counts/ logs/",
              "",
              "Exit status: 0 on success; 2 for a bad option or a missing, unreadable or"
                  + " non-regular file; 3 when the heap ran out; 1 for any other failure. A"
                  + " failure is one line on stderr (--debug adds the stack trace). Malformed"
                  + " bytes never stop a count: they become U+FFFD and are counted in the"
                  + " summary."));

  private final CliEnvironment env;
  private final List<String> paths;
  private final Tokenizer tokenizer;
  private final int top;
  private final Integer stages;
  private final int maxDemand;
  private final Charset charset;
  private final boolean includeHidden;
  private final boolean includeBinary;
  private final boolean followLinks;
  private final List<String> globs;
  private final boolean json;
  private final boolean stats;
  private final boolean graph;
  private final Path report;
  private final boolean noProgress;
  private final Path output;
  private final boolean overwrite;

  /** What the last run left out (hidden, binary, links, special), for the JSON and stats output. */
  private InputResolver.Resolved skipped = new InputResolver.Resolved(List.of());

  WordCountCommand(CliEnvironment env, Args.Parsed parsed) {
    this.env = env;
    this.paths = parsed.positionals();
    this.tokenizer = parsed.get(TOKENIZER);
    this.top = parsed.get(TOP);
    this.stages = parsed.get(STAGES);
    this.maxDemand = parsed.get(MAX_DEMAND);
    this.charset = parsed.get(CHARSET);
    this.includeHidden = parsed.has(INCLUDE_HIDDEN);
    this.includeBinary = parsed.has(INCLUDE_BINARY);
    this.followLinks = parsed.has(FOLLOW_LINKS);
    this.globs = parsed.all(GLOB);
    this.json = parsed.has(JSON);
    this.stats = parsed.has(STATS);
    this.graph = parsed.has(GRAPH);
    this.report = parsed.get(REPORT);
    this.noProgress = parsed.has(NO_PROGRESS);
    this.output = parsed.get(OUTPUT);
    this.overwrite = parsed.has(OVERWRITE);
  }

  /** One line on stderr per kind of file left out, so a count never silently ignores input. */
  private void noteSkipped(PrintWriter err, InputResolver.Resolved r) {
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
    if (r.links() > 0) {
      err.println("flowstage: skipped " + InputResolver.linksNote(r.links(), followLinks));
    }
    if (r.special() > 0) {
      err.println("flowstage: skipped " + InputResolver.specialNote(r.special()));
    }
    err.flush();
  }

  private static String plural(long n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }

  private static int defaultStages() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** Counts and prints; a bad option value found only now is a {@link Args.UsageException}. */
  int call() throws InputResolver.BadInputException, IOException {
    InputResolver.Resolved resolved;
    WordCountJob job;
    try {
      InputResolver.Selection selection =
          new InputResolver.Selection(includeHidden, includeBinary, globs, charset, followLinks);
      resolved =
          paths.isEmpty()
              ? new InputResolver.Resolved(List.of(new Input.SampleInput(env.sample().get())))
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
      throw new Args.UsageException(COMMAND.name(), e.getMessage());
    }
    if (report != null) {
      Path dir = report.toAbsolutePath().getParent();
      if (dir != null && !Files.isDirectory(dir)) {
        throw new Args.UsageException(
            COMMAND.name(), "--report: no such directory: " + dir + " (create it first)");
      }
    }
    skipped = resolved;
    noteSkipped(env.err(), resolved);
    if (overwrite && output == null) {
      throw new Args.UsageException(COMMAND.name(), "--overwrite needs --output DIR");
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
      out.println(toJson(result, tokenizer, stats, skipped));
    } else {
      printText(out, result);
      if (stats) {
        out.println();
        out.printf(
            Locale.ROOT,
            "skipped: %d hidden, %d binary, %d links, %d special%n%n",
            skipped.hidden(),
            skipped.binary(),
            skipped.links(),
            skipped.special());
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
    return toJson(r, tokenizer, withStages, new InputResolver.Resolved(List.of()));
  }

  static String toJson(
      WordCountResult r, Tokenizer tokenizer, boolean withStages, InputResolver.Resolved skipped) {
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
    json.beginObject("skipped")
        .field("hidden", skipped.hidden())
        .field("binary", skipped.binary())
        .field("links", skipped.links())
        .field("special", skipped.special())
        .endObject();
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
  private static Tokenizer tokenizer(String value) {
    for (Tokenizer t : Tokenizer.values()) {
      if (cliName(t).equalsIgnoreCase(value)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown tokenizer '" + value + "' (use words or space)");
  }

  /** Accepts any charset name the JVM knows, such as UTF-8, ISO-8859-1 or windows-1252. */
  private static Charset charset(String value) {
    try {
      return Charset.forName(value);
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      throw new IllegalArgumentException(
          "unknown charset '" + value + "' (try UTF-8, ISO-8859-1 or windows-1252)", e);
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
