package dev.flowstage.test;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.testing.FlowTestHook;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Checks that a pipeline gives the same answer as a sequential oracle for many inputs, under many
 * seeded configurations: stage counts per layer, demand bounds (and so batch sizes), file split
 * sizes, the mapping of keys to partitions, and the split and pace of the input. On a failure the
 * case is shrunk to the smallest failing configuration and input, and the {@link AssertionError}
 * ends with one line to paste into the check to reproduce it.
 *
 * {@snippet class=dev.flowstage.test.snippets.KitSnippets region=flowCheck}
 *
 * <p>Results compare as multisets unless {@link #ordered()} says the pipeline defines an order.
 * Layers are numbered in plan order (0 is the kit's source). A try's configuration prints as text,
 * for example {@code L0=2:5/1 L1=3 sources=2 salt=7 yield}: layer 0 with 2 stages and demand 5/1,
 * layer 1 with 3 stages, the input split over 2 producers, partitions salted, yields on. A
 * failure's line adds {@code events=...}, the positions of the shrunk input's events in the seed's
 * input, so pasting it replays the smallest case.
 *
 * <p>Runs are bounded by {@link #timeout(Duration)}; a stuck pipeline fails with its configuration
 * instead of hanging the test. Not thread-safe: build and check on one thread.
 *
 * @param <T> the input event type
 * @param <R> the output event type
 */
public final class FlowCheck<T, R> {
  /** Tries per check unless {@link #tries(int)} says otherwise: {@code -Dflowcheck.tries}. */
  public static final int DEFAULT_TRIES = Integer.getInteger("flowcheck.tries", 100);

  private static final int SHRINK_RUNS = 600;
  private static final Duration SHRINK_TIME = Duration.ofSeconds(60);
  private static final int ATTEMPTS = 3;

  /**
   * Where the inputs of a check come from; pick the pipeline next.
   *
   * @param <T> the event type
   */
  public static final class Inputs<T> {
    private final Gen<T> gen;
    private final List<T> fixed;
    private final boolean files;

    private Inputs(Gen<T> gen, List<T> fixed, boolean files) {
      this.gen = gen;
      this.fixed = fixed;
      this.files = files;
    }

    /**
     * The pipeline under test: from the kit's input flow to the flow whose results are compared.
     *
     * @param pipeline the pipeline (called once per run, so it must build a fresh flow)
     * @param <R> the output type
     * @return the check, to be given an oracle
     */
    public <R> FlowCheck<T, R> pipeline(Function<Flow<T>, Flow<R>> pipeline) {
      return new FlowCheck<>(this, Objects.requireNonNull(pipeline, "pipeline"));
    }
  }

  /**
   * Random input lists of events drawn from {@code events} ({@link #maxSize(int)} events at most).
   *
   * @param events the event generator
   * @param <T> the event type
   * @return the inputs
   */
  public static <T> Inputs<T> forAll(Gen<T> events) {
    return new Inputs<>(Objects.requireNonNull(events, "events"), null, false);
  }

  /**
   * One given input (from a property-testing library, or a known case); shrinking drops events.
   *
   * @param input the events
   * @param <T> the event type
   * @return the inputs
   */
  public static <T> Inputs<T> given(List<T> input) {
    return new Inputs<>(null, List.copyOf(input), false);
  }

  /**
   * Random lines written to files and read with {@link Flow#fromFiles}, so file counts and split
   * sizes vary too.
   *
   * @param lines the line generator (lines must not contain line breaks)
   * @return the inputs
   */
  public static Inputs<String> forAllLines(Gen<String> lines) {
    return new Inputs<>(Objects.requireNonNull(lines, "lines"), null, true);
  }

  /**
   * Given lines, written to files and read with {@link Flow#fromFiles}.
   *
   * @param lines the lines (without line breaks)
   * @return the inputs
   */
  public static Inputs<String> givenLines(List<String> lines) {
    return new Inputs<>(null, List.copyOf(lines), true);
  }

  private final Inputs<T> inputs;
  private final Function<Flow<T>, Flow<R>> pipeline;
  private Function<List<T>, List<R>> oracle;
  private boolean ordered;
  private boolean fixedStages;
  private int tries = DEFAULT_TRIES;
  private int maxSize = 200;
  private long seed = Long.getLong("flowcheck.seed", ThreadLocalRandom.current().nextLong());
  private RunConfig config;
  private String events;
  private Duration timeout = Duration.ofSeconds(30);

  private FlowCheck(Inputs<T> inputs, Function<Flow<T>, Flow<R>> pipeline) {
    this.inputs = inputs;
    this.pipeline = pipeline;
  }

  /**
   * The sequential oracle: the expected results for an input list.
   *
   * @param oracle the oracle
   * @return this check
   */
  public FlowCheck<T, R> sameAs(Function<? super List<T>, ? extends List<R>> oracle) {
    Objects.requireNonNull(oracle, "oracle");
    this.oracle = in -> List.copyOf(oracle.apply(in));
    return this;
  }

  /**
   * The sequential oracle as a {@code java.util.stream} pipeline over the input.
   *
   * @param oracle the oracle
   * @return this check
   */
  public FlowCheck<T, R> sameAsStream(Function<Stream<T>, Stream<R>> oracle) {
    Objects.requireNonNull(oracle, "oracle");
    this.oracle = in -> oracle.apply(in.stream()).toList();
    return this;
  }

  /**
   * Compares results as lists: the pipeline defines an order. Stage counts then stay as declared
   * and the input is read by one source, since more stages or sources would reorder by design.
   *
   * @return this check
   */
  public FlowCheck<T, R> ordered() {
    this.ordered = true;
    this.fixedStages = true;
    return this;
  }

  /**
   * Keeps every layer's declared stage count (the kit's source runs one stage); demand, keys'
   * partitions and pacing still vary.
   *
   * @return this check
   */
  public FlowCheck<T, R> fixedStages() {
    this.fixedStages = true;
    return this;
  }

  /**
   * How many inputs and configurations to try.
   *
   * @param tries at least 1
   * @return this check
   */
  public FlowCheck<T, R> tries(int tries) {
    if (tries < 1) {
      throw new IllegalArgumentException("tries must be at least 1, got: " + tries);
    }
    this.tries = tries;
    return this;
  }

  /**
   * The most events in a generated input.
   *
   * @param maxSize at least 0
   * @return this check
   */
  public FlowCheck<T, R> maxSize(int maxSize) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be >= 0, got: " + maxSize);
    }
    this.maxSize = maxSize;
    return this;
  }

  /**
   * The seed of the first try (try {@code i} uses {@code seed + i}); random unless given here or
   * with {@code -Dflowcheck.seed}.
   *
   * @param seed the seed
   * @return this check
   */
  public FlowCheck<T, R> seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Runs one try only, the input of {@link #seed(long)} under this configuration: the reproduction
   * of a failure, as printed by it. Its {@code events=} token (if any) picks the shrunk input out
   * of the seed's input: original positions, each followed by the {@link Gen#shrink} choices made
   * for it ({@code 4.0} is event 4 replaced by its first shrink candidate).
   *
   * @param config the configuration text
   * @return this check
   * @throws IllegalArgumentException if the text does not parse
   */
  public FlowCheck<T, R> config(String config) {
    List<String> rest = new ArrayList<>();
    String ev = null;
    for (String token : Objects.requireNonNull(config, "config").strip().split("\\s+")) {
      if (token.startsWith("events=")) {
        ev = token.substring(7);
      } else {
        rest.add(token);
      }
    }
    this.config = RunConfig.parse(String.join(" ", rest));
    this.events = ev;
    return this;
  }

  /**
   * The longest one run may take before the check fails as stuck; 30 seconds by default.
   *
   * @param timeout the timeout
   * @return this check
   */
  public FlowCheck<T, R> timeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got: " + timeout);
    }
    this.timeout = timeout;
    return this;
  }

  /**
   * Runs the tries; returns normally when every run matched the oracle.
   *
   * @throws AssertionError describing the smallest failing case and how to reproduce it
   */
  public void check() {
    if (oracle == null) {
      throw new IllegalStateException(
          "give the sequential oracle first: sameAs(list -> ...) or sameAsStream(stream -> ...)");
    }
    int layerCount =
        FlowTestHook.layers(pipeline.apply(source(List.of(), RunConfig.plain(), null)));
    int runs = config != null ? 1 : tries;
    for (int i = 0; i < runs; i++) {
      long s = seed + i;
      SplittableRandom r = new SplittableRandom(s);
      List<Ev<T>> input = events(input(r));
      RunConfig c =
          config != null
              ? config
              : RunConfig.random(r.split(), layerCount, !fixedStages, !ordered, inputs.files);
      String failure = failure(values(input), c, 1);
      if (failure != null) {
        throw report(i, runs, s, input, c, failure);
      }
    }
  }

  /**
   * One event of a (shrunk) input: its position in the seed's input and the shrink choices that
   * made its value, so the printed reproduction selects exactly this input again.
   */
  private record Ev<T>(int index, String choices, T value) {
    @Override
    public String toString() {
      return index + choices;
    }
  }

  private static <T> List<T> values(List<Ev<T>> evs) {
    List<T> out = new ArrayList<>(evs.size());
    for (Ev<T> e : evs) {
      out.add(e.value());
    }
    return out;
  }

  /** The seed's input as events, narrowed by the {@code events=} token of a reproduction. */
  private List<Ev<T>> events(List<T> input) {
    List<Ev<T>> all = new ArrayList<>(input.size());
    for (int i = 0; i < input.size(); i++) {
      all.add(new Ev<>(i, "", input.get(i)));
    }
    if (events == null || events.isEmpty()) {
      return events == null ? all : List.of();
    }
    List<Ev<T>> out = new ArrayList<>();
    for (String item : events.split(",")) {
      String[] parts = item.split("\\.");
      int index;
      try {
        index = Integer.parseInt(parts[0]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("cannot read events=" + events + " at '" + item + "'");
      }
      if (index < 0 || index >= input.size()) {
        throw new IllegalArgumentException(
            "events="
                + events
                + " names event "
                + index
                + " but the seed's input has "
                + input.size()
                + " events: use the seed printed with this config");
      }
      T value = input.get(index);
      StringBuilder choices = new StringBuilder();
      for (int k = 1; k < parts.length; k++) {
        int choice = Integer.parseInt(parts[k]);
        T v = value;
        value =
            inputs.gen == null
                ? v
                : inputs
                    .gen
                    .shrink(v)
                    .skip(choice)
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new IllegalArgumentException(
                                "no shrink choice " + choice + " for " + v));
        choices.append('.').append(choice);
      }
      out.add(new Ev<>(index, choices.toString(), value));
    }
    return out;
  }

  private List<T> input(SplittableRandom r) {
    if (inputs.fixed != null) {
      return inputs.fixed;
    }
    int n = r.nextInt(0, maxSize + 1);
    List<T> in = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      in.add(inputs.gen.next(r));
    }
    return in;
  }

  // --- one run

  /** Why the run failed, or null if it matched; a passing run is repeated up to attempts times. */
  private String failure(List<T> input, RunConfig c, int attempts) {
    List<R> expected = oracle.apply(input);
    for (int a = 0; a < attempts; a++) {
      String f = compare(expected, input, c);
      if (f != null) {
        return f;
      }
    }
    return null;
  }

  private String compare(List<R> expected, List<T> input, RunConfig c) {
    Object[] result = new Object[1];
    Thread runner =
        Thread.ofVirtual()
            .name("flowcheck")
            .start(
                () -> {
                  try {
                    result[0] = run(input, c);
                  } catch (Throwable e) {
                    result[0] = e;
                  }
                });
    try {
      if (!runner.join(timeout)) {
        runner.interrupt();
        return "the run did not finish within " + timeout.toMillis() + " ms (stuck?)";
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting for a FlowCheck run", e);
    }
    if (result[0] instanceof Throwable e) {
      return "the pipeline failed: " + e;
    }
    @SuppressWarnings("unchecked")
    List<R> actual = (List<R>) result[0];
    return ordered ? Diff.lists(expected, actual) : Diff.multisets(expected, actual);
  }

  private List<R> run(List<T> input, RunConfig c) throws IOException {
    Path dir = inputs.files ? Files.createTempDirectory("flowcheck") : null;
    try {
      Flow<T> source = source(input, c, dir);
      return FlowTestHook.with(new Perturb(c), () -> pipeline.apply(source).toList());
    } finally {
      if (dir != null) {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path p : files.toList()) {
            Files.deleteIfExists(p);
          }
        }
        Files.deleteIfExists(dir);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private Flow<T> source(List<T> input, RunConfig c, Path dir) {
    if (inputs.files && dir != null) {
      List<Path> paths = new ArrayList<>();
      List<List<T>> chunks = chunks(input, c.files());
      for (int f = 0; f < chunks.size(); f++) {
        StringBuilder b = new StringBuilder();
        for (T line : chunks.get(f)) {
          b.append(line).append('\n');
        }
        Path p = dir.resolve(String.format("part-%03d.txt", f));
        try {
          Files.writeString(p, b, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        paths.add(p);
      }
      long split = c.split();
      return (Flow<T>)
          Flow.fromFiles(paths, o -> split > 0 ? o.stages(1).splitBytes(split) : o.stages(1));
    }
    List<Iterable<T>> sources = new ArrayList<>();
    for (List<T> chunk : chunks(input, c.sources())) {
      sources.add(c.yields() ? new Yielding<>(chunk) : chunk);
    }
    return Flow.fromEnumerables(sources, o -> o.stages(1));
  }

  /** {@code n} contiguous chunks (some may be empty), so each source keeps the input's order. */
  private static <T> List<List<T>> chunks(List<T> input, int n) {
    List<List<T>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(List.copyOf(input.subList(input.size() * i / n, input.size() * (i + 1) / n)));
    }
    return out;
  }

  /** A source that yields its thread at random points, so other stages interleave differently. */
  private record Yielding<T>(List<T> events) implements Iterable<T> {
    @Override
    public Iterator<T> iterator() {
      Iterator<T> it = events.iterator();
      return new Iterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public T next() {
          if (ThreadLocalRandom.current().nextInt(8) == 0) {
            Thread.yield();
          }
          return it.next();
        }
      };
    }
  }

  /** The configuration, applied through flow-core's test hook. */
  private record Perturb(RunConfig c) implements FlowTestHook.Perturbation {
    @Override
    public Options layer(int index, Options d) {
      RunConfig.Layer l = c.layer(index);
      Options o = l.stages() > 0 ? d.stages(l.stages()) : d;
      if (l.maxDemand() > 0) {
        // min first to 0 (always below any max), so no intermediate step is invalid
        o = o.minDemand(0).maxDemand(l.maxDemand()).minDemand(l.minDemand());
      }
      return o;
    }

    @Override
    public Object routeKey(Object key) {
      if (c.yields() && ThreadLocalRandom.current().nextInt(16) == 0) {
        Thread.yield();
      }
      return c.salt() == 0 ? key : new Salted(key, c.salt());
    }
  }

  /** A key whose hash is salted: equal keys stay together, their partition changes. */
  private record Salted(Object key, int salt) {
    @Override
    public int hashCode() {
      int h = (Objects.hashCode(key) ^ salt) * 0x9E3779B1;
      return h ^ (h >>> 15);
    }
  }

  // --- shrinking and the report

  private AssertionError report(
      int tryIndex, int runs, long s, List<Ev<T>> input, RunConfig c, String failure) {
    int originalSize = input.size();
    List<Ev<T>> start = input;
    RunConfig originalConfig = c;
    int[] budget = {SHRINK_RUNS};
    long deadline = System.nanoTime() + SHRINK_TIME.toNanos();
    boolean progress = !failure.startsWith("the run did not finish");
    while (progress && budget[0] > 0 && System.nanoTime() < deadline) {
      progress = false;
      for (RunConfig cand : c.shrinks()) {
        String f = tryShrink(values(input), cand, budget);
        if (f != null) {
          c = cand;
          failure = f;
          progress = true;
          break;
        }
      }
      if (progress) {
        continue;
      }
      for (int chunk = Math.max(1, input.size() / 2); chunk >= 1 && !progress; chunk /= 2) {
        for (int from = 0; from < input.size() && budget[0] > 0; from += chunk) {
          List<Ev<T>> cand = new ArrayList<>(input.subList(0, from));
          cand.addAll(input.subList(Math.min(input.size(), from + chunk), input.size()));
          String f = tryShrink(values(cand), c, budget);
          if (f != null) {
            input = cand;
            failure = f;
            progress = true;
            break;
          }
        }
      }
      if (progress || inputs.gen == null) {
        continue;
      }
      outer:
      for (int i = 0; i < input.size() && budget[0] > 0; i++) {
        Ev<T> ev = input.get(i);
        List<T> shrinks = inputs.gen.shrink(ev.value()).limit(4).toList();
        for (int k = 0; k < shrinks.size(); k++) {
          List<Ev<T>> cand = new ArrayList<>(input);
          cand.set(i, new Ev<>(ev.index(), ev.choices() + "." + k, shrinks.get(k)));
          String f = tryShrink(values(cand), c, budget);
          if (f != null) {
            input = cand;
            failure = f;
            progress = true;
            break outer;
          }
        }
      }
    }
    // name the shrunk input's events unless it is the seed's whole input (or too long to paste)
    String picked = input.equals(start) && events == null ? "" : "events=" + joined(input);
    if (input.size() > 100) {
      picked = "";
    }
    String printed = picked.isEmpty() ? c.toString() : (c + " " + picked).strip();
    String line =
        ".seed(" + s + "L).config(\"" + printed + "\")" + (ordered ? " // compared as lists" : "");
    return new AssertionError(
        "FlowCheck: the pipeline differs from the sequential oracle on try "
            + (tryIndex + 1)
            + " of "
            + runs
            + ".\nSmallest failing case (shrunk from "
            + originalSize
            + " events and config \""
            + originalConfig
            + "\"):\n  input ("
            + input.size()
            + " events): "
            + Diff.show(values(input), 30)
            + "\n  config: \""
            + printed
            + "\"\n  "
            + failure
            + "\nReproduce by adding to the check: "
            + line);
  }

  private static String joined(List<? extends Ev<?>> evs) {
    List<String> parts = new ArrayList<>();
    for (Ev<?> e : evs) {
      parts.add(e.toString());
    }
    return String.join(",", parts);
  }

  private String tryShrink(List<T> input, RunConfig c, int[] budget) {
    if (budget[0] <= 0) {
      return null;
    }
    budget[0]--;
    return failure(input, c, ATTEMPTS);
  }

  /** Differences between expected and actual results, worded for a test failure. */
  static final class Diff {
    private Diff() {}

    static <R> String lists(List<R> expected, List<R> actual) {
      if (expected.equals(actual)) {
        return null;
      }
      int i = 0;
      while (i < expected.size()
          && i < actual.size()
          && Objects.equals(expected.get(i), actual.get(i))) {
        i++;
      }
      String at =
          i < expected.size() && i < actual.size()
              ? "expected " + expected.get(i) + " but got " + actual.get(i)
              : i < expected.size()
                  ? "expected " + expected.get(i) + " but the output ended"
                  : "expected the end but got " + actual.get(i);
      return "expected "
          + expected.size()
          + " results in order, got "
          + actual.size()
          + "; first difference at index "
          + i
          + ": "
          + at
          + "\n  expected: "
          + show(expected, 20)
          + "\n  actual:   "
          + show(actual, 20);
    }

    static <R> String multisets(List<R> expected, List<R> actual) {
      Map<Object, Integer> counts = new HashMap<>();
      for (R e : expected) {
        counts.merge(e, 1, Integer::sum);
      }
      for (R a : actual) {
        counts.merge(a, -1, Integer::sum);
      }
      Map<Object, Integer> missing = new LinkedHashMap<>();
      Map<Object, Integer> extra = new LinkedHashMap<>();
      counts.entrySet().stream()
          .sorted(Comparator.comparing(e -> String.valueOf(e.getKey())))
          .forEach(
              e -> {
                if (e.getValue() > 0) {
                  missing.put(e.getKey(), e.getValue());
                } else if (e.getValue() < 0) {
                  extra.put(e.getKey(), -e.getValue());
                }
              });
      if (missing.isEmpty() && extra.isEmpty()) {
        return null;
      }
      return "expected "
          + expected.size()
          + " results (any order), got "
          + actual.size()
          + "\n  missing (expected, not produced): "
          + counted(missing)
          + "\n  unexpected (produced, not expected): "
          + counted(extra);
    }

    private static String counted(Map<Object, Integer> m) {
      List<String> parts = new ArrayList<>();
      for (var e : m.entrySet()) {
        if (parts.size() == 10) {
          parts.add("... " + (m.size() - 10) + " more");
          break;
        }
        parts.add(
            e.getValue() == 1 ? String.valueOf(e.getKey()) : e.getKey() + " x" + e.getValue());
      }
      return parts.isEmpty() ? "none" : "[" + String.join(", ", parts) + "]";
    }

    static String show(List<?> l, int limit) {
      if (l.size() <= limit) {
        return l.toString();
      }
      return l.subList(0, limit)
          .toString()
          .replaceFirst("]$", ", ... " + (l.size() - limit) + " more]");
    }
  }
}
