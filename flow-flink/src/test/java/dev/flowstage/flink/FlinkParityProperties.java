package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.SerializableBiFunction;
import dev.flowstage.flow.SerializableComparator;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.Trigger;
import dev.flowstage.flow.TriggerDecision;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity of the two engines on random plans: each seeded plan is drawn from the operations
 * flow-flink translates (enumerables, serializable {@code Iterable}s, files with random {@link
 * FileOptions} and contents, per-event steps, {@code each}, {@code mapBatch}, {@code uniq}/{@code
 * uniqBy}, partitions, shuffles, merges of two to four flows (a side sometimes made distinct, or
 * reduced in a count window with {@code triggerEvery}), bounded and window joins, reduces in count,
 * event-time and global windows with {@code triggerEvery} or a user trigger, {@code onTrigger},
 * {@code emitAndReduce}, {@code groupBy}/{@code groupByKey}, keyed aggregations and {@code
 * frequencies} with or without a ranking {@code takeSort}, the file word count the local engine
 * fuses, {@code departition} (sometimes followed by a keyed count, or by {@code uniq} and {@code
 * takeSort}), {@code takeSort} (per window too), null events), run with {@code toList()} and as a
 * Flink job on one mini cluster, and the two results compared: as lists where the plan defines the
 * order (the last layer has one stage and every stage on the way saw a defined sequence), as
 * multisets elsewhere.
 *
 * <p>Only deterministic functions: an operation whose result depends on the order a stage sees its
 * events (count windows, {@code triggerEvery}, fixed windows, a user trigger, {@code uniqBy},
 * {@code emitAndReduce}, {@code groupBy}'s lists) is drawn only where that order is defined on both
 * engines (a partition of one ordered source, flink.md "Order within a partition"); a per-stage
 * state whose contents depend on which events a stage gets ({@code uniq}, a reduce) only where
 * routing defines them. A fixed window is drawn over one ordered stage of events in time order, or
 * without a trigger over several producers each in time order (no event is late whatever the
 * interleaving, so each pane's events are defined, not their order). No wall clock: no periodic
 * windows or triggers, no allowed lateness.
 *
 * <p>Some plans throw on purpose in one function ({@link Boom}, the same message on every event):
 * both engines must fail, naming it once, locally as a {@link FlowException}. Some plans use what
 * Flink does not translate ({@code zip}, a {@code Stream} or {@code Iterator} source): Flink must
 * reject them when the job is built, with its documented message, while the local engine runs them.
 * A plan the local engine rejects when it runs must be rejected by Flink, when the job is built,
 * with the same message. Some file word counts read one file with a small {@code maxLineBytes}:
 * where a line is longer, both engines must fail with the same message.
 *
 * <p>Seeded: a failure prints the seed and the plan. {@code -Dflinkfuzz.tries=N} runs N plans
 * (default 24), {@code -Dflinkfuzz.seed=S} starts elsewhere, {@code -Dflinkfuzz.only=S} runs the
 * one plan of seed S, {@code -Dflinkfuzz.perJob=N} sets how many passing plans share one Flink job
 * (default 8), {@code -Dflinkfuzz.maxEvents=N} bounds a source (default 250 events), {@code
 * -Dflinkfuzz.verbose=true} prints each plan and how the plans ended. Long runs (300 plans take
 * about a minute) need a longer test timeout: {@code
 * -Djunit.jupiter.execution.timeout.default=30m}.
 */
final class FlinkParityProperties {
  private static final int TRIES = Integer.getInteger("flinkfuzz.tries", 24);
  private static final long SEED = Long.getLong("flinkfuzz.seed", 0xF11_4CF0L);
  private static final Long ONLY = Long.getLong("flinkfuzz.only");
  private static final int PER_JOB = Integer.getInteger("flinkfuzz.perJob", 8);
  private static final int MAX_EVENTS = Integer.getInteger("flinkfuzz.maxEvents", 250);
  private static final boolean VERBOSE = Boolean.getBoolean("flinkfuzz.verbose");
  private static final long HANG_SECONDS = 120;

  /**
   * How the plans ended (compared as lists, as multisets, failed on both, rejected), if verbose.
   */
  private static final Map<String, Integer> OUTCOMES = new TreeMap<>();

  private static void outcome(String what) {
    OUTCOMES.merge(what, 1, Integer::sum);
  }

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  /** The files of the plans that read files, a folder a plan (kept until both engines read it). */
  @TempDir static Path files;

  // Held strongly: the log manager keeps loggers weakly, and with them their level.
  private static final Logger RUNTIME = Logger.getLogger("dev.flowstage.stage");
  private static Level runtimeLevel;
  private static ExecutorService runner;

  @BeforeAll
  static void quiet() {
    // The local runtime logs each failed stage; the plans that throw on purpose are checked here.
    runtimeLevel = RUNTIME.getLevel();
    RUNTIME.setLevel(Level.OFF);
    // A hung local run cannot be stopped: a daemon thread does not hold the JVM.
    runner =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "flinkfuzz-local");
              t.setDaemon(true);
              return t;
            });
  }

  @AfterAll
  static void restore() {
    runner.shutdownNow();
    RUNTIME.setLevel(runtimeLevel);
  }

  @Test
  void randomPlans_sameResultOnFlinkAsLocal() throws Exception {
    SplittableRandom seeds = new SplittableRandom(SEED);
    int tries = ONLY != null ? 1 : TRIES;
    List<Case> batch = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < tries; i++) {
      long seed = ONLY != null ? ONLY : seeds.nextLong();
      Case c = Case.generate(seed);
      if (c == null) {
        outcome("rejected by the plan builder");
        continue; // the plan builder rejected it, with a message: nothing to run
      }
      if (VERBOSE) {
        System.out.println(c.describe());
      }
      String problem = c.runLocally();
      if (problem == null && c.local != null && c.expectedRejection == null && c.boom == null) {
        batch.add(c); // succeeded locally and Flink translates it: joins a shared job
        if (batch.size() == PER_JOB) {
          problems.addAll(runOnFlink(batch));
          batch.clear();
        }
      } else if (problem == null) {
        problem = c.compareAlone();
      }
      if (problem != null) {
        problems.add(c.report(problem));
      }
      if (problems.size() >= 5) {
        break;
      }
    }
    if (problems.isEmpty() && !batch.isEmpty()) {
      problems.addAll(runOnFlink(batch));
    }
    if (VERBOSE) {
      System.out.println("flinkfuzz outcomes: " + OUTCOMES);
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " plan(s) differ:\n\n" + String.join("\n\n", problems));
    }
  }

  /** Runs the plans in one Flink job (each plan's stream tagged); the problems found. */
  private static List<String> runOnFlink(List<Case> cases) throws Exception {
    StreamExecutionEnvironment env = environment();
    DataStream<Tuple2<Integer, Object>> all = null;
    for (int i = 0; i < cases.size(); i++) {
      DataStream<?> s = FlinkFlows.toDataStream(env, cases.get(i).out);
      int tag = i;
      // Tagged in the plan's own last subtasks (a forward edge), so a plan's order reaches the
      // sink.
      DataStream<Tuple2<Integer, Object>> tagged =
          s.map(x -> Tuple2.of(tag, (Object) x))
              .returns(Types.TUPLE(Types.INT, Translator.ANY))
              .setParallelism(s.getParallelism());
      all = all == null ? tagged : all.union(tagged);
    }
    List<List<Object>> results = new ArrayList<>();
    cases.forEach(c -> results.add(new ArrayList<>()));
    try {
      CloseableIterator<Tuple2<Integer, Object>> it =
          all.executeAndCollect("flinkfuzz " + cases.size() + " plans");
      try {
        it.forEachRemaining(t -> results.get(t.f0).add(t.f1));
      } finally {
        it.close();
      }
    } catch (Exception jobFailed) {
      // Name the plan: run each alone.
      List<String> problems = new ArrayList<>();
      for (Case c : cases) {
        String p = c.compareAlone();
        if (p != null) {
          problems.add(c.report(p));
        }
      }
      if (problems.isEmpty()) {
        throw jobFailed;
      }
      return problems;
    }
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < cases.size(); i++) {
      String p = cases.get(i).compare(results.get(i));
      if (p != null) {
        problems.add(cases.get(i).report(p));
      }
    }
    return problems;
  }

  private static StreamExecutionEnvironment environment() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  // ---------------------------------------------------------------------------------------------
  // A random plan

  /** Thrown on purpose by a step of a plan: both engines must report it, once. */
  static final class Boom extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Boom(int step) {
      super("boom (thrown on purpose by step " + step + ")");
    }
  }

  /** A window and how the plan description spells it. */
  record DescribedWindow(Window window, String text) {}

  /** One random plan, what it needs of the engines, and the local result. */
  static final class Case {
    final long seed;
    final SplittableRandom r;
    final List<String> steps = new ArrayList<>();
    Flow<Integer> flow;
    Flow<?> out;

    /** Stages of the current layer. */
    int stages;

    /** Each stage of the current layer gets a defined multiset of events on both engines. */
    boolean content;

    /** Each stage of the current layer gets a defined sequence of events on both engines. */
    boolean order;

    /**
     * Every stage of the current layer emits its events in event-time order (non-decreasing {@code
     * x}): fixed windows fed by them see no late event, whose lateness depends on the batches a
     * stage is handed (windows.md). A stage fed by several stages or enumerables interleaves them,
     * so is not counted as in time order.
     */
    boolean timeOrdered;

    boolean freshLayer = true;
    boolean reduced; // the current layer has a reduce
    int flatMaps;
    String boom; // the message of the step that throws on purpose, if any

    /**
     * The plan reads files with a small {@code maxLineBytes} (and throws nothing on purpose): a
     * longer line fails both engines with the same message.
     */
    boolean lineLimit;

    String expectedRejection; // what Flink's build-time rejection must say, if it must reject
    Class<? extends RuntimeException> rejectionClass;
    List<Object> local; // the local result, null when the local run failed
    Throwable localFailure;

    private Case(long seed) {
      this.seed = seed;
      this.r = new SplittableRandom(seed);
    }

    /** A plan, or null when the plan builder rejected what was drawn. */
    static Case generate(long seed) {
      Case c = new Case(seed);
      try {
        c.build();
        return c;
      } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
        if (VERBOSE) {
          System.out.println("seed " + seed + " rejected when built: " + e.getMessage());
        }
        return null;
      }
    }

    String describe() {
      return "seed " + seed + ":\n  " + String.join("\n  ", steps);
    }

    String report(String problem) {
      return "plan of seed "
          + seed
          + " (reproduce with -Dflinkfuzz.only="
          + seed
          + "):\n  "
          + String.join("\n  ", steps)
          + "\n"
          + problem;
    }

    /** Results compared as lists: one last stage, and every stage saw a defined sequence. */
    boolean ordered() {
      return stages == 1 && order;
    }

    private List<Integer> ints() {
      int n = r.nextInt(10) == 0 ? 0 : r.nextInt(1, MAX_EVENTS + 1);
      List<Integer> l = new ArrayList<>(n);
      int range = r.nextBoolean() ? 60 : 600;
      for (int i = 0; i < n; i++) {
        l.add(r.nextInt(-range / 10, range));
      }
      return l;
    }

    private void build() {
      int kind = r.nextInt(24);
      if (kind < 2) {
        join();
      } else if (kind < 4) {
        merged();
      } else if (kind == 4) {
        zipped();
      } else if (kind == 5) {
        fileLines();
      } else if (kind == 6) {
        wordCount();
        return;
      } else if (kind == 7) {
        windowedSource();
        return;
      } else {
        source(true);
      }
      perEvent(r.nextInt(0, 6), true);
      tail();
    }

    /** A source: sets the first layer's flags. */
    private void source(boolean mayBeRejected) {
      source(mayBeRejected, false);
    }

    /**
     * A source; {@code inTime}: one enumerable of events in time order, read by one or more stages
     * (a window join's side), so each stage's events are in time order.
     */
    private void source(boolean mayBeRejected, boolean inTime) {
      List<Integer> in = ints();
      if (inTime || r.nextInt(3) == 0) {
        in.sort(null);
        timeOrdered = true;
      } else {
        timeOrdered = false;
      }
      int k = r.nextInt(3) == 0 ? r.nextInt(2, 4) : 1;
      int maxDemand = r.nextInt(1, 12);
      UnaryOperator<Options> o = x -> x.stages(k).maxDemand(maxDemand);
      String opts = "o -> o.stages(" + k + ").maxDemand(" + maxDemand + ")";
      int kind = inTime ? 19 : r.nextInt(20);
      if (mayBeRejected && kind == 0) {
        steps.add("fromEnumerable(a Stream of " + in.size() + " ints, " + opts + ")");
        flow = Flow.fromEnumerable(in.stream(), o);
        expectedRejection = "collect it into a List first";
        rejectionClass = IllegalArgumentException.class;
      } else if (mayBeRejected && kind == 1) {
        steps.add("fromEnumerable(an Iterator of " + in.size() + " ints, " + opts + ")");
        flow = Flow.fromEnumerable(in.iterator(), o);
        expectedRejection = "collect it into a List first";
        rejectionClass = IllegalArgumentException.class;
      } else if (kind == 2) {
        // Not a Collection but Serializable: Flink reads it lazily when the job runs.
        steps.add(
            (timeOrdered ? "sorted " : "")
                + "fromEnumerable(a Serializable Iterable of "
                + in.size()
                + " ints, "
                + opts
                + ")");
        flow = Flow.fromEnumerable(new Ints(in), o);
        content = k == 1;
        order = k == 1;
      } else if (kind < 7) {
        int parts = r.nextInt(1, 4);
        List<List<Integer>> lists = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
          lists.add(new ArrayList<>());
        }
        in.forEach(x -> lists.get(r.nextInt(parts)).add(x));
        steps.add(
            (timeOrdered ? "sorted " : "")
                + "fromEnumerables("
                + lists.stream().map(l -> String.valueOf(l.size())).toList()
                + " ints, "
                + opts
                + ")");
        flow = Flow.fromEnumerables(lists, o);
        content = k == 1;
        order = k == 1 && parts == 1;
        // A stage reading several enumerables interleaves them.
        timeOrdered &= parts == 1;
      } else {
        steps.add(
            (timeOrdered ? "sorted " : "")
                + "fromEnumerable("
                + in.size()
                + " ints, "
                + opts
                + ")");
        flow = Flow.fromEnumerable(in, o);
        content = k == 1;
        order = k == 1;
      }
      stages = k;
      freshLayer = true;
      reduced = false;
    }

    /** A merge of two to four flows. */
    private void merged() {
      int n = r.nextInt(4) == 0 ? r.nextInt(3, 5) : 2;
      List<Flow<? extends Integer>> flows = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        source(false);
        perEvent(r.nextInt(3), false);
        int sideKind = r.nextInt(8);
        if (sideKind == 0) {
          // A side made distinct in a layer of its own, partitioned by the whole event: which
          // events it keeps is defined whatever the order (one copy of each).
          int s1 = r.nextInt(1, 4);
          steps.add(".partition(o -> o.stages(" + s1 + ")).uniq()");
          flow = flow.partition(o -> o.stages(s1)).uniq();
        } else if (sideKind < 3) {
          // A side through a reducing layer: each stage collects its events and emits them at each
          // trigger (the pane reset), so the merge gets the side's multiset whatever the windows
          // and triggers (sometimes count windows with triggerEvery: every event is emitted once).
          int s1 = r.nextInt(1, 4);
          boolean counted = r.nextBoolean();
          int size = r.nextInt(1, 8);
          int every = r.nextInt(1, 5);
          steps.add(
              ".partition(o -> o.stages("
                  + s1
                  + ")"
                  + (counted
                      ? ".window(Window.count(" + size + ").triggerEvery(" + every + "))"
                      : "")
                  + ").reduce(ArrayList::new, add).onTrigger(emit the list's events, reset)");
          flow =
              flow.partition(
                      o ->
                          counted
                              ? o.stages(s1).window(Window.count(size).triggerEvery(every))
                              : o.stages(s1))
                  .reduce(
                      ArrayList<Integer>::new,
                      (l, x) -> {
                        l.add(x);
                        return l;
                      })
                  .onTrigger((l, t) -> TriggerResult.of(List.copyOf(l), new ArrayList<Integer>()));
        }
        flows.add(flow);
      }
      int s = r.nextInt(1, 4);
      boolean keyed = r.nextBoolean();
      int m = r.nextInt(2, 8);
      steps.add(
          "merge(the "
              + n
              + " flows above, o -> o.stages("
              + s
              + ")"
              + (keyed ? ".key(x -> floorMod(x, " + m + "))" : "")
              + ")");
      flow =
          Flow.merge(
              flows,
              o -> keyed ? o.stages(s).key(x -> Math.floorMod((Integer) x, m)) : o.stages(s));
      newLayer(s, true, false);
      timeOrdered = false; // a stage interleaves the flows
    }

    /**
     * A source layer with a fixed window over one to three enumerables in time order, read by one
     * stage (each enumerable an input of its own on both engines), reduced in that layer.
     */
    private void windowedSource() {
      List<Integer> in = ints();
      in.sort(null);
      int parts = r.nextInt(1, 4);
      List<List<Integer>> lists = new ArrayList<>();
      for (int i = 0; i < parts; i++) {
        lists.add(new ArrayList<>());
      }
      in.forEach(x -> lists.get(r.nextInt(parts)).add(x));
      int maxDemand = r.nextInt(1, 12);
      int ms = r.nextInt(5, 200);
      steps.add(
          "sorted fromEnumerables("
              + lists.stream().map(l -> String.valueOf(l.size())).toList()
              + " ints, o -> o.stages(1).maxDemand("
              + maxDemand
              + ").window(Window.fixed("
              + ms
              + "ms, x -> x)))");
      flow =
          Flow.fromEnumerables(
              lists,
              o ->
                  o.stages(1)
                      .maxDemand(maxDemand)
                      .window(Window.<Integer>fixed(Duration.ofMillis(ms), x -> (long) x)));
      newLayer(1, true, false);
      timeOrdered = true;
      // No routing: the window belongs to this layer, whose reduce comes next.
      perEvent(r.nextInt(3), false);
      reduceTail(true);
    }

    /** A flow of ints: the lines of random files, each line's hash code cut to a small range. */
    private void fileLines() {
      Flow<String> lines = files(false);
      steps.add(".map(line -> line.hashCode() % 600)");
      flow = lines.map(line -> line.hashCode() % 600);
      // Which reading stage reads which range of a file is not defined, nor the order of files.
      content = false;
      order = false;
      timeOrdered = false;
      freshLayer = false;
      reduced = false;
    }

    /**
     * A file word count: {@code fromFiles(...).flatMap(tokenizer).frequencies(...)}, which the
     * local engine fuses onto its byte path (docs/adr/0009) while Flink runs the plan as written.
     */
    private void wordCount() {
      Flow<String> lines = files(r.nextInt(4) == 0);
      Tokenizer t = r.nextBoolean() ? Tokenizer.WORDS : Tokenizer.SPACE;
      int s = r.nextInt(1, 4);
      steps.add(".flatMap(Tokenizer." + t + ").frequencies(o -> o.stages(" + s + "))");
      Flow<KeyCount<String>> counts = lines.flatMap(t).frequencies(o -> o.stages(s));
      newLayer(s, true, false);
      timeOrdered = false;
      switch (r.nextInt(4)) {
        case 0 -> {
          int n = r.nextInt(1, 8);
          steps.add(".takeSort(" + n + ", by count descending then word)");
          SerializableComparator<KeyCount<String>> byCount =
              (a, b) ->
                  a.count() != b.count()
                      ? Long.compare(b.count(), a.count())
                      : a.key().compareTo(b.key());
          out = counts.takeSort(n, byCount);
          stages = 1;
          order = true;
        }
        case 1 -> {
          steps.add(".departition(() -> 0L, add the counts, n -> n)");
          out = counts.departition(() -> 0L, (Long n, KeyCount<String> c) -> n + c.count(), n -> n);
          stages = 1;
          order = true;
        }
        default -> out = counts;
      }
    }

    /** Words, some of them the same for {@link Tokenizer#WORDS} but not for {@code SPACE}. */
    private static final String[] VOCABULARY = {
      "a",
      "b",
      "B",
      "Don't",
      "don\u2019t",
      "ÉTÉ",
      "été",
      "x1",
      "'quoted'",
      "tab\tin",
      "日本",
      "--",
      "a-b",
      "ß",
      "𝔘x",
      "o'",
      "42"
    };

    /**
     * {@code fromFiles} over one to four random files (UTF-8 with or without a byte order mark,
     * malformed bytes, Latin-1 or UTF-16 text, gzip, hidden, binary, in a sub-folder) with random
     * {@link FileOptions}, read by one to three stages in small byte ranges or whole.
     */
    private Flow<String> files(boolean limitLines) {
      Path dir;
      try {
        dir = Files.createTempDirectory(files, "seed");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int n = limitLines ? 1 : r.nextInt(1, 5);
      List<Path> written = new ArrayList<>();
      List<String> what = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        written.add(writeFile(dir, i, what));
      }
      int k = limitLines ? 1 : r.nextInt(1, 4);
      long split = !limitLines && r.nextBoolean() ? r.nextInt(8, 400) : 64 << 20;
      Charset cs = r.nextInt(4) == 0 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
      FileOptions fo = FileOptions.defaults();
      StringBuilder fd = new StringBuilder("f -> f");
      if (r.nextInt(3) == 0) {
        boolean b = r.nextBoolean();
        fo = fo.includeHidden(b);
        fd.append(".includeHidden(").append(b).append(')');
      }
      if (r.nextInt(3) == 0) {
        boolean b = r.nextBoolean();
        fo = fo.includeBinary(b);
        fd.append(".includeBinary(").append(b).append(')');
      }
      if (r.nextInt(4) == 0) {
        fo = r.nextBoolean() ? fo.globs("*.txt") : fo.globs("*.log", "*.gz");
        fd.append(".globs(").append(fo.globs()).append(')');
      }
      if (r.nextInt(4) == 0) {
        fo = fo.charsetFromBom(false);
        fd.append(".charsetFromBom(false)");
      }
      if (r.nextInt(4) == 0) {
        fo = fo.decompress(false);
        fd.append(".decompress(false)");
      }
      boolean walk = r.nextInt(3) != 0;
      List<Path> paths = walk ? List.of(dir) : written;
      if (limitLines) {
        // Below some lines' length: the first one a reader meets fails the run (one file, read
        // whole by one stage on both engines, so both meet the same line first).
        int max = r.nextInt(1, 60);
        fo = fo.maxLineBytes(max);
        fd.append(".maxLineBytes(").append(max).append(')');
        lineLimit = true;
      }
      FileOptions chosen = fo;
      steps.add(
          "fromFiles("
              + (walk ? "a folder of " : "")
              + what
              + ", o -> o.stages("
              + k
              + ").splitBytes("
              + split
              + ").charset("
              + cs
              + "), "
              + fd
              + ")");
      stages = k;
      return Flow.fromFiles(paths, o -> o.stages(k).splitBytes(split).charset(cs), f -> chosen);
    }

    private Path writeFile(Path dir, int i, List<String> what) {
      StringBuilder text = new StringBuilder();
      for (int line = 0, lines = r.nextInt(0, 40); line < lines; line++) {
        if (r.nextInt(8) == 0) {
          text.append(' ');
        }
        for (int w = 0, words = r.nextInt(0, 7); w < words; w++) {
          text.append(w == 0 ? "" : r.nextInt(6) == 0 ? "  " : " ");
          text.append(VOCABULARY[r.nextInt(VOCABULARY.length)]);
        }
        int end = r.nextInt(12);
        text.append(
            end == 0 ? "\r\n" : end == 1 ? "\r" : end == 2 && line == lines - 1 ? "" : "\n");
      }
      int kind = r.nextInt(10);
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      String d;
      switch (kind) {
        case 0 -> {
          bytes.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
          bytes.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
          d = "UTF-8 with BOM";
        }
        case 1 -> {
          byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
          int at = b.length == 0 ? 0 : r.nextInt(b.length);
          bytes.write(b, 0, at);
          bytes.write(0xFF);
          bytes.write(b, at, b.length - at);
          d = "UTF-8 with a malformed byte";
        }
        case 2 -> {
          bytes.writeBytes(text.toString().getBytes(StandardCharsets.ISO_8859_1));
          d = "Latin-1";
        }
        case 3 -> {
          bytes.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xFE});
          bytes.writeBytes(text.toString().getBytes(StandardCharsets.UTF_16LE));
          d = "UTF-16LE with BOM";
        }
        case 4 -> {
          byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
          bytes.write(b, 0, b.length / 2);
          bytes.write(0);
          bytes.write(b, b.length / 2, b.length - b.length / 2);
          d = "binary (a NUL byte)";
        }
        default -> {
          bytes.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
          d = "UTF-8";
        }
      }
      boolean gz = r.nextInt(6) == 0;
      boolean hidden = r.nextInt(6) == 0;
      boolean sub = r.nextInt(5) == 0;
      String name =
          (hidden ? "." : "") + "f" + i + (r.nextBoolean() ? ".txt" : ".log") + (gz ? ".gz" : "");
      try {
        Path folder =
            sub ? Files.createDirectories(dir.resolve(r.nextBoolean() ? "sub" : ".sub")) : dir;
        Path file = folder.resolve(name);
        byte[] content = bytes.toByteArray();
        if (gz) {
          ByteArrayOutputStream z = new ByteArrayOutputStream();
          try (GZIPOutputStream out = new GZIPOutputStream(z)) {
            out.write(content);
          }
          content = z.toByteArray();
        }
        Files.write(file, content);
        what.add(dir.relativize(file) + " (" + d + ", " + content.length + " bytes)");
        return file;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Pairs by arrival position, which Flink does not define: rejected when the job is built. */
    private void zipped() {
      source(false);
      Flow<Integer> a = flow;
      source(false);
      Flow<Integer> b = flow;
      steps.add("zip(the two flows above, (a, b) -> a * 1000 + b)");
      flow = Flow.zip(a, b, (x, y) -> x * 1000 + y);
      expectedRejection = "zip cannot be translated to Flink";
      rejectionClass = UnsupportedOperationException.class;
      newLayer(1, true, true);
      timeOrdered = false;
    }

    private void join() {
      boolean windowed = r.nextBoolean();
      source(false, windowed);
      perEvent(r.nextInt(3), false);
      Flow<Integer> a = flow;
      // Each producer of a side emits in time order: no event is late, so the pairs are defined.
      boolean leftInTime = timeOrdered;
      source(false, windowed);
      perEvent(r.nextInt(3), false);
      Flow<Integer> b = flow;
      boolean rightInTime = timeOrdered;
      int s = r.nextInt(1, 4);
      int m = r.nextInt(3, 12);
      JoinMode mode = JoinMode.values()[r.nextInt(JoinMode.values().length)];
      if (leftInTime && rightInTime) {
        int ms = r.nextInt(5, 200);
        steps.add(joinText("windowJoin", mode, "Window.fixed(" + ms + "ms, x -> x), ", m, s));
        flow =
            Flow.windowJoin(
                mode,
                a,
                b,
                Window.<Integer>fixed(Duration.ofMillis(ms), x -> (long) x),
                x -> Math.floorMod(x, m),
                x -> Math.floorMod(x, m),
                (l, rr) -> (l == null ? 0 : l) * 1000 + (rr == null ? 0 : rr) % 1000,
                1_000_000,
                o -> o.stages(s));
        newLayer(s, true, false);
        timeOrdered = false;
        return;
      }
      steps.add(joinText("boundedJoin", mode, "", m, s));
      flow =
          Flow.boundedJoin(
              mode,
              a,
              b,
              x -> Math.floorMod(x, m),
              x -> Math.floorMod(x, m),
              (l, rr) -> (l == null ? 0 : l) * 1000 + (rr == null ? 0 : rr) % 1000,
              1_000_000,
              o -> o.stages(s));
      // Which events meet is defined; the order they are emitted in is not.
      newLayer(s, true, false);
      timeOrdered = false;
    }

    private static String joinText(String join, JoinMode mode, String window, int m, int s) {
      return join
          + "("
          + mode
          + ", the two flows above, "
          + window
          + "key floorMod(x, "
          + m
          + "), (l, r) -> (l == null ? 0 : l) * 1000 + (r == null ? 0 : r) % 1000,"
          + " maxHeld 1_000_000, o -> o.stages("
          + s
          + "))";
    }

    private void newLayer(int s, boolean contentDefined, boolean orderDefined) {
      // A stage fed by several upstream stages interleaves them.
      timeOrdered &= stages == 1;
      stages = s;
      content = contentDefined;
      order = orderDefined;
      freshLayer = true;
      reduced = false;
    }

    /** A partition's options; updates the layer flags. */
    private UnaryOperator<Options> partitionOptions(StringBuilder d, DescribedWindow window) {
      int s = r.nextInt(1, 4);
      int maxDemand = r.nextInt(1, 12);
      int kind = r.nextInt(3);
      int m = r.nextInt(2, 8);
      boolean throwing = kind == 1 && boom == null && r.nextInt(8) == 0;
      int step = steps.size();
      int bm = r.nextInt(5, 40);
      if (throwing) {
        boom = new Boom(step).getMessage();
      }
      d.append("stages(").append(s).append(").maxDemand(").append(maxDemand).append(')');
      if (kind == 1) {
        d.append(".key(x -> floorMod(x, ").append(m).append(")");
        d.append(throwing ? ", throws Boom where floorMod(x, " + bm + ") == 1)" : ")");
      } else if (kind == 2) {
        d.append(".hash(x -> floorMod(x, ")
            .append(m)
            .append(") == 0 ? DROP : floorMod(x, ")
            .append(s)
            .append("))");
      }
      if (window != null) {
        d.append(".window(").append(window.text()).append(')');
      }
      // One upstream stage with a defined sequence: each partition sees its events in that order.
      boolean keepsOrder = stages == 1 && order;
      // A fixed window closes at the end of the batch that passed it (windows.md), so where its
      // done falls among the next window's events depends on the batches: not a defined order.
      newLayer(s, true, keepsOrder && !(window != null && window.window() instanceof Window.Fixed));
      return o -> {
        Options x = o.stages(s).maxDemand(maxDemand);
        if (kind == 1) {
          x = x.key(e -> Math.floorMod(throwing ? boomAt((Integer) e, bm, step) : (Integer) e, m));
        } else if (kind == 2) {
          x = x.<Integer>hash(e -> Math.floorMod(e, m) == 0 ? Options.DROP : Math.floorMod(e, s));
        }
        return window == null ? x : x.window(window.window());
      };
    }

    private void partition(DescribedWindow window) {
      StringBuilder d = new StringBuilder();
      UnaryOperator<Options> o = partitionOptions(d, window);
      steps.add(".partition(o -> o." + d + ")");
      flow = flow.partition(o);
    }

    private void shuffle() {
      int s = r.nextInt(1, 4);
      steps.add(".shuffle(o -> o.stages(" + s + "))");
      flow = flow.shuffle(o -> o.stages(s));
      // One stage gets every event, in order from one ordered stage; several get what demand
      // (locally) or round robin (Flink) gives them.
      newLayer(s, s == 1, s == 1 && stages == 1 && order);
    }

    /** {@code n} per-event steps (and routing ones where {@code routing}). */
    private void perEvent(int n, boolean routing) {
      for (int i = 0; i < n; i++) {
        int kind = r.nextInt(routing ? 12 : 8);
        boolean fresh = false;
        switch (kind) {
          case 0 -> {
            int a = new int[] {1, 2, 3, -1}[r.nextInt(4)];
            int b = r.nextInt(-5, 6);
            steps.add(".map(x -> x * " + a + " + " + b + ")");
            flow = flow.map(x -> x * a + b);
            timeOrdered &= a > 0;
          }
          case 1 -> {
            int m = r.nextInt(2, 6);
            int rest = r.nextInt(m);
            steps.add(".filter(x -> floorMod(x, " + m + ") != " + rest + ")");
            flow = flow.filter(x -> Math.floorMod(x, m) != rest);
          }
          case 2 -> {
            if (flatMaps++ >= 2) {
              continue;
            }
            steps.add(".flatMap(x -> the first floorMod(x, 4) of [x, x + 1, x + 2])");
            flow = flow.flatMap(FlinkParityProperties::spread);
            timeOrdered = false; // [5, 6] then [5]
          }
          case 3 -> {
            if (!freshLayer) {
              continue;
            }
            int m = r.nextInt(3, 9);
            steps.add(".mapBatch(each event + 7, without floorMod(x, " + m + ") == 0)");
            // Treats each event alone: the same events whatever the batches (flink.md).
            flow =
                flow.mapBatch(
                    batch -> {
                      List<Integer> l = new ArrayList<>();
                      for (Integer x : batch) {
                        if (Math.floorMod(x, m) != 0) {
                          l.add(x + 7);
                        }
                      }
                      return l;
                    });
          }
          case 4 -> {
            if (boom != null || r.nextInt(4) != 0) {
              continue;
            }
            int m = r.nextInt(5, 40);
            int step = steps.size();
            boom = new Boom(step).getMessage();
            switch (r.nextInt(4)) {
              case 0 -> {
                steps.add(".map(x -> floorMod(x, " + m + ") == 1 ? throw Boom : x)");
                flow = flow.map(x -> boomAt(x, m, step));
              }
              case 1 -> {
                steps.add(".filter(x -> floorMod(x, " + m + ") == 1 ? throw Boom : true)");
                flow = flow.filter(x -> boomAt(x, m, step) != null);
              }
              case 2 -> {
                steps.add(".flatMap(x -> floorMod(x, " + m + ") == 1 ? throw Boom : [x])");
                flow = flow.flatMap(x -> List.of(boomAt(x, m, step)));
              }
              default -> {
                steps.add(".each(x -> floorMod(x, " + m + ") == 1 ? throw Boom : nothing)");
                flow = flow.each(x -> boomAt(x, m, step));
              }
            }
          }
          case 5 -> {
            if (!content) {
              continue;
            }
            steps.add(".uniq()");
            flow = flow.uniq();
          }
          case 6 -> {
            if (!order) {
              continue;
            }
            int m = r.nextInt(2, 12);
            steps.add(".uniqBy(x -> floorMod(x, " + m + "))");
            flow = flow.uniqBy(x -> Math.floorMod(x, m));
          }
          case 7 -> {
            steps.add(".reject(x -> x % 5 == 0)");
            flow = flow.reject(x -> x % 5 == 0);
          }
          case 8, 9, 10 -> {
            partition(null);
            fresh = true;
          }
          default -> {
            shuffle();
            fresh = true;
          }
        }
        freshLayer = fresh;
      }
    }

    /**
     * A random window (never on the wall clock); order-sensitive ones only where order holds, fixed
     * ones only over events in time order.
     */
    private DescribedWindow window(boolean orderHolds) {
      if (!orderHolds) {
        if (timeOrdered && r.nextInt(3) != 0) {
          // Every producer of the layer emits in time order: whatever the interleaving, no event
          // is late, so each pane's events are defined (not their order: no trigger).
          int ms = r.nextInt(5, 200);
          return new DescribedWindow(
              Window.<Integer>fixed(Duration.ofMillis(ms), x -> (long) x),
              "Window.fixed(" + ms + "ms, x -> x) (several producers, each in time order)");
        }
        return new DescribedWindow(Window.global(), "Window.global()");
      }
      Window w;
      String d;
      int kind = r.nextInt(timeOrdered ? 4 : 3);
      switch (kind) {
        case 0 -> {
          w = Window.global();
          d = "Window.global()";
        }
        case 1, 2 -> {
          int n = kind == 1 ? r.nextInt(1, 30) : r.nextInt(5, 40);
          w = Window.count(n);
          d = "Window.count(" + n + ")";
        }
        default -> {
          int ms = r.nextInt(5, 200);
          w = Window.<Integer>fixed(Duration.ofMillis(ms), x -> (long) x);
          d = "Window.fixed(" + ms + "ms, x -> x)";
        }
      }
      switch (r.nextInt(4)) {
        case 0 -> {
          int n = r.nextInt(1, 12);
          w = w.triggerEvery(n);
          d += ".triggerEvery(" + n + ")";
        }
        case 1 -> {
          w = w.trigger(() -> 0, FlinkParityProperties::punctuation);
          d += ".trigger(fire after each multiple of 7)";
        }
        default -> {}
      }
      return new DescribedWindow(w, d);
    }

    /** What comes last: a reduce, a keyed aggregation, a departition, a takeSort, or nothing. */
    @SuppressWarnings("unchecked")
    private void tail() {
      switch (r.nextInt(11)) {
        case 0 -> {
          if (r.nextInt(4) == 0) {
            // A window on a layer that does not reduce: both engines reject it (flink.md).
            int n = r.nextInt(1, 20);
            partition(new DescribedWindow(Window.count(n), "Window.count(" + n + ")"));
            out = flow;
            return;
          }
          if (r.nextInt(5) == 0) {
            // uniq alone in a layer of the global window with a trigger function that leaves out
            // the multiples of 7 whatever the batches: the shared stage logic runs it (a partition
            // by the whole event, so the result is the distinct events the function takes).
            int s = r.nextInt(1, 4);
            steps.add(
                ".partition(o -> o.stages("
                    + s
                    + ").window(Window.global().trigger(leave out multiples of 7))).uniq()");
            out =
                flow.partition(
                        o ->
                            o.stages(s)
                                .window(
                                    Window.global()
                                        .<Integer, Integer>trigger(
                                            () -> 0, FlinkParityProperties::withoutMultiplesOf7)))
                    .uniq();
            newLayer(s, true, false);
            return;
          }
          if (r.nextBoolean()) {
            out = flow;
            return;
          }
          // Null events pass as locally (flink.md), also through a partition and uniq.
          int m = r.nextInt(2, 9);
          steps.add(".map(x -> floorMod(x, " + m + ") == 0 ? null : x)");
          Flow<Integer> nulls = flow.map(x -> Math.floorMod(x, m) == 0 ? null : x);
          if (r.nextBoolean()) {
            int s = r.nextInt(1, 4);
            steps.add(".shuffle(o -> o.stages(" + s + "))");
            nulls = nulls.shuffle(o -> o.stages(s));
            newLayer(s, s == 1, s == 1 && stages == 1 && order);
          }
          if (r.nextInt(3) == 0) {
            // A null key is a key for partition and groupBy (flow.md): null events meet on one
            // stage and in one group, on both engines.
            int s = r.nextInt(1, 4);
            int k = r.nextInt(1, 6);
            steps.add(
                ".partition(o -> o.stages("
                    + s
                    + ").key(x -> x == null ? null : floorMod(x, "
                    + k
                    + "))).groupBy(the same key).map(sorted text)");
            out =
                nulls
                    .partition(
                        o -> o.stages(s).key(x -> x == null ? null : Math.floorMod((Integer) x, k)))
                    .groupBy(x -> x == null ? null : Math.floorMod(x, k))
                    .map(FlinkParityProperties::sortedText);
            newLayer(s, true, false);
            return;
          }
          if (content && r.nextBoolean()) {
            steps.add(".uniq()");
            nulls = nulls.uniq();
          }
          out = nulls;
        }
        case 1, 2 -> reduceTail();
        case 3 -> keyedTail();
        case 4 -> {
          if (stages == 1 && order && r.nextInt(3) == 0) {
            // In a window with triggers, over stages that each see a defined sequence: the
            // emitted sums and each trigger's -sum are defined.
            partition(window(true));
          } else if (!order || r.nextBoolean()) {
            maybePartition(false);
          }
          if (!order) {
            out = flow;
            return;
          }
          boolean own = r.nextBoolean();
          steps.add(
              ".emitAndReduce(() -> 0L, emit the running sum every 3rd event"
                  + (own ? ", at a trigger emit -sum and keep it)" : ")"));
          SerializableBiFunction<Integer, Long, TriggerResult<Long, Long>> add =
              (x, acc) -> {
                long sum = acc + x;
                return TriggerResult.of(
                    Math.floorMod(x, 3) == 0 ? List.of(sum) : List.<Long>of(), sum);
              };
          out =
              own
                  ? flow.emitAndReduce(
                      () -> 0L, add, (acc, t) -> TriggerResult.of(List.of(-acc), acc))
                  : flow.emitAndReduce(() -> 0L, add);
          afterReduce();
        }
        case 5 -> {
          maybePartition(false);
          int m = r.nextInt(2, 9);
          if (!content) {
            out = flow;
            return;
          }
          Flow<Map<Integer, List<Integer>>> g;
          if (r.nextBoolean()) {
            steps.add(".groupBy(x -> floorMod(x, " + m + "))" + (order ? "" : ".map(sort lists)"));
            g = flow.groupBy(x -> Math.floorMod(x, m));
          } else {
            // Map.entry: a JDK immutable type crossing no partition here, but held in the state.
            steps.add(
                ".map(x -> Map.entry(floorMod(x, "
                    + m
                    + "), x)).groupByKey()"
                    + (order ? "" : ".map(sort lists)"));
            g = flow.map(x -> Map.entry(Math.floorMod(x, m), x)).<Integer, Integer>groupByKey();
          }
          out = order ? g : g.map(FlinkParityProperties::sortedGroups);
        }
        case 6 -> {
          maybePartition(true);
          steps.add(".departition(ArrayList::new, add, sorted copy)");
          out =
              flow.departition(
                  ArrayList<Integer>::new,
                  (l, x) -> {
                    l.add(x);
                    return l;
                  },
                  l -> l.stream().sorted().toList());
          stages = 1;
          order = true;
          int then = r.nextInt(4);
          if (then == 0) {
            steps.add(".map(List::size)");
            out = ((Flow<List<Integer>>) (Flow<?>) out).map(List::size);
          } else if (then == 1) {
            // More layers after the departition's one stage (one list per window, in window
            // order): a keyed count, whose result does not depend on the order.
            int m = r.nextInt(1, 9);
            int s = r.nextInt(1, 4);
            steps.add(
                ".flatMap(l -> l).countBy(x -> floorMod(x, " + m + "), o -> o.stages(" + s + "))");
            out =
                ((Flow<List<Integer>>) (Flow<?>) out)
                    .flatMap(l -> l)
                    .countBy(x -> Math.floorMod(x, m), o -> o.stages(s));
            stages = s;
            order = false;
          } else if (then == 2) {
            // Or a partition by the event made distinct, then ranked on one stage.
            int s = r.nextInt(1, 4);
            int n = r.nextInt(1, 15);
            steps.add(
                ".flatMap(l -> l).partition(o -> o.stages("
                    + s
                    + ")).uniq().takeSort("
                    + n
                    + ", Integer::compare)");
            out =
                ((Flow<List<Integer>>) (Flow<?>) out)
                    .flatMap(l -> l)
                    .partition(o -> o.stages(s))
                    .uniq()
                    .takeSort(n, Integer::compare);
          }
        }
        case 8 -> {
          boolean ordered = stages == 1 && order;
          if (!ordered && !timeOrdered) {
            reduceTail();
            return;
          }
          // Ordered: any window; else a fixed one over producers in time order, or the global one.
          partition(window(ordered));
          if (ordered && r.nextBoolean()) {
            // Each stage sees a defined sequence: which event of a key comes first is defined.
            int m = r.nextInt(2, 12);
            steps.add(".uniqBy(x -> floorMod(x, " + m + ")) (per window)");
            out = flow.uniqBy(x -> Math.floorMod(x, m));
          } else {
            steps.add(".uniq() (per window)");
            out = flow.uniq();
          }
        }
        case 7 -> {
          boolean ordered = stages == 1 && order;
          if ((ordered || timeOrdered) && r.nextInt(3) == 0) {
            // takeSort in a windowed layer: each stage keeps its top n per window, sent at the
            // window's done, and one stage merges each window's lists (one list per window).
            partition(window(ordered));
            int n = r.nextInt(1, 15);
            steps.add(".takeSort(" + n + ", Integer::compare) (per window)");
            out = flow.takeSort(n, Integer::compare);
            stages = 1;
            order = true;
            return;
          }
          maybePartition(false);
          int n = r.nextInt(1, 15);
          steps.add(".takeSort(" + n + ", Integer::compare)");
          out = flow.takeSort(n, Integer::compare);
          stages = 1;
          order = true;
        }
        default -> reduceTail();
      }
    }

    private void maybePartition(boolean windowed) {
      if (r.nextInt(3) == 0) {
        int n = r.nextInt(1, 20);
        partition(
            windowed && r.nextInt(3) == 0
                ? new DescribedWindow(Window.count(n), "Window.count(" + n + ")")
                : null);
      }
    }

    /** A reduce (sum or count) in a new partition with a random window, or in this layer. */
    private void reduceTail() {
      reduceTail(false);
    }

    /** A reduce; {@code inLayer}: in this layer (whose window is set). */
    private void reduceTail(boolean inLayer) {
      if (!inLayer && (r.nextInt(4) != 0 || !content)) {
        boolean orderAfter = stages == 1 && order;
        DescribedWindow w = window(orderAfter);
        partition(w);
      }
      boolean count = r.nextBoolean();
      boolean combining = r.nextInt(3) == 0;
      boolean throwing = boom == null && r.nextInt(6) == 0;
      int step = steps.size();
      int m = r.nextInt(5, 40);
      if (throwing) {
        boom = new Boom(step).getMessage();
      }
      steps.add(
          ".reduce(() -> 0L, "
              + (count ? "count" : "sum")
              + (throwing ? " (throws Boom where floorMod(x, " + m + ") == 1)" : "")
              + (combining ? ", Long::sum)" : ")"));
      SerializableBiFunction<Long, Integer, Long> add =
          (a, x) -> {
            if (throwing && Math.floorMod(x, m) == 1) {
              throw new Boom(step);
            }
            return count ? a + 1 : a + x;
          };
      Flow<Long> reduced =
          combining ? flow.reduce(() -> 0L, add, Long::sum) : flow.reduce(() -> 0L, add);
      out = reduced;
      afterReduce();
    }

    @SuppressWarnings("unchecked")
    private void afterReduce() {
      Flow<Object> f = (Flow<Object>) out;
      if (r.nextInt(3) == 0) {
        boolean reset = r.nextBoolean();
        boolean named = content;
        steps.add(
            ".onTrigger(emit "
                + (named ? "name, window, partition/partitions and " : "")
                + "the accumulator"
                + (reset ? ", reset to 0L)" : ")"));
        f =
            (Flow<Object>)
                (Flow<?>)
                    ((Flow<Long>) (Flow<?>) f)
                        .onTrigger(
                            (Long acc, Trigger t) ->
                                TriggerResult.of(
                                    List.of(
                                        named ? FlinkFlowsTest.fired(t, acc) : String.valueOf(acc)),
                                    reset ? 0L : acc));
      }
      switch (r.nextInt(5)) {
        case 0 -> {
          int s = r.nextInt(1, 4);
          steps.add(".partition(o -> o.stages(" + s + ")).map(String::valueOf).uniq()");
          f = f.partition(o -> o.stages(s)).map(x -> (Object) String.valueOf(x)).uniq();
          stages = s;
          order = false;
        }
        case 1 -> {
          boolean throwing = boom == null && r.nextInt(6) == 0;
          int step = steps.size();
          if (throwing) {
            boom = new Boom(step).getMessage();
          }
          steps.add(
              ".departition(() -> 0L, add the hash of each"
                  + (throwing ? " (throws Boom at the first)" : "")
                  + ", h -> h)");
          f =
              (Flow<Object>)
                  (Flow<?>)
                      f.departition(
                          () -> 0L,
                          (Long h, Object x) -> {
                            if (throwing) {
                              throw new Boom(step);
                            }
                            return h + String.valueOf(x).hashCode();
                          },
                          h -> h);
          stages = 1;
          order = true;
        }
        case 3 -> {
          int n = r.nextInt(1, 6);
          steps.add(".takeSort(" + n + ", by String.valueOf)");
          f =
              (Flow<Object>)
                  (Flow<?>) f.takeSort(n, (x, y) -> String.valueOf(x).compareTo(String.valueOf(y)));
          stages = 1;
          order = true;
        }
        case 2 -> {
          steps.add(".map(String::valueOf)");
          f = f.map(x -> (Object) String.valueOf(x));
        }
        default -> {}
      }
      out = f;
    }

    /** A keyed aggregation, in a random window where the counting layer's order is defined. */
    private void keyedTail() {
      int m = r.nextInt(1, 12);
      int s = r.nextInt(1, 4);
      DescribedWindow w = window(stages == 1 && order);
      String opts = "o -> o.stages(" + s + ").window(" + w.text() + ")";
      UnaryOperator<Options> o = x -> x.stages(s).window(w.window());
      switch (r.nextInt(5)) {
        case 4 -> {
          steps.add(".map(x -> floorMod(x, " + m + ")).frequencies(" + opts + ")");
          out = flow.map(x -> Math.floorMod(x, m)).frequencies(o);
        }
        case 0 -> {
          steps.add(".countBy(x -> floorMod(x, " + m + "), " + opts + ")");
          out = flow.countBy(x -> Math.floorMod(x, m), o);
        }
        case 1 -> {
          steps.add(
              ".reduceByKey(x -> floorMod(x, " + m + "), x -> (long) x, Long::sum, " + opts + ")");
          out = flow.reduceByKey(x -> Math.floorMod(x, m), x -> (long) x, Long::sum, o);
        }
        case 2 -> {
          steps.add(".sumBy(x -> floorMod(x, " + m + "), x -> x, " + opts + ")");
          out = flow.sumBy(x -> Math.floorMod(x, m), x -> x, o);
        }
        default -> {
          steps.add(
              ".aggregateByKey(x -> floorMod(x, "
                  + m
                  + "), TreeSet::new, add, addAll, "
                  + opts
                  + ")");
          out =
              flow.aggregateByKey(
                  x -> Math.floorMod(x, m),
                  java.util.TreeSet<Integer>::new,
                  (set, x) -> {
                    set.add(x);
                    return set;
                  },
                  (x, y) -> {
                    x.addAll(y);
                    return x;
                  },
                  o);
        }
      }
      stages = s;
      order = false;
      if (r.nextInt(3) == 0) {
        // Each aggregating stage ranks its own entries first (Keyed.Ranked), then one merges.
        int n = r.nextInt(1, 6);
        steps.add(".takeSort(" + n + ", by String.valueOf)");
        @SuppressWarnings("unchecked")
        Flow<Object> entries = (Flow<Object>) out;
        out = entries.takeSort(n, (x, y) -> String.valueOf(x).compareTo(String.valueOf(y)));
        stages = 1;
        order = true;
      } else if (r.nextInt(3) == 0) {
        // A second aggregation over the first one's entries, in a new layer of the global window:
        // "how many keys have each total". The entries come in no defined order, but the counts
        // do not depend on it; the second layer ends only after the first one's last panes.
        int b = r.nextInt(1, 6);
        int s2 = r.nextInt(1, 4);
        steps.add(
            ".countBy(e -> floorMod(String.valueOf(e.getValue()).hashCode(), "
                + b
                + "), o -> o.stages("
                + s2
                + "))");
        @SuppressWarnings("unchecked")
        Flow<Map.Entry<?, ?>> entries = (Flow<Map.Entry<?, ?>>) out;
        out =
            entries.countBy(
                e -> Math.floorMod(String.valueOf(e.getValue()).hashCode(), b), x -> x.stages(s2));
        stages = s2;
      }
    }

    // -------------------------------------------------------------------------------------------
    // Running and comparing

    /** Runs the plan with {@code toList()}; a problem, or null. */
    String runLocally() {
      Future<List<?>> f = runner.submit(() -> out.toList());
      try {
        local = new ArrayList<>(f.get(HANG_SECONDS, TimeUnit.SECONDS));
      } catch (TimeoutException e) {
        f.cancel(true);
        return "HANG: the local run did not end in " + HANG_SECONDS + " s";
      } catch (java.util.concurrent.ExecutionException e) {
        localFailure = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
      if (localFailure != null
          && boom == null
          && rejectedByPlan(localFailure) == null
          && !(lineLimit && lineTooLong(localFailure) != null)) {
        return "the local run failed unexpectedly: " + chain(localFailure);
      }
      return null;
    }

    /** A failure the local engine reports for an invalid plan (no user function threw). */
    private static RuntimeException rejectedByPlan(Throwable t) {
      if ((t instanceof IllegalArgumentException || t instanceof IllegalStateException)
          && !(t instanceof Boom)
          && !hasBoom(t)) {
        return (RuntimeException) t;
      }
      return null;
    }

    /** Runs the plan alone on Flink and compares (results, failures and rejections). */
    String compareAlone() throws Exception {
      StreamExecutionEnvironment env = environment();
      RuntimeException planRejection = localFailure == null ? null : rejectedByPlan(localFailure);
      if (planRejection != null || expectedRejection != null) {
        // Must be rejected when the job is built: toDataStream runs no job.
        try {
          FlinkFlows.toDataStream(env, out);
        } catch (RuntimeException e) {
          if (planRejection != null) {
            if (e.getClass() != planRejection.getClass()
                || !e.getMessage().equals(planRejection.getMessage())) {
              return "the local run rejected the plan with "
                  + planRejection
                  + "\nbut Flink, when the job was built, with "
                  + e;
            }
            outcome("rejected by both when run (Flink: when built)");
            return null;
          }
          if (!rejectionClass.isInstance(e) || !e.getMessage().contains(expectedRejection)) {
            return "Flink must reject the plan when the job is built with a "
                + rejectionClass.getSimpleName()
                + " saying '"
                + expectedRejection
                + "', got "
                + e;
          }
          if (local == null && localFailure != null && !hasBoom(localFailure)) {
            return "the local run failed: " + chain(localFailure);
          }
          outcome("ran locally, rejected by Flink when built");
          return null;
        }
        return planRejection != null
            ? "the local run rejected the plan with " + planRejection + "\nbut Flink built the job"
            : "Flink built the job; it must be rejected ('" + expectedRejection + "')";
      }
      List<Object> flink;
      try {
        flink = new ArrayList<>(FlinkFlows.collect(env, out));
      } catch (Exception e) {
        return failureParity(e);
      }
      if (localFailure != null) {
        return "the local run failed ("
            + chain(localFailure)
            + ") but the Flink job succeeded with "
            + flink.size()
            + " events";
      }
      return compare(flink);
    }

    /** Both engines failed, or only Flink did: both must name the same Boom, once. */
    private String failureParity(Exception flinkFailure) {
      if (localFailure == null) {
        return "the Flink job failed but the local run succeeded: " + chain(flinkFailure);
      }
      if (lineLimit && lineTooLong(localFailure) != null) {
        String local = lineTooLong(localFailure);
        String flink = lineTooLong(flinkFailure);
        if (!(localFailure instanceof FlowException) || !local.equals(flink)) {
          return "a line too long: the local run failed with "
              + chain(localFailure)
              + "\nFlink with "
              + chain(flinkFailure);
        }
        outcome("failed on both, naming the same line too long");
        return null;
      }
      if (!(localFailure instanceof FlowException)) {
        return "the local run must fail with a FlowException, got " + chain(localFailure);
      }
      List<Throwable> localBooms = booms(localFailure);
      List<Throwable> flinkBooms = booms(flinkFailure);
      if (localBooms.size() != 1 || flinkBooms.size() != 1) {
        return "each engine must report the Boom once: local "
            + chain(localFailure)
            + "\nFlink "
            + chain(flinkFailure);
      }
      if (!localBooms.get(0).getMessage().equals(boom)
          || !flinkBooms.get(0).getMessage().equals(boom)) {
        return "the Boom's message differs: local "
            + localBooms.get(0).getMessage()
            + ", Flink "
            + flinkBooms.get(0).getMessage();
      }
      outcome("failed on both, naming the Boom once");
      return null;
    }

    /** Compares Flink's events with the local ones; a problem, or null. */
    String compare(List<Object> flink) {
      if (localFailure != null) {
        return "the local run failed (" + chain(localFailure) + ") but the Flink job succeeded";
      }
      List<String> a = canonical(local);
      List<String> b = canonical(flink);
      if (!ordered()) {
        a.sort(null);
        b.sort(null);
      }
      if (a.equals(b)) {
        outcome((ordered() ? "same list" : "same multiset") + (a.isEmpty() ? " (empty)" : ""));
        return null;
      }
      return (ordered() ? "lists" : "multisets")
          + " differ ("
          + a.size()
          + " local, "
          + b.size()
          + " Flink)\n  local "
          + abbreviate(a)
          + "\n  Flink "
          + abbreviate(b);
    }
  }

  /** A list of ints as an {@code Iterable} that is no {@code Collection}, and serializable. */
  record Ints(List<Integer> list) implements Iterable<Integer>, Serializable {
    @Override
    public Iterator<Integer> iterator() {
      return list.iterator();
    }
  }

  /** A user trigger: fires after each multiple of 7 (the rest of the batch goes on). */
  static TriggerDecision<Integer, Integer> punctuation(List<Integer> events, Integer fired) {
    for (int i = 0; i < events.size(); i++) {
      if (Math.floorMod(events.get(i), 7) == 0) {
        return TriggerDecision.fire(
            "punctuation",
            List.copyOf(events.subList(0, i + 1)),
            List.copyOf(events.subList(i + 1, events.size())),
            fired + 1);
      }
    }
    return TriggerDecision.cont(fired);
  }

  /** A user trigger that leaves out each multiple of 7 (it fires there, and goes on after it). */
  static TriggerDecision<Integer, Integer> withoutMultiplesOf7(
      List<Integer> events, Integer fired) {
    for (int i = 0; i < events.size(); i++) {
      if (Math.floorMod(events.get(i), 7) == 0) {
        return TriggerDecision.fire(
            "marked",
            List.copyOf(events.subList(0, i)),
            List.copyOf(events.subList(i + 1, events.size())),
            fired + 1);
      }
    }
    return TriggerDecision.cont(fired);
  }

  /** {@code x}, or a {@link Boom} where {@code floorMod(x, m) == 1}. */
  static Integer boomAt(int x, int m, int step) {
    if (Math.floorMod(x, m) == 1) {
      throw new Boom(step);
    }
    return x;
  }

  static List<Integer> spread(int x) {
    int n = Math.floorMod(x, 4);
    List<Integer> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(x + i);
    }
    return l;
  }

  /** Groups whose key and values may be null, as text: keys in order, each list sorted. */
  static Map<String, List<String>> sortedText(Map<Integer, List<Integer>> groups) {
    Map<String, List<String>> m = new TreeMap<>();
    groups.forEach(
        (k, v) -> m.put(String.valueOf(k), v.stream().map(String::valueOf).sorted().toList()));
    return m;
  }

  /** A group's lists sorted, keys in order: what a stage grouped, whatever the arrival order. */
  static Map<Integer, List<Integer>> sortedGroups(Map<Integer, List<Integer>> groups) {
    Map<Integer, List<Integer>> m = new TreeMap<>();
    groups.forEach((k, v) -> m.put(k, v.stream().sorted().toList()));
    return m;
  }

  /** Events as text, maps with their keys in order (a hash map's order is not the plan's). */
  private static List<String> canonical(List<Object> events) {
    List<String> l = new ArrayList<>(events.size());
    events.forEach(e -> l.add(canonical(e)));
    return l;
  }

  private static String canonical(Object e) {
    if (e instanceof Map<?, ?> m) {
      Map<String, String> sorted = new TreeMap<>();
      m.forEach((k, v) -> sorted.put(canonical(k), canonical(v)));
      return sorted.toString();
    }
    if (e instanceof Set<?> s) {
      return canonical(new ArrayList<Object>(s)).stream().sorted().toList().toString();
    }
    if (e instanceof Collection<?> c) {
      return canonical(new ArrayList<Object>(c)).toString();
    }
    return String.valueOf(e);
  }

  private static String abbreviate(List<String> l) {
    String s = l.toString();
    return s.length() > 2000 ? s.substring(0, 2000) + "..." : s;
  }

  /** The message of the first failure in {@code t}'s causes saying a line is too long, or null. */
  private static String lineTooLong(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c.getMessage() != null && c.getMessage().startsWith("a line longer than")) {
        return c.getMessage();
      }
    }
    return null;
  }

  private static boolean hasBoom(Throwable t) {
    return !booms(t).isEmpty();
  }

  /** The distinct Booms in a failure's causes and suppressed exceptions. */
  private static List<Throwable> booms(Throwable t) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    List<Throwable> found = new ArrayList<>();
    collect(t, seen, found);
    return found;
  }

  private static void collect(Throwable t, Map<Throwable, Boolean> seen, List<Throwable> found) {
    if (t == null || seen.put(t, true) != null) {
      return;
    }
    if (t instanceof Boom) {
      found.add(t);
    }
    collect(t.getCause(), seen, found);
    for (Throwable s : t.getSuppressed()) {
      collect(s, seen, found);
    }
  }

  private static String chain(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c == t ? "" : "\n    caused by ").append(c);
    }
    return b.toString();
  }
}
