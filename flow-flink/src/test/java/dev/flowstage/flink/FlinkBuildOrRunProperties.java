package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.SerializableComparator;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ground rule "anything accepted when a plan is built runs" across the two engines, over
 * ARBITRARY chains (flow-test's {@code BuildOrRunProperties} draws the same kind on the local
 * engine alone): operations in any order, windows and triggers anywhere, out-of-range options,
 * {@code zip} and single-use sources Flink does not translate. A plan the Flow calls reject is not
 * run. A plan the local engine runs must, when its Flink job is built ({@link
 * FlinkFlows#toDataStream}), either be rejected there with a message, or run on the mini cluster
 * without a failure and, where the result is defined by the plan (per-event steps, partitions,
 * merges, {@code departition} and {@code takeSort} of the global window), give the local result. A
 * plan the local engine rejects at its terminal must be rejected when the Flink job is built.
 *
 * <p>Seeded: {@code -Dflinkbuildrun.tries=N} runs N plans (default 30), {@code
 * -Dflinkbuildrun.seed=S} starts elsewhere, {@code -Dflinkbuildrun.only=S} runs the plan of seed S,
 * {@code -Dflinkbuildrun.verbose=true} prints the outcome counts. Long runs need {@code
 * -Djunit.jupiter.execution.timeout.default=30m}.
 */
final class FlinkBuildOrRunProperties {
  private static final int TRIES = Integer.getInteger("flinkbuildrun.tries", 30);
  private static final long SEED = Long.getLong("flinkbuildrun.seed", 0xF11_B01DL);
  private static final Long ONLY = Long.getLong("flinkbuildrun.only");
  private static final boolean VERBOSE = Boolean.getBoolean("flinkbuildrun.verbose");
  private static final Map<String, Integer> OUTCOMES = new TreeMap<>();

  /** The file sources' folders. */
  @org.junit.jupiter.api.io.TempDir static java.nio.file.Path files;

  /** The default line limit, spelled out in the plans. */
  static final class FileOptionsDefaults {
    static final int MAX = dev.flowstage.flow.FileOptions.DEFAULT_MAX_LINE_BYTES;
  }

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  // Held strongly: the log manager keeps loggers weakly, and with them their level.
  private static final Logger RUNTIME = Logger.getLogger("dev.flowstage.stage");
  private static Level runtimeLevel;
  private static ExecutorService runner;

  @BeforeAll
  static void quiet() {
    runtimeLevel = RUNTIME.getLevel();
    RUNTIME.setLevel(Level.OFF); // plans that throw on purpose fail stages: checked here
    runner =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "flinkbuildrun-local");
              t.setDaemon(true); // a hung local run cannot be stopped: it must not hold the JVM
              return t;
            });
  }

  @AfterAll
  static void restore() {
    runner.shutdownNow();
    RUNTIME.setLevel(runtimeLevel);
    if (VERBOSE) {
      System.out.println("flinkbuildrun outcomes: " + OUTCOMES);
    }
  }

  @Test
  void arbitraryChains_acceptedByFlinkRunThere_orRejectedWhenTheJobIsBuilt() throws Exception {
    SplittableRandom seeds = new SplittableRandom(SEED);
    int tries = ONLY != null ? 1 : TRIES;
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < tries && problems.size() < 3; i++) {
      long seed = ONLY != null ? ONLY : seeds.nextLong();
      String problem = runOne(seed);
      if (problem != null) {
        problems.add(problem);
      }
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " plan(s) broke the rule:\n\n" + String.join("\n\n", problems));
    }
  }

  private static void outcome(String what) {
    OUTCOMES.merge(what, 1, Integer::sum);
  }

  private static String runOne(long seed) throws Exception {
    Plan p = new Plan(seed);
    try {
      p.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      outcome("rejected by a Flow call");
      return null; // its message is checked by BuildOrRunProperties; nothing to run
    }
    Future<List<Object>> local = runner.submit(() -> p.flow.toList());
    List<Object> localResult;
    Throwable localFailure = null;
    try {
      localResult = local.get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      localResult = null;
      localFailure = e.getCause();
    }
    String flinkBuildFailure = null;
    Throwable flinkBuild = null;
    try {
      FlinkFlows.toDataStream(environment(), p.flow);
    } catch (RuntimeException e) {
      flinkBuild = e;
      flinkBuildFailure = rejectionProblem(e);
    }
    if (localFailure != null && !(localFailure instanceof dev.flowstage.flow.FlowException)) {
      // The local terminal rejected the plan: so must Flink's job builder.
      outcome("rejected by the local terminal");
      if (flinkBuild == null) {
        return p.report("rejected by the local terminal, built by Flink: " + localFailure);
      }
      return flinkBuildFailure == null ? null : p.report(flinkBuildFailure);
    }
    if (localFailure != null) {
      boolean expected =
          boom(localFailure)
              || (p.lineLimit && messages(localFailure).contains("maxLineBytes"))
              || (p.nulls && messages(localFailure).contains("map null")); // a null key (flow.md)
      outcome("failed locally (" + (expected ? "as the plan implies" : "other") + ")");
      return expected ? null : p.report("local run failed: " + stackOf(localFailure));
    }
    if (flinkBuild != null) {
      outcome("ran locally, rejected by Flink's job builder");
      return flinkBuildFailure == null ? null : p.report(flinkBuildFailure);
    }
    List<Object> flinkResult;
    try {
      flinkResult = FlinkFlows.collect(environment(), p.flow);
    } catch (Exception e) {
      if (boom(e) && !p.defined) {
        // A plan whose events depend on the partitioning: Flink's may reach the throwing step.
        outcome("Boom on Flink only (a step ran there on an event it never saw locally)");
        return null;
      }
      return p.report("built by Flink, then failed inside the job:\n" + stackOf(e));
    }
    if (p.defined) {
      List<Integer> a = localResult.stream().map(FlinkBuildOrRunProperties::num).sorted().toList();
      List<Integer> b = flinkResult.stream().map(FlinkBuildOrRunProperties::num).sorted().toList();
      if (!a.equals(b)) {
        return p.report("results differ:\n  local " + a + "\n  Flink " + b);
      }
      outcome("ran on both, same result");
    } else {
      outcome("ran on both (result not defined by the plan)");
    }
    return null;
  }

  private static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      b.append(c.getMessage()).append(" / ");
    }
    return b.toString();
  }

  /** Why a Flink build-time rejection is not a good one, or null. */
  private static String rejectionProblem(RuntimeException e) {
    boolean kind =
        e instanceof IllegalArgumentException
            || e instanceof IllegalStateException
            || e instanceof UnsupportedOperationException;
    String m = e.getMessage();
    if (!kind || m == null || m.isBlank()) {
      return "Flink's job builder failed without a rejection:\n" + stackOf(e);
    }
    String lower = m.toLowerCase(Locale.ROOT);
    if (!(lower.contains("flink")
        || lower.contains("window")
        || lower.contains("instead")
        || lower.contains("use "))) {
      return "Flink's rejection does not say what to do: " + m;
    }
    return null;
  }

  private static StreamExecutionEnvironment environment() {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    return env;
  }

  static String stackOf(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  static boolean boom(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof Boom || String.valueOf(c.getMessage()).contains("boom (thrown on purpose")) {
        return true;
      }
    }
    return false;
  }

  /** Thrown on purpose by a function of the plan. */
  static final class Boom extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Boom() {
      super("boom (thrown on purpose by the plan)");
    }
  }

  /** The number every function reads an event as, whatever its shape. */
  static int num(Object o) {
    return switch (o) {
      case null -> 0;
      case Integer i -> i;
      case Long l -> (int) (long) l;
      case String s -> parse(s);
      case Map.Entry<?, ?> e -> num(e.getValue());
      case Map<?, ?> m -> m.size();
      case Collection<?> c -> {
        int sum = 0;
        for (Object x : c) {
          sum += num(x);
        }
        yield sum;
      }
      default -> o.hashCode();
    };
  }

  private static int parse(String s) {
    try {
      return Integer.parseInt(s.strip());
    } catch (NumberFormatException e) {
      return s.length();
    }
  }

  @SuppressWarnings("unchecked")
  static Flow<Object> o(Flow<?> f) {
    return (Flow<Object>) f;
  }

  private static int boomed(int x, int at) {
    if (x == at) {
      throw new Boom();
    }
    return x;
  }

  /** One drawn plan. */
  static final class Plan {
    final long seed;
    final SplittableRandom r;
    final List<String> steps = new ArrayList<>();
    Flow<Object> flow;

    /** The result is a multiset the plan defines (no per-stage state, no window). */
    boolean defined = true;

    /** A file source with a tiny maxLineBytes: both engines may fail, naming it. */
    boolean lineLimit;

    /** A map makes null events: frequencies of them fails, saying so. */
    boolean nulls;

    Plan(long seed) {
      this.seed = seed;
      this.r = new SplittableRandom(seed);
    }

    String report(String problem) {
      return "plan of seed "
          + seed
          + " (reproduce with -Dflinkbuildrun.only="
          + seed
          + "):\n  "
          + String.join("\n  ", steps)
          + "\n"
          + problem;
    }

    void build() {
      flow = chain(r.nextInt(1, 7), 0);
    }

    private Flow<Object> chain(int length, int depth) {
      Flow<Object> f = source();
      for (int i = 0; i < length; i++) {
        f = op(f, depth);
      }
      return f;
    }

    private List<Object> ints() {
      int n = r.nextInt(8) == 0 ? 0 : r.nextInt(1, 60);
      List<Object> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        l.add(r.nextInt(-10, 100));
      }
      return l;
    }

    private UnaryOperator<Options> options(StringBuilder d) {
      int stages = r.nextInt(1, 4);
      int maxDemand = r.nextInt(1, 10);
      d.append("o -> o.stages(")
          .append(stages)
          .append(").maxDemand(")
          .append(maxDemand)
          .append(')');
      UnaryOperator<Options> base = x -> x.stages(stages).maxDemand(maxDemand);
      int extra = r.nextInt(8);
      if (extra == 0) {
        defined = false; // what a pane holds depends on the order a stage sees its events
        Window w = window(d.append(".window("));
        d.append(')');
        return x -> base.apply(x).window(w);
      } else if (extra == 1) {
        int mod = r.nextInt(1, 5);
        d.append(".key(e -> num(e) % ").append(mod).append(')');
        return x -> base.apply(x).key((Object e) -> num(e) % mod);
      } else if (extra == 2) {
        d.append(".hash(e -> num(e) mod stages)");
        return x -> base.apply(x).hash((Object e) -> Math.floorMod(num(e), stages));
      }
      return base;
    }

    private Window window(StringBuilder d) {
      Window w;
      switch (r.nextInt(3)) {
        case 0 -> {
          int n = r.nextInt(1, 15);
          d.append("Window.count(").append(n).append(')');
          w = Window.count(n);
        }
        case 1 -> {
          long ms = r.nextInt(1, 200);
          d.append("Window.fixed(").append(ms).append(" ms, e -> num(e) * 10)");
          w = Window.fixed(Duration.ofMillis(ms), (Object e) -> num(e) * 10L);
        }
        default -> {
          d.append("Window.global()");
          w = Window.global();
        }
      }
      if (r.nextInt(4) == 0) {
        int n = r.nextInt(1, 8);
        d.append(".triggerEvery(").append(n).append(')');
        w = w.triggerEvery(n);
      }
      return w;
    }

    private Flow<Object> source() {
      List<Object> in = ints();
      StringBuilder d = new StringBuilder();
      UnaryOperator<Options> opts = options(d);
      switch (r.nextInt(8)) {
        case 0 -> {
          steps.add("fromEnumerable(a Stream of " + in.size() + " ints, " + d + ")");
          return Flow.fromEnumerable(in.stream(), opts);
        }
        case 6 -> {
          steps.add("fromEnumerable(an Iterator of " + in.size() + " ints, " + d + ")");
          return Flow.fromEnumerable(in.iterator(), opts);
        }
        case 7 -> {
          try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(files, "plan");
            int parts = r.nextInt(1, 4);
            for (int i = 0; i < parts; i++) {
              StringBuilder text = new StringBuilder();
              for (int j = i; j < in.size(); j += parts) {
                text.append(in.get(j)).append('\n');
              }
              java.nio.file.Files.writeString(dir.resolve("part" + i + ".txt"), text);
            }
            int maxLine = r.nextInt(6) == 0 ? r.nextInt(1, 4) : FileOptionsDefaults.MAX;
            steps.add(
                "fromFiles(a folder of "
                    + parts
                    + " files of "
                    + in.size()
                    + " ints, "
                    + d
                    + ", f -> f.maxLineBytes("
                    + maxLine
                    + "))");
            // |=: a join's or merge's other file source must not clear what this one set.
            lineLimit |= maxLine < 4;
            return o(Flow.fromFiles(List.of(dir), opts, f -> f.maxLineBytes(maxLine)));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        case 1 -> {
          int parts = r.nextInt(1, 4);
          List<List<Object>> lists = new ArrayList<>();
          for (int i = 0; i < parts; i++) {
            lists.add(new ArrayList<>());
          }
          for (int i = 0; i < in.size(); i++) {
            lists.get(i % parts).add(in.get(i));
          }
          steps.add("fromEnumerables(" + parts + " lists of " + in.size() + " ints, " + d + ")");
          return Flow.fromEnumerables(lists, opts);
        }
        default -> {
          steps.add("fromEnumerable(" + in.size() + " ints, " + d + ")");
          return Flow.fromEnumerable(in, opts);
        }
      }
    }

    private Flow<Object> op(Flow<Object> f, int depth) {
      String pad = "  ".repeat(depth);
      int boomAt = r.nextInt(15) == 0 ? r.nextInt(-10, 100) : Integer.MIN_VALUE;
      StringBuilder d = new StringBuilder();
      switch (r.nextInt(30)) {
        case 0, 1 -> {
          if (r.nextInt(6) == 0) {
            // Null events pass on both engines (flink.md); num(null) is 0.
            nulls = true;
            steps.add(pad + ".map(e -> num(e) % 4 == 0 ? null : e)");
            return f.map(e -> num(e) % 4 == 0 ? null : e);
          }
          int add = r.nextInt(-3, 4);
          steps.add(
              pad
                  + ".map(e -> num(e) + "
                  + add
                  + ")"
                  + (boomAt > Integer.MIN_VALUE ? " (Boom at " + boomAt + ")" : ""));
          return f.map(e -> boomed(num(e), boomAt) + add);
        }
        case 2 -> {
          steps.add(pad + ".flatMap(e -> num(e) % 3 == 0 ? [] : [num(e), num(e) + 1])");
          return f.flatMap(
              e -> num(e) % 3 == 0 ? List.<Object>of() : List.<Object>of(num(e), num(e) + 1));
        }
        case 3 -> {
          steps.add(pad + ".filter(e -> num(e) % 2 == 0)");
          return f.filter(e -> num(e) % 2 == 0);
        }
        case 4 -> {
          steps.add(pad + ".reject(e -> num(e) % 5 == 0).each(e -> {})");
          return f.reject(e -> num(e) % 5 == 0).each(e -> {});
        }
        case 5 -> {
          steps.add(pad + ".mapBatch(reverse)");
          return o(
              f.mapBatch(
                  batch -> {
                    List<Object> l = new ArrayList<>(batch);
                    Collections.reverse(l);
                    return l;
                  }));
        }
        case 6 -> {
          steps.add(pad + ".uniq()");
          defined = false;
          return f.uniq();
        }
        case 7, 8 -> {
          steps.add(pad + ".reduce(() -> 0, sum, sum)");
          defined = false;
          return f.reduce(() -> (Object) 0, (a, e) -> num(a) + num(e), (a, b) -> num(a) + num(b));
        }
        case 9 -> {
          steps.add(pad + ".emitAndReduce(() -> 0, emit e and keep the sum)");
          defined = false;
          return o(
              f.emitAndReduce(
                  () -> (Object) 0,
                  (e, acc) ->
                      TriggerResult.of(
                          Collections.singletonList(e), (Object) (num(acc) + num(e)))));
        }
        case 10 -> {
          int mod = r.nextInt(1, 5);
          steps.add(pad + ".groupBy(e -> num(e) % " + mod + ")");
          defined = false;
          return o(f.groupBy(e -> num(e) % mod));
        }
        case 11 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + ".countBy(e -> num(e) % 3, " + d + ")");
          defined = false;
          return o(f.countBy(e -> num(e) % 3, opts));
        }
        case 12 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + ".reduceByKey(e -> num(e) % 4, e -> num(e), Integer::sum, " + d + ")");
          defined = false;
          return o(f.reduceByKey(e -> num(e) % 4, e -> num(e), Integer::sum, opts));
        }
        case 13 -> {
          steps.add(pad + ".onTrigger((acc, t) -> emit acc)");
          defined = false;
          return o(f.onTrigger((acc, t) -> TriggerResult.of(List.<Object>of(acc), acc)));
        }
        case 14 -> {
          int n = r.nextInt(1, 6);
          steps.add(pad + ".takeSort(" + n + ", by num)");
          SerializableComparator<Object> byNum = (a, b) -> Integer.compare(num(a), num(b));
          return o(f.takeSort(n, byNum));
        }
        case 15 -> {
          steps.add(pad + ".departition(() -> 0, sum, acc -> acc)");
          return o(f.departition(() -> 0, (Integer a, Object e) -> a + num(e), (Integer a) -> a));
        }
        case 16, 17 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + ".partition(" + d + ")");
          if (d.indexOf("window") >= 0) {
            defined = false;
          }
          return f.partition(opts);
        }
        case 18 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + ".shuffle(" + d + ")");
          return f.shuffle(opts);
        }
        case 19 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + "merge with:");
          Flow<Object> other = chain(r.nextInt(0, 3), depth + 1);
          steps.add(pad + "merge(the flow above, that, " + d + ")");
          return o(Flow.merge(List.of(f, other), opts));
        }
        case 20 -> {
          steps.add(pad + "zip with:");
          Flow<Object> other = chain(r.nextInt(0, 2), depth + 1);
          steps.add(pad + "zip(the flow above, that, sum)");
          defined = false;
          return o(Flow.zip(f, other, (a, b) -> num(a) + num(b)));
        }
        case 21 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + "join with:");
          Flow<Object> other = chain(r.nextInt(0, 3), depth + 1);
          JoinMode mode = JoinMode.values()[r.nextInt(4)];
          steps.add(
              pad
                  + "boundedJoin("
                  + mode
                  + ", the flow above, that, by num % 5, sum, 100000, "
                  + d
                  + ")");
          defined = false;
          return o(
              Flow.boundedJoin(
                  mode,
                  f,
                  other,
                  a -> num(a) % 5,
                  b -> num(b) % 5,
                  (a, b) -> num(a) + num(b),
                  100_000,
                  opts));
        }
        case 22 -> {
          steps.add(pad + ".frequencies()");
          defined = false;
          return o(f.frequencies());
        }
        case 24 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + ".sumBy(e -> num(e) % 4, e -> num(e), " + d + ")");
          defined = false;
          return o(f.sumBy(e -> num(e) % 4, e -> (long) num(e), opts));
        }
        case 25 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + ".aggregateByKey(e -> num(e) % 3, () -> 0, sum, sum, " + d + ")");
          defined = false;
          return o(
              f.aggregateByKey(
                  e -> num(e) % 3,
                  () -> 0,
                  (Integer a, Object e) -> a + num(e),
                  Integer::sum,
                  opts));
        }
        case 26 -> {
          steps.add(pad + ".map(e -> Map.entry(num(e) % 3, num(e))).groupByKey()");
          defined = false;
          return o(f.map(e -> Map.entry(num(e) % 3, num(e))).<Integer, Integer>groupByKey());
        }
        case 27 -> {
          steps.add(pad + ".emitAndReduce(() -> 0, emit e, keep the sum, (acc, t) -> emit acc)");
          defined = false;
          return o(
              f.emitAndReduce(
                  () -> (Object) 0,
                  (e, acc) ->
                      TriggerResult.of(Collections.singletonList(e), (Object) (num(acc) + num(e))),
                  (acc, t) -> TriggerResult.of(List.<Object>of(acc), acc)));
        }
        case 28 -> {
          UnaryOperator<Options> opts = options(d);
          steps.add(pad + "window-join with:");
          Flow<Object> other = chain(r.nextInt(0, 2), depth + 1);
          JoinMode mode = JoinMode.values()[r.nextInt(4)];
          long ms = r.nextInt(1, 300);
          steps.add(
              pad
                  + "windowJoin("
                  + mode
                  + ", the flow above, that, Window.fixed("
                  + ms
                  + " ms, e -> num(e) * 10), by num % 5, sum, 100000, "
                  + d
                  + ")");
          defined = false;
          return o(
              Flow.windowJoin(
                  mode,
                  f,
                  other,
                  Window.fixed(Duration.ofMillis(ms), (Object e) -> num(e) * 10L),
                  a -> num(a) % 5,
                  b -> num(b) % 5,
                  (a, b) -> num(a) + num(b),
                  100_000,
                  opts));
        }
        default -> {
          steps.add(pad + ".uniqBy(e -> num(e) % 4)");
          defined = false;
          return f.uniqBy(e -> num(e) % 4);
        }
      }
    }
  }
}
