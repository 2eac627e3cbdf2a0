package dev.flowstage.bench.wordcount;

import dev.flowstage.bench.report.Json;
import dev.flowstage.bench.wordcount.WordCountResult.WordCount;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end word count driver: runs each implementation in its own JVM, alternating, several
 * times, checks that all print the same result, and writes the timings, peak RSS and results as
 * JSON for {@link dev.flowstage.bench.report.BenchReport}.
 *
 * <p>Options (defaults in brackets):
 *
 * <ul>
 *   <li>{@code --corpus FILE} the text to count (required): a file, or a folder of files for the
 *       implementations that read folders (the Flowstage ones);
 *   <li>{@code --impls a,b,...} implementations, from {@link #IMPLEMENTATIONS} [all but the ones
 *       whose jar is missing];
 *   <li>{@code --runs N} timed runs of each [5];
 *   <li>{@code --stages 1,2,...} run each Flowstage implementation once per stage count (scaling
 *       run) [not set: their default];
 *   <li>{@code --java-opts "..."} options for every child JVM, e.g. {@code -Xmx256m} [none];
 *   <li>{@code --cli-opts "..."} further JVM options for the CLI only: the start-up cache options
 *       {@code scripts/flowstage} starts it with, so the CLI is measured as users run it ({@code
 *       scripts/lib/cli.sh}; {@code scripts/bench} passes them) [none];
 *   <li>{@code --bench-jar FILE} [flow-bench/target/benchmarks.jar], {@code --cli-jar FILE}
 *       [flow-examples/target/flowstage.jar];
 *   <li>{@code --kind NAME} a label stored in the JSON (compare, scaling, memory) [compare];
 *   <li>{@code --timeout SECONDS} a run taking longer is killed and counted as failed [600];
 *   <li>{@code --out FILE} the JSON to write (required).
 * </ul>
 *
 * <p>An implementation that fails a run (non-zero exit, timeout, unreadable output) is not run
 * again: its failure is the result, and a hang must not stall the whole comparison. {@code
 * --list-flowstage true} only prints the Flowstage implementations that are built; {@code
 * --list-folders true} those of them that count a folder.
 *
 * <p>Peak RSS comes from GNU {@code /usr/bin/time -v} when it is installed, otherwise from polling
 * {@code VmHWM} in {@code /proc/PID/status} (the kernel's own high-water mark, so a poll that
 * misses the peak moment still reads it; only growth in the last few milliseconds before exit can
 * be missed); GNU time also gives the child's user + system CPU time. Wall time is measured around
 * the child process and includes JVM start-up; the counting time each implementation reports is
 * kept too.
 *
 * {@snippet lang="shell" :
 * scripts/bench wordcount
 * }
 */
public final class WordCountComparison {

  /** The implementations the driver knows, in report order. */
  public static final List<String> IMPLEMENTATIONS =
      List.of(
          "single-thread",
          "streams-sequential",
          "streams-parallel",
          "reactor",
          "rxjava",
          "pekko",
          "virtual-threads",
          "virtual-threads-boxed",
          "flow-api",
          "flow-api-plain",
          "flow-api-countby",
          "flow-api-countby-split",
          "flow-api-jdk",
          "flowstage-cli");

  /** The Flowstage implementations: the ones a {@code --stages} sweep applies to. */
  static final List<String> FLOWSTAGE = List.of("flow-api", "flowstage-cli");

  /**
   * The implementations that count a folder of files as well as one file ({@code Flow.fromFiles}
   * and the CLI walk it): the many-files run's.
   */
  static final List<String> READS_FOLDERS =
      List.of(
          "flow-api",
          "flow-api-countby",
          "flow-api-countby-split",
          "flow-api-jdk",
          "flowstage-cli");

  private static final String PACKAGE = "dev.flowstage.bench.wordcount.";

  private final Path corpus;
  private final List<Impl> impls;
  private final int runs;
  private final List<String> javaOpts;
  private final String kind;
  private final Path java;
  private final RssProbe probe;
  private final long timeoutSeconds;

  /** One implementation to run, with an optional stage count. */
  record Impl(String name, Integer stages, List<String> command) {
    String label() {
      return stages == null ? name : name + " --stages " + stages;
    }
  }

  /** One timed run of one implementation. */
  record Run(
      double wallMs,
      Double countMs,
      Long peakRssKiB,
      Double cpuMs,
      WordCountResult result,
      String failure) {}

  private WordCountComparison(
      Path corpus,
      List<Impl> impls,
      int runs,
      List<String> javaOpts,
      String kind,
      Path java,
      long timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
    this.corpus = corpus;
    this.impls = impls;
    this.runs = runs;
    this.javaOpts = javaOpts;
    this.kind = kind;
    this.java = java;
    this.probe = RssProbe.detect();
  }

  /**
   * Runs the comparison; see the class documentation for the options.
   *
   * @param args the options
   * @throws Exception if a child cannot be started or the JSON cannot be written
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    Path benchJar = Path.of(opts.getOrDefault("bench-jar", "flow-bench/target/benchmarks.jar"));
    Path cliJar = Path.of(opts.getOrDefault("cli-jar", "flow-examples/target/flowstage.jar"));
    if (opts.containsKey("list-folders")) {
      System.out.println(
          String.join(
              ",", READS_FOLDERS.stream().filter(n -> available(n, benchJar, cliJar)).toList()));
      return;
    }
    if (opts.containsKey("list-flowstage")) {
      // For scripts/bench: which Flowstage implementations are built, comma-separated.
      System.out.println(
          String.join(
              ",", FLOWSTAGE.stream().filter(n -> available(n, benchJar, cliJar)).toList()));
      return;
    }
    Path corpus = Path.of(required(opts, "corpus"));
    Path out = Path.of(required(opts, "out"));
    int runs = Integer.parseInt(opts.getOrDefault("runs", "5"));
    if (runs < 1) {
      throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
    }
    List<String> javaOpts = jvmOptions(opts, "java-opts");
    List<String> cliOpts = jvmOptions(opts, "cli-opts");
    List<String> names =
        opts.containsKey("impls")
            ? List.of(opts.get("impls").split(","))
            : IMPLEMENTATIONS.stream().filter(n -> available(n, benchJar, cliJar)).toList();
    List<Integer> stages =
        opts.containsKey("stages")
            ? Arrays.stream(opts.get("stages").split(",")).map(Integer::valueOf).toList()
            : null;
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<Impl> impls = new ArrayList<>();
    for (String name : names) {
      if (!IMPLEMENTATIONS.contains(name)) {
        throw new IllegalArgumentException(
            "unknown implementation \"" + name + "\"; choose from " + IMPLEMENTATIONS);
      }
      if (!available(name, benchJar, cliJar)) {
        throw new IllegalArgumentException(
            name
                + " is not available: build "
                + (name.equals("flowstage-cli") ? cliJar : benchJar)
                + " first (scripts/bench does)");
      }
      List<Integer> stageCounts =
          stages != null && FLOWSTAGE.contains(name) ? stages : Collections.singletonList(null);
      for (Integer k : stageCounts) {
        impls.add(
            new Impl(
                name, k, withCliOpts(name, cliOpts, command(name, k, corpus, benchJar, cliJar))));
      }
    }
    WordCountComparison comparison =
        new WordCountComparison(
            corpus,
            impls,
            runs,
            javaOpts,
            opts.getOrDefault("kind", "compare"),
            java,
            Long.parseLong(opts.getOrDefault("timeout", "600")));
    Map<String, Object> report = comparison.run();
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, Json.write(report));
    System.err.println("wrote " + out);
    if (!Boolean.TRUE.equals(report.get("allAgree"))) {
      System.err.println("RESULTS DIFFER between implementations: see " + out);
      System.exit(1);
    }
  }

  private static boolean available(String name, Path benchJar, Path cliJar) {
    if (name.equals("flowstage-cli")) {
      return Files.isRegularFile(cliJar) && cliSupportsBenchmark(cliJar);
    }
    if (name.startsWith("flow-api")) {
      return Files.isRegularFile(benchJar) && classExists(PACKAGE + "FlowWordCount");
    }
    return Files.isRegularFile(benchJar);
  }

  /**
   * Whether the CLI jar has the options the benchmark uses ({@code --tokenizer} and {@code
   * --json}); an older CLI is left out rather than recorded as failing.
   */
  private static boolean cliSupportsBenchmark(Path cliJar) {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    try {
      Process p =
          new ProcessBuilder(java.toString(), "-jar", cliJar.toString(), "wordcount", "--help")
              .redirectErrorStream(true)
              .start();
      String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.waitFor(60, TimeUnit.SECONDS)
          && p.exitValue() == 0
          && help.contains("--tokenizer")
          && help.contains("--json");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean classExists(String name) {
    try {
      Class.forName(name, false, WordCountComparison.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The whitespace-separated JVM options of {@code --KEY "..."}; empty when not given. */
  private static List<String> jvmOptions(Map<String, String> opts, String key) {
    String text = opts.getOrDefault(key, "");
    return text.isBlank() ? List.of() : List.of(text.strip().split("\\s+"));
  }

  /** {@code command} with the CLI's own JVM options in front, for the CLI only. */
  static List<String> withCliOpts(String name, List<String> cliOpts, List<String> command) {
    if (!name.equals("flowstage-cli") || cliOpts.isEmpty()) {
      return command;
    }
    List<String> cmd = new ArrayList<>(cliOpts);
    cmd.addAll(command);
    return cmd;
  }

  /** The child command (without the java binary and JVM options) for an implementation. */
  static List<String> command(
      String name, Integer stages, Path corpus, Path benchJar, Path cliJar) {
    String file = corpus.toString();
    String cp = benchJar.toString();
    List<String> cmd =
        new ArrayList<>(
            switch (name) {
              case "single-thread" -> List.of("-cp", cp, PACKAGE + "SingleThreadWordCount");
              case "streams-sequential" -> List.of("-cp", cp, PACKAGE + "StreamWordCount");
              case "streams-parallel" ->
                  List.of("-cp", cp, PACKAGE + "StreamWordCount", "--parallel");
              case "reactor" -> List.of("-cp", cp, PACKAGE + "ReactorWordCount");
              case "rxjava" -> List.of("-cp", cp, PACKAGE + "RxJavaWordCount");
              case "pekko" -> List.of("-cp", cp, PACKAGE + "PekkoWordCount");
              case "virtual-threads" -> List.of("-cp", cp, PACKAGE + "VirtualThreadWordCount");
              case "virtual-threads-boxed" ->
                  List.of("-cp", cp, PACKAGE + "VirtualThreadWordCount", "--boxed");
              case "flow-api-countby" ->
                  List.of("-cp", cp, PACKAGE + "FlowKeyedWordCount", "--countby");
              case "flow-api-countby-split" ->
                  List.of("-cp", cp, PACKAGE + "FlowKeyedWordCount", "--countby-split");
              case "flow-api-jdk" -> List.of("-cp", cp, PACKAGE + "FlowKeyedWordCount", "--jdk");
              case "flow-api" -> List.of("-cp", cp, PACKAGE + "FlowWordCount");
              case "flow-api-plain" -> List.of("-cp", cp, PACKAGE + "FlowWordCount", "--plain");
              case "flowstage-cli" ->
                  List.of(
                      "-jar",
                      cliJar.toString(),
                      "wordcount",
                      "--tokenizer",
                      "space",
                      "--json",
                      "--top",
                      String.valueOf(WordCountResult.TOP));
              default -> throw new IllegalArgumentException("unknown implementation " + name);
            });
    if (stages != null) {
      cmd.add("--stages");
      cmd.add(String.valueOf(stages));
    }
    cmd.add(file);
    return cmd;
  }

  private Map<String, Object> run() throws IOException, InterruptedException {
    warmPageCache();
    Map<String, List<Run>> byImpl = new LinkedHashMap<>();
    impls.forEach(i -> byImpl.put(i.label(), new ArrayList<>()));
    String loadBefore = loadAverage();
    for (int round = 0; round < runs; round++) {
      // Rotate the order each round so no implementation always runs first (or after the same one).
      for (int k = 0; k < impls.size(); k++) {
        Impl impl = impls.get((k + round) % impls.size());
        if (byImpl.get(impl.label()).stream().anyMatch(r -> r.failure() != null)) {
          continue; // failed before: not run again
        }
        Run run = runOnce(impl);
        byImpl.get(impl.label()).add(run);
        System.err.printf(
            Locale.ROOT,
            "[%s %d/%d] %-32s wall %8.0f ms  count %8s ms  rss %8s KiB  %s%n",
            kind,
            round + 1,
            runs,
            impl.label(),
            run.wallMs(),
            run.countMs() == null ? "-" : String.format(Locale.ROOT, "%.0f", run.countMs()),
            run.peakRssKiB() == null ? "-" : run.peakRssKiB(),
            run.failure() == null ? "ok" : "FAILED: " + run.failure());
      }
    }
    return report(byImpl, loadBefore);
  }

  private Map<String, Object> report(Map<String, List<Run>> byImpl, String loadBefore)
      throws IOException {
    WordCountResult reference = null;
    for (List<Run> rs : byImpl.values()) {
      for (Run r : rs) {
        // Prefer a result with a checksum as the reference: it is the strongest check.
        if (r.result() != null && (reference == null || reference.checksum() == null)) {
          reference = r.result();
        }
      }
    }
    boolean allAgree = reference != null;
    List<Object> implReports = new ArrayList<>();
    for (Impl impl : impls) {
      List<Run> rs = byImpl.get(impl.label());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", impl.name());
      m.put("label", impl.label());
      m.put("stages", impl.stages());
      m.put("command", commandLine(impl));
      List<Run> ok = rs.stream().filter(r -> r.failure() == null).toList();
      boolean agrees = !ok.isEmpty();
      for (Run r : ok) {
        agrees &= reference != null && r.result().agreesWith(reference);
      }
      allAgree &= agrees || ok.isEmpty();
      m.put("succeeded", ok.size());
      m.put("failed", rs.size() - ok.size());
      m.put("failures", rs.stream().map(Run::failure).filter(f -> f != null).distinct().toList());
      m.put("resultAgrees", agrees);
      m.put("wallMs", stats(ok.stream().map(Run::wallMs).toList()));
      m.put("countMs", stats(ok.stream().map(Run::countMs).filter(v -> v != null).toList()));
      m.put("cpuMs", stats(ok.stream().map(Run::cpuMs).filter(v -> v != null).toList()));
      m.put(
          "peakRssKiB",
          stats(
              rs.stream()
                  .map(Run::peakRssKiB)
                  .filter(v -> v != null)
                  .map(Long::doubleValue)
                  .toList()));
      List<Object> runList = new ArrayList<>();
      for (Run r : rs) {
        Map<String, Object> one = new LinkedHashMap<>();
        one.put("wallMs", round1(r.wallMs()));
        one.put("countMs", r.countMs() == null ? null : round1(r.countMs()));
        one.put("peakRssKiB", r.peakRssKiB());
        one.put("cpuMs", r.cpuMs() == null ? null : round1(r.cpuMs()));
        one.put("failure", r.failure());
        runList.add(one);
      }
      m.put("runs", runList);
      implReports.add(m);
    }
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("kind", kind);
    report.put("createdAt", Instant.now().toString());
    report.put("machine", machine(loadBefore));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("path", corpus.toString());
    c.put("bytes", corpusBytes(corpus));
    report.put("corpus", c);
    report.put("runsPerImpl", runs);
    report.put("javaOpts", String.join(" ", javaOpts));
    report.put("rssMethod", probe.name());
    report.put("allAgree", allAgree);
    report.put("result", reference == null ? null : reference.render());
    report.put("impls", implReports);
    return report;
  }

  private String commandLine(Impl impl) {
    List<String> cmd = new ArrayList<>();
    cmd.add("java");
    cmd.addAll(javaOpts);
    cmd.addAll(impl.command());
    return String.join(" ", cmd);
  }

  private Map<String, Object> machine(String loadBefore) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", cpuModel());
    m.put("memoryMiB", memoryMiB());
    m.put(
        "jdk",
        System.getProperty("java.vm.vendor")
            + " "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version"));
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put("loadAverageBefore", loadBefore);
    m.put("loadAverageAfter", loadAverage());
    return m;
  }

  private Run runOnce(Impl impl) throws IOException, InterruptedException {
    Path stdout = Files.createTempFile("wordcount-", ".out");
    Path stderr = Files.createTempFile("wordcount-", ".err");
    Path timeFile = Files.createTempFile("wordcount-", ".time");
    try {
      List<String> cmd = new ArrayList<>();
      if (probe == RssProbe.GNU_TIME) {
        cmd.addAll(List.of("/usr/bin/time", "-v", "-o", timeFile.toString()));
      }
      cmd.add(java.toString());
      cmd.addAll(javaOpts);
      cmd.addAll(impl.command());
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      pb.environment().remove("JAVA_TOOL_OPTIONS"); // its banner on stderr is noise, options differ
      long start = System.nanoTime();
      Process p = pb.start();
      Long polled =
          probe == RssProbe.PROC
              ? pollVmHwm(p, start + TimeUnit.SECONDS.toNanos(timeoutSeconds))
              : null;
      boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      double wallMs = (System.nanoTime() - start) / 1e6;
      if (!finished) {
        // With GNU time the JVM is time's child: end it too, then time itself.
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(30, TimeUnit.SECONDS);
        return new Run(
            wallMs, null, polled, null, null, "timed out after " + timeoutSeconds + " s");
      }
      Long rss = probe == RssProbe.GNU_TIME ? gnuTimeRss(timeFile) : polled;
      Double cpuMs = probe == RssProbe.GNU_TIME ? gnuTimeCpuMs(timeFile) : null;
      String out = Files.readString(stdout, StandardCharsets.UTF_8);
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        return new Run(
            wallMs, null, rss, cpuMs, null, "exit " + p.exitValue() + ": " + lastLines(err));
      }
      try {
        ParsedOutput parsed =
            impl.name().equals("flowstage-cli") ? parseCliJson(out) : parseCanonical(out, err);
        return new Run(wallMs, parsed.countMs(), rss, cpuMs, parsed.result(), null);
      } catch (RuntimeException e) {
        return new Run(
            wallMs,
            null,
            rss,
            cpuMs,
            null,
            "unreadable output (" + e.getMessage() + "): " + lastLines(out));
      }
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
      Files.deleteIfExists(timeFile);
    }
  }

  record ParsedOutput(WordCountResult result, Double countMs) {}

  static ParsedOutput parseCanonical(String out, String err) {
    Double countMs = null;
    for (String line : err.split("\n")) {
      if (line.startsWith("elapsed_ms=")) {
        countMs = Double.valueOf(line.substring("elapsed_ms=".length()).strip());
      }
    }
    return new ParsedOutput(WordCountResult.parse(out), countMs);
  }

  /**
   * Reads {@code flowstage wordcount --json}: {@code words}, {@code distinct}, {@code top} as a
   * list of {@code {word, count}}, and an elapsed time in milliseconds under any key starting with
   * "elapsed". The CLI prints no checksum, so results are compared on the rest.
   */
  static ParsedOutput parseCliJson(String out) {
    Map<String, Object> json = Json.asObject(Json.parse(out.strip()));
    List<WordCount> top = new ArrayList<>();
    for (Object o : Json.array(json, "top")) {
      Map<String, Object> e = Json.asObject(o);
      top.add(new WordCount((String) e.get("word"), Json.number(e, "count").longValue()));
    }
    Double countMs = null;
    for (Map.Entry<String, Object> e : json.entrySet()) {
      if (e.getKey().toLowerCase(Locale.ROOT).startsWith("elapsed")
          && e.getValue() instanceof Number n) {
        countMs = n.doubleValue();
      }
    }
    WordCountResult result =
        new WordCountResult(
            Json.number(json, "words").longValue(),
            Json.number(json, "distinct").longValue(),
            null,
            top);
    return new ParsedOutput(result, countMs);
  }

  private void warmPageCache() throws IOException {
    // Every implementation then reads the corpus from memory; the first one is not penalized.
    byte[] buffer = new byte[1 << 20];
    for (Path file : corpusFiles(corpus)) {
      try (InputStream in = Files.newInputStream(file)) {
        while (in.read(buffer) >= 0) {
          // read only
        }
      }
    }
  }

  /** The corpus's files: itself, or the regular files under it when it is a folder. */
  static List<Path> corpusFiles(Path corpus) throws IOException {
    if (!Files.isDirectory(corpus)) {
      return List.of(corpus);
    }
    try (var paths = Files.walk(corpus)) {
      return paths.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /**
   * The corpus's size: a file's, or the sum of the files' under a folder (the many-files run).
   *
   * @param corpus a file or a folder
   * @return its bytes
   * @throws IOException if it cannot be read
   */
  static long corpusBytes(Path corpus) throws IOException {
    long bytes = 0;
    for (Path file : corpusFiles(corpus)) {
      bytes += Files.size(file);
    }
    return bytes;
  }

  /** How peak resident memory of a child is measured. */
  enum RssProbe {
    GNU_TIME,
    PROC,
    NONE;

    static RssProbe detect() {
      Path time = Path.of("/usr/bin/time");
      if (Files.isExecutable(time)) {
        try {
          Path tmp = Files.createTempFile("time-probe", ".txt");
          Process p =
              new ProcessBuilder(time.toString(), "-v", "-o", tmp.toString(), "true")
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                  .start();
          boolean ok = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
          String text = Files.readString(tmp);
          Files.deleteIfExists(tmp);
          if (ok && text.contains("Maximum resident set size")) {
            return GNU_TIME;
          }
        } catch (IOException | InterruptedException e) {
          // not GNU time (BusyBox or BSD time lack -v -o): fall back to /proc
        }
      }
      return Files.isReadable(Path.of("/proc/self/status")) ? PROC : NONE;
    }
  }

  /** User plus system CPU time of the child, in milliseconds, from GNU time's report. */
  private static Double gnuTimeCpuMs(Path timeFile) throws IOException {
    double seconds = 0;
    int found = 0;
    for (String line : Files.readAllLines(timeFile)) {
      String t = line.strip();
      if (t.startsWith("User time (seconds):") || t.startsWith("System time (seconds):")) {
        seconds += Double.parseDouble(t.substring(t.indexOf(':') + 1).strip());
        found++;
      }
    }
    return found == 2 ? seconds * 1000 : null;
  }

  private static Long gnuTimeRss(Path timeFile) throws IOException {
    for (String line : Files.readAllLines(timeFile)) {
      String t = line.strip();
      if (t.startsWith("Maximum resident set size (kbytes):")) {
        return Long.valueOf(t.substring(t.indexOf(':') + 1).strip());
      }
    }
    return null;
  }

  private static Long pollVmHwm(Process p, long deadlineNanos) throws InterruptedException {
    Path status = Path.of("/proc", String.valueOf(p.pid()), "status");
    Long peak = null;
    while (p.isAlive() && System.nanoTime() < deadlineNanos) {
      try {
        for (String line : Files.readAllLines(status)) {
          if (line.startsWith("VmHWM:")) {
            long kib = Long.parseLong(line.substring(6).replace("kB", "").strip());
            peak = peak == null ? kib : Math.max(peak, kib);
          }
        }
      } catch (IOException | RuntimeException e) {
        // the process ended between isAlive and the read
      }
      p.waitFor(5, TimeUnit.MILLISECONDS);
    }
    return peak;
  }

  private static Map<String, Object> stats(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    int n = v.length;
    double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("median", round1(median));
    m.put("min", round1(v[0]));
    m.put("max", round1(v[n - 1]));
    m.put("n", n);
    return m;
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static String lastLines(String text) {
    List<String> lines = text.lines().filter(l -> !l.startsWith("WARNING:")).toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (IOException e) {
      return null;
    }
  }

  private static String cpuModel() {
    try {
      Optional<String> line =
          Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
              .filter(l -> l.startsWith("model name"))
              .findFirst();
      return line.map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static Long memoryMiB() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Long.parseLong(line.substring(9).replace("kB", "").strip()) / 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return null;
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "expected --name value pairs, got \"" + a + "\"; see the class documentation");
      }
      opts.put(a.substring(2), args[++i]);
    }
    return opts;
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return v;
  }
}
