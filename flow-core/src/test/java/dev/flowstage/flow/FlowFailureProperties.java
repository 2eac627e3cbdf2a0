package dev.flowstage.flow;

import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.testing.LogRecorder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.LogRecord;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random flows (sources, map/flatMap/filter, partitions with key functions, merges, zips,
 * bounded joins, windows with trigger functions, reduces with combiners, onTrigger, emitAndReduce,
 * departitions, a producer-consumer of the run's own via {@code through}) with one user function
 * armed to throw {@link Boom} once, at a random call. Each flow is first run unarmed (it must
 * complete; that also counts the calls of every function, so the armed call is one that happens),
 * then armed once per way of consuming it: {@code toList}, {@code run}, a stream read to its end, a
 * stream's iterator closed early, {@code start().await()}, {@code start().toCompletableFuture()
 * .join()}, a {@code toPublisher()} subscriber (one terminal signal), and {@code start()} cancelled
 * from the caller at a random point.
 *
 * <p>Each consumption checks ADR 0007 and the "nothing is lost or leaked" rule: the failure reaches
 * the caller once, as a {@link FlowException} whose cause is the very exception thrown (wrapped in
 * the {@code CompletionException} {@code join} documents), naming the stage whose thread threw it,
 * with nothing suppressed (a zip's longer side failing past what is paired may also not fail the
 * run: it races the zip's end); a consumption that does not read to the end may end without it, and
 * a cancelled one with a {@link CancellationException}, and then the run's final state agrees with
 * what the caller got; no thread of the run is left; nothing is logged on {@code dev.flowstage} or
 * printed to {@code System.err}; the same plan then runs to its end unarmed, and so does another
 * flow.
 *
 * <p>{@code -Dflowfail.tries=N} runs seeds 0..N-1 (default 24); {@code -Dflowfail.only=S} runs seed
 * S alone; {@code -Dflowfail.from=F} starts at seed F; {@code -Dflowfail.trace=FILE} appends each
 * seed's flow and outcomes to FILE (to see what a campaign exercised).
 */
final class FlowFailureProperties {

  static LongStream seeds() {
    String only = System.getProperty("flowfail.only");
    if (only != null) {
      return LongStream.of(Long.parseLong(only));
    }
    long from = Long.getLong("flowfail.from", 0);
    return LongStream.range(from, from + Long.getLong("flowfail.tries", 24));
  }

  /** The injected failure; no stack trace (it is expected, and one printed would be long). */
  static final class Boom extends RuntimeException {
    @java.io.Serial private static final long serialVersionUID = 1L;

    Boom(String site) {
      super("boom in " + site, null, false, false);
    }
  }

  /**
   * One user function of the flow: counts its calls, and when armed throws at call {@code at},
   * once, recording the exception and the thread that threw it.
   */
  static final class Site {
    final String name;
    final AtomicInteger calls = new AtomicInteger();
    volatile boolean armed;
    volatile int at;
    volatile Boom thrown;
    volatile String thread;

    Site(String name) {
      this.name = name;
    }

    void hit() {
      int c = calls.incrementAndGet();
      if (armed && c == at) {
        Boom b = new Boom(name);
        thread = Thread.currentThread().getName();
        thrown = b;
        throw b;
      }
    }

    void reset(boolean arm, int at) {
      calls.set(0);
      thrown = null;
      thread = null;
      this.at = at;
      this.armed = arm;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Builds a random flow of integers from a seed, every user function a {@link Site}. */
  static final class Gen {
    final SplittableRandom r;
    final List<Site> sites = new ArrayList<>();
    final StringBuilder desc = new StringBuilder();

    /** Sites whose calls beyond this many the run may not need (a zip's longer side). */
    final java.util.Map<Site, Integer> neededCalls = new java.util.HashMap<>();

    int lastSize;

    Gen(long seed) {
      r = new SplittableRandom(seed);
    }

    Site site(String what) {
      Site s = new Site(what + "#" + sites.size());
      sites.add(s);
      return s;
    }

    /** An iterable source whose iterator is a site (a source throwing while producing). */
    Flow<Integer> source(int max, boolean oneStage) {
      int n = r.nextInt(4) == 0 ? r.nextInt(0, 6) : r.nextInt(0, max);
      lastSize = n;
      int stages = oneStage ? 1 : r.nextInt(1, 3);
      int demand = r.nextInt(1, 40);
      int offset = r.nextInt(0, 1000);
      Site s = site("source");
      desc.append("source(n=")
          .append(n)
          .append(",stages=")
          .append(stages)
          .append(",demand=")
          .append(demand)
          .append(",")
          .append(s)
          .append(")");
      Iterable<Integer> events =
          () ->
              new Iterator<>() {
                int i;

                @Override
                public boolean hasNext() {
                  return i < n;
                }

                @Override
                public Integer next() {
                  if (i >= n) {
                    throw new NoSuchElementException();
                  }
                  s.hit();
                  return offset + i++;
                }
              };
      return Flow.fromEnumerable(events, o -> o.stages(stages).maxDemand(demand));
    }

    Flow<Integer> start() {
      if (r.nextInt(5) == 0) {
        desc.append("zip(");
        Flow<Integer> left = source(200, true);
        Site ls = sites.get(sites.size() - 1);
        int leftSize = lastSize;
        Site m = site("map");
        left = left.map(x -> hitThen(m, x * 2));
        desc.append(".map(").append(m).append("), ");
        Flow<Integer> right = source(200, true);
        Site rs = sites.get(sites.size() - 1);
        int pairs = Math.min(leftSize, lastSize);
        // Zip stops at the shorter side: the longer side's functions run ahead of what is
        // paired, and one failing there races the end of the zip (as in Elixir, a stage's crash
        // against the coordinator's end): it may fail the run, or come once the run no longer
        // needs that side (its cancel's consequence, not reported, ADR 0007).
        for (Site s : List.of(ls, m, rs)) {
          neededCalls.put(s, pairs);
        }
        Site c = site("zip");
        desc.append(", ").append(c).append(")");
        return Flow.zip(left, right, (a, b) -> hitThen(c, a + b));
      }
      return source(300, false);
    }

    int stages() {
      return r.nextInt(1, 4);
    }

    Flow<Integer> step(Flow<Integer> f) {
      int k = stages();
      int demand = r.nextInt(1, 50);
      switch (r.nextInt(10)) {
        case 0 -> {
          Site s = site("map");
          desc.append("\n .map(").append(s).append(")");
          return f.map(x -> hitThen(s, x + 1));
        }
        case 1 -> {
          Site s = site("flatMap");
          desc.append("\n .flatMap(").append(s).append(")");
          return f.flatMap(x -> hitThen(s, x % 3 == 0 ? List.of(x, x + 7) : List.of(x)));
        }
        case 2 -> {
          Site s = site("filter");
          desc.append("\n .filter(").append(s).append(")");
          return f.filter(x -> hitThen(s, x % 4 != 1));
        }
        case 3 -> {
          if (r.nextBoolean()) {
            Site s = site("key");
            desc.append("\n .partition(stages=").append(k).append(",key ").append(s).append(")");
            return f.partition(
                o -> o.stages(k).maxDemand(demand).key(x -> hitThen(s, (Integer) x % 7)));
          }
          desc.append("\n .partition(stages=").append(k).append(")");
          return f.partition(o -> o.stages(k).maxDemand(demand));
        }
        case 4 -> {
          desc.append("\n merge(stages=").append(k).append(", ");
          Flow<Integer> other = source(200, false);
          desc.append(")");
          return Flow.merge(List.of(f, other), o -> o.stages(k).maxDemand(demand));
        }
        case 5 -> {
          JoinMode mode = JoinMode.values()[r.nextInt(JoinMode.values().length)];
          desc.append("\n boundedJoin(").append(mode).append(",stages=").append(k).append(", ");
          Flow<Integer> other = source(30, false);
          Site lk = site("leftKey");
          Site rk = site("rightKey");
          Site j = site("join");
          desc.append(", ").append(lk).append(", ").append(rk).append(", ").append(j).append(")");
          return Flow.boundedJoin(
              mode,
              f,
              other,
              x -> hitThen(lk, x % 10),
              y -> hitThen(rk, y % 10),
              (a, b) -> hitThen(j, (a == null ? 0 : a) + (b == null ? 0 : b)),
              1_000_000,
              o -> o.stages(k).maxDemand(demand));
        }
        case 6, 7 -> {
          return windowedReduce(f, k, demand);
        }
        case 8 -> {
          Window w = r.nextBoolean() ? Window.global() : Window.count(r.nextInt(1, 40));
          Site s = site("emitAndReduce");
          int every = r.nextInt(1, 8);
          desc.append("\n .partition(stages=")
              .append(k)
              .append(",")
              .append(w)
              .append(").emitAndReduce(")
              .append(s);
          Flow<Integer> p = f.partition(o -> o.stages(k).maxDemand(demand).window(w));
          if (r.nextBoolean()) {
            Site t = site("onTrigger");
            desc.append(", ").append(t).append(")");
            return p.emitAndReduce(
                () -> 0,
                (Integer x, Integer a) -> emitEvery(s, every, x, a),
                (Integer a, Trigger tr) -> hitThen(t, TriggerResult.of(List.of(a), 0)));
          }
          desc.append(")");
          return p.emitAndReduce(() -> 0, (Integer x, Integer a) -> emitEvery(s, every, x, a));
        }
        default -> {
          Site s = site("through");
          desc.append("\n .throughProducerConsumer(").append(s).append(")");
          return f.throughProducerConsumer(() -> through(s));
        }
      }
    }

    Flow<Integer> windowedReduce(Flow<Integer> f, int k, int demand) {
      Window w;
      switch (r.nextInt(5)) {
        case 0 -> w = Window.global();
        case 1 -> w = Window.count(r.nextInt(1, 50));
        case 2 -> {
          Site s = site("eventTime");
          long size = r.nextInt(5, 80);
          w = Window.<Integer>fixed(Duration.ofMillis(size), x -> hitThen(s, (long) x));
          desc.append("\n  (fixed ").append(size).append("ms, ").append(s).append(")");
        }
        case 3 -> w = Window.global().triggerEvery(r.nextInt(1, 30));
        default -> {
          Site s = site("triggerFunction");
          int every = r.nextInt(1, 30);
          w =
              Window.global()
                  .<Integer, Integer>trigger(
                      () -> 0,
                      (events, st) -> {
                        s.hit();
                        int seen = st + events.size();
                        return seen >= every
                            ? TriggerDecision.fire("every", events, List.of(), 0)
                            : TriggerDecision.cont(seen);
                      });
          desc.append("\n  (trigger function every ").append(every).append(", ").append(s);
          desc.append(")");
        }
      }
      Window window = w;
      desc.append("\n .partition(stages=").append(k).append(",").append(w).append(")");
      Flow<Integer> p = f.partition(o -> o.stages(k).maxDemand(demand).window(window));
      Site red = site("reducer");
      Flow<Integer> reduced;
      if (r.nextBoolean()) {
        Site c = site("combiner");
        desc.append(".reduce(").append(red).append(", ").append(c).append(")");
        reduced = p.reduce(() -> 0, (a, x) -> hitThen(red, a + x), (a, b) -> hitThen(c, a + b));
      } else {
        desc.append(".reduce(").append(red).append(")");
        reduced = p.reduce(() -> 0, (a, x) -> hitThen(red, a + x));
      }
      if (r.nextInt(3) == 0) {
        Site t = site("onTrigger");
        desc.append(".onTrigger(").append(t).append(")");
        reduced = reduced.onTrigger((acc, tr) -> hitThen(t, TriggerResult.of(List.of(acc), 0)));
      }
      if (r.nextInt(3) == 0) {
        Site m = site("departitionMerge");
        Site d = site("departitionDone");
        desc.append(".departition(").append(m).append(", ").append(d).append(")");
        reduced = reduced.departition(() -> 0, (a, x) -> hitThen(m, a + x), a -> hitThen(d, a + 1));
      }
      return reduced;
    }
  }

  static <T> T hitThen(Site s, T value) {
    s.hit();
    return value;
  }

  static TriggerResult<Integer, Integer> emitEvery(Site s, int every, int x, int a) {
    s.hit();
    return a + 1 >= every ? TriggerResult.of(List.of(x + a), 0) : TriggerResult.none(a + 1);
  }

  /** A producer-consumer each run makes: calls the site per event and passes events on. */
  static ProducerConsumer<Integer, Integer> through(Site s) {
    return (events, from, ctx) -> {
      List<Integer> out = new ArrayList<>(events.size());
      for (Integer e : events) {
        s.hit();
        out.add(e);
      }
      ctx.emit(out);
    };
  }

  record Composed(
      Flow<Integer> flow,
      List<Site> sites,
      java.util.Map<Site, Integer> neededCalls,
      String description) {}

  static Composed compose(long seed) {
    Gen g = new Gen(seed);
    Flow<Integer> f = g.start();
    int steps = g.r.nextInt(1, 5);
    for (int i = 0; i < steps; i++) {
      f = g.step(f);
    }
    return new Composed(
        f, g.sites, g.neededCalls, "seed " + seed + " (-Dflowfail.only=" + seed + "):\n" + g.desc);
  }

  /** How the caller consumes the run. */
  enum Style {
    TO_LIST,
    RUN,
    STREAM_FOR_EACH,
    ITERATOR_CLOSED_EARLY,
    START_AWAIT,
    FUTURE_JOIN,
    PUBLISHER,
    CANCEL;

    /** Whether the caller reads to the end, so a failure that happened must reach it. */
    boolean readsAll() {
      return this != ITERATOR_CLOSED_EARLY && this != CANCEL;
    }
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void oneFailingFunction_reachesTheCallerOnce_namingItsStage_andLeavesNothingBehind(long seed)
      throws Exception {
    Composed c = compose(seed);
    SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream realErr = System.err;
    List<String> problems = new ArrayList<>();
    String trace = "";
    int seenRecords = 0;
    System.setErr(new PrintStream(err, true));
    try (LogRecorder log = new LogRecorder("dev.flowstage")) {
      for (Site s : c.sites()) {
        s.reset(false, 0);
      }
      c.flow().toList(); // unarmed: it completes, and the calls are counted
      List<Site> called = c.sites().stream().filter(s -> s.calls.get() > 0).toList();
      if (called.isEmpty()) {
        return; // nothing to arm: every source was empty
      }
      Site armed = called.get(r.nextInt(called.size()));
      int calls = armed.calls.get();
      int at = 1 + r.nextInt(calls);
      trace = "armed " + armed + " at call " + at + " of " + calls + "\n";
      for (Style style : Style.values()) {
        for (Site s : c.sites()) {
          s.reset(s == armed, at);
        }
        boolean mustReach = at <= c.neededCalls().getOrDefault(armed, Integer.MAX_VALUE);
        String outcome = consume(c.flow(), style, armed, mustReach, r, problems);
        trace += style + ": " + outcome + "\n";
        try {
          if (style == Style.FUTURE_JOIN || style == Style.PUBLISHER) {
            // the future's own thread ends just after completing the future; a publisher's run
            // ends on its own threads after signalling
            FlowFailureAuditTest.awaitNoFlowThreads();
          } else {
            FlowFailureAuditTest.assertNoFlowThreads();
          }
        } catch (AssertionError e) {
          problems.add(style + ": " + e.getMessage());
        }
        List<LogRecord> records = log.records();
        for (LogRecord rec : records.subList(seenRecords, records.size())) {
          problems.add(style + ": logged " + rec.getLevel() + " " + rec.getMessage());
        }
        seenRecords = records.size();
        if (err.size() > 0) {
          problems.add(style + ": printed to System.err:\n" + err);
          err.reset();
        }
      }
      for (Site s : c.sites()) {
        s.reset(false, 0);
      }
      c.flow().toList(); // the same plan runs again, unarmed
      int sum =
          Flow.fromEnumerable(IntStream.rangeClosed(1, 1000).boxed().toList(), o -> o.stages(2))
              .partition(o -> o.stages(3))
              .reduce(() -> 0, Integer::sum)
              .departition(() -> 0, Integer::sum, a -> a)
              .toList()
              .get(0);
      if (sum != 500500) {
        problems.add("a later flow summed 1..1000 to " + sum);
      }
      FlowFailureAuditTest.assertNoFlowThreads();
      if (log.records().size() > seenRecords || err.size() > 0) {
        problems.add("later runs logged or printed: " + log.text() + err);
      }
    } finally {
      System.setErr(realErr);
    }
    if (System.getProperty("flowfail.trace") != null) {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(System.getProperty("flowfail.trace")),
          c.description() + "\n" + trace + "\n",
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
    }
    if (!problems.isEmpty()) {
      fail(String.join("\n", problems) + "\n" + c.description() + "\n" + trace);
    }
  }

  /**
   * Runs {@code flow} armed, consumed as {@code style}; adds what breaks the rules to {@code
   * problems}; returns a short outcome for the report. {@code mustReach}: a failure of the armed
   * call must fail a run read to its end (false for a call the run may no longer need).
   */
  static String consume(
      Flow<Integer> flow,
      Style style,
      Site armed,
      boolean mustReach,
      SplittableRandom r,
      List<String> problems) {
    Throwable thrown = null;
    FlowState state = null;
    try {
      switch (style) {
        case TO_LIST -> flow.toList();
        case RUN -> flow.run();
        case STREAM_FOR_EACH -> {
          try (Stream<Integer> s = flow.stream()) {
            s.forEach(x -> {});
          }
        }
        case ITERATOR_CLOSED_EARLY -> {
          int k = r.nextInt(0, 20);
          try (Stream<Integer> s = flow.stream()) {
            Iterator<Integer> it = s.iterator();
            for (int i = 0; i < k && it.hasNext(); i++) {
              it.next();
            }
          }
        }
        case START_AWAIT -> {
          try (RunningFlow<Void> run = flow.start()) {
            run.await();
          }
        }
        case FUTURE_JOIN -> {
          try (RunningFlow<Void> run = flow.start()) {
            run.toCompletableFuture().join();
          }
        }
        case PUBLISHER -> subscribe(flow.toPublisher(), style, problems);
        case CANCEL -> {
          RunningFlow<Void> run = flow.start();
          int when = r.nextInt(3);
          if (when > 0) {
            // until the armed function was called (about) half as often as needed to throw, or
            // threw: the run may have ended by then
            int target = when == 1 ? Math.max(1, armed.at / 2) : armed.at;
            while (armed.calls.get() < target && !run.isTerminated()) {
              Thread.onSpinWait();
            }
          }
          run.cancel();
          try {
            run.await();
          } finally {
            state = run.statistics().state();
          }
        }
      }
    } catch (Throwable t) {
      thrown = t;
    }
    Boom boom = armed.thrown;
    String outcome =
        (boom == null ? "not thrown" : "thrown on " + armed.thread)
            + ", caller got "
            + (thrown == null ? "nothing" : thrown.toString())
            + (state == null ? "" : ", state " + state);
    Throwable flowEx = thrown;
    if (style == Style.FUTURE_JOIN && thrown instanceof CompletionException ce) {
      flowEx = ce.getCause(); // as join documents
    }
    if (thrown == null) {
      if (boom != null && style.readsAll() && mustReach) {
        problems.add(style + ": the function threw but the caller got nothing");
      }
      if (state != null && state != FlowState.COMPLETED) {
        problems.add(style + ": await returned but the run ended " + state);
      }
      return outcome;
    }
    if (thrown.getSuppressed().length > 0) {
      problems.add(style + ": reported more than once (suppressed): " + thrown);
    }
    if (flowEx instanceof CancellationException) {
      if (style != Style.CANCEL) {
        problems.add(style + ": cancelled without a cancel: " + thrown);
      } else if (state != FlowState.CANCELLED) {
        problems.add(style + ": await threw " + thrown + " but the run ended " + state);
      }
      return outcome;
    }
    if (!(flowEx instanceof FlowException fe)) {
      problems.add(style + ": not a FlowException: " + stackOf(thrown));
      return outcome;
    }
    if (boom == null) {
      problems.add(style + ": the function did not throw, yet: " + fe);
      return outcome;
    }
    if (fe.getCause() != boom) {
      problems.add(style + ": the cause is not the exception thrown: " + stackOf(fe));
    }
    if (fe.getSuppressed().length > 0) {
      problems.add(style + ": reported more than once (suppressed): " + fe);
    }
    String stage = stageOf(armed.thread);
    if (stage != null) {
      if (!stage.equals(fe.stage()) || !fe.getMessage().contains("'" + stage + "'")) {
        problems.add(style + ": thrown on stage " + stage + " but reported as: " + fe);
      }
    } else if (!fe.getMessage().contains("'" + fe.stage() + "'")) {
      problems.add(style + ": the message names no stage: " + fe);
    }
    if (state != null && state != FlowState.FAILED) {
      problems.add(style + ": await threw " + fe + " but the run ended " + state);
    }
    return outcome;
  }

  /**
   * Subscribes to {@code publisher}, asking for everything, and returns once it signalled its end;
   * throws what {@code onError} got, so it is checked as a terminal's exception. A second terminal
   * signal, or an item after one, is a problem.
   */
  static void subscribe(
      java.util.concurrent.Flow.Publisher<Integer> publisher, Style style, List<String> problems)
      throws Throwable {
    java.util.concurrent.CompletableFuture<Throwable> end =
        new java.util.concurrent.CompletableFuture<>();
    AtomicInteger signals = new AtomicInteger();
    publisher.subscribe(
        new java.util.concurrent.Flow.Subscriber<Integer>() {
          @Override
          public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(Integer item) {
            if (end.isDone()) {
              problems.add(style + ": onNext after the end");
            }
          }

          @Override
          public void onError(Throwable t) {
            signals.incrementAndGet();
            end.complete(t);
          }

          @Override
          public void onComplete() {
            signals.incrementAndGet();
            end.complete(null);
          }
        });
    Throwable t = end.get(60, java.util.concurrent.TimeUnit.SECONDS);
    FlowFailureAuditTest.awaitNoFlowThreads(); // every signal it could send is sent
    if (signals.get() != 1) {
      problems.add(style + ": " + signals.get() + " terminal signals");
    }
    if (t != null) {
      throw t;
    }
  }

  /**
   * The stage a thread works for: a stage's own thread is {@code flowstage-<stage>}, an iterable
   * source's reading thread {@code <stage>-reader}; null for any other.
   */
  static String stageOf(String thread) {
    if (thread == null) {
      return null;
    }
    if (thread.startsWith("flowstage-")) {
      return thread.substring("flowstage-".length());
    }
    if (thread.endsWith("-reader")) {
      return thread.substring(0, thread.length() - "-reader".length());
    }
    return null;
  }

  static String stackOf(Throwable t) {
    java.io.StringWriter w = new java.io.StringWriter();
    t.printStackTrace(new java.io.PrintWriter(w));
    return w.toString();
  }
}
