package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowListener;
import dev.flowstage.flow.FlowRunInfo;
import dev.flowstage.flow.FlowState;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableComparator;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.stage.StageStats;
import dev.flowstage.stage.StageSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random pipelines drawn from Flow's operator catalogue, run to the end (or stopped at a random
 * moment), checked against invariants that hold whatever the partitioning and timing: the run ends,
 * fails only as the plan implies (once, as a {@link FlowException}), conserves events (multisets,
 * sums, counts, per-key totals, late events in the late counters), discards nothing, and leaves no
 * stage thread behind. Seeded: a failure prints the seed and the pipeline. {@code -Dfuzz.tries=N}
 * runs N plans (default 60), {@code -Dfuzz.seed=S} starts elsewhere, {@code -Dfuzz.only=S} runs the
 * one plan of seed S, {@code -Dfuzz.maxEvents=N} sizes the sources (default 200 events, 15 times
 * that in the cancel test), {@code -Dfuzz.hangSeconds=N} is the hang guard (default 60) and {@code
 * -Dfuzz.verbose=true} lists the plans the builder rejected and counts the later draws. The testing
 * guide describes it.
 */
final class FlowFuzzProperties {
  private static final int TRIES = Integer.getInteger("fuzz.tries", 60);
  private static final long SEED = Long.getLong("fuzz.seed", 0x5EED_F1F0L);
  private static final Long ONLY = Long.getLong("fuzz.only");
  private static final int MAX_EVENTS = Integer.getInteger("fuzz.maxEvents", 200);
  private static final boolean VERBOSE = Boolean.getBoolean("fuzz.verbose");
  private static final Duration HANG = Duration.ofSeconds(Long.getLong("fuzz.hangSeconds", 60));

  /** What the listener saw of the runs this class started: started and ended runs, failures. */
  private static final Map<String, FlowRunInfo> STARTED = new ConcurrentHashMap<>();

  private static final Map<String, FlowRunInfo> ENDED = new ConcurrentHashMap<>();
  private static final Map<String, List<String>> FAILED = new ConcurrentHashMap<>();
  private static FlowListener.Registration registration;

  /** Plans whose windowJoin dropped late events, so only the run's end was checked. */
  private static final AtomicLong LATE_JOINS = new AtomicLong();

  private static Path fileRoot;

  /** How often each of the later draws was made (printed with -Dfuzz.verbose=true). */
  private static final Map<String, AtomicLong> DRAWN = new ConcurrentHashMap<>();

  /** Counts one draw of {@code what}. */
  static void drawn(String what) {
    DRAWN.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
  }

  private static final AtomicLong WRITES = new AtomicLong();

  /** The directory of the file sources' temporary files, deleted after the class. */
  static synchronized Path fileRoot() throws java.io.IOException {
    if (fileRoot == null) {
      fileRoot = Files.createTempDirectory("fuzz-files");
    }
    return fileRoot;
  }

  private static ExecutorService runner;

  // Held strongly: the log manager keeps loggers weakly, and with them their level.
  private static final Logger RUNTIME = Logger.getLogger("dev.flowstage.stage");
  private static Level runtimeLevel;

  @BeforeAll
  static void listen() {
    // The runtime logs each failed stage; the plans that throw on purpose are checked here.
    runtimeLevel = RUNTIME.getLevel();
    RUNTIME.setLevel(Level.OFF);
    registration =
        FlowListener.register(
            new FlowListener() {
              @Override
              public void flowStarted(FlowRunInfo flow) {
                STARTED.put(flow.name(), flow);
              }

              @Override
              public void stageFailed(FlowRunInfo flow, String stage, Throwable cause) {
                FAILED
                    .computeIfAbsent(
                        flow.name(), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(stage + ": " + cause);
              }

              @Override
              public void flowEnded(FlowRunInfo flow) {
                ENDED.put(flow.name(), flow);
              }
            });
    // A hung plan's thread is left behind (it cannot be stopped): a daemon does not hold the JVM.
    runner =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fuzz-plan");
              t.setDaemon(true);
              return t;
            });
  }

  @AfterAll
  static void unlisten() throws java.io.IOException {
    registration.close();
    runner.shutdownNow();
    if (VERBOSE) {
      System.err.println("fuzz: " + LATE_JOINS + " windowJoin plans dropped late events");
      System.err.println("fuzz: drawn " + new TreeMap<>(DRAWN));
    }
    if (fileRoot != null) {
      try (Stream<Path> walk = Files.walk(fileRoot)) {
        walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    RUNTIME.setLevel(runtimeLevel);
  }

  @Test
  void randomPipelines_endConserveEventsAndLeaveNoThread() throws Exception {
    SplittableRandom seeds = new SplittableRandom(SEED);
    int tries = ONLY != null ? 1 : TRIES;
    for (int i = 0; i < tries; i++) {
      long seed = ONLY != null ? ONLY : seeds.nextLong();
      runOne(seed, false);
    }
  }

  @Test
  void randomCancels_endPromptlyAsCancelledAndLeaveNoThread() throws Exception {
    SplittableRandom seeds = new SplittableRandom(SEED ^ 0xCA4CE1L);
    int tries = ONLY != null ? 1 : Math.max(1, TRIES / 2);
    for (int i = 0; i < tries; i++) {
      long seed = ONLY != null ? ONLY : seeds.nextLong();
      runOne(seed, true);
    }
  }

  private static void runOne(long seed, boolean cancel) throws Exception {
    Case c;
    try {
      c = Case.generate(seed, cancel);
    } catch (IllegalArgumentException | IllegalStateException rejected) {
      // The plan builder rejected it, with a message: nothing to run.
      if (VERBOSE) {
        System.err.println(
            "fuzz: rejected when built (seed " + seed + "): " + rejected.getMessage());
      }
      return;
    }
    STARTED.clear();
    ENDED.clear();
    FAILED.clear();
    Future<String> f = runner.submit(c::execute);
    String problem;
    try {
      problem = f.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      problem = "HANG: no end after " + HANG + "\n" + hangReport();
    } catch (ExecutionException e) {
      problem = "unexpected " + stackOf(e.getCause());
    }
    if (c.userSystem != null && !(problem != null && problem.startsWith("HANG"))) {
      c.userSystem.close();
    }
    if (problem != null) {
      fail(
          "fuzz plan failed (reproduce with -Dfuzz.only="
              + seed
              + (cancel ? " in the cancel test" : "")
              + "):\n"
              + c.describe()
              + "\n"
              + problem);
    }
  }

  private static String stackOf(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  /** The counters of each run still going and a dump of its stage threads (virtual included). */
  private static String hangReport() {
    StringBuilder b = new StringBuilder();
    for (FlowRunInfo info : STARTED.values()) {
      if (!ENDED.containsKey(info.name())) {
        b.append(info.statistics().toText()).append('\n');
      }
    }
    try {
      Path file = Files.createTempFile("fuzz-threads", ".txt");
      Files.delete(file);
      // jcmd's dump lists virtual threads too (the stage threads), which getAllStackTraces omits.
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      Process p =
          new ProcessBuilder(
                  jcmd.toString(),
                  String.valueOf(ProcessHandle.current().pid()),
                  "Thread.dump_to_file",
                  file.toString())
              .redirectErrorStream(true)
              .start();
      p.getInputStream().readAllBytes();
      p.waitFor(60, TimeUnit.SECONDS);
      String dump = Files.readString(file);
      Files.delete(file);
      // A flow's stage threads are named flowstage-g<group>.<index> (without the run's name; one
      // plan runs at a time here), its closing threads <run>-cancel.
      for (String thread : dump.split("\n\n")) {
        if (thread.contains("\"flowstage-g")
            || thread.contains("\"fuzz-plan\"")
            || thread.contains("\"flow-publisher")
            || STARTED.keySet().stream().anyMatch(run -> thread.contains("\"" + run + "-"))) {
          b.append(thread).append("\n\n");
        }
      }
    } catch (Exception e) {
      b.append("(no thread dump: ").append(e).append(")\n");
      Thread.getAllStackTraces()
          .forEach(
              (t, st) -> {
                if (t.getName().startsWith("fuzz-plan") || t.getName().startsWith("flowstage")) {
                  b.append(t).append('\n');
                  for (StackTraceElement el : st) {
                    b.append("    at ").append(el).append('\n');
                  }
                }
              });
    }
    return b.toString();
  }

  // ---------------------------------------------------------------------------------------------
  // A random plan and its model

  /** Thrown on purpose by a step of the plan; the run must report it, once. */
  static final class Boom extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Boom() {
      super("boom (thrown on purpose by the plan)", null, false, false);
    }
  }

  enum Terminal {
    TO_LIST,
    STREAM,
    START,
    RUN,
    PUBLISHER,
    COLLECT,
    /** writeLines, each line an id of the event it wrote; read back and checked once each. */
    WRITE,
    /**
     * writeCsv (random header, overwrite, charset), each row an id, an awkward field and the event;
     * read back with an RFC 4180 parser of the test's own.
     */
    WRITE_CSV,
    INTO,
    /** Cancel mode: start, cancel after some events. */
    CANCEL_START,
    /** Cancel mode: read some events of stream(), then close it. */
    CLOSE_STREAM,
    /** Cancel mode: a subscriber that cancels after some events. */
    CANCEL_PUBLISHER,
    /** Cancel mode: collect with a collector that throws after some events. */
    COLLECT_THROWS,
    /** Cancel mode: a stream's forEach that throws after some events. */
    FOREACH_THROWS,
    /** Cancel mode: into consumer stages, cancelled after they received some events. */
    CANCEL_INTO,
    /**
     * Cancel mode: startWritingLines or startWritingCsv, cancelled after some events were written:
     * nothing may be left of it.
     */
    CANCEL_WRITE
  }

  /** Thrown on purpose by the reader of a run's result: rethrown unchanged, the run failed. */
  static final class ReaderBoom extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReaderBoom() {
      super("reader boom (thrown on purpose by the result's reader)", null, false, false);
    }
  }

  /** One random pipeline: the flow, a model of what it must produce, and how it ends. */
  static final class Case {
    final long seed;
    final boolean cancel;
    final SplittableRandom r;
    final List<String> steps = new ArrayList<>();
    Flow<Integer> flow;
    List<Integer> model;
    long dropped;
    // The last step routed by a function of the event (whole event, key or hash), so equal events
    // meet in one stage and uniq is distinct.
    boolean plainPartition;
    int flatMaps;
    boolean fanned; // one flatMap of many copies per plan
    int depth; // how deep in the sides of merges, zips and joins the builder is
    int booms;
    boolean freshLayer = true; // no operation yet in the current layer
    boolean boomExpected;
    final List<AtomicLong> eachCounters = new ArrayList<>();
    final List<Integer> eachExpected = new ArrayList<>();
    Flow<?> out;
    Function<Run, String> check;
    Terminal terminal;
    int cancelAfter;
    Terminal firstTerminal; // as drawn (terminal becomes again's for a second run)
    Terminal again; // a second terminal on the same plan, or null
    boolean singleUse; // a Stream or Iterator source: the plan runs once
    int intoSinks; // consumer stages of into(...): each event reaches one of them
    boolean triggerSafe; // a user trigger leaves the checked totals as they are
    boolean mapperOnlyLayer; // the window being drawn is on a layer without reduce or uniq
    int userTriggers;
    boolean noMapBatch; // drawing a zip side: no mapBatch (it reverses a batch)
    boolean ordered; // after a zip, until something reorders: the output order is the model's
    boolean nulls; // the output holds null events: no terminal that writes them as text
    final java.util.Set<Integer> atMost = new java.util.HashSet<>(); // each counters of zip sides
    String expectedFailure; // a failure the plan must cause other than Boom (a word of its message)
    JoinMode lateJoin; // a windowJoin's mode: late events it drops leave the model
    int lateFrom; // the first each counter after the windowJoin
    StageSystem userSystem; // the running producers of fromStages sources, closed after the run
    boolean startBoom; // a Boom thrown while the run's stages are built: it fails unannounced
    TestClock clock; // the plan's virtual clock (withClock), or null
    int advanceMs; // how far the advancer moves the virtual clock each time (0: never)

    private Case(long seed, boolean cancel) {
      this.seed = seed;
      this.cancel = cancel;
      this.r = new SplittableRandom(seed);
    }

    String describe() {
      return "seed "
          + seed
          + ", terminal "
          + firstTerminal
          + (terminal == Terminal.INTO ? " (" + intoSinks + " consumer stages)" : "")
          + (cancel ? ", cancel after " + cancelAfter + " events" : "")
          + (again != null ? ", then again with " + again : "")
          + (userTriggers > 0 ? ", " + userTriggers + " x running.trigger(\"fuzz\")" : "")
          + "\n  "
          + String.join("\n  ", steps);
    }

    static Case generate(long seed, boolean cancel) {
      Case c = new Case(seed, cancel);
      try {
        c.build();
      } catch (RuntimeException rejected) {
        if (c.userSystem != null) {
          c.userSystem.close();
        }
        throw rejected;
      }
      return c;
    }

    private List<Integer> ints(int max) {
      // Sometimes no event, sometimes exactly one (a pane, a zip, a join of one event).
      int n = r.nextInt(8) == 0 ? 0 : r.nextInt(10) == 0 ? 1 : r.nextInt(max + 1);
      List<Integer> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        l.add(r.nextInt(-50, 501));
      }
      return l;
    }

    private UnaryOperator<Options> demandOptions(StringBuilder d, int stages) {
      int maxDemand = r.nextInt(3) == 0 ? -1 : r.nextInt(1, 6);
      int minDemand = maxDemand > 1 && r.nextInt(3) == 0 ? r.nextInt(maxDemand) : -1;
      d.append("stages(").append(stages).append(')');
      if (maxDemand > 0) {
        d.append(".maxDemand(").append(maxDemand).append(')');
      }
      if (minDemand >= 0) {
        d.append(".minDemand(").append(minDemand).append(')');
      }
      return o -> {
        Options x = o.stages(stages);
        if (maxDemand > 0) {
          x = x.maxDemand(maxDemand);
        }
        if (minDemand >= 0) {
          x = x.minDemand(minDemand);
        }
        return x;
      };
    }

    /** {@code in} dealt at random into {@code parts} lists, each in {@code in}'s order. */
    private List<List<Integer>> split(List<Integer> in, int parts) {
      List<List<Integer>> lists = new ArrayList<>();
      for (int i = 0; i < parts; i++) {
        lists.add(new ArrayList<>());
      }
      for (Integer x : in) {
        lists.get(r.nextInt(parts)).add(x);
      }
      return lists;
    }

    /** A source and its model; {@code max} bounds its events. */
    private Flow<Integer> source(List<Integer> model, int max) {
      return source(model, max, false);
    }

    /**
     * A source and its model; {@code max} bounds its events; {@code single} draws only the sources
     * zip accepts (one iterable, publisher or file).
     */
    private Flow<Integer> source(List<Integer> model, int max, boolean single) {
      plainPartition = false; // a new source: equal events may be in any of its stages
      List<Integer> in = ints(max);
      model.addAll(in);
      StringBuilder d = new StringBuilder();
      UnaryOperator<Options> o = demandOptions(d, r.nextInt(1, 4));
      int kind = r.nextInt(8);
      if (single && (kind == 1 || kind == 6 || kind == 7)) {
        kind = 0;
      }
      if (kind == 7) {
        // Producers each run makes from these lists (fromProducers): the plan can run again.
        List<List<Integer>> lists = split(in, r.nextInt(1, 4));
        int parts = lists.size();
        AtomicBoolean failing = boom(true);
        List<java.util.function.Supplier<dev.flowstage.stage.Producer<Integer>>> factories =
            new ArrayList<>();
        for (int i = 0; i < parts; i++) {
          List<Integer> l = lists.get(i);
          boolean fails = failing != null && i == parts - 1;
          factories.add(
              () -> fails ? failingAtTheEnd(l) : dev.flowstage.stage.Producers.fromIterable(l));
        }
        steps.add(
            "fromProducers("
                + lists.stream().map(l -> String.valueOf(l.size())).toList()
                + " ints"
                + (failing != null ? ", the last throws Boom at its end" : "")
                + ", o -> o."
                + d
                + ")");
        freshLayer = true;
        return Flow.fromProducers(factories, o);
      }
      if (kind == 5) {
        return files(in, model, d, o, single);
      }
      if (kind == 6) {
        // Running producers of a system the plan owns, split as fromEnumerables' lists are.
        if (userSystem == null) {
          userSystem = new StageSystem("fuzz-producers");
        }
        List<List<Integer>> lists = split(in, r.nextInt(1, 4));
        int parts = lists.size();
        // Sometimes the last producer fails (throws Boom) instead of finishing, once its list is
        // out: a producer that does not finish normally fails the flow.
        AtomicBoolean failing = boom(true);
        List<dev.flowstage.stage.Stage<Integer>> producers = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
          producers.add(
              userSystem.startProducer(
                  failing != null && i == parts - 1
                      ? failingAtTheEnd(lists.get(i))
                      : dev.flowstage.stage.Producers.fromIterable(lists.get(i))));
        }
        steps.add(
            "fromStages("
                + lists.stream().map(l -> String.valueOf(l.size())).toList()
                + " ints in running producers"
                + (failing != null ? ", the last throws Boom at its end" : "")
                + ", o -> o."
                + d
                + ")");
        singleUse = true;
        freshLayer = true;
        return Flow.fromStages(producers, o);
      }
      freshLayer = true;
      switch (kind) {
        case 4 -> {
          // Sometimes the publisher ends with onError(Boom) instead of onComplete.
          AtomicBoolean failing = boom(true);
          steps.add(
              "fromPublisher(a publisher of "
                  + in.size()
                  + " ints"
                  + (failing != null ? " then onError(Boom)" : "")
                  + ", o -> o."
                  + d
                  + ")");
          return Flow.fromPublisher(new ListPublisher(in, failing != null), o);
        }
        case 0 -> {
          steps.add("fromEnumerable(" + in.size() + " ints, o -> o." + d + ")");
          return Flow.fromEnumerable(in, o);
        }
        case 1 -> {
          int parts = r.nextInt(1, 5);
          List<List<Integer>> lists = new ArrayList<>();
          for (int i = 0; i < parts; i++) {
            lists.add(new ArrayList<>());
          }
          for (Integer x : in) {
            lists.get(r.nextInt(parts)).add(x);
          }
          steps.add(
              "fromEnumerables("
                  + lists.stream().map(l -> String.valueOf(l.size())).toList()
                  + " ints, o -> o."
                  + d
                  + ")");
          return Flow.fromEnumerables(lists, o);
        }
        case 2 -> {
          steps.add("fromEnumerable(Stream of " + in.size() + " ints, o -> o." + d + ")");
          singleUse = true;
          return Flow.fromEnumerable(in.stream(), o);
        }
        default -> {
          // Sometimes the iterator's hasNext throws Boom after some of the events.
          AtomicBoolean failing = boom(true);
          int at = r.nextInt(in.size() + 1);
          steps.add(
              "fromEnumerable(Iterator of "
                  + in.size()
                  + " ints"
                  + (failing != null ? ", hasNext throws Boom after " + at : "")
                  + ", o -> o."
                  + d
                  + ")");
          singleUse = true;
          java.util.Iterator<Integer> base = in.iterator();
          java.util.Iterator<Integer> it =
              failing == null
                  ? base
                  : new java.util.Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                      if (i == at && failing.compareAndSet(false, true)) {
                        throw new Boom();
                      }
                      return base.hasNext();
                    }

                    @Override
                    public Integer next() {
                      i++;
                      return base.next();
                    }
                  };
          return Flow.fromEnumerable(it, o);
        }
      }
    }

    /**
     * The events as lines of 1-3 files (one when {@code single}, unless a folder is read): LF or
     * CRLF, sometimes blank lines (filtered out), sometimes no final line end, sometimes gzipped,
     * read in byte ranges as small as a few bytes, parsed back to ints. Sometimes the source names
     * their folder instead, with {@link dev.flowstage.flow.FileOptions}: files in a subfolder, byte
     * order marks (UTF-8, or UTF-16LE read in the mark's charset), and files the options leave out
     * (by glob, hidden, binary) holding lines that are no int, so reading one fails the run.
     */
    private Flow<Integer> files(
        List<Integer> in,
        List<Integer> model,
        StringBuilder d,
        UnaryOperator<Options> o,
        boolean single) {
      boolean walked = r.nextInt(3) == 0;
      int n = single && !walked ? 1 : r.nextInt(1, 4);
      List<StringBuilder> texts = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        texts.add(new StringBuilder());
      }
      String eol = r.nextBoolean() ? "\n" : "\r\n";
      boolean blanks = r.nextInt(3) == 0;
      // A walked folder's files are read in path order: a zip side's model is that order.
      int[] cuts = new int[n + 1];
      for (int i = 1; i < n; i++) {
        cuts[i] = r.nextInt(in.size() + 1);
      }
      cuts[n] = in.size();
      java.util.Arrays.sort(cuts);
      int[] longest = new int[n]; // each file's longest line, in characters
      for (int i = 0; i < n; i++) {
        for (Integer x : in.subList(cuts[i], cuts[i + 1])) {
          int file = single ? i : r.nextInt(n);
          StringBuilder t = texts.get(file);
          if (blanks && r.nextInt(5) == 0) {
            t.append(eol);
          }
          t.append(x).append(eol);
          longest[file] = Math.max(longest[file], String.valueOf(x).length());
        }
      }
      int longestBytes = 0; // the longest line in bytes, as the files are encoded
      List<Path> paths = new ArrayList<>();
      List<String> shown = new ArrayList<>();
      List<String> fileOptions = new ArrayList<>();
      UnaryOperator<dev.flowstage.flow.FileOptions> fo = UnaryOperator.identity();
      try {
        Path dir = Files.createTempDirectory(fileRoot(), "plan");
        boolean globbed = walked && r.nextBoolean();
        boolean hiddenOut = walked && r.nextBoolean();
        boolean binaryOut = walked && r.nextBoolean();
        boolean anyGz = false;
        // Sometimes one line of one file is longer than maxLineBytes: the run's one failure,
        // naming the option. (Not in a zip side, which may stop reading early: booms is raised
        // there; one line only, since two files failing at once are two failures.)
        boolean tooLong = walked && !cancel && booms == 0 && r.nextInt(6) == 0;
        int longFile = tooLong ? r.nextInt(n) : -1;
        int longBytes = 0; // the long line's bytes, as its file is encoded
        for (int i = 0; i < n; i++) {
          String text = texts.get(i).toString();
          if (i == longFile) {
            List<Integer> starts = new ArrayList<>(List.of(0));
            for (int at = text.indexOf(eol); at >= 0; at = text.indexOf(eol, at + 1)) {
              starts.add(at + eol.length());
            }
            int at = starts.get(r.nextInt(starts.size()));
            text = text.substring(0, at) + "123456789" + eol + text.substring(at);
          }
          if (r.nextBoolean() && text.endsWith(eol)) {
            text = text.substring(0, text.length() - eol.length());
          }
          boolean gz = r.nextInt(4) == 0;
          anyGz |= gz;
          int bom = walked ? r.nextInt(4) : 3; // 0: UTF-8 mark, 1: UTF-16LE mark, else none
          // In a folder: part files in path order, the last ones sometimes in a subfolder, some
          // hidden ones read (a hidden file holds events only when hidden files are read).
          String name =
              (walked && i > 0 && r.nextInt(3) == 0 ? "sub/" : "")
                  + (walked && !hiddenOut && r.nextInt(4) == 0 ? ".part" : "part")
                  + i;
          Path file = dir.resolve(name + (gz ? ".txt.gz" : ".txt"));
          Files.createDirectories(file.getParent());
          byte[] bytes =
              bom == 1
                  ? ("\uFEFF" + text).getBytes(java.nio.charset.StandardCharsets.UTF_16LE)
                  : ((bom == 0 ? "\uFEFF" : "") + text)
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8);
          if (gz) {
            try (var z = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
              z.write(bytes);
            }
          } else {
            Files.write(file, bytes);
          }
          longestBytes = Math.max(longestBytes, longest[i] * (bom == 1 ? 2 : 1));
          if (i == longFile) {
            longBytes = 9 * (bom == 1 ? 2 : 1);
          }
          paths.add(file);
          shown.add(
              dir.relativize(file)
                  + ": "
                  + bytes.length
                  + (gz ? " bytes gzipped" : " bytes")
                  + (bom == 0 ? ", UTF-8 mark" : bom == 1 ? ", UTF-16LE mark" : ""));
        }
        // Their order in the source is path order: sort as the walk does, to check the model.
        List<Path> sorted = new ArrayList<>(paths);
        sorted.sort(Path::compareTo);
        if (walked && !sorted.equals(paths)) {
          // The subfolder or a hidden name moved a file: the model follows the files' order.
          List<Integer> reordered = new ArrayList<>();
          for (Path p : sorted) {
            int i = paths.indexOf(p);
            reordered.addAll(in.subList(cuts[i], cuts[i + 1]));
          }
          if (single) {
            model.subList(model.size() - in.size(), model.size()).clear();
            model.addAll(reordered);
          }
        }
        if (walked) {
          if (globbed) {
            Files.writeString(dir.resolve("notes.log"), "not an int\n");
            Files.createDirectories(dir.resolve("sub"));
            Files.writeString(dir.resolve("sub/more.csv"), "a,b\n");
            fo = fo.andThen(x -> x.globs("*.txt", "*.gz"))::apply;
            fileOptions.add("globs(*.txt, *.gz)");
          }
          if (hiddenOut) {
            Files.writeString(dir.resolve(".hidden.txt"), "hidden\n");
            Files.createDirectories(dir.resolve(".cache"));
            Files.writeString(dir.resolve(".cache/part9.txt"), "hidden too\n");
            fo = fo.andThen(x -> x.includeHidden(false))::apply;
            fileOptions.add("includeHidden(false)");
          }
          if (binaryOut) {
            Files.write(dir.resolve("zz-binary.txt"), new byte[] {'1', 0, '2', '\n'});
            fo = fo.andThen(x -> x.includeBinary(false))::apply;
            fileOptions.add("includeBinary(false)");
          }
          if (tooLong) {
            drawn("a line longer than maxLineBytes");
            int max = r.nextInt(Math.max(1, longestBytes), longBytes);
            booms++;
            expectedFailure = "maxLineBytes";
            fo = fo.andThen(x -> x.maxLineBytes(max))::apply;
            fileOptions.add(
                "maxLineBytes("
                    + max
                    + ") (must fail: part"
                    + longFile
                    + " has a line 123456789 of "
                    + longBytes
                    + " bytes)");
          } else if (r.nextBoolean()) {
            int max = r.nextInt(8, 64); // at least the longest line, in UTF-16 too
            fo = fo.andThen(x -> x.maxLineBytes(max))::apply;
            fileOptions.add("maxLineBytes(" + max + ")");
          }
          if (!anyGz && r.nextInt(4) == 0) {
            fo = fo.andThen(x -> x.decompress(false))::apply;
            fileOptions.add("decompress(false)");
          }
          paths = List.of(dir);
          drawn(single ? "folder as a zip side" : "folder with file options");
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      long split = r.nextBoolean() ? r.nextInt(1, 200) : Options.DEFAULT_SPLIT_BYTES;
      steps.add(
          "fromFiles("
              + (walked ? "their folder " : "")
              + shown
              + (eol.length() == 2 ? " CRLF" : " LF")
              + (blanks ? " with blank lines" : "")
              + ", o -> o."
              + d
              + ".splitBytes("
              + split
              + ")"
              + (walked ? ", f -> f." + String.join(".", fileOptions) : "")
              + ").filter(not blank).map(Integer::parseInt)");
      freshLayer = false;
      return Flow.fromFiles(paths, x -> o.apply(x).splitBytes(split), fo)
          .filter(line -> !line.isEmpty())
          .map(Integer::parseInt);
    }

    private void build() {
      int max = cancel ? 15 * MAX_EVENTS : MAX_EVENTS;
      model = new ArrayList<>();
      switch (r.nextInt(12)) {
        case 0, 1 -> mergeShape(max);
        case 2 -> zipShape(max);
        case 3, 4 -> joinShape(max);
        default -> flow = source(model, max);
      }
      stateless(r.nextInt(1, 7), true);
      // Sometimes virtual time (withClock, before the end or on it): processing time moves only
      // when the plan's advancer moves it, or never; the checked totals do not depend on it.
      boolean virtual = r.nextInt(5) == 0;
      boolean early = virtual && r.nextBoolean();
      if (virtual) {
        drawn("withClock");
        clock = new TestClock();
        advanceMs = r.nextInt(3) == 0 ? 0 : r.nextInt(1, 30);
        if (early) {
          flow = flow.withClock(clock);
          steps.add(
              ".withClock(a TestClock"
                  + (advanceMs == 0
                      ? ", never advanced)"
                      : ", advanced by " + advanceMs + "ms while it runs)"));
        }
      }
      tail();
      if (virtual && !early) {
        out = out.withClock(clock);
        steps.add(
            ".withClock(a TestClock"
                + (advanceMs == 0
                    ? ", never advanced)"
                    : ", advanced by " + advanceMs + "ms while it runs)"));
      }
      chooseTerminal();
    }

    /**
     * A side of a merge or join: a source and a few per-event steps, or (one side in five, two
     * levels deep at most) a merge or zip of its own, or a join as a merge's side; returns its
     * model.
     */
    private List<Integer> side(int max, boolean joinOk) {
      if (depth < 2 && r.nextInt(5) == 0) {
        depth++;
        int shape = r.nextInt(joinOk ? 3 : 2);
        steps.add("(a side of its own:");
        switch (shape) {
          case 0 -> mergeShape(max);
          case 1 -> zipShape(max);
          default -> joinShape(max);
        }
        steps.add(")");
        depth--;
        stateless(r.nextInt(2), false);
        return model;
      }
      List<Integer> m = new ArrayList<>();
      flow = source(m, max);
      model = m;
      stateless(r.nextInt(3), false);
      if (r.nextInt(5) == 0) {
        reducedSide();
      } else if (r.nextInt(6) == 0) {
        // A side made distinct in a layer of its own, partitioned by the event (sometimes in a
        // window with triggers: the keys are kept per window, so only the global one is exact).
        int s = r.nextInt(1, 4);
        boolean by = r.nextBoolean();
        boolean windowed = r.nextBoolean();
        Window w =
            windowed
                ? Window.global()
                    .triggerEvery(r.nextInt(1, 6))
                    .triggerPeriodically(Duration.ofMillis(r.nextInt(1, 10)))
                : Window.global();
        steps.add(
            ".partition(o -> o.stages("
                + s
                + ")"
                + (windowed
                    ? ".window(Window.global() with triggerEvery and triggerPeriodically)"
                    : "")
                + ")"
                + (by ? ".uniqBy(x -> x)" : ".uniq()"));
        drawn("uniq on a merge or join side");
        flow = flow.partition(o -> o.stages(s).window(w));
        flow = by ? flow.uniqBy(x -> x) : flow.uniq();
        model = model.stream().distinct().toList();
        plainPartition = false;
        freshLayer = false;
        ordered = false;
        stateless(r.nextInt(2), false);
      }
      return model;
    }

    /**
     * A side that goes through a reducing layer before it is merged or joined: its events are
     * collected per pane and emitted at each trigger, the pane reset (so each event comes out once
     * whatever the window and its triggers, a user's too), then per-event steps. The merge or join
     * after it must wait for the panes it emits at its end.
     */
    private void reducedSide() {
      windowedLayer(false);
      drawn("a reduced side");
      // Sometimes the reducer throws once (reached when an event comes), or the onTrigger does
      // (always reached: every pane of a global, count or periodic window ends with a done, even
      // an empty one): a failure while the stage reduces, or while it ends.
      boolean inTrigger = r.nextBoolean();
      AtomicBoolean thrown = boom(inTrigger || !model.isEmpty());
      steps.add(
          ".reduce(ArrayList::new, add"
              + (thrown != null && !inTrigger ? ", throw Boom once" : "")
              + ").onTrigger(emit the list's events, reset"
              + (thrown != null && inTrigger ? ", throw Boom once" : "")
              + ")");
      if (thrown != null) {
        drawn("a reduced side throwing in its " + (inTrigger ? "onTrigger" : "reducer"));
      }
      flow =
          flow.reduce(
                  ArrayList<Integer>::new,
                  (l, x) -> {
                    if (thrown != null && !inTrigger && thrown.compareAndSet(false, true)) {
                      throw new Boom();
                    }
                    l.add(x);
                    return l;
                  })
              .onTrigger(
                  (l, t) -> {
                    if (thrown != null && inTrigger && thrown.compareAndSet(false, true)) {
                      throw new Boom();
                    }
                    return TriggerResult.of(List.copyOf(l), new ArrayList<Integer>());
                  });
      ordered = false;
      freshLayer = false;
      plainPartition = false;
      stateless(r.nextInt(2), false);
    }

    /** Two to four flows merged into one partitioned layer: the model is their union. */
    private void mergeShape(int max) {
      int n = r.nextInt(2, 5);
      List<Flow<? extends Integer>> flows = new ArrayList<>();
      List<Integer> all = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.addAll(side(max / n, depth == 0));
        flows.add(flow);
      }
      model = all;
      StringBuilder d = new StringBuilder();
      UnaryOperator<Options> o = routing(d, true);
      steps.add("merge(the " + n + " flows above, o -> o." + d + ")");
      flow = Flow.merge(flows, o);
      freshLayer = true;
      ordered = false;
    }

    /**
     * Two ordered sides zipped by position: the model is java.util.stream's pairwise zip, in order
     * (the zip runs on one stage, so its output order is checked while nothing reorders it). A side
     * may be cut short when the other ends, so its each counters see at most its model's events,
     * and it throws nothing (a side cut before its throwing step would not fail).
     */
    private void zipShape(int max) {
      booms++; // no Boom in a side (restored below)
      boolean noMapBatchBefore = noMapBatch; // a zip of zips restores its outer zip's setting
      noMapBatch = true; // mapBatch reverses a batch, and batches depend on timing
      int eachBefore = eachCounters.size();
      List<Integer> left = new ArrayList<>(orderedSide(max / 2));
      Flow<Integer> a = flow;
      List<Integer> right = new ArrayList<>(orderedSide(max / 2));
      Flow<Integer> b = flow;
      for (int i = eachBefore; i < eachCounters.size(); i++) {
        atMost.add(i);
      }
      noMapBatch = noMapBatchBefore;
      booms--;
      int mul = r.nextInt(1, 4);
      List<Integer> zipped = new ArrayList<>();
      for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
        zipped.add(left.get(i) * mul - right.get(i));
      }
      AtomicBoolean thrown = boom(!zipped.isEmpty());
      steps.add(
          "zip(the two flows above, (l, r) -> l * "
              + mul
              + " - r"
              + (thrown != null ? ", throws Boom once" : "")
              + ")");
      flow =
          Flow.zip(
              a,
              b,
              (l, rr) -> {
                if (thrown != null && thrown.compareAndSet(false, true)) {
                  throw new Boom();
                }
                return l * mul - rr;
              });
      model = zipped;
      ordered = true;
      plainPartition = false;
      freshLayer = false;
    }

    /**
     * A single ordered source (one iterable, publisher, file or walked folder) and per-event steps,
     * or (one side in four, two levels deep at most) a zip of its own: a zip is one ordered stage.
     */
    private List<Integer> orderedSide(int max) {
      if (depth < 2 && r.nextInt(4) == 0) {
        depth++;
        steps.add("(a zip side of its own:");
        drawn("zip of zips");
        zipShape(max);
        steps.add(")");
        depth--;
        stateless(r.nextInt(3), false);
        return model;
      }
      List<Integer> m = new ArrayList<>();
      flow = source(m, max, true);
      model = m;
      stateless(r.nextInt(3), false);
      if (r.nextInt(5) == 0) {
        // Through a reducing layer of one stage with a window and triggers, each pane's events
        // emitted in order at each trigger (reset): the side keeps its order and its events.
        StringBuilder wd = new StringBuilder();
        Window w = window(wd, false);
        steps.add(
            ".partition(o -> o.stages(1).window("
                + wd
                + ")).reduce(ArrayList::new, add).onTrigger(emit the list's events, reset)");
        drawn("a windowed reduce on a zip side");
        flow =
            flow.partition(o -> o.stages(1).window(w))
                .reduce(
                    ArrayList<Integer>::new,
                    (l, x) -> {
                      l.add(x);
                      return l;
                    })
                .onTrigger((l, t) -> TriggerResult.of(List.copyOf(l), new ArrayList<Integer>()));
        freshLayer = false;
        plainPartition = false;
        stateless(r.nextInt(2), false);
      }
      return model;
    }

    /**
     * boundedJoin or windowJoin of two flows on floorMod keys, in any mode: the model is a nested
     * loop join (per fixed window for windowJoin). A bounded join on one stage holding more than
     * maxHeld events must fail the run naming maxHeld.
     */
    private void joinShape(int max) {
      int sideMax = Math.min(max / 2, 300);
      List<Integer> left = side(sideMax, false);
      Flow<Integer> a = flow;
      List<Integer> right = side(sideMax, false);
      Flow<Integer> b = flow;
      JoinMode mode = JoinMode.values()[r.nextInt(JoinMode.values().length)];
      int k = r.nextInt(1, 12);
      int shift = r.nextInt(3);
      SerializableFunction<Integer, Integer> lk = x -> Math.floorMod(x, k);
      SerializableFunction<Integer, Integer> rk = x -> Math.floorMod(x + shift, k);
      SerializableBiFunction<Integer, Integer, Integer> pair =
          (l, rr) -> l == null ? -1_000_000 - rr : rr == null ? 1_000_000 + l : l * 5 + rr;
      StringBuilder d = new StringBuilder();
      boolean windowed = r.nextInt(3) == 0;
      int held = left.size() + right.size();
      boolean overflow = !windowed && !cancel && booms == 0 && held >= 2 && r.nextInt(6) == 0;
      UnaryOperator<Options> o = demandOptions(d, overflow ? 1 : r.nextInt(1, 5));
      long maxHeld =
          overflow ? r.nextInt(1, held) : r.nextBoolean() ? Long.MAX_VALUE : Math.max(1, held);
      if (overflow) {
        booms++; // the one failure of this plan
        expectedFailure = "maxHeld";
      }
      String keys = "floorMod(l, " + k + ") == floorMod(r + " + shift + ", " + k + ")";
      // The join function throws once, in a bounded join only: a window join's late drops may
      // leave it no pair to make.
      AtomicBoolean thrown =
          windowed || overflow ? null : boom(!joined(mode, left, right, lk, rk, pair).isEmpty());
      SerializableBiFunction<Integer, Integer, Integer> join =
          (l, rr) -> {
            if (thrown != null && thrown.compareAndSet(false, true)) {
              throw new Boom();
            }
            return pair.apply(l, rr);
          };
      String joinText =
          "(l, r) -> l*5+r (outer: +-1e6)" + (thrown != null ? ", throws Boom once" : "");
      List<Integer> expected;
      if (windowed) {
        int size = r.nextInt(1, 600);
        Window w = Window.<Integer>fixed(Duration.ofMillis(size), x -> Math.abs((long) x));
        steps.add(
            "windowJoin("
                + mode
                + ", the two flows above, Window.fixed("
                + size
                + "ms, x -> |x|), "
                + keys
                + ", "
                + joinText
                + ", maxHeld "
                + maxHeld
                + ", o -> o."
                + d
                + ")");
        flow = Flow.windowJoin(mode, a, b, w, lk, rk, join, maxHeld, o);
        Map<Long, List<Integer>> lw = new TreeMap<>();
        Map<Long, List<Integer>> rw = new TreeMap<>();
        left.forEach(
            x -> lw.computeIfAbsent(Math.abs((long) x) / size, q -> new ArrayList<>()).add(x));
        right.forEach(
            x -> rw.computeIfAbsent(Math.abs((long) x) / size, q -> new ArrayList<>()).add(x));
        expected = new ArrayList<>();
        java.util.Set<Long> windows = new java.util.TreeSet<>(lw.keySet());
        windows.addAll(rw.keySet());
        for (Long win : windows) {
          expected.addAll(
              joined(
                  mode,
                  lw.getOrDefault(win, List.of()),
                  rw.getOrDefault(win, List.of()),
                  lk,
                  rk,
                  pair));
        }
        if (lateJoin == null) {
          lateFrom = eachCounters.size(); // the first window join: what follows it is unchecked
        }
        lateJoin = mode;
        // Late drops may leave nothing to reach a throwing step after the join: none is drawn.
        booms++;
      } else {
        steps.add(
            "boundedJoin("
                + mode
                + ", the two flows above, "
                + keys
                + ", "
                + joinText
                + ", maxHeld "
                + maxHeld
                + (overflow ? " (must fail: " + held + " events)" : "")
                + ", o -> o."
                + d
                + ")");
        flow = Flow.boundedJoin(mode, a, b, lk, rk, join, maxHeld, o);
        expected = joined(mode, left, right, lk, rk, pair);
      }
      model = expected;
      freshLayer = true;
      ordered = false;
      plainPartition = false; // joined by key, not by the output event
    }

    /** What a join of the two lists gives, computed with nested loops. */
    private static List<Integer> joined(
        JoinMode mode,
        List<Integer> left,
        List<Integer> right,
        Function<Integer, Integer> lk,
        Function<Integer, Integer> rk,
        java.util.function.BiFunction<Integer, Integer, Integer> join) {
      List<Integer> out = new ArrayList<>();
      java.util.Set<Integer> leftKeys = new java.util.HashSet<>();
      java.util.Set<Integer> rightKeys = new java.util.HashSet<>();
      left.forEach(l -> leftKeys.add(lk.apply(l)));
      right.forEach(x -> rightKeys.add(rk.apply(x)));
      for (Integer l : left) {
        for (Integer x : right) {
          if (lk.apply(l).equals(rk.apply(x))) {
            out.add(join.apply(l, x));
          }
        }
      }
      if (mode == JoinMode.LEFT_OUTER || mode == JoinMode.FULL_OUTER) {
        left.stream()
            .filter(l -> !rightKeys.contains(lk.apply(l)))
            .forEach(l -> out.add(join.apply(l, null)));
      }
      if (mode == JoinMode.RIGHT_OUTER || mode == JoinMode.FULL_OUTER) {
        right.stream()
            .filter(x -> !leftKeys.contains(rk.apply(x)))
            .forEach(x -> out.add(join.apply(null, x)));
      }
      return out;
    }

    /**
     * A partition's options: stages, demand, sometimes a key or a hash that drops some events; the
     * model loses the dropped ones.
     */
    private UnaryOperator<Options> routing(StringBuilder d, boolean keyed) {
      int stages = r.nextInt(6) == 0 ? r.nextInt(4, 9) : r.nextInt(1, 4);
      UnaryOperator<Options> base = demandOptions(d, stages);
      int kind = keyed ? r.nextInt(3) : 0;
      plainPartition = keyed;
      if (kind == 1) {
        int k = r.nextInt(1, 8);
        AtomicBoolean thrown = boom(!model.isEmpty());
        d.append(".key(x -> floorMod(x, ")
            .append(k)
            .append(")")
            .append(thrown != null ? ", throw Boom once" : "")
            .append(")");
        SerializableFunction<Integer, Integer> key =
            x -> {
              if (thrown != null && thrown.compareAndSet(false, true)) {
                throw new Boom();
              }
              return Math.floorMod(x, k);
            };
        return o -> base.apply(o).key(key);
      }
      if (kind == 2) {
        int m = r.nextInt(2, 6);
        d.append(".hash(x -> floorMod(x, ")
            .append(m)
            .append(") == 0 ? DROP : floorMod(x, ")
            .append(stages)
            .append("))");
        List<Integer> kept = new ArrayList<>();
        for (Integer x : model) {
          if (Math.floorMod(x, m) == 0) {
            dropped++;
          } else {
            kept.add(x);
          }
        }
        model = kept;
        return o ->
            base.apply(o)
                .<Integer>hash(
                    x -> Math.floorMod(x, m) == 0 ? Options.DROP : Math.floorMod(x, stages));
      }
      return base;
    }

    /**
     * Sometimes (one plan in eight, once per plan) a flag for a user function to throw {@link Boom}
     * once; {@code reached} says whether events reach it, so the run must fail.
     */
    private AtomicBoolean boom(boolean reached) {
      if (booms > 0 || r.nextInt(8) != 0) {
        return null;
      }
      booms++;
      boomExpected |= reached;
      return new AtomicBoolean();
    }

    /** {@code n} per-event or routing steps, applied to both the flow and the model. */
    private void stateless(int n, boolean routing) {
      for (int i = 0; i < n; i++) {
        int kind = r.nextInt(routing ? 12 : 7);
        boolean wasPlain = plainPartition;
        plainPartition = false;
        switch (kind) {
          case 0 -> {
            int a = new int[] {1, 2, 3, -1}[r.nextInt(4)];
            int b = r.nextInt(-5, 6);
            steps.add(".map(x -> x * " + a + " + " + b + ")");
            flow = flow.map(x -> x * a + b);
            model = model.stream().map(x -> x * a + b).toList();
          }
          case 1 -> {
            int m = r.nextInt(2, 6);
            int rest = r.nextInt(m);
            if (r.nextBoolean()) {
              steps.add(".filter(x -> floorMod(x, " + m + ") != " + rest + ")");
              flow = flow.filter(x -> Math.floorMod(x, m) != rest);
            } else {
              steps.add(".reject(x -> floorMod(x, " + m + ") == " + rest + ")");
              flow = flow.reject(x -> Math.floorMod(x, m) == rest);
            }
            model = model.stream().filter(x -> Math.floorMod(x, m) != rest).toList();
          }
          case 2 -> {
            if (flatMaps++ >= 2) {
              i--;
              continue;
            }
            if (r.nextInt(6) == 0 && !fanned) {
              // Many events from one, far beyond any maxDemand: the stage emits past its demand.
              fanned = true;
              int m = r.nextInt(20, 80);
              steps.add(".flatMap(x -> floorMod(x, " + m + ") copies of x)");
              flow = flow.flatMap(x -> Collections.nCopies(Math.floorMod(x, m), x));
              model =
                  model.stream()
                      .flatMap(x -> Collections.nCopies(Math.floorMod(x, m), x).stream())
                      .toList();
            } else {
              steps.add(".flatMap(x -> the first floorMod(x, 4) of [x, x + 1, x + 2])");
              flow = flow.flatMap(FlowFuzzProperties::spread);
              model = model.stream().flatMap(x -> spread(x).stream()).toList();
            }
          }
          case 3 -> {
            if (!freshLayer || noMapBatch) {
              i--;
              continue;
            }
            int m = r.nextInt(3, 9);
            steps.add(".mapBatch(reversed, + 7, without floorMod(x, " + m + ") == 0)");
            flow =
                flow.mapBatch(
                    batch -> {
                      List<Integer> l = new ArrayList<>();
                      for (int j = batch.size() - 1; j >= 0; j--) {
                        if (Math.floorMod(batch.get(j), m) != 0) {
                          l.add(batch.get(j) + 7);
                        }
                      }
                      return l;
                    });
            model = model.stream().filter(x -> Math.floorMod(x, m) != 0).map(x -> x + 7).toList();
          }
          case 4 -> {
            AtomicLong seen = new AtomicLong();
            steps.add(".each(count #" + eachCounters.size() + ")");
            eachCounters.add(seen);
            eachExpected.add(model.size());
            flow = flow.each(x -> seen.incrementAndGet());
          }
          case 5 -> {
            // One throwing step per plan: two would be two failures, each reported.
            if (booms > 0 || r.nextInt(3) != 0) {
              i--;
              continue;
            }
            booms++;
            AtomicBoolean thrown = new AtomicBoolean();
            steps.add(".map(x -> throw Boom, once)");
            boomExpected |= !model.isEmpty();
            flow =
                flow.map(
                    x -> {
                      if (thrown.compareAndSet(false, true)) {
                        throw new Boom();
                      }
                      return x;
                    });
          }
          case 6 -> {
            if (!wasPlain) {
              i--;
              continue;
            }
            boolean by = r.nextBoolean();
            steps.add(by ? ".uniqBy(x -> x)" : ".uniq()");
            flow = by ? flow.uniqBy(x -> x) : flow.uniq();
            model = model.stream().distinct().toList();
          }
          case 7, 8 -> {
            StringBuilder d = new StringBuilder();
            UnaryOperator<Options> o = routing(d, true);
            steps.add(".partition(o -> o." + d + ")");
            flow = flow.partition(o);
          }
          case 11 -> {
            // Through producer-consumers each run makes (flow-stages callbacks, no termination
            // code: the run ends them); sometimes one throws Boom at its first batch.
            StringBuilder d = new StringBuilder();
            UnaryOperator<Options> o = routing(d, false);
            int stages = r.nextInt(1, 4);
            AtomicBoolean failing = boom(!model.isEmpty());
            steps.add(
                ".throughProducerConsumers("
                    + stages
                    + " passing on"
                    + (failing != null ? ", throwing Boom once" : "")
                    + ", o -> o."
                    + d
                    + ")");
            List<
                    java.util.function.Supplier<
                        dev.flowstage.stage.ProducerConsumer<Integer, Integer>>>
                factories = new ArrayList<>();
            for (int j = 0; j < stages; j++) {
              factories.add(
                  () ->
                      (List<Integer> events,
                          dev.flowstage.stage.Subscription from,
                          dev.flowstage.stage.ProducerContext<Integer> ctx) -> {
                        if (failing != null && failing.compareAndSet(false, true)) {
                          throw new Boom();
                        }
                        ctx.emit(events);
                      });
            }
            if (r.nextInt(3) == 0) {
              // The same through running stages of the user's (through): each ends itself once
              // its input has, as through asks; running, they serve one run only.
              if (userSystem == null) {
                userSystem = new StageSystem("fuzz-producers");
              }
              List<dev.flowstage.stage.Stage<Integer>> running = new ArrayList<>();
              for (var f : factories) {
                dev.flowstage.stage.ProducerConsumer<Integer, Integer> pc = f.get();
                running.add(
                    userSystem.startProducerConsumer(
                        new dev.flowstage.stage.ProducerConsumer<Integer, Integer>() {
                          @Override
                          public void handleEvents(
                              List<Integer> events,
                              dev.flowstage.stage.Subscription from,
                              dev.flowstage.stage.ProducerContext<Integer> ctx) {
                            pc.handleEvents(events, from, ctx);
                          }

                          @Override
                          public void handleCancel(
                              dev.flowstage.stage.Peer peer,
                              dev.flowstage.stage.Subscription subscription,
                              dev.flowstage.stage.ExitReason reason,
                              dev.flowstage.stage.ProducerContext<Integer> ctx) {
                            if (peer == dev.flowstage.stage.Peer.PRODUCER
                                && ctx.producers().isEmpty()) {
                              ctx.done();
                            }
                          }
                        }));
              }
              steps.set(
                  steps.size() - 1,
                  steps.getLast().replace(".throughProducerConsumers(", ".through(running "));
              singleUse = true;
              flow = flow.through(running, o);
            } else {
              flow = flow.throughProducerConsumers(factories, o);
            }
          }
          default -> {
            StringBuilder d = new StringBuilder();
            UnaryOperator<Options> o = routing(d, false);
            steps.add(".shuffle(o -> o." + d + ")");
            flow = flow.shuffle(o);
          }
        }
        freshLayer = kind >= 7; // a new layer: mapBatch may come first in it
        ordered &= kind != 3 && kind < 7; // a partition or a reversed batch reorders
      }
    }

    /** A window for a reducing layer; {@code fixedOk} allows event-time windows. */
    private Window window(StringBuilder d, boolean fixedOk) {
      Window w;
      switch (r.nextInt(fixedOk ? 4 : 3)) {
        case 0 -> {
          w = Window.global();
          d.append("Window.global()");
        }
        case 1 -> {
          int n = r.nextInt(1, 8);
          w = Window.count(n);
          d.append("Window.count(").append(n).append(')');
        }
        case 2 -> {
          int ms = r.nextInt(1, 20);
          w = Window.periodic(Duration.ofMillis(ms));
          d.append("Window.periodic(").append(ms).append("ms)");
        }
        default -> {
          int size = r.nextInt(1, 100);
          // Sometimes the event-time function throws once: reached by the layer's first event.
          AtomicBoolean thrown = boom(!model.isEmpty());
          w =
              Window.<Integer>fixed(
                  Duration.ofMillis(size),
                  x -> {
                    if (thrown != null && thrown.compareAndSet(false, true)) {
                      throw new Boom();
                    }
                    return Math.abs((long) x);
                  });
          d.append("Window.fixed(")
              .append(size)
              .append("ms, x -> |x|")
              .append(thrown != null ? ", throw Boom once" : "")
              .append(")");
          if (r.nextInt(3) == 0) {
            int late = r.nextInt(1, 5);
            w = w.allowedLateness(Duration.ofMillis(late));
            d.append(".allowedLateness(").append(late).append("ms)");
          }
        }
      }
      switch (r.nextInt(5)) {
        case 4 -> {
          // Two triggers on one window, in either order (the builder may reject a combination).
          int n = r.nextInt(1, 6);
          int ms = r.nextInt(1, 10);
          if (r.nextBoolean()) {
            w = w.triggerEvery(n).triggerPeriodically(Duration.ofMillis(ms));
            d.append(".triggerEvery(").append(n).append(").triggerPeriodically(").append(ms);
          } else {
            w =
                w.triggerPeriodically(Duration.ofMillis(ms))
                    .trigger(() -> 0, FlowFuzzProperties::punctuation);
            d.append(".triggerPeriodically(").append(ms).append("ms).trigger(after multiples of 7");
          }
          d.append(')');
        }
        case 0 -> {
          int n = r.nextInt(1, 6);
          w = w.triggerEvery(n);
          d.append(".triggerEvery(").append(n).append(')');
        }
        case 1 -> {
          int ms = r.nextInt(1, 10);
          w = w.triggerPeriodically(Duration.ofMillis(ms));
          d.append(".triggerPeriodically(").append(ms).append("ms)");
        }
        case 2 -> {
          // Sometimes the trigger function throws once: reached by the layer's first batch.
          AtomicBoolean thrown = mapperOnlyLayer ? null : boom(!model.isEmpty());
          w =
              w.trigger(
                  () -> 0,
                  (List<Integer> events, Integer fired) -> {
                    if (thrown != null && thrown.compareAndSet(false, true)) {
                      throw new Boom();
                    }
                    return punctuation(events, fired);
                  });
          d.append(".trigger(fire after each multiple of 7")
              .append(thrown != null ? ", throw Boom once" : "")
              .append(")");
        }
        default -> {}
      }
      return w;
    }

    /**
     * A new reducing layer with a random window (1, or 2 for a fixed window), or the current layer
     * in the global window (0).
     */
    private int windowedLayer(boolean fixedOk) {
      if (r.nextInt(3) == 0) {
        return 0;
      }
      StringBuilder d = new StringBuilder();
      boolean shuffle = r.nextInt(3) == 0;
      UnaryOperator<Options> o = routing(d, !shuffle);
      StringBuilder wd = new StringBuilder();
      Window w = window(wd, fixedOk);
      ordered = false;
      steps.add((shuffle ? ".shuffle" : ".partition") + "(o -> o." + d + ".window(" + wd + "))");
      flow =
          shuffle
              ? flow.shuffle(o.andThen(x -> x.window(w))::apply)
              : flow.partition(o.andThen(x -> x.window(w))::apply);
      return w instanceof Window.Fixed ? 2 : 1;
    }

    private void tail() {
      List<Integer> m = model;
      int kind = r.nextInt(lateJoin == null ? 12 : 11);
      switch (kind) {
        case 11 -> rankedTail();
        case 9 -> uniqWindowTail();
        case 10 -> takeSortWindowTail();
        case 0 -> {
          if (!cancel && r.nextInt(4) == 0) {
            nullsTail();
            return;
          }
          out = flow;
          triggerSafe = true;
          boolean inOrder = ordered;
          check =
              run -> {
                String same = sameMultiset(m, run.output);
                if (same != null || !inOrder || !orderKept()) {
                  return same;
                }
                // One zip stage feeds the terminal through order-keeping steps.
                return equal(m, run.output);
              };
        }
        case 1 -> sumOrCountTail();
        case 2, 3 -> keyedTail();
        case 4 -> emitAndReduceTail();
        case 6 -> groupByTail();
        case 7 -> {
          // On the current layer or a new one; a window without a reduce is rejected when built.
          if (r.nextInt(4) == 0) {
            // No reduce runs this layer's triggers (a mapper-only layer ignores them, Elixir's
            // B5.1): a throwing trigger function here would never be reached.
            mapperOnlyLayer = true;
            windowedLayer(false);
            mapperOnlyLayer = false;
          } else if (r.nextBoolean()) {
            StringBuilder d = new StringBuilder();
            UnaryOperator<Options> o = routing(d, true);
            steps.add(".partition(o -> o." + d + ")");
            flow = flow.partition(o);
            ordered = false;
          }
          List<Integer> mm = model;
          triggerSafe = true;
          if (r.nextBoolean()) {
            // Sometimes its merge throws once (reached by an event), or its done does (reached:
            // the departition ends every window, the global one at least).
            boolean inDone = r.nextBoolean();
            AtomicBoolean thrown = boom(inDone || !mm.isEmpty());
            if (thrown != null) {
              drawn("a departition throwing in its " + (inDone ? "done" : "merge"));
            }
            steps.add(
                ".departition(ArrayList::new, add"
                    + (thrown != null && !inDone ? " (throws Boom once)" : "")
                    + ", l -> l"
                    + (thrown != null && inDone ? " (throws Boom once)" : "")
                    + ").flatMap(l -> l)");
            out =
                flow.departition(
                        ArrayList<Integer>::new,
                        (l, x) -> {
                          if (thrown != null && !inDone && thrown.compareAndSet(false, true)) {
                            throw new Boom();
                          }
                          l.add(x);
                          return l;
                        },
                        l -> {
                          if (thrown != null && inDone && thrown.compareAndSet(false, true)) {
                            throw new Boom();
                          }
                          return l;
                        })
                    .flatMap(l -> l);
            List<Integer> after = afterDepartition(mm);
            if (after == null) {
              return;
            }
            check = run -> sameMultiset(after, run.output);
          } else {
            // done given the window's id: one result per window, emitted oldest first, so the
            // ids a run sees rise strictly (one id, 0, in the global window).
            List<Long> ids = new java.util.concurrent.CopyOnWriteArrayList<>();
            steps.add(".departition(ArrayList::new, add, (l, windowId) -> l).flatMap(l -> l)");
            out =
                flow.departition(
                        ArrayList<Integer>::new,
                        (l, x) -> {
                          l.add(x);
                          return l;
                        },
                        (l, windowId) -> {
                          ids.add(windowId);
                          return l;
                        })
                    .flatMap(l -> l);
            List<Integer> after = afterDepartition(mm);
            if (after == null) {
              return;
            }
            check =
                run -> {
                  // A plan may run again: each check takes the ids of the run it checks.
                  List<Long> seen = List.copyOf(ids);
                  ids.clear();
                  for (int i = 1; i < seen.size(); i++) {
                    if (seen.get(i) <= seen.get(i - 1)) {
                      return "departition's window ids not rising: " + seen;
                    }
                  }
                  return sameMultiset(after, run.output);
                };
          }
        }
        case 5 -> {
          int n = r.nextInt(1, 12);
          if (r.nextBoolean()) {
            StringBuilder d = new StringBuilder();
            UnaryOperator<Options> o = routing(d, true);
            steps.add(".partition(o -> o." + d + ")");
            flow = flow.partition(o);
          }
          List<Integer> mm = model;
          steps.add(".takeSort(" + n + ", Integer::compare)");
          triggerSafe = true;
          out = flow.takeSort(n, Integer::compare);
          List<Integer> expected = mm.stream().sorted().limit(n).toList();
          check = run -> equal(List.of(expected), run.output);
        }
        default -> {
          if (r.nextBoolean()) {
            sumOrCountTail();
          } else {
            chainedTail();
          }
        }
      }
    }

    /**
     * takeSort right after a keyed aggregation in a window with triggers, whose stages rank their
     * own entries at each trigger (Keyed.Ranked), against the same ranking of every emitted entry
     * (a map between the two: the path any other reduce takes). The aggregation's input is made
     * defined first (a departition sorting the events, flattened on its one stage), so each
     * aggregating stage sees a defined sequence; the reference runs the same aggregation over the
     * sorted model, in other batches.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void rankedTail() {
      drawn("takeSort right after a windowed keyed aggregation with triggers");
      int k = r.nextInt(1, 12);
      int s = r.nextInt(1, 4);
      int n = r.nextInt(1, 8);
      int kind = r.nextInt(4);
      Window w;
      String wText;
      if (r.nextBoolean()) {
        int size = r.nextInt(1, 12);
        w = Window.count(size);
        wText = "Window.count(" + size + ")";
      } else {
        w = Window.global();
        wText = "Window.global()";
      }
      if (r.nextInt(3) == 0) {
        w = w.trigger(() -> 0, FlowFuzzProperties::punctuation);
        wText += ".trigger(fire after each multiple of 7)";
      } else {
        int every = r.nextInt(1, 6);
        w = w.triggerEvery(every);
        wText += ".triggerEvery(" + every + ")";
      }
      Window window = w;
      UnaryOperator<Options> o = x -> x.stages(s).window(window);
      SerializableFunction<Integer, Integer> key = x -> Math.floorMod(x, k);
      java.util.function.Function<Flow<Integer>, Flow<Map.Entry<Integer, Long>>> aggregate =
          switch (kind) {
            case 0 -> f -> (Flow) f.countBy(key, o);
            case 1 -> f -> (Flow) f.sumBy(key, x -> x, o);
            case 2 -> f -> f.reduceByKey(key, x -> (long) x, Long::sum, o);
            default -> f -> (Flow) f.frequencies(o);
          };
      String aggText =
          switch (kind) {
            case 0 -> ".countBy(x -> floorMod(x, " + k + ")";
            case 1 -> ".sumBy(x -> floorMod(x, " + k + "), x -> x";
            case 2 -> ".reduceByKey(x -> floorMod(x, " + k + "), x -> (long) x, Long::sum";
            default -> ".frequencies(";
          };
      steps.add(".departition(ArrayList::new, add, sorted copy).flatMap(l -> l)");
      steps.add(
          aggText
              + (kind == 3 ? "" : ", ")
              + "o -> o.stages("
              + s
              + ").window("
              + wText
              + ")).takeSort("
              + n
              + ", by value descending, then key)");
      SerializableComparator<Map.Entry<Integer, Long>> byValue =
          (a, b) -> {
            int c = Long.compare(b.getValue(), a.getValue());
            return c != 0 ? c : Integer.compare(a.getKey(), b.getKey());
          };
      Flow<Integer> sorted =
          flow.departition(
                  ArrayList<Integer>::new,
                  (l, x) -> {
                    l.add(x);
                    return l;
                  },
                  l -> l.stream().sorted().toList())
              .flatMap(l -> l);
      out = aggregate.apply(sorted).takeSort(n, byValue);
      triggerSafe = false; // a user trigger would make the emitted totals depend on timing
      List<Integer> input = model.stream().sorted().toList();
      int batch =
          r.nextInt(1, 6); // other batches than the plan's: the result may not depend on them
      Flow<List<Map.Entry<Integer, Long>>> reference =
          aggregate
              .apply(Flow.fromEnumerable(input, x -> x.stages(1).maxDemand(batch)))
              .map(e -> e)
              .takeSort(n, byValue);
      check =
          run -> {
            List<Object> want = normalized(new ArrayList<>(reference.toList()));
            List<Object> got = normalized(run.output);
            if (!orderKept()) {
              // Consumer stages of into(...) take the lists in no defined order (seed 3122).
              want.sort(Comparator.comparing(String::valueOf));
              got.sort(Comparator.comparing(String::valueOf));
            }
            return equal(want, got);
          };
    }

    /** Lists of entries as lists of "key=value" (KeyCount and Map.entry print alike). */
    private static List<Object> normalized(List<Object> lists) {
      List<Object> l = new ArrayList<>();
      for (Object o : lists) {
        l.add(((List<?>) o).stream().map(String::valueOf).toList());
      }
      return l;
    }

    /**
     * Sometimes (one departition in two) more steps after a departition's flattened lists:
     * per-event steps, partitions and shuffles (the departition's one stage feeds new layers),
     * sometimes a uniq; returns the model after them (the departition's events, {@code mm}, when
     * none), or null when a second aggregation follows, which set the output and its check.
     */
    @SuppressWarnings("unchecked")
    private List<Integer> afterDepartition(List<Integer> mm) {
      int what = r.nextInt(6);
      if (what < 3) {
        return mm;
      }
      flow = (Flow<Integer>) out;
      model = mm;
      freshLayer = false;
      plainPartition = false;
      ordered = false;
      if (what == 5) {
        // A second aggregation (windowed, with triggers, sometimes departitioned again) over the
        // departition's events: it sets the output and the check.
        drawn("an aggregation after a departition");
        if (r.nextBoolean()) {
          keyedTail();
        } else {
          sumOrCountTail();
        }
        return null;
      }
      drawn("steps after a departition");
      stateless(r.nextInt(1, 4), true);
      if (plainPartition && r.nextBoolean()) {
        steps.add(".uniq()");
        flow = flow.uniq();
        model = model.stream().distinct().toList();
      }
      out = flow;
      return model;
    }

    /**
     * Null events (flow.md: events may be null): every multiple of {@code m} becomes null, then
     * sometimes a shuffle, a partition by the default hash (sometimes made distinct: the nulls are
     * one event), or a departition collecting them; the output is the model's multiset, nulls
     * included. No writing terminal (it writes events as text).
     */
    private void nullsTail() {
      int m = r.nextInt(2, 9);
      steps.add(".map(x -> floorMod(x, " + m + ") == 0 ? null : x)");
      drawn("null events");
      nulls = true;
      triggerSafe = true;
      Flow<Integer> f = flow.map(x -> Math.floorMod(x, m) == 0 ? null : x);
      List<Integer> mm = model.stream().map(x -> Math.floorMod(x, m) == 0 ? null : x).toList();
      int s = r.nextInt(1, 4);
      switch (r.nextInt(4)) {
        case 0 -> {
          steps.add(".shuffle(o -> o.stages(" + s + "))");
          f = f.shuffle(o -> o.stages(s));
        }
        case 1 -> {
          boolean uniq = r.nextBoolean();
          steps.add(".partition(o -> o.stages(" + s + "))" + (uniq ? ".uniq()" : ""));
          f = f.partition(o -> o.stages(s));
          if (uniq) {
            f = f.uniq();
            mm = mm.stream().distinct().toList();
          }
        }
        case 2 -> {
          steps.add(".departition(ArrayList::new, add, l -> l).flatMap(l -> l)");
          f =
              f.departition(
                      ArrayList<Integer>::new,
                      (l, x) -> {
                        l.add(x);
                        return l;
                      },
                      l -> l)
                  .flatMap(l -> l);
        }
        default -> {}
      }
      out = f;
      List<Integer> expected = mm;
      check = run -> sameMultiset(expected, run.output);
    }

    /**
     * A second aggregation over a first one's results, as a user asks "how many keys have each
     * count": a keyed aggregation without a window (one entry per key, at the end), its entries
     * mapped and sometimes filtered, copied by a flatMap or moved to another layer, then counted
     * again, ranked, totalled by a departition or made distinct. The reference is java.util.stream
     * over the model: every result is exact (no window, no trigger).
     */
    private void chainedTail() {
      int k = r.nextInt(1, 12);
      int stages = r.nextInt(1, 4);
      boolean withStages = r.nextBoolean();
      UnaryOperator<Options> o1 = x -> x.stages(stages);
      String opt = withStages ? ", o -> o.stages(" + stages + ")" : "";
      SerializableFunction<Integer, Integer> key = x -> Math.floorMod(x, k);
      Flow<Map.Entry<Integer, Long>> first;
      Map<Integer, Long> perKey;
      switch (r.nextInt(4)) {
        case 0 -> {
          steps.add(".countBy(x -> floorMod(x, " + k + ")" + opt + ")");
          first =
              (withStages ? flow.countBy(key, o1) : flow.countBy(key))
                  .map(e -> Map.entry(e.key(), e.count()));
          perKey = model.stream().collect(Collectors.groupingBy(key::apply, Collectors.counting()));
        }
        case 1 -> {
          steps.add(".sumBy(x -> floorMod(x, " + k + "), x -> x" + opt + ")");
          first =
              (withStages ? flow.sumBy(key, x -> x, o1) : flow.sumBy(key, x -> x))
                  .map(e -> Map.entry(e.key(), e.count()));
          perKey =
              model.stream()
                  .collect(Collectors.groupingBy(key::apply, Collectors.summingLong(x -> x)));
        }
        case 2 -> {
          steps.add(
              ".reduceByKey(x -> floorMod(x, " + k + "), x -> (long) x, Long::sum" + opt + ")");
          first =
              (withStages
                      ? flow.reduceByKey(key, x -> (long) x, Long::sum, o1)
                      : flow.reduceByKey(key, x -> (long) x, Long::sum))
                  .map(e -> Map.entry(e.getKey(), e.getValue()));
          perKey =
              model.stream()
                  .collect(Collectors.groupingBy(key::apply, Collectors.summingLong(x -> x)));
        }
        default -> {
          steps.add(".frequencies(" + (withStages ? opt.substring(2) : "") + ")");
          first =
              (withStages ? flow.frequencies(o1) : flow.frequencies())
                  .map(e -> Map.entry(e.key(), e.count()));
          perKey = model.stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
        }
      }
      // Sometimes a function after the aggregation throws once: it runs as the aggregation emits
      // at its end, in the reducing stage, or in the next layer.
      AtomicBoolean thrownAfter = boom(!perKey.isEmpty());
      if (thrownAfter != null) {
        steps.add(".map(e -> throw Boom once, else e)");
        first =
            first.map(
                e -> {
                  if (thrownAfter.compareAndSet(false, true)) {
                    throw new Boom();
                  }
                  return e;
                });
      }
      steps.add(".map(e -> entry(e.key, e.value))");
      List<Map.Entry<Integer, Long>> entries = new ArrayList<>();
      perKey.forEach((kk, v) -> entries.add(Map.entry(kk, v)));
      if (r.nextInt(3) == 0) {
        int m = r.nextInt(2, 5);
        steps.add(".filter(e -> floorMod(e.value, " + m + ") != 0)");
        first = first.filter(e -> Math.floorMod(e.getValue(), m) != 0);
        entries.removeIf(e -> Math.floorMod(e.getValue(), m) == 0);
      }
      if (r.nextInt(3) == 0) {
        steps.add(".flatMap(e -> floorMod(e.key, 3) copies of e)");
        first = first.flatMap(e -> Collections.nCopies(Math.floorMod(e.getKey(), 3), e));
        List<Map.Entry<Integer, Long>> copied = new ArrayList<>();
        entries.forEach(e -> copied.addAll(Collections.nCopies(Math.floorMod(e.getKey(), 3), e)));
        entries.clear();
        entries.addAll(copied);
      }
      if (r.nextInt(3) == 0) {
        StringBuilder d = new StringBuilder();
        UnaryOperator<Options> o = demandOptions(d, r.nextInt(1, 4));
        boolean shuffle = r.nextBoolean();
        steps.add((shuffle ? ".shuffle" : ".partition") + "(o -> o." + d + ")");
        first = shuffle ? first.shuffle(o) : first.partition(o);
      }
      ordered = false;
      List<Map.Entry<Integer, Long>> in = List.copyOf(entries);
      int second = r.nextInt(4);
      // In the second level's function, once (not in takeSort's comparator: one entry is never
      // compared).
      AtomicBoolean thrown = second == 1 ? null : boom(!in.isEmpty());
      String boomText = thrown != null ? ", throw Boom once" : "";
      SerializableFunction<Map.Entry<Integer, Long>, Long> value =
          e -> {
            if (thrown != null && thrown.compareAndSet(false, true)) {
              throw new Boom();
            }
            return e.getValue();
          };
      switch (second) {
        case 0 -> {
          int b = r.nextInt(1, 6);
          int s2 = r.nextInt(1, 4);
          steps.add(
              ".countBy(e -> floorMod(e.value, "
                  + b
                  + ")"
                  + boomText
                  + ", o -> o.stages("
                  + s2
                  + "))");
          drawn("a countBy after a keyed aggregation");
          out = first.countBy(e -> Math.floorMod(value.apply(e), b), x -> x.stages(s2));
          Map<Integer, Long> want =
              in.stream()
                  .collect(
                      Collectors.groupingBy(
                          e -> Math.floorMod(e.getValue(), b),
                          TreeMap::new,
                          Collectors.counting()));
          check =
              run -> {
                Map<Object, Object> got = new TreeMap<>();
                for (Object x : run.output) {
                  KeyCount<?> kc = (KeyCount<?>) x;
                  if (got.put(kc.key(), kc.count()) != null) {
                    return "key " + kc.key() + " twice: " + run.output;
                  }
                }
                return equal(want, got);
              };
        }
        case 1 -> {
          int n = r.nextInt(1, 8);
          steps.add(".takeSort(" + n + ", by value descending, then key)");
          drawn("a takeSort after a keyed aggregation");
          Comparator<Map.Entry<Integer, Long>> byValue =
              Comparator.<Map.Entry<Integer, Long>>comparingLong(Map.Entry::getValue)
                  .reversed()
                  .thenComparing(Map.Entry::getKey);
          out = first.takeSort(n, (a, c) -> byValue.compare(a, c));
          List<Map.Entry<Integer, Long>> top = in.stream().sorted(byValue).limit(n).toList();
          check = run -> equal(List.of(top), run.output);
        }
        case 2 -> {
          steps.add(".departition(() -> 0L, (a, e) -> a + e.value" + boomText + ", a -> a)");
          drawn("a departition after a keyed aggregation");
          out =
              first.departition(
                  () -> 0L, (Long a, Map.Entry<Integer, Long> e) -> a + value.apply(e), a -> a);
          long total = in.stream().mapToLong(Map.Entry::getValue).sum();
          check = run -> equal(List.of(total), run.output);
        }
        default -> {
          int s2 = r.nextInt(1, 4);
          steps.add(
              ".partition(o -> o.stages("
                  + s2
                  + ").key(e -> e.value)).uniqBy(e -> e.value"
                  + boomText
                  + ").map(e -> e.value)");
          drawn("a uniqBy after a keyed aggregation");
          out =
              first
                  .partition(x -> x.stages(s2).key((Map.Entry<Integer, Long> e) -> e.getValue()))
                  .uniqBy(value)
                  .map(e -> (Object) e.getValue());
          List<Object> distinct = in.stream().map(e -> (Object) e.getValue()).distinct().toList();
          check =
              run -> {
                Map<Object, Integer> want = new HashMap<>();
                distinct.forEach(x -> want.merge(x, 1, Integer::sum));
                Map<Object, Integer> got = new HashMap<>();
                run.output.forEach(x -> got.merge(x, 1, Integer::sum));
                return equal(new TreeMap<>(want), new TreeMap<>(got));
              };
        }
      }
    }

    /**
     * uniq (or uniqBy) in a new layer partitioned by the event, with a window and its triggers: a
     * window's keys are kept until its done (windows.md). The reference, from the model: every
     * event shown came in, no more often than it came; in the global window each distinct event
     * exactly once; in a fixed window of event time (the event is its own time, and its own stage)
     * at most once, and a missing event only when all of its copies were late; in a count or
     * periodic window at least once.
     */
    private void uniqWindowTail() {
      StringBuilder d = new StringBuilder();
      UnaryOperator<Options> o = routing(d, true);
      StringBuilder wd = new StringBuilder();
      Window w = window(wd, true);
      steps.add(".partition(o -> o." + d + ".window(" + wd + "))");
      flow = flow.partition(o.andThen(x -> x.window(w))::apply);
      ordered = false;
      boolean by = r.nextBoolean();
      steps.add(by ? ".uniqBy(x -> x)" : ".uniq()");
      drawn("uniq in a windowed layer");
      out = by ? flow.uniqBy(x -> x) : flow.uniq();
      triggerSafe = true;
      boolean global = w instanceof Window.Global;
      boolean fixed = w instanceof Window.Fixed;
      Map<Object, Integer> want = new HashMap<>();
      model.forEach(x -> want.merge(x, 1, Integer::sum));
      check =
          run -> {
            Map<Object, Integer> got = new HashMap<>();
            run.output.forEach(x -> got.merge(x, 1, Integer::sum));
            for (Map.Entry<Object, Integer> e : got.entrySet()) {
              int n = want.getOrDefault(e.getKey(), 0);
              if (e.getValue() > n || (global || fixed) && e.getValue() > 1) {
                return e.getKey()
                    + " passed "
                    + e.getValue()
                    + " times, came "
                    + n
                    + ": "
                    + run.output;
              }
            }
            long missing = 0;
            for (Map.Entry<Object, Integer> e : want.entrySet()) {
              if (!got.containsKey(e.getKey())) {
                missing += e.getValue();
              }
            }
            long late = fixed ? run.stats.lateEvents() : 0;
            return missing <= late
                ? null
                : "events that came never passed ("
                    + missing
                    + " events, "
                    + late
                    + " late): "
                    + "expected "
                    + new TreeMap<>(want)
                    + "\n got "
                    + new TreeMap<>(got);
          };
    }

    /**
     * takeSort after a windowed layer: one sorted list of at most {@code n} per window. The
     * reference is the model sorted: every list is sorted and the lists' union is part of the model
     * (each event in one window), and since an event among the model's n smallest is among its
     * window's, the union's n smallest are the model's (when no event came late).
     */
    private void takeSortWindowTail() {
      int layer = windowedLayer(true);
      int n = r.nextInt(1, 12);
      steps.add(".takeSort(" + n + ", Integer::compare)");
      drawn("takeSort after a window" + (layer == 0 ? " (global)" : ""));
      triggerSafe = true;
      out = flow.takeSort(n, Integer::compare);
      List<Integer> sorted = model.stream().sorted().toList();
      check =
          run -> {
            if (layer == 0 && run.output.size() != 1) {
              return "expected one list, got " + run.output;
            }
            List<Object> all = new ArrayList<>();
            for (Object o : run.output) {
              List<?> l = (List<?>) o;
              if (l.size() > n || !l.stream().sorted().toList().equals(l)) {
                return "a list not sorted or longer than " + n + ": " + l;
              }
              all.addAll(l);
            }
            String part = lessLate(sorted, all, sorted.size() - all.size());
            if (part != null) {
              return "the lists are no part of the model: " + part + "\n lists " + run.output;
            }
            if (run.stats.lateEvents() > 0) {
              return null;
            }
            List<Object> top =
                all.stream().map(x -> (Integer) x).sorted().limit(n).map(x -> (Object) x).toList();
            return equal(sorted.subList(0, Math.min(n, sorted.size())), top);
          };
    }

    /** A reduce summing (or counting) each pane, reset at each trigger, then departitioned. */
    private void sumOrCountTail() {
      int layer = windowedLayer(true);
      boolean windowed = layer > 0;
      boolean count = layer == 2 || r.nextBoolean();
      boolean combining = r.nextBoolean();
      boolean atDone = r.nextInt(3) == 0;
      List<Integer> m = model;
      AtomicBoolean thrown = boom(!m.isEmpty());
      SerializableBiFunction<Long, Integer, Long> add =
          (a, x) -> {
            if (thrown != null && thrown.compareAndSet(false, true)) {
              throw new Boom();
            }
            return count ? a + 1 : a + x;
          };
      if (thrown != null) {
        steps.add("(the reducer throws Boom once)");
      }
      steps.add(
          ".reduce(() -> 0L, "
              + (count ? "count" : "sum")
              + (combining ? ", Long::sum)" : ")")
              + (atDone
                  ? ".onTrigger(keep the pane, emit it at done only)"
                  : ".onTrigger(emit the pane, reset to 0)"));
      // Sometimes the accumulator's init throws, once: the first pane's init runs when the stage
      // is built (the run fails while it starts, unannounced), except in a fixed window, whose
      // panes open for events (it fails as it runs, if an event comes).
      AtomicBoolean initThrown = thrown == null ? boom(layer != 2 || !m.isEmpty()) : null;
      if (initThrown != null) {
        steps.add("(the reduce's init throws Boom once)");
        startBoom = layer != 2;
      }
      dev.flowstage.flow.SerializableSupplier<Long> init =
          () -> {
            if (initThrown != null && initThrown.compareAndSet(false, true)) {
              throw new Boom();
            }
            return 0L;
          };
      Flow<Long> reduced = combining ? flow.reduce(init, add, Long::sum) : flow.reduce(init, add);
      // Every window ends with exactly one done (windows.md): kept panes are emitted once there.
      // Every open pane ends with a done, the current one of a global, count or periodic window at
      // the end even when empty (fixed windows open only for events): the onTrigger is reached.
      AtomicBoolean failing =
          thrown == null && initThrown == null ? boom(!m.isEmpty() || layer != 2) : null;
      if (failing != null) {
        steps.add("(the onTrigger throws Boom once)");
      }
      reduced =
          reduced.onTrigger(
              (a, t) -> {
                if (failing != null && failing.compareAndSet(false, true)) {
                  throw new Boom();
                }
                return atDone
                    ? t.isDone() ? TriggerResult.of(List.of(a), 0L) : TriggerResult.none(a)
                    : TriggerResult.of(List.of(a), 0L);
              });
      triggerSafe = true;
      steps.add(".departition(() -> 0L, Long::sum, a -> a)");
      out = reduced.departition(() -> 0L, (Long a, Long x) -> a + x, a -> a);
      long expected = count ? m.size() : m.stream().mapToLong(x -> x).sum();
      check =
          run -> {
            // A departition after a windowed layer emits one total per window (windows.md).
            // (none when no window opened: fixed windows open only for events).
            if (run.output.isEmpty() && expected != 0 || !windowed && run.output.size() != 1) {
              return "expected "
                  + (windowed ? "a total per window" : "one total")
                  + ", got "
                  + run.output;
            }
            long total = run.output.stream().mapToLong(x -> (Long) x).sum();
            long got = total + (count ? run.stats.lateEvents() : 0);
            return got == expected
                ? null
                : "expected "
                    + (count ? "count" : "sum")
                    + " "
                    + expected
                    + ", got "
                    + run.output
                    + (count ? " + " + run.stats.lateEvents() + " late" : "");
          };
    }

    /** countBy / sumBy / reduceByKey / aggregateByKey: one entry per key, the stream's totals. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void keyedTail() {
      int k = r.nextInt(1, 12);
      SerializableFunction<Integer, Integer> key = x -> Math.floorMod(x, k);
      int kind = r.nextInt(5);
      boolean withOptions = r.nextBoolean();
      int stages = r.nextInt(1, 4);
      // A window without triggers: each pane emits its own totals (a key once per stage and pane),
      // and the panes' totals add up to the whole.
      boolean windowed = withOptions && r.nextInt(3) == 0;
      // Or a window (the global one too) with triggers: each trigger emits the pane's running
      // totals (cumulative within a window), checked by the keyedTriggered reference.
      boolean triggered = withOptions && !windowed && r.nextInt(2) == 0;
      Window w;
      String wText;
      // A fixed window drops late events: only the counting kinds can tell how many (by the count).
      // (With triggers, reduceByKey tells them too: its values carry their window.)
      boolean fixed = (kind == 0 || kind == 3 || triggered && kind == 2) && r.nextInt(3) == 0;
      int size = 0; // a fixed window's size in ms
      if (triggered && r.nextInt(3) == 0) {
        w = Window.global();
        wText = "Window.global()";
        fixed = false;
      } else if (fixed) {
        size = r.nextInt(1, 100);
        w = Window.<Integer>fixed(Duration.ofMillis(size), x -> Math.abs((long) x));
        wText = "Window.fixed(" + size + "ms, x -> |x|)";
      } else if (r.nextBoolean()) {
        int n = r.nextInt(1, 10);
        w = Window.count(n);
        wText = "Window.count(" + n + ")";
      } else {
        int ms = r.nextInt(1, 10);
        w = Window.periodic(Duration.ofMillis(ms));
        wText = "Window.periodic(" + ms + "ms)";
      }
      if (triggered) {
        switch (r.nextInt(3)) {
          case 0 -> {
            int n = r.nextInt(1, 6);
            w = w.triggerEvery(n);
            wText += ".triggerEvery(" + n + ")";
          }
          case 1 -> {
            int ms = r.nextInt(1, 10);
            w = w.triggerPeriodically(Duration.ofMillis(ms));
            wText += ".triggerPeriodically(" + ms + "ms)";
          }
          default -> {
            w = w.trigger(() -> 0, FlowFuzzProperties::punctuation);
            wText += ".trigger(fire after each multiple of 7)";
          }
        }
        windowed = true;
        triggerSafe = true; // a named trigger emits running totals too
      }
      boolean global = w instanceof Window.Global;
      Window window = w;
      boolean win = windowed;
      UnaryOperator<Options> o = x -> win ? x.stages(stages).window(window) : x.stages(stages);
      String opt =
          withOptions
              ? ", o -> o.stages(" + stages + ")" + (windowed ? ".window(" + wText + ")" : "")
              : "";
      if (triggered) {
        drawn("keyed aggregation with triggers" + (global ? " (global)" : ""));
        keyedTriggered(kind, k, key, o, opt, global, fixed ? size : 0);
        return;
      }
      String keyText = "x -> floorMod(x, " + k + ")";
      Map<Integer, Long> expected;
      switch (kind) {
        case 0 -> {
          steps.add(".countBy(" + keyText + opt + ")");
          out = withOptions ? flow.countBy(key, o) : flow.countBy(key);
          expected =
              model.stream().collect(Collectors.groupingBy(key::apply, Collectors.counting()));
        }
        case 1 -> {
          steps.add(".sumBy(" + keyText + ", x -> x" + opt + ")");
          out = withOptions ? flow.sumBy(key, x -> x, o) : flow.sumBy(key, x -> x);
          expected =
              model.stream()
                  .collect(Collectors.groupingBy(key::apply, Collectors.summingLong(x -> x)));
        }
        case 2 -> {
          steps.add(".reduceByKey(" + keyText + ", x -> (long) x, Long::sum" + opt + ")");
          out =
              withOptions
                  ? flow.reduceByKey(key, x -> (long) x, Long::sum, o)
                  : flow.reduceByKey(key, x -> (long) x, Long::sum);
          expected =
              model.stream()
                  .collect(Collectors.groupingBy(key::apply, Collectors.summingLong(x -> x)));
        }
        case 3 -> {
          steps.add(".frequencies(" + (withOptions ? opt.substring(2) : "") + ")");
          out = withOptions ? flow.frequencies(o) : flow.frequencies();
          expected = model.stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()));
        }
        default -> {
          steps.add(".aggregateByKey(" + keyText + ", long[1], add, merge" + opt + ")");
          Flow<Map.Entry<Integer, long[]>> agg =
              withOptions
                  ? flow.aggregateByKey(
                      key,
                      () -> new long[1],
                      (a, x) -> {
                        a[0] += x;
                        return a;
                      },
                      (a, b) -> {
                        a[0] += b[0];
                        return a;
                      },
                      o)
                  : flow.aggregateByKey(
                      key,
                      () -> new long[1],
                      (a, x) -> {
                        a[0] += x;
                        return a;
                      },
                      (a, b) -> {
                        a[0] += b[0];
                        return a;
                      });
          out = agg.map(e -> Map.entry(e.getKey(), e.getValue()[0]));
          expected =
              model.stream()
                  .collect(Collectors.groupingBy(key::apply, Collectors.summingLong(x -> x)));
        }
      }
      Map<Integer, Long> want = new TreeMap<>(expected);
      if (!windowed && r.nextInt(3) == 0) {
        int n = r.nextInt(1, 8);
        steps.add(".takeSort(" + n + ", by key)");
        out =
            ((Flow<Map.Entry<Integer, Object>>) (Flow) out)
                .takeSort(n, (a, b) -> Integer.compare(a.getKey(), b.getKey()));
        List<String> top =
            want.entrySet().stream().limit(n).map(e -> e.getKey() + "=" + e.getValue()).toList();
        check =
            run -> {
              if (run.output.size() != 1) {
                return "expected one list, got " + run.output;
              }
              List<String> got =
                  ((List<Map.Entry<?, ?>>) run.output.get(0))
                      .stream()
                          .map(e -> e.getKey() + "=" + ((Number) e.getValue()).longValue())
                          .toList();
              return equal(top, got);
            };
        return;
      }
      boolean fixedWindow = fixed;
      check =
          run -> {
            Map<Object, Long> got = new TreeMap<>();
            for (Object e : run.output) {
              Map.Entry<?, ?> en = (Map.Entry<?, ?>) e;
              long value = ((Number) en.getValue()).longValue();
              Long before = got.put(en.getKey(), value);
              if (before != null) {
                if (!win) {
                  return "key " + en.getKey() + " emitted twice: " + run.output;
                }
                got.put(en.getKey(), before + value);
              }
            }
            if (win && fixedWindow) {
              // Each key's count is the model's less its late events, which the statistics count.
              long missing = 0;
              for (Map.Entry<Object, Long> e : got.entrySet()) {
                Long n = want.get(e.getKey());
                if (n == null || n < e.getValue()) {
                  return "key " + e.getKey() + " counted " + e.getValue() + ", the model " + n;
                }
              }
              for (Map.Entry<Integer, Long> e : want.entrySet()) {
                missing += e.getValue() - got.getOrDefault(e.getKey(), 0L);
              }
              return missing == run.stats.lateEvents()
                  ? null
                  : "expected " + want + " less " + run.stats.lateEvents() + " late\n got " + got;
            }
            return want.equals(got) ? null : "expected " + want + "\n got " + got;
          };
    }

    /**
     * A keyed aggregation in a window with triggers: each trigger emits, per key its stage holds,
     * the pane's running total. The reference is java.util.stream's grouping of the model: counts
     * never pass their key's total and, in the global window, the highest is the total; a pane's
     * final value is told apart by a count carried along (reduceByKey) or by a serial number each
     * accumulator gets at its {@code init} (aggregateByKey): the panes' finals add up to each key's
     * totals; sumBy's last value of a key is its total when the terminal keeps the order.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void keyedTriggered(
        int kind,
        int k,
        SerializableFunction<Integer, Integer> key,
        UnaryOperator<Options> o,
        String opt,
        boolean global,
        int fixedMs) {
      boolean fixed = fixedMs > 0;
      String keyText = "x -> floorMod(x, " + k + ")";
      Map<Integer, Long> counts =
          new TreeMap<>(
              model.stream().collect(Collectors.groupingBy(key::apply, Collectors.counting())));
      Map<Integer, Long> sums =
          new TreeMap<>(
              model.stream()
                  .collect(Collectors.groupingBy(key::apply, Collectors.summingLong(x -> x))));
      switch (kind) {
        case 0, 3 -> {
          Map<Integer, Long> want;
          if (kind == 0) {
            steps.add(".countBy(" + keyText + opt + ")");
            out = flow.countBy(key, o);
            want = counts;
          } else {
            steps.add(".frequencies(" + opt.substring(2) + ")");
            out = flow.frequencies(o);
            want =
                new TreeMap<>(
                    model.stream().collect(Collectors.groupingBy(x -> x, Collectors.counting())));
          }
          check =
              run -> {
                Map<Object, Long> max = new TreeMap<>();
                for (Object e : run.output) {
                  Map.Entry<?, ?> en = (Map.Entry<?, ?>) e;
                  long v = ((Number) en.getValue()).longValue();
                  Long total = want.get(en.getKey());
                  if (total == null || v < 1 || v > total) {
                    return "key " + en.getKey() + " emitted " + v + ", its total " + total;
                  }
                  max.merge(en.getKey(), v, Math::max);
                }
                if (global) {
                  return want.equals(max) ? null : "expected the totals " + want + "\n got " + max;
                }
                // Late events of a fixed window may take a key's every event.
                return fixed || want.keySet().equals(max.keySet())
                    ? null
                    : "expected the keys " + want.keySet() + ", got " + max.keySet();
              };
        }
        case 1 -> {
          steps.add(".sumBy(" + keyText + ", x -> x" + opt + ")");
          out = flow.sumBy(key, x -> x, o);
          check =
              run -> {
                Map<Object, Long> last = new TreeMap<>();
                for (Object e : run.output) {
                  Map.Entry<?, ?> en = (Map.Entry<?, ?>) e;
                  last.put(en.getKey(), ((Number) en.getValue()).longValue());
                }
                if (global && orderKept()) {
                  // A key's stage emits its running sums in order; the last is at the done.
                  return sums.equals(last) ? null : "expected the sums " + sums + "\n got " + last;
                }
                return sums.keySet().equals(last.keySet())
                    ? null
                    : "expected the keys " + sums.keySet() + ", got " + last.keySet();
              };
        }
        case 2 -> {
          // Each value carries its event's fixed window (|x| / size, 0 in others), its count and
          // sum; a merge of two windows' values would be marked -1.
          steps.add(
              ".reduceByKey("
                  + keyText
                  + ", x -> [window, 1, x], add (window -1 if two differ)"
                  + opt
                  + ")");
          out =
              flow.reduceByKey(
                  key,
                  x -> List.of(fixed ? Math.abs((long) x) / fixedMs : 0L, 1L, (long) x),
                  (a, b) ->
                      List.of(
                          a.get(0).equals(b.get(0)) ? a.get(0) : -1L,
                          a.get(1) + b.get(1),
                          a.get(2) + b.get(2)),
                  o);
          // The model per key and window: [count, sum].
          Map<List<Long>, long[]> panes = new HashMap<>();
          for (Integer x : model) {
            long win = fixed ? Math.abs((long) x) / fixedMs : 0L;
            long[] t = panes.computeIfAbsent(List.of((long) key.apply(x), win), q -> new long[2]);
            t[0]++;
            t[1] += x;
          }
          Map<Integer, Long> want = counts;
          check =
              run -> {
                // The value with the highest count of a key in a window is its pane's last (in
                // the global window, the run's).
                Map<List<Long>, List<Long>> best = new HashMap<>();
                for (Object e : run.output) {
                  Map.Entry<?, List<Long>> en = (Map.Entry<?, List<Long>>) e;
                  List<Long> v = en.getValue();
                  List<Long> pane = List.of(((Number) en.getKey()).longValue(), v.get(0));
                  long[] t = panes.get(pane);
                  if (t == null || v.get(1) < 1 || v.get(1) > t[0]) {
                    return "key and window "
                        + pane
                        + " emitted "
                        + v
                        + ", the model's [count, sum] "
                        + (t == null ? null : List.of(t[0], t[1]));
                  }
                  best.merge(pane, v, (x, y) -> x.get(1) >= y.get(1) ? x : y);
                }
                if (!global && !fixed) {
                  java.util.Set<Long> keys = new java.util.TreeSet<>();
                  best.keySet().forEach(pane -> keys.add(pane.get(0)));
                  java.util.Set<Long> wantKeys = new java.util.TreeSet<>();
                  want.keySet().forEach(key2 -> wantKeys.add((long) key2));
                  return wantKeys.equals(keys)
                      ? null
                      : "expected the keys " + wantKeys + ", got " + keys;
                }
                // A pane that got every event of its key and window holds their sum; the events
                // missing from the panes' last counts are the late ones.
                long missing = 0;
                for (Map.Entry<List<Long>, long[]> e : panes.entrySet()) {
                  List<Long> v = best.get(e.getKey());
                  long n = v == null ? 0 : v.get(1);
                  if (n == e.getValue()[0] && v.get(2) != e.getValue()[1]) {
                    return "key and window "
                        + e.getKey()
                        + " summed "
                        + v.get(2)
                        + ", the model "
                        + e.getValue()[1];
                  }
                  missing += e.getValue()[0] - n;
                }
                long late = fixed ? run.stats.lateEvents() : 0;
                return missing == late
                    ? null
                    : "the panes' last counts miss " + missing + " events, " + late + " came late";
              };
        }
        default -> {
          AtomicLong serials = new AtomicLong();
          steps.add(
              ".aggregateByKey("
                  + keyText
                  + ", [sum, count, a serial per init], add, merge"
                  + opt
                  + ")");
          Flow<Map.Entry<Integer, long[]>> agg =
              flow.aggregateByKey(
                  key,
                  () -> new long[] {0, 0, serials.incrementAndGet()},
                  (a, x) -> {
                    a[0] += x;
                    a[1]++;
                    return a;
                  },
                  (a, b) -> {
                    a[0] += b[0];
                    a[1] += b[1];
                    return a;
                  },
                  o);
          out =
              agg.map(
                  e ->
                      Map.entry(
                          e.getKey(), List.of(e.getValue()[0], e.getValue()[1], e.getValue()[2])));
          check =
              run -> {
                // Each accumulator's final snapshot is the one with the highest count.
                Map<Long, List<Long>> finals = new HashMap<>();
                Map<Long, Object> keyOf = new HashMap<>();
                for (Object e : run.output) {
                  Map.Entry<?, List<Long>> en = (Map.Entry<?, List<Long>>) e;
                  List<Long> v = en.getValue();
                  Object before = keyOf.putIfAbsent(v.get(2), en.getKey());
                  if (before != null && !before.equals(en.getKey())) {
                    return "accumulator #"
                        + v.get(2)
                        + " emitted for keys "
                        + before
                        + " and "
                        + en.getKey();
                  }
                  finals.merge(v.get(2), v, (x, y) -> x.get(1) >= y.get(1) ? x : y);
                }
                Map<Object, Long> gotSums = new TreeMap<>();
                Map<Object, Long> gotCounts = new TreeMap<>();
                finals.forEach(
                    (serial, v) -> {
                      gotSums.merge(keyOf.get(serial), v.get(0), Long::sum);
                      gotCounts.merge(keyOf.get(serial), v.get(1), Long::sum);
                    });
                return counts.equals(gotCounts) && sums.equals(gotSums)
                    ? null
                    : "expected counts "
                        + counts
                        + ", sums "
                        + sums
                        + "\n got counts "
                        + gotCounts
                        + ", sums "
                        + gotSums;
              };
        }
      }
    }

    /**
     * groupBy (by key, by key and value, or groupByKey of entries) whose panes emit their groups'
     * values and reset: every event's value once, each under its own key.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private void groupByTail() {
      boolean fixed = windowedLayer(true) == 2;
      int k = r.nextInt(1, 9);
      int how = r.nextInt(3);
      List<Integer> m =
          how == 0 ? model : model.stream().map(x -> -x).toList(); // the values kept: -x
      triggerSafe = true;
      Flow<Map<Integer, List<Integer>>> grouped;
      if (how == 0) {
        steps.add(".groupBy(x -> floorMod(x, " + k + "))");
        grouped = flow.groupBy(x -> Math.floorMod(x, k));
      } else if (how == 1) {
        steps.add(".groupBy(x -> floorMod(x, " + k + "), x -> -x)");
        grouped = flow.groupBy(x -> Math.floorMod(x, k), x -> -x);
      } else {
        steps.add(".map(x -> entry(floorMod(x, " + k + "), -x)).groupByKey()");
        grouped = flow.map(x -> Map.entry(Math.floorMod(x, k), -x)).<Integer, Integer>groupByKey();
      }
      steps.add(".onTrigger(emit the groups' values, checked against their key; reset)");
      out =
          grouped.onTrigger(
              (groups, t) -> {
                List<Object> events = new ArrayList<>();
                groups.forEach(
                    (key, values) ->
                        values.forEach(
                            v ->
                                events.add(
                                    Math.floorMod(how == 0 ? v : -v, k) == key
                                        ? (Object) v
                                        : "value " + v + " under key " + key)));
                return TriggerResult.of(events, new HashMap<>());
              });
      // A fixed window drops the events late to it, and counts them.
      check =
          run ->
              fixed ? lessLate(m, run.output, run.stats.lateEvents()) : sameMultiset(m, run.output);
    }

    /**
     * emitAndReduce emitting every event and, at each trigger, the pane's count (reset), sometimes
     * departitioned.
     */
    @SuppressWarnings("unchecked")
    private void emitAndReduceTail() {
      boolean fixed = windowedLayer(true) == 2;
      List<Integer> m = model;
      boolean three = r.nextBoolean();
      triggerSafe = true;
      SerializableBiFunction<Integer, Long, TriggerResult<Object, Long>> reducer =
          (x, a) -> TriggerResult.of(List.of(x), a + 1);
      if (three) {
        steps.add(
            ".emitAndReduce(() -> 0L, emit x and count, at a trigger emit the count and reset)");
        out =
            flow.emitAndReduce(
                () -> 0L, reducer, (a, t) -> TriggerResult.of(List.of((Object) a), 0L));
      } else {
        steps.add(".emitAndReduce(() -> 0L, emit x and count)");
        out = flow.emitAndReduce(() -> 0L, reducer);
      }
      if (r.nextInt(3) == 0) {
        // Departitioned per window: what each window emitted while reducing and at its
        // triggers, merged once every partition closed it (late events counted as before).
        drawn("a departition after emitAndReduce");
        steps.add(".departition(ArrayList::new, add, l -> l).flatMap(l -> l)");
        out =
            ((Flow<Object>) out)
                .departition(
                    ArrayList<Object>::new,
                    (l, x) -> {
                      l.add(x);
                      return l;
                    },
                    l -> l)
                .flatMap(l -> l);
      }
      check =
          run -> {
            List<Object> events = new ArrayList<>();
            long counted = 0;
            for (Object o : run.output) {
              if (o instanceof Long l) {
                counted += l;
              } else {
                events.add(o);
              }
            }
            long late = fixed ? run.stats.lateEvents() : 0;
            String same = fixed ? lessLate(m, events, late) : sameMultiset(m, events);
            if (same != null) {
              return same;
            }
            return !three || counted + late == m.size()
                ? null
                : "expected the panes' counts (+ "
                    + late
                    + " late) to sum to "
                    + m.size()
                    + ", got "
                    + counted;
          };
    }

    private void chooseTerminal() {
      terminal =
          cancel
              ? Terminal.values()[Terminal.INTO.ordinal() + 1 + r.nextInt(7)]
              : Terminal.values()[r.nextInt(Terminal.INTO.ordinal() + 1)];
      if (nulls && (terminal == Terminal.WRITE || terminal == Terminal.WRITE_CSV)) {
        terminal = Terminal.TO_LIST; // a written line is an event's text: null has none
      }
      if (nulls && terminal == Terminal.PUBLISHER) {
        // A subscriber cannot take null (rule 2.13): PublisherBridgeParityTest pins that error.
        terminal = Terminal.STREAM;
      }
      firstTerminal = terminal;
      cancelAfter = r.nextInt(0, 200);
      intoSinks = r.nextInt(1, 4);
      again =
          !cancel && !singleUse && booms == 0 && r.nextInt(5) == 0
              ? Terminal.values()[r.nextInt(Terminal.INTO.ordinal() + 1)]
              : null;
      if (nulls
          && (again == Terminal.WRITE
              || again == Terminal.WRITE_CSV
              || again == Terminal.PUBLISHER)) {
        again = Terminal.COLLECT;
      }
      userTriggers = triggerSafe && terminal == Terminal.START ? r.nextInt(4) : 0;
    }

    /** Runs the plan; returns null when every invariant held, else what broke. */
    @SuppressWarnings("unchecked")
    String execute() throws Exception {
      String first = executeOnce();
      if (first != null || again == null) {
        return first;
      }
      // A plan is an immutable value: a second terminal runs it afresh, with the same result.
      eachCounters.forEach(c -> c.set(0));
      STARTED.clear();
      ENDED.clear();
      FAILED.clear();
      terminal = again;
      String second = executeOnce();
      return second == null ? null : "on the second run of the plan (" + again + "): " + second;
    }

    @SuppressWarnings("unchecked")
    private String executeOnce() throws Exception {
      Flow<Object> f = (Flow<Object>) out;
      List<Object> output = null;
      Throwable thrown = null;
      boolean cancelled = false;
      // The virtual clock's advancer: moves processing time while the run goes on.
      AtomicBoolean running = new AtomicBoolean(true);
      Thread advancer = null;
      if (clock != null && advanceMs > 0) {
        advancer =
            Thread.ofPlatform()
                .daemon()
                .name("fuzz-advancer")
                .start(
                    () -> {
                      while (running.get()) {
                        clock.advance(Duration.ofMillis(advanceMs));
                        try {
                          Thread.sleep(1);
                        } catch (InterruptedException e) {
                          return;
                        }
                      }
                    });
      }
      try {
        output = terminal(f);
        if (output == null) {
          cancelled = true;
        }
      } catch (FlowException | CancellationException | ReaderBoom e) {
        thrown = e;
      } finally {
        running.set(false);
        if (advancer != null) {
          advancer.join();
        }
      }
      // The run's threads: the terminal returns only after they all exited (a publisher's
      // subscriber is signalled first, then the run closes: wait for it, within the hang guard).
      if (STARTED.isEmpty() && cancelled && terminal == Terminal.CANCEL_PUBLISHER) {
        return null; // cancelled in onSubscribe: the publisher never starts the run
      }
      if (STARTED.isEmpty() && startBoom && thrown instanceof FlowException fe && hasBoom(fe)) {
        // Failed while starting (a stage's init): no run was announced, the terminal threw.
        return fe.stage() == null || fe.stage().isEmpty()
            ? "FlowException names no stage: " + fe
            : null;
      }
      if (STARTED.size() != 1) {
        return "expected one run, saw " + STARTED.keySet();
      }
      String name = STARTED.keySet().iterator().next();
      if (terminal == Terminal.PUBLISHER || terminal == Terminal.CANCEL_PUBLISHER) {
        while (!ENDED.containsKey(name)) {
          Thread.sleep(1);
        }
      }
      FlowRunInfo ended = ENDED.get(name);
      if (ended == null) {
        return "the terminal returned before run " + name + " ended (stage threads alive)";
      }
      FlowStatistics stats = ended.statistics();
      List<String> failures = FAILED.getOrDefault(name, List.of());
      if (thrown instanceof ReaderBoom) {
        // The reader's failure ends the run, as failed, and is no stage's failure.
        if (!failures.isEmpty() && !boomExpected) {
          return "the reader failed, but stage failures were reported: " + failures;
        }
        return stats.state() == FlowState.FAILED
            ? null
            : "the reader failed, state " + stats.state();
      }
      if (thrown instanceof CancellationException) {
        if (!cancel) {
          return "cancelled without a cancel: " + stackOf(thrown);
        }
        return stats.state() == FlowState.CANCELLED ? null : "cancelled, state " + stats.state();
      }
      if (thrown != null && expectedFailure != null) {
        FlowException fe = (FlowException) thrown;
        if (!mentions(fe, expectedFailure)) {
          return "failure does not mention " + expectedFailure + ": " + stackOf(fe);
        }
        if (fe.stage() == null || fe.stage().isEmpty()) {
          return "FlowException names no stage: " + fe;
        }
        if (failures.size() != 1) {
          return "expected the failure reported once, got " + failures;
        }
        return stats.state() == FlowState.FAILED ? null : "failed, state " + stats.state();
      }
      if (thrown != null) {
        FlowException fe = (FlowException) thrown;
        if (!boomExpected && !(cancel && hasBoom(fe))) {
          return "unexpected failure: " + stackOf(fe);
        }
        if (!hasBoom(fe)) {
          return "failure is not the plan's Boom: " + stackOf(fe);
        }
        if (fe.stage() == null || fe.stage().isEmpty()) {
          return "FlowException names no stage: " + fe;
        }
        if (failures.size() != 1) {
          return "expected the failure reported once, got " + failures;
        }
        return stats.state() == FlowState.FAILED ? null : "failed, state " + stats.state();
      }
      if (cancelled) {
        // Stopped by its consumer: cancelled, or completed if it ended first; never failed.
        if (!failures.isEmpty() && !boomExpected) {
          return "cancelled, but stage failures were reported: " + failures;
        }
        return stats.state() == FlowState.CANCELLED
                || stats.state() == FlowState.COMPLETED
                || boomExpected && stats.state() == FlowState.FAILED
            ? null
            : "stopped by its consumer, state " + stats.state();
      }
      if (boomExpected) {
        return "expected the plan's Boom to fail the run, it completed with " + output;
      }
      if (expectedFailure != null) {
        return "expected a failure naming " + expectedFailure + ", it completed with " + output;
      }
      if (!failures.isEmpty()) {
        return "completed but stage failures were reported: " + failures;
      }
      if (stats.state() != FlowState.COMPLETED) {
        return "completed, state " + stats.state();
      }
      // Events a hash DROPs are not counted as discarded (observability.md: the buffer's drops
      // only), and no buffer of a flow's stages overflows or loses its consumers in a run that
      // completed: no discard at all.
      long discarded = stats.stages().stream().mapToLong(StageStats::discarded).sum();
      if (discarded != 0) {
        return "a completed run discarded " + discarded + " events (" + dropped + " DROPped)";
      }
      // A windowJoin that dropped late events leaves the model: the steps after it see other
      // events (fewer pairs, and outer rows for events whose match came late).
      boolean late = lateJoin != null && stats.lateEvents() > 0;
      for (int i = 0; i < (late ? lateFrom : eachCounters.size()); i++) {
        long seen = eachCounters.get(i).get();
        boolean upTo = atMost.contains(i);
        if (upTo ? seen > eachExpected.get(i) : seen != eachExpected.get(i)) {
          return "each #"
              + i
              + " saw "
              + eachCounters.get(i).get()
              + " events, expected "
              + (upTo ? "at most " : "")
              + eachExpected.get(i);
        }
      }
      if (late) {
        // The model does not know which events the windowJoin dropped: only the end is checked.
        LATE_JOINS.incrementAndGet();
        return null;
      }
      // The statistics agree with the model on the events a hash DROPped.
      long droppedSeen = stats.stages().stream().mapToLong(StageStats::dropped).sum();
      if (droppedSeen != dropped) {
        return "the statistics count " + droppedSeen + " DROPped events, the model " + dropped;
      }
      return check.apply(new Run(output, stats));
    }

    /** Awkward CSV fields: commas, quotes, line breaks, spaces, non-ASCII (in ISO-8859-1). */
    private static final String[] AWKWARD = {
      "",
      "plain",
      "a,b",
      "say \"hi\"",
      "\"",
      "line\nbreak",
      "cr\r\nlf",
      " spaced ",
      "\u00fc",
      ",\"\n",
      "\r"
    };

    /**
     * Writes the flow's events with writeLines (each line a fresh id standing for the event) or
     * writeCsv (each row the id, an awkward field and the event's text), with random output options
     * (an existing directory replaced, a charset, a CSV header), then reads the part files back:
     * every id once, with its row's fields, a header atop each part, a _SUCCESS marker, nothing of
     * the replaced directory; a failed write leaves no directory, or the replaced one as it was.
     */
    private List<Object> written(Flow<Object> f, boolean csv, boolean stopped) throws Exception {
      Path dir = fileRoot().resolve("out-" + seed + "-" + WRITES.incrementAndGet());
      boolean overwrite = r.nextInt(3) == 0;
      boolean existing = overwrite && r.nextBoolean();
      java.nio.charset.Charset charset =
          switch (r.nextInt(4)) {
            case 0 -> java.nio.charset.StandardCharsets.UTF_16;
            case 1 -> java.nio.charset.StandardCharsets.ISO_8859_1;
            default -> java.nio.charset.StandardCharsets.UTF_8;
          };
      List<String> header =
          csv && r.nextBoolean() ? List.of("id", "awk,ward", "the \"event\"") : List.of();
      if (existing) {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("stale"), "from before");
      }
      Map<Integer, Object> events = new ConcurrentHashMap<>();
      Map<Integer, String> awkward = new ConcurrentHashMap<>();
      java.util.concurrent.atomic.AtomicInteger ids =
          new java.util.concurrent.atomic.AtomicInteger();
      UnaryOperator<dev.flowstage.flow.OutputOptions> options =
          o -> {
            dev.flowstage.flow.OutputOptions x = o.overwrite(overwrite).charset(charset);
            return header.isEmpty() ? x : x.header(header.toArray(String[]::new));
          };
      drawn((csv ? "writeCsv" : "writeLines") + (stopped ? ", cancelled" : ""));
      SerializableFunction<Object, List<?>> toRow =
          x -> {
            int id = ids.incrementAndGet();
            String a = AWKWARD[Math.floorMod(id * 7 + 3, AWKWARD.length)];
            events.put(id, x);
            awkward.put(id, a);
            return java.util.Arrays.asList(id, a, String.valueOf(x));
          };
      SerializableFunction<Object, String> line =
          x -> {
            int id = ids.incrementAndGet();
            events.put(id, x);
            return String.valueOf(id);
          };
      List<Path> parts;
      try {
        if (stopped) {
          // Cancelled once cancelAfter events were written (or ended first): a cancelled write
          // leaves nothing, a completed one its files.
          RunningFlow<List<Path>> running =
              csv
                  ? f.startWritingCsv(dir, toRow, options)
                  : f.startWritingLines(dir, line, options);
          Stopped<List<Path>> end = stop(running, ids::get);
          if (end.cancelled()) {
            unwritten(dir, existing, null);
            return null;
          }
          parts = end.result();
        } else {
          parts = csv ? f.writeCsv(dir, toRow, options) : f.writeLines(dir, line, options);
        }
      } catch (FlowException | CancellationException e) {
        unwritten(dir, existing, e);
        throw e;
      }
      List<String> left = staged(dir);
      if (!left.isEmpty()) {
        throw new AssertionError("a write left staging directories beside " + dir + ": " + left);
      }
      if (!Files.exists(dir.resolve("_SUCCESS"))) {
        throw new AssertionError("the write returned without a _SUCCESS marker in " + dir);
      }
      if (Files.exists(dir.resolve("stale"))) {
        throw new AssertionError("overwrite left a file of the replaced directory in " + dir);
      }
      List<Object> l = new ArrayList<>();
      for (Path p : parts) {
        String text = Files.readString(p, charset);
        List<List<String>> rows = csv ? csvRows(text) : lines(text);
        if (!header.isEmpty()) {
          if (rows.isEmpty() || !rows.get(0).equals(header)) {
            throw new AssertionError("part " + p + " does not start with the header: " + rows);
          }
          rows = rows.subList(1, rows.size());
        }
        for (List<String> row : rows) {
          int id = Integer.parseInt(row.get(0));
          Object e = events.remove(id);
          if (e == null) {
            throw new AssertionError("row " + row + " of " + p + " written twice or never made");
          }
          if (csv && !row.equals(List.of(row.get(0), awkward.get(id), String.valueOf(e)))) {
            throw new AssertionError(
                "row "
                    + row
                    + " of "
                    + p
                    + " read back differs from "
                    + List.of(id, awkward.get(id), String.valueOf(e)));
          }
          l.add(e);
        }
      }
      if (!events.isEmpty()) {
        throw new AssertionError(events.size() + " events were written but are in no part file");
      }
      return l;
    }

    /**
     * After a write that failed or was cancelled: no directory, or the one it would have replaced
     * as it was, and no staging directory beside it.
     */
    private static void unwritten(Path dir, boolean existing, Exception e) throws Exception {
      if (existing) {
        if (!Files.readString(dir.resolve("stale")).equals("from before")) {
          throw new AssertionError("a failed write changed the directory it would replace", e);
        }
      } else if (Files.exists(dir)) {
        throw new AssertionError("a failed or cancelled write left its directory " + dir, e);
      }
      List<String> left = staged(dir);
      if (!left.isEmpty()) {
        throw new AssertionError("a write left staging directories beside " + dir + ": " + left, e);
      }
    }

    /** The hidden staging (or replaced) directories beside {@code dir}. */
    private static List<String> staged(Path dir) throws java.io.IOException {
      try (Stream<Path> siblings = Files.list(dir.getParent())) {
        return siblings
            .map(p -> p.getFileName().toString())
            .filter(name -> name.startsWith("." + dir.getFileName() + "."))
            .toList();
      }
    }

    /** A part file's lines, each a row of one field; every line ends with a line feed. */
    private static List<List<String>> lines(String text) {
      if (!text.isEmpty() && !text.endsWith("\n")) {
        throw new AssertionError("a part file's last line has no line end: " + text);
      }
      List<List<String>> rows = new ArrayList<>();
      if (text.isEmpty()) {
        return rows; // split would make one empty line of it
      }
      for (String line : text.split("\n", -1)) {
        rows.add(List.of(line));
      }
      rows.removeLast(); // after the last line end
      return rows;
    }

    /**
     * RFC 4180 rows, parsed here independently of the writer: fields separated by commas, a quoted
     * field may hold commas, line breaks and doubled quotes; a row ends with LF or CRLF.
     */
    static List<List<String>> csvRows(String text) {
      List<List<String>> rows = new ArrayList<>();
      List<String> row = new ArrayList<>();
      StringBuilder field = new StringBuilder();
      int i = 0;
      int n = text.length();
      while (i < n) {
        char ch = text.charAt(i);
        if (ch == '"' && field.isEmpty()) {
          i++;
          while (true) {
            if (i >= n) {
              throw new AssertionError("unterminated quoted field in: " + text);
            }
            char q = text.charAt(i++);
            if (q == '"') {
              if (i < n && text.charAt(i) == '"') {
                field.append('"');
                i++;
              } else {
                break;
              }
            } else {
              field.append(q);
            }
          }
          if (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
            throw new AssertionError("text after a quoted field at " + i + " in: " + text);
          }
        } else if (ch == ',') {
          row.add(field.toString());
          field.setLength(0);
          i++;
        } else if (ch == '\n' || ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') {
          row.add(field.toString());
          field.setLength(0);
          rows.add(row);
          row = new ArrayList<>();
          i += ch == '\n' ? 1 : 2;
        } else {
          if (ch == '"' || ch == '\r') {
            throw new AssertionError("a bare " + (int) ch + " in an unquoted field in: " + text);
          }
          field.append(ch);
          i++;
        }
      }
      if (!field.isEmpty() || !row.isEmpty()) {
        throw new AssertionError("a part file's last row has no line end: " + text);
      }
      return rows;
    }

    /** Whether the terminal hands the caller the events in the order the last stage emits them. */
    private boolean orderKept() {
      return switch (terminal) {
        case TO_LIST, STREAM, START, PUBLISHER, COLLECT, RUN, WRITE, WRITE_CSV -> true;
        default -> false;
      };
    }

    /** Starts the flow, cancels it after {@code cancelAfter} events; null when cancelled. */
    private List<Object> cancelled(Flow<Object> f) throws InterruptedException {
      AtomicLong seen = new AtomicLong();
      RunningFlow<List<Object>> running =
          f.each(x -> seen.incrementAndGet()).start(Collectors.toList());
      Stopped<List<Object>> stopped = stop(running, seen::get);
      return stopped.cancelled() ? null : stopped.result();
    }

    /** How a run stopped by {@link #stop} ended: its result, unless it was cancelled. */
    private record Stopped<R>(R result, boolean cancelled) {}

    /** Cancels the run once {@code seen} reached {@code cancelAfter} (or it ended by itself). */
    private <R> Stopped<R> stop(RunningFlow<R> running, java.util.function.LongSupplier seen)
        throws InterruptedException {
      while (seen.getAsLong() < cancelAfter && !running.isTerminated()) {
        Thread.sleep(0, 200_000);
      }
      running.cancel();
      if (!running.isTerminated()) {
        throw new AssertionError("cancel() returned with the run still going");
      }
      try {
        return new Stopped<>(running.await(), false);
      } catch (CancellationException e) {
        return new Stopped<>(null, true);
      }
    }

    private List<Object> terminal(Flow<Object> f) throws Exception {
      switch (terminal) {
        case TO_LIST -> {
          return new ArrayList<>(f.toList());
        }
        case STREAM -> {
          List<Object> l = new ArrayList<>();
          try (Stream<Object> s = f.stream()) {
            s.iterator().forEachRemaining(l::add);
          }
          return l;
        }
        case START -> {
          RunningFlow<List<Object>> running = f.start(Collectors.toList());
          for (int i = 0; i < userTriggers; i++) {
            running.trigger("fuzz");
          }
          return running.await();
        }
        case CANCEL_START -> {
          return cancelled(f);
        }
        case CLOSE_STREAM -> {
          List<Object> l = new ArrayList<>();
          try (Stream<Object> s = f.stream()) {
            java.util.Iterator<Object> it = s.iterator();
            while (l.size() < cancelAfter && it.hasNext()) {
              l.add(it.next());
            }
            if (!it.hasNext()) {
              return l; // read to the end: a complete run
            }
          }
          return null;
        }
        case COLLECT_THROWS -> {
          return f.collect(
              java.util.stream.Collector.<Object, List<Object>>of(
                  ArrayList::new,
                  (l, x) -> {
                    if (l.size() >= cancelAfter) {
                      throw new ReaderBoom();
                    }
                    l.add(x);
                  },
                  (a, b) -> {
                    a.addAll(b);
                    return a;
                  }));
        }
        case FOREACH_THROWS -> {
          List<Object> l = new ArrayList<>();
          try (Stream<Object> s = f.stream()) {
            s.forEach(
                x -> {
                  if (l.size() >= cancelAfter) {
                    throw new ReaderBoom();
                  }
                  l.add(x);
                });
          }
          return l;
        }
        case CANCEL_PUBLISHER -> {
          return published(f, cancelAfter);
        }
        case RUN -> {
          List<Object> l = Collections.synchronizedList(new ArrayList<>());
          f.each(l::add).run();
          return new ArrayList<>(l);
        }
        case PUBLISHER -> {
          return published(f, -1);
        }
        case COLLECT -> {
          return f.collect(Collectors.toCollection(ArrayList::new));
        }
        case WRITE -> {
          return written(f, false, false);
        }
        case WRITE_CSV -> {
          return written(f, true, false);
        }
        case CANCEL_WRITE -> {
          return written(f, r.nextBoolean(), true);
        }
        default -> {
          return into(f, terminal == Terminal.CANCEL_INTO);
        }
      }
    }

    /**
     * Runs into one to three consumer stages of a system of the test's own; with {@code cancel},
     * cancels the run once they received {@code cancelAfter} events and returns null if it was.
     */
    private List<Object> into(Flow<Object> f, boolean cancel) throws Exception {
      List<Object> l = Collections.synchronizedList(new ArrayList<>());
      try (StageSystem system = new StageSystem("fuzz-into")) {
        List<dev.flowstage.stage.Stage<Void>> sinks = new ArrayList<>();
        for (int i = 0; i < intoSinks; i++) {
          sinks.add(
              system.startConsumer(
                  "sink" + i,
                  new dev.flowstage.stage.Consumer<Object>() {
                    @Override
                    public void handleEvents(
                        List<Object> events,
                        dev.flowstage.stage.Subscription from,
                        dev.flowstage.stage.StageContext ctx) {
                      l.addAll(events);
                    }
                  }));
        }
        RunningFlow<Void> running = f.into(sinks);
        if (cancel) {
          if (stop(running, l::size).cancelled()) {
            return null;
          }
        } else {
          running.await();
        }
        // The sink may still be handling what it was sent: close its system first.
      }
      return new ArrayList<>(l);
    }

    /** Subscribes; cancels after {@code cancelAfter} items (if not negative), returning null. */
    private List<Object> published(Flow<Object> f, int cancelAfter) throws Exception {
      long chunk = r.nextInt(3) == 0 ? Long.MAX_VALUE : r.nextInt(1, 8);
      List<Object> items = Collections.synchronizedList(new ArrayList<>());
      AtomicReference<Throwable> error = new AtomicReference<>();
      AtomicLong terminals = new AtomicLong();
      AtomicBoolean cancelled = new AtomicBoolean();
      CountDownLatch done = new CountDownLatch(1);
      f.toPublisher()
          .subscribe(
              new java.util.concurrent.Flow.Subscriber<>() {
                java.util.concurrent.Flow.Subscription s;
                long left;

                @Override
                public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                  this.s = s;
                  left = chunk;
                  if (cancelAfter == 0) {
                    cancelled.set(true);
                    s.cancel();
                    done.countDown();
                    return;
                  }
                  s.request(chunk);
                }

                @Override
                public void onNext(Object item) {
                  if (cancelled.get()) {
                    return;
                  }
                  items.add(item);
                  if (cancelAfter > 0 && items.size() >= cancelAfter) {
                    cancelled.set(true);
                    s.cancel();
                    done.countDown();
                    return;
                  }
                  if (chunk != Long.MAX_VALUE && --left == 0) {
                    left = chunk;
                    s.request(chunk);
                  }
                }

                @Override
                public void onError(Throwable t) {
                  terminals.incrementAndGet();
                  error.set(t);
                  done.countDown();
                }

                @Override
                public void onComplete() {
                  terminals.incrementAndGet();
                  done.countDown();
                }
              });
      done.await();
      if (cancelled.get()) {
        return null;
      }
      Thread.sleep(5); // a second terminal signal would come now, if ever
      if (terminals.get() != 1) {
        throw new AssertionError("expected one terminal signal, got " + terminals.get());
      }
      if (error.get() instanceof FlowException fe) {
        throw fe;
      }
      if (error.get() != null) {
        throw new AssertionError("onError with a non-FlowException", error.get());
      }
      return new ArrayList<>(items);
    }
  }

  /** A Reactive Streams publisher of a list: signals only what was requested, serially. */
  static final class ListPublisher implements java.util.concurrent.Flow.Publisher<Integer> {
    private final List<Integer> items;

    private final boolean fails;

    /** Signals {@code items}, then onComplete, or onError(Boom) when {@code fails}. */
    ListPublisher(List<Integer> items, boolean fails) {
      this.items = List.copyOf(items);
      this.fails = fails;
    }

    @Override
    public void subscribe(java.util.concurrent.Flow.Subscriber<? super Integer> s) {
      s.onSubscribe(
          new java.util.concurrent.Flow.Subscription() {
            private final AtomicLong demand = new AtomicLong();
            private final java.util.concurrent.atomic.AtomicInteger wip =
                new java.util.concurrent.atomic.AtomicInteger();
            private int next; // read and written by the one thread draining (wip)
            private boolean done;
            private volatile boolean cancelled;

            @Override
            public void request(long n) {
              if (n <= 0) {
                cancelled = true;
                s.onError(new IllegalArgumentException("rule 3.9: request(" + n + ")"));
                return;
              }
              demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
              drain();
            }

            @Override
            public void cancel() {
              cancelled = true;
            }

            /** One thread signals at a time; a request made meanwhile is served by that one. */
            private void drain() {
              if (wip.getAndIncrement() != 0) {
                return;
              }
              int missed = 1;
              do {
                while (!cancelled && !done && demand.get() > 0 && next < items.size()) {
                  demand.decrementAndGet();
                  s.onNext(items.get(next++));
                }
                if (!cancelled && !done && next == items.size()) {
                  done = true;
                  if (fails) {
                    s.onError(new Boom());
                  } else {
                    s.onComplete();
                  }
                }
                missed = wip.addAndGet(-missed);
              } while (missed != 0);
            }
          });
    }
  }

  /** What a run produced and its final statistics. */
  record Run(List<Object> output, FlowStatistics stats) {}

  /** A user trigger: fires after each multiple of 7 (the rest of the batch goes on). */
  static dev.flowstage.flow.TriggerDecision<Integer, Integer> punctuation(
      List<Integer> events, Integer fired) {
    for (int i = 0; i < events.size(); i++) {
      if (Math.floorMod(events.get(i), 7) == 0) {
        return dev.flowstage.flow.TriggerDecision.fire(
            "punctuation",
            List.copyOf(events.subList(0, i + 1)),
            List.copyOf(events.subList(i + 1, events.size())),
            fired + 1);
      }
    }
    return dev.flowstage.flow.TriggerDecision.cont(fired);
  }

  /** A producer of {@code events} (within demand) that throws Boom where it would finish. */
  static dev.flowstage.stage.Producer<Integer> failingAtTheEnd(List<Integer> events) {
    java.util.Iterator<Integer> it = List.copyOf(events).iterator();
    return (long demand, dev.flowstage.stage.ProducerContext<Integer> ctx) -> {
      List<Integer> batch = new ArrayList<>();
      while (batch.size() < demand && it.hasNext()) {
        batch.add(it.next());
      }
      if (!batch.isEmpty()) {
        ctx.emit(batch);
      }
      if (!it.hasNext()) {
        throw new Boom();
      }
    };
  }

  static List<Integer> spread(int x) {
    int n = Math.floorMod(x, 4);
    List<Integer> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(x + i);
    }
    return l;
  }

  private static boolean mentions(Throwable t, String word) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (String.valueOf(c.getMessage()).contains(word)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasBoom(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof Boom) {
        return true;
      }
    }
    return false;
  }

  private static String sameMultiset(List<Integer> expected, List<Object> got) {
    Map<Object, Integer> want = new HashMap<>();
    expected.forEach(x -> want.merge(x, 1, Integer::sum));
    Map<Object, Integer> have = new HashMap<>();
    got.forEach(x -> have.merge(x, 1, Integer::sum));
    if (want.equals(have)) {
      return null;
    }
    Map<Object, String> diff = new TreeMap<>(java.util.Comparator.comparing(String::valueOf));
    for (Object k : union(want, have)) {
      int a = want.getOrDefault(k, 0);
      int b = have.getOrDefault(k, 0);
      if (a != b) {
        diff.put(k, "expected " + a + " got " + b);
      }
    }
    return "multisets differ (" + expected.size() + " expected, " + got.size() + " got): " + diff;
  }

  /** {@code got} is {@code expected} without {@code late} of its events. */
  private static String lessLate(List<Integer> expected, List<Object> got, long late) {
    Map<Object, Integer> left = new HashMap<>();
    expected.forEach(x -> left.merge(x, 1, Integer::sum));
    for (Object x : got) {
      Integer n = left.get(x);
      if (n == null || n == 0) {
        return "got " + x + " more often than the model has it: " + got;
      }
      left.put(x, n - 1);
    }
    return expected.size() - got.size() == late
        ? null
        : "expected " + expected.size() + " events less " + late + " late, got " + got.size();
  }

  private static List<Object> union(Map<Object, Integer> a, Map<Object, Integer> b) {
    List<Object> keys = new ArrayList<>(a.keySet());
    for (Object k : b.keySet()) {
      if (!a.containsKey(k)) {
        keys.add(k);
      }
    }
    return keys;
  }

  private static String equal(Object expected, Object got) {
    return Objects.equals(expected, got) ? null : "expected " + expected + "\n got " + got;
  }
}
