package dev.flowstage.test;

import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowListener;
import dev.flowstage.flow.FlowRunInfo;
import dev.flowstage.flow.JoinMode;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.SerializableComparator;
import dev.flowstage.flow.TriggerDecision;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ground rule "anything accepted when a plan is built runs; misuse fails when it is built, with
 * a message saying how to fix it", on the local engine, over ARBITRARY chains of Flow's catalogue:
 * where {@link FlowFuzzProperties} draws only valid plans, this draws any operation after any other
 * (after {@code departition} or {@code takeSort}, windows and triggers anywhere, {@code partition}
 * twice, {@code onTrigger} without a reduce, keyed aggregations after windows, zips, merges and
 * joins of flows of any shape, null events, out-of-range options and {@code null} arguments, every
 * source and terminal). Each plan must either be rejected while it is built (a Flow call, or a
 * terminal before any stage started) by an {@code IllegalArgumentException}/{@code
 * IllegalStateException} whose message names the operation or option and says what to do, or run to
 * its end failing only by the plan's own functions ({@link Boom}), leave no run unended, and, where
 * a cheap model exists (per-event steps, partitions, merges, departition and takeSort of the global
 * window), give its result. Events are any objects; every user function reads them through {@link
 * #num}, so a shape the plan did not expect is never the user's own failure.
 *
 * <p>Seeded: a failure prints the seed and the plan. {@code -Dbuildrun.tries=N} runs N plans
 * (default 150), {@code -Dbuildrun.seed=S} starts elsewhere, {@code -Dbuildrun.only=S} runs the one
 * plan of seed S, {@code -Dbuildrun.verbose=true} prints every rejection message and the outcome
 * counts.
 */
final class BuildOrRunProperties {
  private static final int TRIES = Integer.getInteger("buildrun.tries", 150);
  private static final long SEED = Long.getLong("buildrun.seed", 0xB01D_0A11L);
  private static final Long ONLY = Long.getLong("buildrun.only");
  private static final boolean VERBOSE = Boolean.getBoolean("buildrun.verbose");
  private static final long HANG_SECONDS = 60;

  /** Words one of which a message saying how to fix a misuse contains. */
  private static final List<String> FIX_WORDS =
      List.of(
          "use ",
          "call ",
          "add ",
          "remove",
          "move ",
          "give ",
          "set ",
          "must",
          "need",
          "instead",
          "only",
          "at least",
          "between",
          "before",
          "after",
          "cannot",
          "put ",
          "leave ",
          "change ",
          "read from",
          "collect it");

  private static final Map<String, FlowRunInfo> STARTED = new ConcurrentHashMap<>();
  private static final Map<String, FlowRunInfo> ENDED = new ConcurrentHashMap<>();
  private static final Map<String, Integer> OUTCOMES = new TreeMap<>();
  private static FlowListener.Registration registration;
  private static ExecutorService runner;
  private static Path files;

  // Held strongly: the log manager keeps loggers weakly, and with them their level.
  private static final Logger RUNTIME = Logger.getLogger("dev.flowstage.stage");
  private static final Logger FLOW = Logger.getLogger("dev.flowstage.flow");
  private static Level runtimeLevel;
  private static Level flowLevel;

  @BeforeAll
  static void listen() throws IOException {
    // Plans that throw on purpose (Boom) fail stages: checked here, not logged.
    runtimeLevel = RUNTIME.getLevel();
    flowLevel = FLOW.getLevel();
    RUNTIME.setLevel(Level.OFF);
    FLOW.setLevel(Level.OFF);
    registration =
        FlowListener.register(
            new FlowListener() {
              @Override
              public void flowStarted(FlowRunInfo flow) {
                STARTED.put(flow.name(), flow);
              }

              @Override
              public void flowEnded(FlowRunInfo flow) {
                ENDED.put(flow.name(), flow);
              }
            });
    runner =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "buildrun-plan");
              t.setDaemon(true); // a hung plan cannot be stopped: it must not hold the JVM
              return t;
            });
    files = Files.createTempDirectory("buildrun-files");
  }

  @AfterAll
  static void unlisten() throws IOException {
    registration.close();
    runner.shutdownNow();
    RUNTIME.setLevel(runtimeLevel);
    FLOW.setLevel(flowLevel);
    if (VERBOSE) {
      System.err.println("buildrun outcomes: " + OUTCOMES);
    }
    try (Stream<Path> walk = Files.walk(files)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void arbitraryChains_rejectedWhenBuiltWithAFix_orRunToTheEnd() throws Exception {
    SplittableRandom seeds = new SplittableRandom(SEED);
    int tries = ONLY != null ? 1 : TRIES;
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < tries && problems.size() < 5; i++) {
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

  private static synchronized void outcome(String what) {
    OUTCOMES.merge(what, 1, Integer::sum);
  }

  /** Draws, builds and runs the plan of {@code seed}; what went wrong, or null. */
  static String runOne(long seed) throws Exception {
    Plan p = new Plan(seed);
    try {
      p.build();
    } catch (RuntimeException e) {
      outcome("rejected by a Flow call");
      String bad = badRejection(e, p.current);
      return bad == null ? null : p.report("rejected when built, but " + bad);
    } finally {
      // Running producers of a fromStages source the plan never runs: stopped here.
      if (p.current != null && p.system != null && p.out == null) {
        p.system.close();
      }
    }
    STARTED.clear();
    ENDED.clear();
    Future<String> f = runner.submit(p::execute);
    String problem;
    try {
      problem = f.get(HANG_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      problem = "HANG: no end after " + HANG_SECONDS + " s";
    } catch (ExecutionException e) {
      problem = "the check itself failed: " + stackOf(e.getCause());
    } finally {
      if (p.system != null) {
        p.system.close();
      }
    }
    return problem == null ? null : p.report(problem);
  }

  /**
   * Why a rejection is not a good one (null if it is): an exception of the rule's types whose
   * message names the step and says what to do.
   */
  static String badRejection(Throwable e, Step step) {
    if (e instanceof Boom) {
      return "a function of the plan ran while it was built: " + stackOf(e);
    }
    if (!(e instanceof IllegalArgumentException
        || e instanceof IllegalStateException
        || e instanceof UnsupportedOperationException)) {
      return "threw " + e.getClass().getName() + " (not a rejection with a fix):\n" + stackOf(e);
    }
    String m = e.getMessage();
    if (m == null || m.isBlank()) {
      return "threw " + e.getClass().getName() + " without a message:\n" + stackOf(e);
    }
    String lower = m.toLowerCase(Locale.ROOT);
    if (step != null
        && step.names.stream().noneMatch(n -> lower.contains(n.toLowerCase(Locale.ROOT)))) {
      return "the message names none of "
          + step.names
          + " (the step being added: "
          + step.text
          + "): "
          + m;
    }
    if (FIX_WORDS.stream().noneMatch(lower::contains)) {
      return "the message does not say how to fix it: " + m;
    }
    if (VERBOSE) {
      System.err.println("buildrun rejection: " + m);
    }
    return null;
  }

  static String stackOf(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }

  /** Whether {@code t} or one of its causes is a {@link Boom}. */
  static boolean boom(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof Boom) {
        return true;
      }
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------
  // Events and functions

  /**
   * The number every user function reads an event as, whatever its shape: a plan's functions never
   * fail on an event they did not expect (the failure would be the user's).
   */
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

  /** Thrown on purpose by a function of the plan: the run may fail with it, and only with it. */
  static final class Boom extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Boom() {
      super("boom (thrown on purpose by the plan)", null, false, false);
    }
  }

  @SuppressWarnings("unchecked")
  static Flow<Object> o(Flow<?> f) {
    return (Flow<Object>) f;
  }

  /** One Flow call being added: how the plan prints it, and the names its rejection must use. */
  record Step(String text, List<String> names) {}

  enum Terminal {
    TO_LIST,
    RUN,
    COLLECT,
    STREAM,
    START,
    PUBLISHER,
    INTO,
    INTO_CONSUMERS,
    WRITE_LINES
  }

  // ---------------------------------------------------------------------------------------------
  // A plan

  /** One drawn plan: the flow, its steps, a model of its result where cheap, and its terminal. */
  static final class Plan {
    final long seed;
    final SplittableRandom r;
    final List<String> steps = new ArrayList<>();
    Step current; // the call being added, for the rejection's check
    Flow<Object> out;
    List<Integer> model; // the num() of every output event as a multiset, or null if not modelled
    boolean lineLimit; // a small maxLineBytes: the run may fail naming it
    boolean hashOutOfRange; // a hash returning negative numbers: the run may fail naming it
    boolean modelDrops; // a hash drops events somewhere: the model does not hold
    boolean windowed; // a window was drawn: takeSort and departition may work per window
    boolean nestedPublisher; // a flow's toPublisher() is read by the plan
    boolean joins; // a join holds at most maxHeld events: over it, the run fails naming it
    StageSystem system; // the running producers of fromStages sources
    Terminal terminal;
    boolean again; // a second terminal on the same plan
    boolean noConsumers; // into(...) or intoConsumers(...) of an empty list
    boolean producerInto; // into(...) of a producer stage: rejected by into, naming it
    boolean rawGroupByKey; // groupByKey() of events that may be no entries: may fail naming it
    boolean nulls; // a map makes null events: a subscriber of toPublisher() may be told so
    boolean secondRun; // the second terminal is running
    int depth;

    Plan(long seed) {
      this.seed = seed;
      this.r = new SplittableRandom(seed);
    }

    String report(String problem) {
      return "plan of seed "
          + seed
          + " (reproduce with -Dbuildrun.only="
          + seed
          + "):\n  "
          + String.join("\n  ", steps)
          + (terminal != null ? "\n  ." + terminal : "")
          + "\n"
          + problem;
    }

    /** Records the step about to be added; returns its text for nested descriptions. */
    private void step(String text, String... names) {
      current = new Step(text, List.of(names));
      steps.add("  ".repeat(depth) + text);
    }

    void build() throws IOException {
      Chain c = chain(r.nextInt(1, 7));
      out = c.flow;
      model = c.model;
      if (r.nextInt(6) == 0) {
        step(
            ".withClock(" + (r.nextBoolean() ? "a TestClock" : "the system clock") + ")",
            "withClock");
        out = out.withClock(r.nextBoolean() ? new TestClock() : FlowClock.system());
      }
      if (r.nextInt(12) == 0) {
        step(".checkSerializable()", "checkSerializable", "serializ");
        out = out.checkSerializable();
      }
      terminal = Terminal.values()[r.nextInt(Terminal.values().length)];
      again = r.nextInt(6) == 0;
      noConsumers =
          (terminal == Terminal.INTO || terminal == Terminal.INTO_CONSUMERS) && r.nextInt(8) == 0;
      producerInto = terminal == Terminal.INTO && !noConsumers && r.nextInt(8) == 0;
      current =
          new Step(
              "."
                  + terminal
                  + (noConsumers ? " of no consumers" : producerInto ? " of a producer stage" : ""),
              noConsumers
                  ? List.of("into", "consumer")
                  : producerInto
                      ? List.of("into", "producer")
                      : List.of("window", "reduce", "through"));
    }

    /** A flow and its model. */
    record Chain(Flow<Object> flow, List<Integer> model) {}

    private Chain chain(int length) throws IOException {
      Chain c = source();
      for (int i = 0; i < length; i++) {
        c = op(c);
      }
      return c;
    }

    private List<Integer> ints() {
      int n = r.nextInt(8) == 0 ? 0 : r.nextInt(1, 120);
      List<Integer> l = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        l.add(r.nextInt(-20, 200));
      }
      return l;
    }

    private static List<List<Integer>> split(List<Integer> in, int parts) {
      List<List<Integer>> lists = new ArrayList<>();
      for (int i = 0; i < parts; i++) {
        lists.add(new ArrayList<>());
      }
      for (int i = 0; i < in.size(); i++) {
        lists.get(i % parts).add(in.get(i));
      }
      return lists;
    }

    // --- options, windows ---------------------------------------------------------------------

    /** Random options, sometimes out of range or routing where nothing routes. */
    private UnaryOperator<Options> options(StringBuilder d, List<String> names) {
      List<UnaryOperator<Options>> parts = new ArrayList<>();
      int stages = r.nextInt(40) == 0 ? r.nextInt(-1, 1) : r.nextInt(1, 4);
      parts.add(x -> x.stages(stages));
      d.append("stages(").append(stages).append(')');
      names.add("stages");
      int maxDemand = r.nextInt(40) == 0 ? 0 : r.nextInt(1, 12);
      parts.add(x -> x.maxDemand(maxDemand));
      d.append(".maxDemand(").append(maxDemand).append(')');
      names.add("maxDemand");
      if (r.nextInt(8) == 0) {
        int minDemand =
            r.nextInt(4) == 0 || maxDemand < 1 ? r.nextInt(-2, 13) : r.nextInt(0, maxDemand);
        parts.add(x -> x.minDemand(minDemand));
        d.append(".minDemand(").append(minDemand).append(')');
        names.add("minDemand");
      }
      if (r.nextInt(6) == 0) {
        Window w = window(d.append(".window("), names);
        d.append(')');
        windowed |= !(w instanceof Window.Global);
        parts.add(x -> x.window(w));
        names.add("window");
      }
      int routing = r.nextInt(10);
      if (routing == 0) {
        int mod = r.nextInt(1, 6);
        parts.add(x -> x.key((Object e) -> num(e) % mod));
        d.append(".key(e -> num(e) % ").append(mod).append(')');
        names.add("key");
      } else if (routing == 1) {
        boolean drop = r.nextBoolean();
        boolean negative = r.nextInt(3) == 0;
        hashOutOfRange |= negative;
        parts.add(
            x ->
                x.hash(
                    (Object e) ->
                        drop && num(e) % 7 == 0
                            ? Options.DROP
                            : negative
                                ? -Math.abs(num(e)) - 2
                                : Math.floorMod(num(e), Math.max(1, stages))));
        modelDrops |= drop;
        d.append(".hash(e -> ")
            .append(drop ? "DROP every 7th, " : "")
            .append(negative ? "a negative number other than DROP" : "num(e) mod stages")
            .append(')');
        names.add("hash");
      }
      if (r.nextInt(12) == 0) {
        long split = r.nextInt(-1, 64);
        parts.add(x -> x.splitBytes(split));
        d.append(".splitBytes(").append(split).append(')');
        names.add("splitBytes");
      }
      return x -> {
        Options o = x;
        for (UnaryOperator<Options> part : parts) {
          o = part.apply(o);
        }
        return o;
      };
    }

    /** A random window, sometimes with triggers, lateness, or out-of-range sizes. */
    private Window window(StringBuilder d, List<String> names) {
      Window w;
      switch (r.nextInt(5)) {
        case 0 -> {
          w = Window.global();
          d.append("Window.global()");
        }
        case 1 -> {
          int n = r.nextInt(25) == 0 ? 0 : r.nextInt(1, 20);
          names.add("count");
          d.append("Window.count(").append(n).append(')');
          w = Window.count(n);
        }
        case 2 -> {
          long ms = r.nextInt(25) == 0 ? 0 : r.nextInt(1, 200);
          names.add("fixed");
          d.append("Window.fixed(").append(ms).append(" ms, e -> num(e) * 10)");
          w = Window.fixed(Duration.ofMillis(ms), (Object e) -> num(e) * 10L);
        }
        default -> {
          long ms = r.nextInt(25) == 0 ? 0 : r.nextInt(1, 30);
          names.add("periodic");
          d.append("Window.periodic(").append(ms).append(" ms)");
          w = Window.periodic(Duration.ofMillis(ms));
        }
      }
      int triggers = r.nextInt(8);
      if (triggers == 0) {
        int n = r.nextInt(25) == 0 ? 0 : r.nextInt(1, 10);
        names.add("triggerEvery");
        d.append(".triggerEvery(").append(n).append(')');
        w = w.triggerEvery(n);
      } else if (triggers == 1) {
        long ms = r.nextInt(1, 20);
        names.add("triggerPeriodically");
        d.append(".triggerPeriodically(").append(ms).append(" ms)");
        w = w.triggerPeriodically(Duration.ofMillis(ms));
      } else if (triggers == 2) {
        int every = r.nextInt(1, 6);
        names.add("trigger");
        d.append(".trigger(fires \"every")
            .append(every)
            .append("\" each ")
            .append(every)
            .append(" events)");
        w =
            w.trigger(
                () -> 0,
                (List<Object> events, Integer seen) ->
                    seen + events.size() >= every
                        ? TriggerDecision.fire("every" + every, events, List.of(), 0)
                        : TriggerDecision.cont(seen + events.size()));
      }
      if (r.nextInt(8) == 0) {
        long ms = r.nextInt(25) == 0 ? 0 : r.nextInt(1, 100);
        names.add("allowedLateness");
        d.append(".allowedLateness(").append(ms).append(" ms)");
        w = w.allowedLateness(Duration.ofMillis(ms));
      }
      return w;
    }

    // --- sources ------------------------------------------------------------------------------

    private Chain source() throws IOException {
      List<Integer> in = ints();
      StringBuilder d = new StringBuilder("o -> o.");
      List<String> names = new ArrayList<>();
      // The options are drawn before the step is recorded: a bad window throws here, named too.
      int kind = r.nextInt(11);
      String[] base;
      switch (kind) {
        case 0 -> base = new String[] {"fromEnumerable"};
        case 1, 2 -> base = new String[] {"fromEnumerable", "Stream", "Iterator"};
        case 3 -> base = new String[] {"fromEnumerables"};
        case 4, 5 -> base = new String[] {"fromFiles", "file"};
        case 6 -> base = new String[] {"fromStages", "fromStage"};
        case 7 -> base = new String[] {"fromPublisher"};
        case 8 -> base = new String[] {"fromProducers", "fromProducer"};
        case 9 -> base = new String[] {"fromPublisher", "toPublisher", "window"};
        default -> base = new String[] {"merge", "withClock"};
      }
      names.addAll(List.of(base));
      current = new Step(base[0] + "(options)", names);
      UnaryOperator<Options> opts = options(d, names);
      List<Object> objs = new ArrayList<>(in);
      switch (kind) {
        case 0 -> {
          step("fromEnumerable(" + in.size() + " ints, " + d + ")", names.toArray(String[]::new));
          return new Chain(Flow.fromEnumerable(objs, opts), in);
        }
        case 1 -> {
          step(
              "fromEnumerable(a Stream of " + in.size() + " ints, " + d + ")",
              names.toArray(String[]::new));
          return new Chain(Flow.fromEnumerable(objs.stream(), opts), in);
        }
        case 2 -> {
          step(
              "fromEnumerable(an Iterator of " + in.size() + " ints, " + d + ")",
              names.toArray(String[]::new));
          return new Chain(Flow.fromEnumerable(objs.iterator(), opts), in);
        }
        case 3 -> {
          List<List<Integer>> lists = split(in, r.nextInt(1, 4));
          step(
              "fromEnumerables(" + lists.size() + " lists of " + in.size() + " ints, " + d + ")",
              names.toArray(String[]::new));
          return new Chain(o(Flow.fromEnumerables(lists, opts)), in);
        }
        case 4, 5 -> {
          return files(in, d, opts, names);
        }
        case 6 -> {
          if (system == null) {
            system = new StageSystem("buildrun-producers");
          }
          if (r.nextInt(6) == 0) {
            // A consumer where a producer is expected: it emits nothing. Its kind says so, so
            // fromStage must refuse it when called (Stage.kind()).
            Stage<Void> consumer = system.startConsumer(new Collecting(new ArrayList<>()));
            step("fromStage(a consumer stage)", "fromStage", "producer", "consumer");
            return new Chain(o(Flow.fromStage(consumer)), null);
          }
          List<List<Integer>> lists = split(in, r.nextInt(1, 3));
          List<Stage<Integer>> producers = new ArrayList<>();
          for (List<Integer> l : lists) {
            producers.add(system.startProducer(Producers.fromIterable(l)));
          }
          step(
              "fromStages("
                  + lists.size()
                  + " running producers of "
                  + in.size()
                  + " ints, "
                  + d
                  + ")",
              names.toArray(String[]::new));
          return new Chain(o(Flow.fromStages(producers, opts)), in);
        }
        case 7 -> {
          step(
              "fromPublisher(a publisher of " + in.size() + " ints, " + d + ")",
              names.toArray(String[]::new));
          return new Chain(
              o(Flow.fromPublisher(new FlowFuzzProperties.ListPublisher(in, false), opts)), in);
        }
        case 8 -> {
          List<List<Integer>> lists = split(in, r.nextInt(1, 3));
          List<Supplier<dev.flowstage.stage.Producer<Integer>>> factories = new ArrayList<>();
          for (List<Integer> l : lists) {
            factories.add(() -> Producers.fromIterable(l));
          }
          step(
              "fromProducers(" + lists.size() + " factories of " + in.size() + " ints, " + d + ")",
              names.toArray(String[]::new));
          return new Chain(o(Flow.fromProducers(factories, opts)), in);
        }
        case 9 -> {
          // Another flow's publisher as this one's source: a flow inside a flow.
          depth++;
          step("fromPublisher(toPublisher() of:", names.toArray(String[]::new));
          nestedPublisher = true;
          Chain inner = chain(r.nextInt(0, 3));
          depth--;
          step("), " + d + ")", names.toArray(String[]::new));
          return new Chain(Flow.fromPublisher(inner.flow.toPublisher(), opts), inner.model);
        }
        default -> {
          depth++;
          steps.add("  ".repeat(depth - 1) + "merge(");
          Chain a = chain(r.nextInt(0, 3));
          Chain b = chain(r.nextInt(0, 3));
          depth--;
          step("), " + d + ")", names.toArray(String[]::new));
          return new Chain(o(Flow.merge(List.of(a.flow, b.flow), opts)), concat(a.model, b.model));
        }
      }
    }

    private Chain files(
        List<Integer> in, StringBuilder d, UnaryOperator<Options> opts, List<String> names)
        throws IOException {
      Path dir = Files.createTempDirectory(files, "plan");
      List<List<Integer>> parts = split(in, r.nextInt(1, 4));
      List<Integer> model = new ArrayList<>();
      boolean gz = r.nextInt(4) == 0;
      boolean hidden = r.nextInt(4) == 0;
      for (int i = 0; i < parts.size(); i++) {
        String name = (hidden && i == 0 ? "." : "") + "part" + i + ".txt" + (gz ? ".gz" : "");
        String text =
            parts.get(i).stream().map(String::valueOf).collect(Collectors.joining("\n"))
                + (parts.get(i).isEmpty() ? "" : "\n");
        try (OutputStream os = Files.newOutputStream(dir.resolve(name))) {
          OutputStream w = gz ? new GZIPOutputStream(os) : os;
          w.write(text.getBytes(StandardCharsets.UTF_8));
          w.close();
        }
      }
      StringBuilder fd = new StringBuilder("f -> f");
      List<UnaryOperator<FileOptions>> fparts = new ArrayList<>();
      int maxLine = FileOptions.DEFAULT_MAX_LINE_BYTES;
      if (r.nextInt(5) == 0) {
        int m = r.nextInt(-1, 6);
        maxLine = m;
        fparts.add(f -> f.maxLineBytes(m));
        fd.append(".maxLineBytes(").append(m).append(')');
        names.add("maxLineBytes");
      }
      boolean includeHidden = true;
      if (r.nextInt(4) == 0) {
        boolean h = r.nextBoolean();
        includeHidden = h;
        fparts.add(f -> f.includeHidden(h));
        fd.append(".includeHidden(").append(h).append(')');
      }
      boolean decompress = true;
      if (r.nextInt(4) == 0) {
        boolean z = r.nextBoolean();
        decompress = z;
        fparts.add(f -> f.decompress(z));
        fd.append(".decompress(").append(z).append(')');
      }
      boolean globbed = false;
      if (r.nextInt(5) == 0) {
        String glob = List.of("*.txt", "*.log", "part[0-1]*", "[", "**/*.gz").get(r.nextInt(5));
        globbed = true;
        fparts.add(f -> f.globs(glob));
        fd.append(".globs(\"").append(glob).append("\")");
        names.add("glob");
      }
      if (r.nextInt(6) == 0) {
        boolean b = r.nextBoolean();
        fparts.add(f -> f.charsetFromBom(b).includeBinary(b).followLinks(!b));
        fd.append(".charsetFromBom(").append(b).append(").includeBinary(").append(b).append(')');
      }
      UnaryOperator<FileOptions> fo =
          x -> {
            FileOptions f = x;
            for (UnaryOperator<FileOptions> part : fparts) {
              f = part.apply(f);
            }
            return f;
          };
      boolean asDir = r.nextBoolean();
      List<Path> paths;
      try (Stream<Path> list = Files.list(dir)) {
        paths = asDir ? List.of(dir) : list.sorted().toList();
      }
      lineLimit |= maxLine >= 1 && maxLine < 6;
      boolean modelled = !globbed && includeHidden && (decompress || !gz) && !lineLimit;
      if (modelled) {
        for (List<Integer> p : parts) {
          model.addAll(p);
        }
      }
      step(
          "fromFiles("
              + (asDir ? "a folder of " : "")
              + parts.size()
              + (gz ? " gzipped" : "")
              + (hidden ? " (first hidden)" : "")
              + " files of "
              + in.size()
              + " ints, "
              + d
              + ", "
              + fd
              + ")",
          names.toArray(String[]::new));
      return new Chain(o(Flow.fromFiles(paths, opts, fo)), modelled ? model : null);
    }

    private static List<Integer> concat(List<Integer> a, List<Integer> b) {
      if (a == null || b == null) {
        return null;
      }
      List<Integer> l = new ArrayList<>(a);
      l.addAll(b);
      return l;
    }

    private static List<Integer> mapModel(
        List<Integer> m, java.util.function.Function<Integer, List<Integer>> f) {
      if (m == null) {
        return null;
      }
      List<Integer> l = new ArrayList<>();
      m.forEach(x -> l.addAll(f.apply(x)));
      return l;
    }

    /** Sometimes a null in place of a function: misuse the builder must name. */
    private <F> F orNull(F f) {
      return r.nextInt(30) == 0 ? null : f;
    }

    // --- operations ---------------------------------------------------------------------------

    private Chain op(Chain c) throws IOException {
      Flow<Object> f = c.flow;
      List<Integer> m = c.model;
      int boomAt = r.nextInt(12) == 0 ? r.nextInt(-20, 200) : Integer.MIN_VALUE;
      String boomText = boomAt == Integer.MIN_VALUE ? "" : " (throws Boom at " + boomAt + ")";
      StringBuilder d = new StringBuilder("o -> o.");
      List<String> names = new ArrayList<>();
      int kind = r.nextInt(37);
      if (kind == 20) {
        kind = 9; // onTrigger is rejected but after a reduce: draw reduces as often
      }
      switch (kind) {
        case 0, 1 -> {
          if (r.nextInt(6) == 0) {
            // Null events (flow.md: events may be null); num(null) is 0, so the model holds 0.
            nulls = true;
            step(".map(e -> num(e) % 4 == 0 ? null : e)", "map");
            return new Chain(
                f.map(orNull(e -> num(e) % 4 == 0 ? null : e)),
                mapModel(m, x -> List.of(x % 4 == 0 ? 0 : x)));
          }
          int add = r.nextInt(-3, 4);
          step(".map(e -> num(e) + " + add + ")" + boomText, "map");
          return new Chain(
              f.map(orNull(e -> boomed(num(e), boomAt) + add)), mapModel(m, x -> List.of(x + add)));
        }
        case 2 -> {
          step(".flatMap(e -> num(e) % 3 == 0 ? [] : [num(e), num(e) + 1])" + boomText, "flatMap");
          return new Chain(
              f.flatMap(
                  orNull(
                      e -> {
                        int x = boomed(num(e), boomAt);
                        return x % 3 == 0 ? List.<Object>of() : List.<Object>of(x, x + 1);
                      })),
              mapModel(m, x -> x % 3 == 0 ? List.of() : List.of(x, x + 1)));
        }
        case 3 -> {
          step(".filter(e -> num(e) % 2 == 0)" + boomText, "filter");
          return new Chain(
              f.filter(orNull(e -> boomed(num(e), boomAt) % 2 == 0)),
              mapModel(m, x -> x % 2 == 0 ? List.of(x) : List.of()));
        }
        case 4 -> {
          step(".reject(e -> num(e) % 5 == 0)", "reject");
          return new Chain(
              f.reject(orNull(e -> num(e) % 5 == 0)),
              mapModel(m, x -> x % 5 == 0 ? List.of() : List.of(x)));
        }
        case 5 -> {
          step(".each(e -> {})" + boomText, "each");
          return new Chain(f.each(orNull(e -> boomed(num(e), boomAt))), m);
        }
        case 6 -> {
          step(".mapBatch(reverse)", "mapBatch");
          return new Chain(
              o(
                  f.mapBatch(
                      orNull(
                          batch -> {
                            List<Object> l = new ArrayList<>(batch);
                            Collections.reverse(l);
                            return l;
                          }))),
              m);
        }
        case 7 -> {
          step(".uniq()", "uniq");
          return new Chain(f.uniq(), null);
        }
        case 8 -> {
          int mod = r.nextInt(1, 6);
          step(".uniqBy(e -> num(e) % " + mod + ")", "uniqBy", "uniq");
          return new Chain(f.uniqBy(orNull(e -> num(e) % mod)), null);
        }
        case 9 -> {
          boolean combiner = r.nextBoolean();
          step(".reduce(() -> 0, sum" + (combiner ? ", sum" : "") + ")" + boomText, "reduce");
          return new Chain(
              combiner
                  ? f.reduce(
                      () -> (Object) 0,
                      (a, e) -> num(a) + boomed(num(e), boomAt),
                      (a, b) -> num(a) + num(b))
                  : f.reduce(orNull(() -> (Object) 0), (a, e) -> num(a) + boomed(num(e), boomAt)),
              null);
        }
        case 10 -> {
          boolean withTrigger = r.nextBoolean();
          step(
              ".emitAndReduce(() -> 0, (e, acc) -> emit e, keep sum"
                  + (withTrigger ? ", (acc, trigger) -> emit acc" : "")
                  + ")",
              "emitAndReduce");
          return new Chain(
              withTrigger
                  ? o(
                      f.emitAndReduce(
                          () -> (Object) 0,
                          (e, acc) ->
                              TriggerResult.of(
                                  Collections.singletonList(e), (Object) (num(acc) + num(e))),
                          (acc, t) -> TriggerResult.of(List.<Object>of(acc), acc)))
                  : o(
                      f.emitAndReduce(
                          () -> (Object) 0,
                          (e, acc) ->
                              TriggerResult.of(
                                  Collections.singletonList(e), (Object) (num(acc) + num(e))))),
              null);
        }
        case 11 -> {
          int mod = r.nextInt(1, 5);
          boolean value = r.nextBoolean();
          step(".groupBy(e -> num(e) % " + mod + (value ? ", e -> num(e)" : "") + ")", "groupBy");
          return new Chain(
              value
                  ? o(f.groupBy(e -> num(e) % mod, e -> num(e)))
                  : o(f.groupBy(orNull(e -> num(e) % mod))),
              null);
        }
        case 12 -> {
          if (r.nextInt(4) == 0) {
            // Java cannot require entries of groupByKey(): events that are none fail the run,
            // saying what to do (flow.md), and only that way.
            step(".groupByKey() of the events as they are", "groupByKey");
            rawGroupByKey = true;
            return new Chain(o(f.groupByKey()), null);
          }
          step(".map(e -> Map.entry(num(e) % 3, num(e))).groupByKey()", "groupByKey");
          return new Chain(
              o(f.map(e -> Map.entry(num(e) % 3, num(e))).<Integer, Integer>groupByKey()), null);
        }
        case 13, 14 -> {
          current = new Step(".countBy(...)", names);
          names.add("countBy");
          UnaryOperator<Options> opts = options(d, names);
          int mod = r.nextInt(1, 6);
          step(".countBy(e -> num(e) % " + mod + ", " + d + ")", names.toArray(String[]::new));
          return new Chain(o(f.countBy(orNull(e -> num(e) % mod), opts)), null);
        }
        case 15 -> {
          current = new Step(".frequencies(...)", names);
          names.add("frequencies");
          UnaryOperator<Options> opts = options(d, names);
          step(".frequencies(" + d + ")", names.toArray(String[]::new));
          return new Chain(o(f.frequencies(opts)), null);
        }
        case 16 -> {
          current = new Step(".sumBy(...)", names);
          names.add("sumBy");
          UnaryOperator<Options> opts = options(d, names);
          step(".sumBy(e -> num(e) % 4, e -> num(e), " + d + ")", names.toArray(String[]::new));
          return new Chain(o(f.sumBy(e -> num(e) % 4, e -> (long) num(e), opts)), null);
        }
        case 17 -> {
          current = new Step(".reduceByKey(...)", names);
          names.add("reduceByKey");
          UnaryOperator<Options> opts = options(d, names);
          step(
              ".reduceByKey(e -> num(e) % 4, e -> num(e), Integer::sum, " + d + ")" + boomText,
              names.toArray(String[]::new));
          return new Chain(
              o(f.reduceByKey(e -> num(e) % 4, e -> boomed(num(e), boomAt), Integer::sum, opts)),
              null);
        }
        case 18 -> {
          current = new Step(".aggregateByKey(...)", names);
          names.add("aggregateByKey");
          UnaryOperator<Options> opts = options(d, names);
          step(
              ".aggregateByKey(e -> num(e) % 4, () -> 0, sum, sum, " + d + ")",
              names.toArray(String[]::new));
          return new Chain(
              o(
                  f.aggregateByKey(
                      e -> num(e) % 4,
                      () -> 0,
                      (Integer a, Object e) -> a + num(e),
                      Integer::sum,
                      opts)),
              null);
        }
        case 19, 20 -> {
          boolean keep = r.nextBoolean();
          step(
              ".onTrigger((acc, t) -> emit acc, "
                  + (keep ? "keep it" : "reset to 0")
                  + ")"
                  + boomText,
              "onTrigger");
          return new Chain(
              o(
                  f.onTrigger(
                      orNull(
                          (acc, t) -> {
                            boomed(num(acc), boomAt);
                            return TriggerResult.of(List.<Object>of(acc), keep ? acc : (Object) 0);
                          }))),
              null);
        }
        case 21, 22 -> {
          int n = r.nextInt(15) == 0 ? r.nextInt(-1, 1) : r.nextInt(1, 8);
          step(".takeSort(" + n + ", by num)", "takeSort");
          SerializableComparator<Object> byNum = (a, b) -> Integer.compare(num(a), num(b));
          List<Integer> next = null;
          if (m != null && !m.isEmpty() && n >= 1 && !windowed) {
            next = List.of(m.stream().sorted().limit(n).mapToInt(Integer::intValue).sum());
          }
          return new Chain(o(f.takeSort(n, orNull(byNum))), next);
        }
        case 23, 24 -> {
          boolean id = r.nextBoolean();
          step(
              ".departition(() -> 0, sum, "
                  + (id ? "(acc, windowId) -> acc" : "acc -> acc")
                  + ")"
                  + boomText,
              "departition");
          List<Integer> next = null;
          if (m != null && !m.isEmpty() && !windowed) {
            next = List.of(m.stream().mapToInt(Integer::intValue).sum());
          }
          return new Chain(
              id
                  ? o(
                      f.departition(
                          () -> 0,
                          (Integer a, Object e) -> a + boomed(num(e), boomAt),
                          (Integer a, Long w) -> a))
                  : o(
                      f.departition(
                          orNull(() -> 0),
                          (Integer a, Object e) -> a + boomed(num(e), boomAt),
                          (Integer a) -> a)),
              next);
        }
        case 25, 26 -> {
          if (r.nextInt(5) == 0) {
            step(".partition()", "partition");
            return new Chain(f.partition(), m);
          }
          current = new Step(".partition(...)", names);
          names.add("partition");
          UnaryOperator<Options> opts = options(d, names);
          step(".partition(" + d + ")", names.toArray(String[]::new));
          boolean drops = d.indexOf("DROP") >= 0;
          return new Chain(f.partition(orNull(opts)), drops ? null : m);
        }
        case 27 -> {
          if (r.nextInt(4) == 0) {
            step(".shuffle()", "shuffle");
            return new Chain(f.shuffle(), m);
          }
          current = new Step(".shuffle(...)", names);
          names.add("shuffle");
          UnaryOperator<Options> opts = options(d, names);
          step(".shuffle(" + d + ")", names.toArray(String[]::new));
          return new Chain(f.shuffle(opts), m);
        }
        case 28 -> {
          current = new Step("merge(...)", names);
          names.add("merge");
          names.add("withClock"); // two clocks combined: named by withClock
          UnaryOperator<Options> opts = options(d, names);
          depth++;
          steps.add("  ".repeat(depth - 1) + "merge with:");
          Chain other = chain(r.nextInt(0, 3));
          depth--;
          step("merge(the flow above, that, " + d + ")", names.toArray(String[]::new));
          return new Chain(o(Flow.merge(List.of(f, other.flow), opts)), concat(m, other.model));
        }
        case 29 -> {
          depth++;
          steps.add("  ".repeat(depth - 1) + "zip with:");
          Chain other = chain(r.nextInt(0, 3));
          depth--;
          boolean left = r.nextBoolean();
          step(
              "zip("
                  + (left ? "the flow above, that" : "that, the flow above")
                  + ", (a, b) -> num(a) + num(b))",
              "zip",
              "withClock");
          return new Chain(
              o(
                  left
                      ? Flow.zip(f, other.flow, (a, b) -> num(a) + num(b))
                      : Flow.zip(other.flow, f, (a, b) -> num(a) + num(b))),
              null);
        }
        case 30 -> {
          current = new Step("boundedJoin(...)", names);
          names.add("boundedJoin");
          names.add("withClock"); // two clocks combined: named by withClock
          UnaryOperator<Options> opts = options(d, names);
          depth++;
          steps.add("  ".repeat(depth - 1) + "join with:");
          Chain other = chain(r.nextInt(0, 3));
          depth--;
          JoinMode mode = JoinMode.values()[r.nextInt(4)];
          long maxHeld = r.nextInt(15) == 0 ? r.nextInt(-1, 1) : r.nextInt(1, 10_000);
          joins = true;
          step(
              "boundedJoin("
                  + mode
                  + ", the flow above, that, by num % 5, sum, "
                  + maxHeld
                  + ", "
                  + d
                  + ")",
              names.toArray(String[]::new));
          return new Chain(
              o(
                  Flow.boundedJoin(
                      mode,
                      f,
                      other.flow,
                      a -> num(a) % 5,
                      b -> num(b) % 5,
                      (a, b) -> num(a) + num(b),
                      maxHeld,
                      opts)),
              null);
        }
        case 31 -> {
          current = new Step("windowJoin(...)", names);
          names.add("windowJoin");
          names.add("withClock"); // two clocks combined: named by withClock
          StringBuilder wd = new StringBuilder();
          Window w = window(wd, names);
          UnaryOperator<Options> opts = options(d, names);
          depth++;
          steps.add("  ".repeat(depth - 1) + "window-join with:");
          Chain other = chain(r.nextInt(0, 3));
          depth--;
          JoinMode mode = JoinMode.values()[r.nextInt(4)];
          long maxHeld = r.nextInt(15) == 0 ? 0 : r.nextInt(1, 10_000);
          joins = true;
          step(
              "windowJoin("
                  + mode
                  + ", the flow above, that, "
                  + wd
                  + ", by num % 5, sum, "
                  + maxHeld
                  + ", "
                  + d
                  + ")",
              names.toArray(String[]::new));
          return new Chain(
              o(
                  Flow.windowJoin(
                      mode,
                      f,
                      other.flow,
                      w,
                      a -> num(a) % 5,
                      b -> num(b) % 5,
                      (a, b) -> num(a) + num(b),
                      maxHeld,
                      opts)),
              null);
        }
        case 32 -> {
          step(
              ".throughProducerConsumer(a pass-through stage)",
              "throughProducerConsumer",
              "through");
          return new Chain(o(f.throughProducerConsumer(PassThrough::new)), m);
        }
        case 33 -> {
          // The flow combined with itself: its source is read by two branches.
          int how = r.nextInt(3);
          String[] what = {"merge", "zip", "boundedJoin"};
          step(
              what[how] + "(the flow above, itself, ...)",
              what[how],
              "Stream",
              "Iterator",
              "once",
              "withClock");
          Flow<Object> self =
              switch (how) {
                case 0 -> o(Flow.merge(List.of(f, f), x -> x));
                case 1 -> o(Flow.zip(f, f, (a, b) -> num(a) + num(b)));
                default ->
                    o(
                        Flow.boundedJoin(
                            JoinMode.INNER,
                            f,
                            f,
                            a -> num(a) % 5,
                            b -> num(b) % 5,
                            (a, b) -> num(a) + num(b),
                            100_000,
                            x -> x));
              };
          return new Chain(self, null);
        }
        case 34 -> {
          if (system == null) {
            system = new StageSystem("buildrun-producers");
          }
          int wrong = r.nextInt(8);
          if (wrong < 2) {
            // A stage of the wrong kind: a producer cannot subscribe to the flow, a consumer
            // emits nothing for the next layer. Refused by through when called (Stage.kind()).
            Stage<?> stage =
                wrong == 0
                    ? system.startProducer(Producers.fromIterable(List.of(1, 2)))
                    : system.startConsumer(new Collecting(new ArrayList<>()));
            step(
                ".through(a running " + (wrong == 0 ? "producer" : "consumer") + " stage)",
                "through",
                "producer-consumer");
            return new Chain(o(f.through(List.of(stage), x -> x)), null);
          }
          Stage<Object> stage = system.startProducerConsumer(new PassThrough());
          step(".through(a running pass-through stage)", "through");
          return new Chain(o(f.through(stage)), m);
        }
        default -> {
          boolean none = r.nextInt(10) == 0;
          step(".withClock(" + (none ? "null" : "a TestClock") + ") mid-plan", "withClock");
          return new Chain(f.withClock(none ? null : new TestClock()), m);
        }
      }
    }

    private static int boomed(int x, int boomAt) {
      if (x == boomAt) {
        throw new Boom();
      }
      return x;
    }

    // --- the run ------------------------------------------------------------------------------

    /**
     * Runs the plan with its terminal and, sometimes, a second time with {@code toList}: a source
     * read once (a {@code Stream}, an {@code Iterator}, running stages) must then be rejected by
     * the second terminal or run again. What went wrong, or null.
     */
    String execute() throws Exception {
      String problem = executeOnce();
      if (problem != null || !again) {
        return problem;
      }
      STARTED.clear();
      ENDED.clear();
      terminal = Terminal.TO_LIST;
      secondRun = true;
      steps.add("(and again) .TO_LIST");
      current = new Step(".TO_LIST again", List.of("window", "reduce", "once", "through", "alive"));
      return executeOnce();
    }

    private String executeOnce() throws Exception {
      List<Object> output = null;
      Throwable thrown = null;
      Path writeDir = files.resolve("out-" + Long.toHexString(seed) + "-" + r.nextInt(1 << 20));
      try {
        output = terminal(out, writeDir);
      } catch (Throwable t) {
        thrown = t;
      }
      // Every run the terminal started has ended: its stage threads are gone. A publisher's
      // subscriber is signalled first, then the run closes: wait for it (the hang guard bounds it).
      // Likewise a flow read through its toPublisher(): the reading run cancels it as Reactive
      // Streams do, asynchronously, and it ends on its own after.
      while ((terminal == Terminal.PUBLISHER || nestedPublisher)
          && !ENDED.keySet().containsAll(STARTED.keySet())) {
        Thread.sleep(1);
      }
      if (nulls
          && (terminal == Terminal.PUBLISHER || nestedPublisher)
          && rootMessage(thrown).contains("rule 2.13")) {
        // A null event cannot be signalled to a Flow.Subscriber: toPublisher says so (onError).
        outcome("failed on a null event signalled to a subscriber");
        return null;
      }
      if (thrown != null
          && !(thrown instanceof FlowException)
          && ENDED.keySet().containsAll(STARTED.keySet())) {
        // Rejected by the terminal before this plan's run started (a flow it reads through a
        // publisher may have started and been stopped): a build-time rejection.
        outcome("rejected by the terminal");
        String bad = badRejection(thrown, current);
        return bad == null ? null : "rejected by the terminal, but " + bad;
      }
      Set<String> unended = new java.util.HashSet<>(STARTED.keySet());
      unended.removeAll(ENDED.keySet());
      if (!unended.isEmpty()) {
        return "the terminal returned with runs not ended (stage threads alive): " + unended;
      }
      if (thrown != null) {
        if (boom(thrown)) {
          outcome("failed by the plan's own function");
          return null;
        }
        if (hashOutOfRange && rootMessage(thrown).contains("hash(...) returned partition")) {
          // The plan's hash broke its contract on an event; the message says what to return.
          outcome("failed on the plan's hash out of range");
          return null;
        }
        if (rawGroupByKey && rootMessage(thrown).contains("groupByKey() needs Map.Entry events")) {
          // Documented (flow.md): the event type cannot be checked when the plan is built.
          outcome("failed on groupByKey() of events that are no entries");
          return null;
        }
        if (nulls && rootMessage(thrown).contains("map null")) {
          // Documented (flow.md): a keyed aggregation cannot hold a null key, and says so.
          outcome("failed on a null key");
          return null;
        }
        if (joins && rootMessage(thrown).contains("more than maxHeld")) {
          // A bounded join over its bound fails naming it, as documented (its data, not its plan).
          outcome("failed on a join over its maxHeld");
          return null;
        }
        if (lineLimit && rootMessage(thrown).contains("maxLineBytes")) {
          outcome("failed on a line longer than maxLineBytes");
          return null;
        }
        return "accepted when built, then failed when run:\n" + stackOf(thrown);
      }
      outcome("ran");
      if (output != null && model != null && !modelDrops && !(secondRun && system != null)) {
        List<Integer> got = output.stream().map(BuildOrRunProperties::num).sorted().toList();
        List<Integer> want = model.stream().sorted().toList();
        if (!got.equals(want)) {
          return "result differs from the model:\n  got  " + got + "\n  want " + want;
        }
        outcome("ran, result as modelled");
      }
      return null;
    }

    private static String rootMessage(Throwable t) {
      StringBuilder b = new StringBuilder();
      for (Throwable c = t; c != null; c = c.getCause()) {
        b.append(c.getMessage()).append(" / ");
      }
      return b.toString();
    }

    /** Runs {@code f} with the drawn terminal; its output, or null for run and start. */
    private List<Object> terminal(Flow<Object> f, Path writeDir) throws Exception {
      switch (terminal) {
        case TO_LIST -> {
          return f.toList();
        }
        case RUN -> {
          f.run();
          return null;
        }
        case COLLECT -> {
          return f.collect(Collectors.toList());
        }
        case STREAM -> {
          try (Stream<Object> s = f.stream()) {
            return s.toList();
          }
        }
        case START -> {
          f.start().await();
          return null;
        }
        case PUBLISHER -> {
          return subscribe(f.toPublisher());
        }
        case INTO -> {
          List<Object> got = Collections.synchronizedList(new ArrayList<>());
          try (StageSystem consumers = new StageSystem("buildrun-into")) {
            // A producer cannot subscribe: into must refuse it before the run starts.
            Stage<?> sink =
                producerInto
                    ? consumers.startProducer(Producers.fromIterable(List.of(1)))
                    : consumers.startConsumer(new Collecting(got));
            f.into(noConsumers ? List.of() : List.of(sink)).await();
          }
          return new ArrayList<>(got);
        }
        case INTO_CONSUMERS -> {
          List<Object> got = Collections.synchronizedList(new ArrayList<>());
          f.intoConsumers(
                  noConsumers
                      ? List.of()
                      : List.of(() -> new Collecting(got), () -> new Collecting(got)))
              .await();
          return new ArrayList<>(got);
        }
        default -> {
          List<Path> parts = f.writeLines(writeDir, e -> String.valueOf(num(e)), x -> x);
          List<Object> lines = new ArrayList<>();
          for (Path p : parts) {
            lines.addAll(Files.readAllLines(p));
          }
          return lines;
        }
      }
    }

    /** Subscribes to {@code p}, asks for everything and waits for its end. */
    private static List<Object> subscribe(java.util.concurrent.Flow.Publisher<Object> p)
        throws Exception {
      List<Object> got = Collections.synchronizedList(new ArrayList<>());
      AtomicReference<Throwable> error = new AtomicReference<>();
      CountDownLatch done = new CountDownLatch(1);
      p.subscribe(
          new java.util.concurrent.Flow.Subscriber<>() {
            @Override
            public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
              s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Object item) {
              got.add(item);
            }

            @Override
            public void onError(Throwable t) {
              error.set(t);
              done.countDown();
            }

            @Override
            public void onComplete() {
              done.countDown();
            }
          });
      done.await();
      if (error.get() instanceof RuntimeException e) {
        throw e; // the FlowException a terminal would throw
      }
      if (error.get() != null) {
        throw new ExecutionException(error.get());
      }
      return got;
    }
  }

  /** A consumer that keeps what it receives. */
  static final class Collecting implements dev.flowstage.stage.Consumer<Object> {
    private final Collection<Object> into;

    Collecting(Collection<Object> into) {
      this.into = into;
    }

    @Override
    public void handleEvents(
        List<Object> events,
        dev.flowstage.stage.Subscription from,
        dev.flowstage.stage.StageContext ctx) {
      into.addAll(events);
    }
  }

  /**
   * A producer-consumer that emits what it receives and, running outside the flow (through), ends
   * itself once its input has, as flow.md asks of such a stage.
   */
  static final class PassThrough implements dev.flowstage.stage.ProducerConsumer<Object, Object> {
    @Override
    public void handleEvents(
        List<Object> events,
        dev.flowstage.stage.Subscription from,
        dev.flowstage.stage.ProducerContext<Object> ctx) {
      ctx.emit(events);
    }

    @Override
    public void handleCancel(
        dev.flowstage.stage.Peer peer,
        dev.flowstage.stage.Subscription subscription,
        dev.flowstage.stage.ExitReason reason,
        dev.flowstage.stage.ProducerContext<Object> ctx) {
      if (peer == dev.flowstage.stage.Peer.PRODUCER && ctx.producers().isEmpty()) {
        ctx.done();
      }
    }
  }
}
