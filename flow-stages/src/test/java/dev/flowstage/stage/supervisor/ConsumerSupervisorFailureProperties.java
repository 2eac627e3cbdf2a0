package dev.flowstage.stage.supervisor;

import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.testing.LogRecorder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded ConsumerSupervisors whose children fail: a producer of {@code n} events (sometimes failing
 * itself at a random event), a supervisor with a random restart strategy ({@code TRANSIENT}, {@code
 * TEMPORARY}), restart intensity and subscription (cancel mode, demand), and children that fail a
 * random number of times per event before they succeed; sometimes the producer is stopped, or the
 * whole system closed, while children run.
 *
 * <p>Checks what the reference says (GenStage A10.2, A13) and the project's failure rules: who
 * exits and with what (the supervisor on its producer's end only as its cancel mode says, on more
 * restarts than allowed with a shutdown; children never take it down otherwise); a temporary child
 * runs once, a transient one until it succeeds, each event succeeding at most once and, while the
 * supervisor lives, every event ending; every failed child is logged once at {@code ERROR} with its
 * exception, as nobody else receives it (ADR 0007), unless it threw as the supervisor interrupted
 * it (a shutdown, not logged), and nothing else is logged; nothing is printed to {@code
 * System.err}; no stage or child thread outlives the system's close.
 *
 * <p>{@code -Dsupfail.tries=N} runs seeds 0..N-1 (default 60); {@code -Dsupfail.only=S} runs seed S
 * alone; {@code -Dsupfail.from=F} starts at seed F.
 */
final class ConsumerSupervisorFailureProperties {
  private static final Duration WAIT = Duration.ofSeconds(30);

  static LongStream seeds() {
    String only = System.getProperty("supfail.only");
    if (only != null) {
      return LongStream.of(Long.parseLong(only));
    }
    long from = Long.getLong("supfail.from", 0);
    return LongStream.range(from, from + Long.getLong("supfail.tries", 60));
  }

  /** An injected failure; no stack trace, it is expected. */
  static final class Boom extends RuntimeException {
    @java.io.Serial private static final long serialVersionUID = 1L;

    /** Whether its thread was interrupted as it threw: then it may be a shutdown, not logged. */
    volatile boolean interrupted;

    Boom(String where) {
      super("boom in " + where, null, false, false);
    }
  }

  /** What happens to the run from outside while children run. */
  enum Outside {
    NOTHING,
    STOP_PRODUCER,
    CLOSE_SYSTEM
  }

  record Case(
      long seed,
      int events,
      int[] fails,
      int producerFailsAt,
      Restart restart,
      int maxRestarts,
      CancelMode cancel,
      int maxDemand,
      int minDemand,
      Outside outside,
      int outsideAfter) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("seed ").append(seed);
      b.append(" (-Dsupfail.only=").append(seed).append("): ").append(events).append(" events");
      if (producerFailsAt >= 0) {
        b.append(", producer fails at ").append(producerFailsAt);
      }
      b.append(", restart ").append(restart).append(" max ").append(maxRestarts);
      b.append(", ").append(cancel).append(' ').append(maxDemand).append('/').append(minDemand);
      b.append(", outside ").append(outside).append(" after ").append(outsideAfter);
      b.append(", fails per event ");
      for (int f : fails) {
        b.append(f);
      }
      return b.toString();
    }
  }

  static Case generate(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int events = r.nextInt(1, 50);
    int[] fails = new int[events];
    for (int i = 0; i < events; i++) {
      int k = r.nextInt(10);
      fails[i] = k < 6 ? 0 : k < 9 ? 1 : 2;
    }
    int max = r.nextInt(1, 12);
    return new Case(
        seed,
        events,
        fails,
        r.nextInt(4) == 0 ? r.nextInt(0, events) : -1,
        r.nextBoolean() ? Restart.TRANSIENT : Restart.TEMPORARY,
        r.nextInt(0, 8),
        CancelMode.values()[r.nextInt(3)],
        max,
        r.nextInt(0, max),
        Outside.values()[r.nextInt(5) < 3 ? 0 : r.nextInt(1, 3)],
        r.nextInt(0, events + 1));
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void failingChildren_followTheRestartStrategy_areLoggedOnce_andLeaveNoThread(long seed)
      throws Exception {
    Case c = generate(seed);
    AtomicIntegerArray attempts = new AtomicIntegerArray(c.events);
    AtomicIntegerArray succeeded = new AtomicIntegerArray(c.events);
    Map<Boom, Boolean> thrown = Collections.synchronizedMap(new IdentityHashMap<>());
    List<Thread> children = Collections.synchronizedList(new ArrayList<>());
    List<String> problems = new ArrayList<>();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream realErr = System.err;
    System.setErr(new PrintStream(err, true));
    ExitReason supervisorExit;
    ExitReason producerExit;
    boolean closedEarly = false;
    try (LogRecorder log = new LogRecorder("dev.flowstage")) {
      List<Thread> stageThreads;
      StageSystem system = new StageSystem("supfail-" + seed);
      ConsumerSupervisor<Integer> sup = null;
      Stage<Integer> producer = null;
      try {
        producer =
            system.startProducer(
                Producers.fromIterator(iterator(c)),
                // held until the supervisor's exit has a receiver: a producer failing at once
                // would fail it before the test could register
                ProducerOptions.<Integer>builder().demandMode(DemandMode.ACCUMULATE).build());
        producer.onExit(); // received here: a producer's failure is not the log's
        sup =
            ConsumerSupervisor.<Integer>builder(
                    e -> {
                      children.add(Thread.currentThread());
                      if (Thread.currentThread().isInterrupted()) {
                        // a well-behaved task: stopped before it began (never counted)
                        throw new InterruptedException("stopped before it ran");
                      }
                      if (attempts.incrementAndGet(e) <= c.fails[e]) {
                        Boom b = new Boom("child of " + e);
                        thrown.put(b, Boolean.TRUE);
                        try {
                          throw b;
                        } finally {
                          // thrown as the supervisor interrupted it: a shutdown (ADR 0007)
                          b.interrupted = Thread.currentThread().isInterrupted();
                        }
                      }
                      if (succeeded.incrementAndGet(e) > 1) {
                        synchronized (problems) {
                          problems.add("event " + e + " succeeded twice");
                        }
                      }
                    })
                .name("sup")
                .restart(c.restart)
                .maxRestarts(c.maxRestarts, Duration.ofHours(1))
                .subscribeTo(
                    producer,
                    SubscriptionOptions.builder()
                        .maxDemand(c.maxDemand)
                        .minDemand(c.minDemand)
                        .cancel(c.cancel)
                        .build())
                .start(system);
        sup.stage().onExit(); // received here: its failure with its producer's is not logged
        producer.demandMode(DemandMode.FORWARD);
        if (c.outside != Outside.NOTHING) {
          awaitAttempts(attempts, c.outsideAfter, sup, producer);
          if (c.outside == Outside.STOP_PRODUCER) {
            producer.stop(ExitReason.shutdown("test"));
          } else {
            closedEarly = true;
          }
        }
        if (!closedEarly) {
          awaitEnd(c, attempts, succeeded, sup, producer);
        }
      } finally {
        supervisorExit = sup == null ? null : sup.stage().exitReason().orElse(null);
        producerExit = producer == null ? null : producer.exitReason().orElse(null);
        stageThreads = system.threads();
        system.close();
      }
      for (Thread t : stageThreads) {
        if (t.isAlive()) {
          problems.add("stage thread alive after close: " + t.getName());
        }
      }
      for (Thread t : new ArrayList<>(children)) {
        t.join(WAIT.toMillis()); // a child may be finishing what it was interrupted in
        if (t.isAlive()) {
          problems.add("child alive after close: " + t.getName());
        }
      }
      checkLog(log.records(), thrown, problems);
    } finally {
      System.setErr(realErr);
    }
    if (err.size() > 0) {
      problems.add("printed to System.err:\n" + err);
    }
    if (!closedEarly) {
      checkOutcome(c, thrown.size(), attempts, succeeded, supervisorExit, producerExit, problems);
    }
    if (!problems.isEmpty()) {
      fail(
          String.join("\n", problems)
              + "\n"
              + c
              + "\nsupervisor "
              + supervisorExit
              + ", producer "
              + producerExit
              + "\nattempts "
              + attempts
              + "\nsucceeded "
              + succeeded);
    }
  }

  static Iterator<Integer> iterator(Case c) {
    return new Iterator<>() {
      int next;

      @Override
      public boolean hasNext() {
        return next < c.events;
      }

      @Override
      public Integer next() {
        if (next >= c.events) {
          throw new NoSuchElementException();
        }
        if (next == c.producerFailsAt) {
          throw new Boom("producer");
        }
        return next++;
      }
    };
  }

  /** Every failed child was logged once, at ERROR with its exception; nothing else was logged. */
  static void checkLog(List<LogRecord> records, Map<Boom, Boolean> thrown, List<String> problems) {
    Map<Throwable, Integer> logged = new IdentityHashMap<>();
    for (LogRecord rec : records) {
      Throwable t = rec.getThrown();
      if (t instanceof Boom && thrown.containsKey(t) && rec.getLevel() == Level.SEVERE) {
        logged.merge(t, 1, Integer::sum);
      } else {
        problems.add("logged " + rec.getLevel() + ": " + rec.getMessage() + " " + t);
      }
    }
    synchronized (thrown) {
      for (Boom b : thrown.keySet()) {
        int n = logged.getOrDefault(b, 0);
        if (n > 1 || (n == 0 && !b.interrupted)) {
          problems.add(b.getMessage() + " logged " + n + " times");
        }
      }
    }
  }

  /** Spins until {@code n} child attempts were made, or nothing more can happen. */
  static void awaitAttempts(
      AtomicIntegerArray attempts, int n, ConsumerSupervisor<?> sup, Stage<?> producer) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (total(attempts) < n
        && sup.stage().isAlive()
        && producer.isAlive()
        && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  static int total(AtomicIntegerArray a) {
    int t = 0;
    for (int i = 0; i < a.length(); i++) {
      t += a.get(i);
    }
    return t;
  }

  /** Whether a subscription of {@code mode} stops the supervisor when its producer ends so. */
  static boolean stopsOn(CancelMode mode, ExitReason producer) {
    return producer != null
        && (mode == CancelMode.PERMANENT
            || (mode == CancelMode.TRANSIENT && producer instanceof ExitReason.Failure));
  }

  /**
   * Waits until the run has nothing left to do: the supervisor exited, or the producer ended in a
   * way the supervisor lives through and every child it started has ended (polled: each count is a
   * round trip to the supervisor).
   */
  static void awaitEnd(
      Case c,
      AtomicIntegerArray attempts,
      AtomicIntegerArray succeeded,
      ConsumerSupervisor<?> sup,
      Stage<?> producer)
      throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (sup.stage().isAlive()) {
      ExitReason p = producer.exitReason().orElse(null);
      if (p != null && !stopsOn(c.cancel, p)) {
        try {
          if (sup.countChildren().children() == 0 && settled(c, attempts, succeeded)) {
            return;
          }
        } catch (RuntimeException e) {
          return; // the supervisor exited meanwhile
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("did not settle within " + WAIT + ": " + c);
      }
      TimeUnit.MILLISECONDS.sleep(1); // polling a state, not ordering events
    }
  }

  /** Whether every event that reached the supervisor has ended for good. */
  static boolean settled(Case c, AtomicIntegerArray attempts, AtomicIntegerArray succeeded) {
    for (int e = 0; e < c.events; e++) {
      if (attempts.get(e) == 0) {
        continue; // never delivered (the producer stopped or failed first)
      }
      boolean done =
          succeeded.get(e) == 1 || (c.restart == Restart.TEMPORARY && attempts.get(e) == 1);
      if (!done) {
        return false;
      }
    }
    return true;
  }

  /**
   * Who exited and how (A10.2, A13), from the exits before the close: the supervisor exits only
   * with its producer's raw reason when its cancel mode says so, or with a shutdown for more
   * restarts than allowed; otherwise it lived, and every event delivered ended for good.
   */
  static void checkOutcome(
      Case c,
      int failures,
      AtomicIntegerArray attempts,
      AtomicIntegerArray succeeded,
      ExitReason supervisor,
      ExitReason producer,
      List<String> problems) {
    for (int e = 0; e < c.events; e++) {
      if (c.restart == Restart.TEMPORARY && attempts.get(e) > 1) {
        problems.add("temporary child of " + e + " restarted: " + attempts.get(e) + " attempts");
      }
    }
    if (supervisor instanceof ExitReason.Shutdown s
        && s.detail().startsWith("reached max restart intensity")) {
      if (c.restart != Restart.TRANSIENT || failures <= c.maxRestarts) {
        problems.add("shut down for restarts after " + failures + " failures");
      }
      return;
    }
    if (supervisor != null) {
      boolean raw =
          supervisor.equals(producer)
              || (supervisor instanceof ExitReason.Failure sf
                  && producer instanceof ExitReason.Failure pf
                  && sf.cause() == pf.cause());
      if (!stopsOn(c.cancel, producer) || !raw) {
        problems.add(
            "the supervisor exited " + supervisor + " on its producer's " + producer + " (A10.2)");
      }
      return;
    }
    if (stopsOn(c.cancel, producer)) {
      problems.add("the supervisor lived on its producer's " + producer + " (A10.2)");
    }
    // It lived to see every failure (an exit may leave some unhandled, logged at its stop).
    if (c.restart == Restart.TRANSIENT && failures > c.maxRestarts) {
      problems.add(failures + " restarts of at most " + c.maxRestarts + " but no shutdown");
    }
    for (int e = 0; e < c.events; e++) {
      int a = attempts.get(e);
      if (a == 0) {
        if (producer instanceof ExitReason.Normal) {
          problems.add("event " + e + " never reached a child");
        }
        continue;
      }
      int expected = c.restart == Restart.TRANSIENT ? c.fails[e] + 1 : 1;
      if (a != expected) {
        problems.add("event " + e + ": " + a + " attempts, expected " + expected);
      }
      int ok = c.fails[e] == 0 || c.restart == Restart.TRANSIENT ? 1 : 0;
      if (succeeded.get(e) != ok) {
        problems.add("event " + e + " succeeded " + succeeded.get(e) + " times, expected " + ok);
      }
    }
  }
}
