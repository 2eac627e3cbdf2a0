package dev.flowstage.examples.cli;

import dev.flowstage.examples.wordcount.Input;
import dev.flowstage.examples.wordcount.Tokenizer;
import dev.flowstage.examples.wordcount.WordCountJob;
import dev.flowstage.examples.wordcount.WordCountResult;
import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import dev.flowstage.stage.StageStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
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
      description = "Files, directories (walked recursively) or - for standard input.")
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
              + " uses fewer: one per 256 KiB.")
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
      defaultValue = "UTF-8",
      converter = CharsetConverter.class,
      description = "Encoding of the input (default: ${DEFAULT-VALUE}).")
  Charset charset = StandardCharsets.UTF_8;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Option(names = "--stats", description = "Print per-stage statistics after the result.")
  boolean stats;

  @Option(names = "--graph", description = "Print the stage graph as Mermaid and exit.")
  boolean graph;

  @Option(names = "--no-progress", description = "Never draw the progress bar on stderr.")
  boolean noProgress;

  @Option(
      names = "--debug",
      description = "On failure, print the stack trace and the stage runtime's log too.")
  boolean debug;

  WordCountCommand(CliEnvironment env) {
    this.env = env;
  }

  private static int defaultStages() {
    return Runtime.getRuntime().availableProcessors();
  }

  @Override
  public Integer call() throws InputResolver.BadInputException, IOException {
    List<Input> inputs =
        paths.isEmpty()
            ? List.of(new Input.SampleInput(env.sample().get()))
            : InputResolver.resolve(paths, env.stdin());
    WordCountJob job;
    try {
      job =
          new WordCountJob(
              inputs,
              tokenizer,
              top,
              stages == null ? defaultStages() : stages,
              maxDemand,
              charset);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
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
        result = env.engine().run(job, progress);
      } finally {
        bar.close();
      }
    } else {
      result = env.engine().run(job, progress);
    }
    if (json) {
      out.println(toJson(result, tokenizer, stats));
    } else {
      printText(out, result);
      if (stats) {
        out.println();
        printStats(out, result);
      }
    }
    out.flush();
    return 0;
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
    Json json =
        new Json()
            .beginObject()
            .field("tokenizer", tokenizer.cliName())
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

  /** Accepts {@code words} and {@code space}, in any case. */
  static final class TokenizerConverter implements CommandLine.ITypeConverter<Tokenizer> {
    @Override
    public Tokenizer convert(String value) {
      for (Tokenizer t : Tokenizer.values()) {
        if (t.cliName().equalsIgnoreCase(value)) {
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
