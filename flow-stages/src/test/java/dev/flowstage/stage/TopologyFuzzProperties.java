package dev.flowstage.stage;

import static org.junit.jupiter.api.Assertions.fail;

import dev.flowstage.stage.dispatch.Dispatcher;
import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.supervisor.ConsumerSupervisor;
import dev.flowstage.stage.testing.LogRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random topologies of running stages: 1-3 producers (counting, iterable streamers, lazy
 * producers that keep their demand and emit later; forward or accumulate), 0-2 layers of
 * producer-consumers (map, filter, expand), 1-3 consumers (automatic, manual, or a
 * ConsumerSupervisor), random dispatchers, buffers, cancel modes, subscribe timing, and sometimes
 * one stage whose callback throws.
 *
 * <p>Whatever the scheduling, each run checks: no subscription receives more than its consumer
 * asked (GenStage A7.1 for automatic ones, the asks for manual ones); every event a stage emitted
 * reaches the subscriptions its dispatcher says, in the order emitted, at most once, and when the
 * stage ended normally and all its consumers saw that end, exactly once or counted as discarded or
 * dropped in its statistics (emitted == delivered + discarded + dropped), whether it ended by
 * {@code done()} or at once because a {@code PERMANENT} upstream ended (then what it still held is
 * counted as discarded at its exit); every discard is counted and heard by the discard listener
 * once; exit reasons follow the cancel modes (A10); stages that must end do (a hang guard dumps the
 * stage threads); an expected failure logs nothing and prints nothing to {@code System.err}; no
 * thread outlives {@link StageSystem#close()}.
 *
 * <p>{@code -Dtopofuzz.tries=N} runs seeds 0..N-1 (default 50); {@code -Dtopofuzz.only=S} runs seed
 * S alone; {@code -Dtopofuzz.from=F} starts at seed F.
 */
final class TopologyFuzzProperties {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Object TICK = "tick";

  static LongStream seeds() {
    String only = System.getProperty("topofuzz.only");
    if (only != null) {
      return LongStream.of(Long.parseLong(only));
    }
    long from = Long.getLong("topofuzz.from", 0);
    return LongStream.range(from, from + Long.getLong("topofuzz.tries", 50));
  }

  // ---------------------------------------------------------------- the model

  enum Kind {
    COUNTING,
    ITERABLE,
    LAZY,
    PC_MAP,
    PC_FILTER,
    PC_EXPAND,
    AUTO,
    MANUAL,
    SUPERVISOR,
    STREAM;

    boolean producer() {
      return this == COUNTING || this == ITERABLE || this == LAZY;
    }

    boolean pc() {
      return this == PC_MAP || this == PC_FILTER || this == PC_EXPAND;
    }

    boolean emits() {
      return producer() || pc();
    }
  }

  enum Disp {
    DEMAND,
    SHUFFLED_DEMAND,
    FAIR,
    BROADCAST,
    PARTITION
  }

  /** The exception an injected failure throws; no stack trace, it is expected. */
  static final class Boom extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final String stage;

    Boom(String stage) {
      super("boom in " + stage, null, false, false);
      this.stage = stage;
    }
  }

  /** One stage of the topology and what it recorded while running. */
  static final class Node {
    final int id;
    final int layer;
    final Kind kind;
    final String name;
    final List<Edge> ups = new ArrayList<>();
    final List<Edge> downs = new ArrayList<>();
    int events; // producers: how many to emit
    boolean accumulate;
    Disp disp = Disp.DEMAND;
    boolean hashDrops;
    long bufferSize = ProducerOptions.DEFAULT_BUFFER;
    BufferKeep keep = BufferKeep.LAST;
    int failAt = -1; // emitted (producers) or received (others) count at which a callback throws
    long seedOfStage;

    // recorded, each written by the stage's own thread
    final List<Long> emitted = Collections.synchronizedList(new ArrayList<>());
    final AtomicBoolean doneCalled = new AtomicBoolean();
    final AtomicLong reportedDiscards = new AtomicLong(); // every count its discard listener heard
    final AtomicLong inputDiscards = new AtomicLong(); // of them, unhandled input at a normal exit
    final AtomicLong exitDiscards = new AtomicLong(); // of them, anything left at a normal exit
    volatile ExitReason exitBeforeClose;
    volatile Stage<?> stage;
    volatile ConsumerSupervisor<Long> supervisor;
    final CompletableFuture<ExitReason> streamEnd = new CompletableFuture<>();
    volatile Thread reader;

    /** How this stage ended so far: its exit reason, or for a stream how its reading ended. */
    Optional<ExitReason> ended() {
      return kind == Kind.STREAM ? Optional.ofNullable(streamEnd.getNow(null)) : stage.exitReason();
    }

    Node(int id, int layer, Kind kind) {
      this.id = id;
      this.layer = layer;
      this.kind = kind;
      this.name = kind.name().toLowerCase() + id;
    }

    int partitions() {
      return downs.size();
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(name);
      if (kind.producer()) {
        b.append(" events=").append(events);
        if (accumulate) {
          b.append(" accumulate");
        }
      }
      if (kind.emits()) {
        b.append(" disp=").append(disp);
        if (disp == Disp.PARTITION) {
          b.append('(').append(partitions()).append(hashDrops ? ",drops" : "").append(')');
        }
        if (bufferSize != ProducerOptions.DEFAULT_BUFFER) {
          b.append(" buffer=")
              .append(bufferSize == ProducerOptions.UNBOUNDED ? "inf" : bufferSize)
              .append('/')
              .append(keep);
        }
      }
      if (failAt >= 0) {
        b.append(" FAILS@").append(failAt);
      }
      return b.toString();
    }
  }

  /** One subscription: {@code down} subscribes to {@code up}. */
  static final class Edge {
    final int id;
    final Node up;
    final Node down;
    int max;
    int min;
    CancelMode mode;
    boolean late;
    Integer partition;
    int selectorMod; // broadcast: 0 accepts all
    int manualThreshold;

    // recorded by the subscriber's thread
    final List<Long> received = Collections.synchronizedList(new ArrayList<>());
    volatile ExitReason cancelled;
    long outstanding; // automatic: A7.1 model; manual: asked minus received
    long asked;

    Edge(int id, Node up, Node down) {
      this.id = id;
      this.up = up;
      this.down = down;
    }

    SubscriptionOptions options() {
      SubscriptionOptions.Builder b =
          SubscriptionOptions.builder().maxDemand(max).minDemand(min).cancel(mode);
      if (partition != null) {
        b.partition(partition);
      }
      if (selectorMod > 0) {
        b.selector((Long e) -> accepts(e));
      }
      return b.build();
    }

    boolean accepts(long e) {
      return selectorMod == 0 || Math.floorMod(mix(e) + id, selectorMod) != 0;
    }

    @Override
    public String toString() {
      return up.name
          + "->"
          + down.name
          + " "
          + max
          + "/"
          + min
          + " "
          + mode
          + (late ? " late" : "")
          + (partition != null ? " p" + partition : "")
          + (selectorMod > 0 ? " sel%" + selectorMod : "");
    }
  }

  static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x & Long.MAX_VALUE;
  }

  /** The partition of {@code e} at a stage with a partition dispatcher, or DROP. */
  static int partitionOf(Node n, long e) {
    long h = mix(e * 31 + n.id);
    if (n.hashDrops && h % 5 == 0) {
      return Dispatchers.DROP;
    }
    return (int) ((h >>> 8) % n.partitions());
  }

  /** The outputs of a producer-consumer for one input; distinct per stage and input. */
  static List<Long> outputs(Node n, long e) {
    long base = (e * 31 + n.id) * 4;
    return switch (n.kind) {
      case PC_MAP -> List.of(base + 3);
      case PC_FILTER -> mix(e) % 3 == 0 ? List.of() : List.of(base + 3);
      case PC_EXPAND -> {
        int k = (int) (mix(e + n.id) % 4);
        List<Long> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
          out.add(base + i);
        }
        yield out;
      }
      default -> throw new IllegalStateException(n.kind.toString());
    };
  }

  static final class Topology {
    final long seed;
    final List<Node> nodes = new ArrayList<>();
    final List<Edge> edges = new ArrayList<>();
    final List<List<Node>> layers = new ArrayList<>();
    Node failing;

    Topology(long seed) {
      this.seed = seed;
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("seed ").append(seed).append(" (-Dtopofuzz.only=");
      b.append(seed).append(")\n");
      for (Node n : nodes) {
        b.append("  ").append(n).append('\n');
      }
      for (Edge e : edges) {
        b.append("  ").append(e).append('\n');
      }
      return b.toString();
    }
  }

  static Topology generate(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    Topology t = new Topology(seed);
    int pcLayers = r.nextInt(3);
    int layerCount = pcLayers + 2;
    for (int l = 0; l < layerCount; l++) {
      List<Node> layer = new ArrayList<>();
      int size = r.nextInt(1, l == 0 || l == layerCount - 1 ? 4 : 3);
      for (int i = 0; i < size; i++) {
        Kind kind;
        if (l == 0) {
          kind = new Kind[] {Kind.COUNTING, Kind.ITERABLE, Kind.LAZY}[r.nextInt(3)];
        } else if (l < layerCount - 1) {
          kind = new Kind[] {Kind.PC_MAP, Kind.PC_FILTER, Kind.PC_EXPAND}[r.nextInt(3)];
        } else {
          int k = r.nextInt(10);
          kind = k < 5 ? Kind.AUTO : k < 8 ? Kind.MANUAL : k < 9 ? Kind.STREAM : Kind.SUPERVISOR;
        }
        Node n = new Node(t.nodes.size(), l, kind);
        n.seedOfStage = r.nextLong();
        if (kind.producer()) {
          n.events = r.nextInt(4) == 0 ? r.nextInt(0, 5) : r.nextInt(0, 400);
          n.accumulate = r.nextBoolean();
        }
        layer.add(n);
        t.nodes.add(n);
      }
      t.layers.add(layer);
    }
    // Subscriptions: every stage below layer 0 subscribes to a non-empty subset of the layer above
    // (a supervisor to one stage); every emitting stage gets at least one subscriber.
    for (int l = 1; l < layerCount; l++) {
      List<Node> above = t.layers.get(l - 1);
      for (Node d : t.layers.get(l)) {
        List<Node> chosen = new ArrayList<>();
        for (Node u : above) {
          if (r.nextInt(3) > 0) {
            chosen.add(u);
          }
        }
        if (chosen.isEmpty()) {
          chosen.add(above.get(r.nextInt(above.size())));
        }
        if (d.kind == Kind.SUPERVISOR || d.kind == Kind.STREAM) {
          chosen = List.of(chosen.get(r.nextInt(chosen.size())));
        }
        for (Node u : chosen) {
          link(t, u, d);
        }
      }
      for (Node u : above) {
        if (u.downs.isEmpty()) {
          List<Node> below = t.layers.get(l);
          List<Node> candidates = new ArrayList<>();
          for (Node d : below) {
            if (d.kind != Kind.SUPERVISOR && d.kind != Kind.STREAM) {
              candidates.add(d);
            }
          }
          if (candidates.isEmpty()) {
            Node d = new Node(t.nodes.size(), l, Kind.AUTO);
            t.nodes.add(d);
            t.layers.get(l).add(d);
            candidates.add(d);
          }
          link(t, u, candidates.get(r.nextInt(candidates.size())));
        }
      }
    }
    for (Node n : t.nodes) {
      if (!n.kind.emits()) {
        continue;
      }
      int d = r.nextInt(10);
      n.disp =
          d < 4
              ? Disp.DEMAND
              : d < 5
                  ? Disp.SHUFFLED_DEMAND
                  : d < 6 ? Disp.FAIR : d < 8 ? Disp.BROADCAST : Disp.PARTITION;
      if (n.disp == Disp.PARTITION && n.partitions() > 4) {
        n.disp = Disp.DEMAND;
      }
      n.hashDrops = r.nextInt(3) == 0;
      int b = r.nextInt(6);
      if (b == 1) {
        n.bufferSize = ProducerOptions.UNBOUNDED;
      } else if (b == 2) {
        n.bufferSize = r.nextInt(0, 30);
      }
      n.keep = r.nextBoolean() ? BufferKeep.LAST : BufferKeep.FIRST;
      int p = 0;
      for (Edge e : n.downs) {
        if (n.disp == Disp.PARTITION) {
          e.partition = p++;
        }
        if (n.disp == Disp.BROADCAST && r.nextInt(3) == 0) {
          e.selectorMod = r.nextInt(2, 5);
        }
      }
    }
    for (Edge e : t.edges) {
      e.max = r.nextInt(4) == 0 ? r.nextInt(1, 4) : r.nextInt(1, 120);
      e.min = r.nextInt(0, e.max);
      e.mode = CancelMode.values()[r.nextInt(3)];
      // A supervisor's builder subscribes at start; a stream when its reading starts, after
      // every stage started.
      e.late = e.down.kind == Kind.STREAM || (e.down.kind != Kind.SUPERVISOR && r.nextInt(6) == 0);
      e.manualThreshold = r.nextInt(0, e.max);
    }
    if (r.nextInt(3) == 0) {
      Node f = t.nodes.get(r.nextInt(t.nodes.size()));
      if (f.kind == Kind.SUPERVISOR || f.kind == Kind.STREAM) {
        // their callbacks are not ours: nothing to inject into
      } else if (f.kind.producer()) {
        if (f.events > 1) {
          f.failAt = r.nextInt(0, f.events);
        }
      } else {
        f.failAt = r.nextInt(0, 20);
      }
      if (f.failAt >= 0) {
        t.failing = f;
        // A supervisor's failure could come before the test can register onExit on it (its
        // callbacks are not ours): keep failures away from it.
        for (Edge e : t.edges) {
          if (e.down.kind == Kind.SUPERVISOR) {
            e.mode = CancelMode.TEMPORARY;
          }
        }
      }
    }
    return t;
  }

  static void link(Topology t, Node u, Node d) {
    Edge e = new Edge(t.edges.size(), u, d);
    t.edges.add(e);
    u.downs.add(e);
    d.ups.add(e);
  }

  // ---------------------------------------------------------------- expectations

  static final String NORMAL = "normal";
  static final String NOT_ALIVE = "not alive";

  static String label(ExitReason reason) {
    return switch (reason) {
      case ExitReason.Normal n -> NORMAL;
      case ExitReason.Shutdown s -> "shutdown";
      case ExitReason.Failure f -> failureLabel(f.cause());
    };
  }

  /** A stream throws a StageException whose causes say why: the label of the first known one. */
  static String failureLabel(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause()) {
      if (c instanceof Boom b) {
        return "boom:" + b.stage;
      }
      if (c instanceof StageNotAliveException) {
        return NOT_ALIVE;
      }
    }
    return "failure:" + cause;
  }

  /** The exit reasons each stage may end with before the system closes (top-down). */
  static Map<Node, Set<String>> allowed(Topology t) {
    Map<Node, Set<String>> allowed = new HashMap<>();
    for (Node n : t.nodes) { // layer order
      Set<String> s = new LinkedHashSet<>();
      if (n.failAt >= 0) {
        s.add("boom:" + n.name);
      }
      if (n.kind.producer() && n.failAt < 0) {
        s.add(NORMAL);
      }
      for (Edge e : n.ups) {
        Set<String> up = allowed.get(e.up);
        for (String r : up) {
          boolean abnormal = !r.equals(NORMAL);
          if (e.mode == CancelMode.PERMANENT || (e.mode == CancelMode.TRANSIENT && abnormal)) {
            s.add(r);
          }
        }
        if (mayBeGoneWhenSubscribing(e) && e.mode != CancelMode.TEMPORARY && !up.isEmpty()) {
          s.add(NOT_ALIVE);
        }
        if ((n.kind.pc() || n.kind == Kind.STREAM) && !up.isEmpty()) {
          s.add(NORMAL); // done() once every upstream ended; a stream halts
        }
      }
      allowed.put(n, s);
    }
    return allowed;
  }

  /**
   * Whether {@code e.up} may have ended when {@code e.down} subscribes: stages start one by one, so
   * a producer may serve a first subscriber everything and finish before the next one subscribes,
   * unless it accumulates until every early subscription is in place.
   */
  static boolean mayBeGoneWhenSubscribing(Edge e) {
    Node u = e.up;
    if (e.late) {
      return true;
    }
    if (u.kind.producer()) {
      return !u.accumulate;
    }
    if (u.failAt >= 0) {
      return true;
    }
    for (Edge up : u.ups) {
      if (mayBeGoneWhenSubscribing(up)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The stages that must end by themselves: computed conservatively from who keeps asking. A stage
   * that may die early (it fails, or one of its subscriptions can stop it) is not counted on to
   * keep asking.
   */
  static Set<Node> mustEnd(Topology t, Map<Node, Set<String>> allowed) {
    Map<Node, Boolean> mayDieEarly = new HashMap<>();
    for (Node n : t.nodes) {
      boolean early = n.failAt >= 0;
      for (Edge e : n.ups) {
        Set<String> up = allowed.get(e.up);
        if (e.mode == CancelMode.PERMANENT && !up.isEmpty()) {
          early = true;
        }
        if (e.mode == CancelMode.TRANSIENT
            && (up.stream().anyMatch(r -> !r.equals(NORMAL)) || mayBeGoneWhenSubscribing(e))) {
          early = true;
        }
      }
      mayDieEarly.put(n, early);
    }
    // demandAlive: keeps asking its upstream for as long as they live (bottom-up).
    Map<Node, Boolean> demandAlive = new HashMap<>();
    for (int i = t.nodes.size() - 1; i >= 0; i--) {
      Node n = t.nodes.get(i);
      boolean alive = !mayDieEarly.get(n);
      if (n.kind.emits()) {
        alive = alive && keepsBeingAsked(n, demandAlive);
      }
      demandAlive.put(n, alive);
    }
    Set<Node> must = new HashSet<>();
    for (Node n : t.nodes) {
      boolean ends = false;
      if (n.kind.producer()) {
        ends = keepsBeingAsked(n, demandAlive);
      } else {
        boolean allUpsEnd = true;
        for (Edge e : n.ups) {
          boolean upEnds = must.contains(e.up);
          allUpsEnd &= upEnds;
          Set<String> up = allowed.get(e.up);
          if (upEnds && e.mode == CancelMode.PERMANENT) {
            ends = true;
          }
          if (upEnds
              && e.mode == CancelMode.TRANSIENT
              && up.stream().noneMatch(r -> r.equals(NORMAL))) {
            ends = true;
          }
        }
        if (n.kind.pc()) {
          ends = (ends || allUpsEnd) && keepsBeingAsked(n, demandAlive);
        }
        if (n.kind == Kind.STREAM) {
          ends = allUpsEnd; // read until its one producer ends, in every cancel mode
        }
      }
      if (ends) {
        must.add(n);
      }
    }
    return must;
  }

  /** Whether the subscribers of {@code n} keep asking it until it ends, for its dispatcher. */
  static boolean keepsBeingAsked(Node n, Map<Node, Boolean> demandAlive) {
    boolean any = false;
    boolean all = true;
    for (Edge e : n.downs) {
      boolean a = demandAlive.get(e.down);
      any |= a;
      all &= a;
    }
    return switch (n.disp) {
      case DEMAND, SHUFFLED_DEMAND, FAIR -> any;
      case BROADCAST, PARTITION -> all;
    };
  }

  // ---------------------------------------------------------------- running

  /** Subscribe {@code edge} now (sent to the subscriber, which subscribes on its own thread). */
  record SubscribeNow(Edge edge) {}

  /** Shared by the subscribing stages: subscriptions made on the stage thread, and asks. */
  static final class Subscriber {
    final Node node;
    final Map<Subscription, Edge> edges = new HashMap<>();
    final ConcurrentLinkedQueue<String> violations;
    Edge subscribing; // handleSubscribe runs inside ctx.subscribeTo, before it returns
    long received;

    Subscriber(Node node, ConcurrentLinkedQueue<String> violations) {
      this.node = node;
      this.violations = violations;
    }

    void subscribe(Edge e, StageContext ctx) {
      subscribing = e;
      Subscription s = ctx.subscribeTo(e.up.stage, e.options());
      subscribing = null;
      if (edges.put(s, e) != e) {
        violations.add(node.name + ": no handleSubscribe for " + s);
      }
    }

    void init(StageContext ctx) {
      // Owns the stage's failure before it can happen (it may fail before start returns), so
      // the runtime must not log it.
      ctx.self().onExit();
      for (Edge e : node.ups) {
        if (!e.late) {
          subscribe(e, ctx);
        }
      }
    }

    SubscriptionMode subscribed(Subscription s, StageContext ctx) {
      Edge e = subscribing;
      edges.put(s, e);
      if (e == null) {
        violations.add(node.name + ": handleSubscribe for an unknown subscription " + s);
        return SubscriptionMode.AUTOMATIC;
      }
      if (node.kind == Kind.MANUAL) {
        long first = 1 + (mix(e.id + node.seedOfStage) % e.max);
        e.asked += first;
        e.outstanding += first;
        ctx.ask(s, first);
        return SubscriptionMode.MANUAL;
      }
      e.outstanding = e.max;
      return SubscriptionMode.AUTOMATIC;
    }

    /** Checks the batch against the demand and records it; returns its edge. */
    Edge events(List<Long> events, Subscription from, StageContext ctx) {
      Edge e = edges.get(from);
      if (e == null) {
        violations.add(node.name + ": events on an unknown subscription " + from);
        return null;
      }
      int k = events.size();
      if (node.kind == Kind.MANUAL) {
        if (k > e.outstanding) {
          violations.add(e + ": received " + k + " with only " + e.outstanding + " asked");
        }
        e.outstanding -= k;
        if (e.outstanding <= e.manualThreshold) {
          long more = e.max - Math.max(e.outstanding, 0);
          if (more > 0) {
            more = 1 + mix(e.asked + node.seedOfStage) % more;
            e.asked += more;
            e.outstanding += more;
            ctx.ask(from, more);
          }
        }
      } else {
        // GenStage A7.1: chunks of at most max - min, never more than outstanding.
        if (k > e.max - e.min) {
          violations.add(e + ": batch of " + k + " > maxDemand - minDemand");
        }
        if (k > e.outstanding) {
          violations.add(e + ": received " + k + " with only " + e.outstanding + " outstanding");
        }
        long remaining = e.outstanding - k;
        e.outstanding = remaining <= e.min ? e.max : remaining;
      }
      e.received.addAll(events);
      received += k;
      if (node.failAt >= 0 && received > node.failAt) {
        throw new Boom(node.name);
      }
      return e;
    }

    void cancelled(Subscription s, ExitReason reason) {
      Edge e = edges.get(s);
      if (e == null) {
        violations.add(node.name + ": handleCancel for an unknown subscription " + s);
        return;
      }
      if (e.cancelled != null) {
        violations.add(e + ": cancelled twice: " + e.cancelled + " then " + reason);
      }
      e.cancelled = reason;
    }
  }

  static Consumer<Long> consumer(Node n, ConcurrentLinkedQueue<String> violations) {
    Subscriber sub = new Subscriber(n, violations);
    return new Consumer<>() {
      @Override
      public void init(StageContext ctx) {
        sub.init(ctx);
      }

      @Override
      public SubscriptionMode handleSubscribe(Subscription subscription, StageContext ctx) {
        return sub.subscribed(subscription, ctx);
      }

      @Override
      public void handleEvents(List<Long> events, Subscription from, StageContext ctx) {
        sub.events(events, from, ctx);
      }

      @Override
      public void handleCancel(Subscription subscription, ExitReason reason, StageContext ctx) {
        sub.cancelled(subscription, reason);
      }

      @Override
      public void handleCast(Object message, StageContext ctx) {
        sub.subscribe(((SubscribeNow) message).edge(), ctx);
      }
    };
  }

  static ProducerConsumer<Long, Long> producerConsumer(
      Node n, ConcurrentLinkedQueue<String> violations) {
    Subscriber sub = new Subscriber(n, violations);
    return new ProducerConsumer<>() {
      @Override
      public void init(ProducerContext<Long> ctx) {
        sub.init(ctx);
      }

      @Override
      public SubscriptionMode handleSubscribe(
          Peer peer, Subscription subscription, ProducerContext<Long> ctx) {
        return peer == Peer.PRODUCER
            ? sub.subscribed(subscription, ctx)
            : SubscriptionMode.AUTOMATIC;
      }

      @Override
      public void handleEvents(List<Long> events, Subscription from, ProducerContext<Long> ctx) {
        sub.events(events, from, ctx);
        List<Long> out = new ArrayList<>();
        for (long e : events) {
          out.addAll(outputs(n, e));
        }
        n.emitted.addAll(out);
        ctx.emit(out);
      }

      @Override
      public void handleCancel(
          Peer peer, Subscription subscription, ExitReason reason, ProducerContext<Long> ctx) {
        if (peer == Peer.PRODUCER) {
          sub.cancelled(subscription, reason);
          if (ctx.producers().isEmpty() && sub.edges.size() == n.ups.size()) {
            n.doneCalled.set(true);
            ctx.done();
          }
        }
      }

      @Override
      public void handleCast(Object message, ProducerContext<Long> ctx) {
        sub.subscribe(((SubscribeNow) message).edge(), ctx);
      }
    };
  }

  /** Counting producer: emits what is asked (sometimes a few more), then done(). */
  static Producer<Long> counting(Node n) {
    SplittableRandom r = new SplittableRandom(n.seedOfStage);
    return new Producer<>() {
      long next;

      @Override
      public void handleDemand(long demand, ProducerContext<Long> ctx) {
        if (n.failAt >= 0 && next >= n.failAt) {
          throw new Boom(n.name);
        }
        long extra = r.nextInt(4) == 0 ? r.nextInt(0, 10) : 0;
        long count = Math.min(limit(n, next), demand + extra);
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < count; i++) {
          out.add(base(n) + next++);
        }
        n.emitted.addAll(out);
        ctx.emit(out);
        if (next == n.events) {
          n.doneCalled.set(true);
          ctx.done();
        } else if (count < demand) {
          ctx.self().send(TICK); // at its failure point with demand left: fail from handleInfo
        }
      }

      @Override
      public void handleInfo(Object message, ProducerContext<Long> ctx) {
        throw new Boom(n.name);
      }
    };
  }

  /** Keeps its demand and emits it later in random chunks from handleInfo. */
  static Producer<Long> lazy(Node n) {
    SplittableRandom r = new SplittableRandom(n.seedOfStage);
    return new Producer<>() {
      long next;
      long pending;
      boolean ticking;

      @Override
      public void init(ProducerContext<Long> ctx) {
        ctx.self().onExit();
        if (n.events == 0) {
          n.doneCalled.set(true);
          ctx.done();
        }
      }

      @Override
      public void handleDemand(long demand, ProducerContext<Long> ctx) {
        pending += demand;
        if (!ticking) {
          ticking = true;
          ctx.self().send(TICK);
        }
      }

      @Override
      public void handleInfo(Object message, ProducerContext<Long> ctx) {
        if (message != TICK || n.doneCalled.get()) {
          return;
        }
        if (n.failAt >= 0 && next >= n.failAt) {
          throw new Boom(n.name);
        }
        long count = Math.min(limit(n, next), 1 + r.nextLong(pending));
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < count; i++) {
          out.add(base(n) + next++);
        }
        pending -= count;
        n.emitted.addAll(out);
        ctx.emit(out);
        if (next == n.events) {
          n.doneCalled.set(true);
          ctx.done();
        } else if (pending > 0) {
          ctx.self().send(TICK);
        } else {
          ticking = false;
        }
      }
    };
  }

  /** Producers.fromIterator over an iterator that records (or fails at) each item it hands out. */
  static Producer<Long> iterable(Node n) {
    Iterator<Long> it =
        new Iterator<>() {
          long next;

          @Override
          public boolean hasNext() {
            boolean more = next < n.events;
            if (!more) {
              n.doneCalled.set(true);
            }
            return more;
          }

          @Override
          public Long next() {
            if (next >= n.events) {
              throw new NoSuchElementException();
            }
            if (n.failAt >= 0 && next >= n.failAt) {
              throw new Boom(n.name);
            }
            long e = base(n) + next++;
            n.emitted.add(e);
            return e;
          }
        };
    return Producers.fromIterator(it);
  }

  /** How many more events a producer may emit: up to its failure point, or to its end. */
  static long limit(Node n, long next) {
    return (n.failAt >= 0 ? n.failAt : n.events) - next;
  }

  static long base(Node n) {
    return (n.id + 1) * 1_000_000_000L;
  }

  static Supplier<Dispatcher<Long>> dispatcher(Node n) {
    return switch (n.disp) {
      case DEMAND -> Dispatchers::demand;
      case SHUFFLED_DEMAND ->
          () -> Dispatchers.demandBuilder().shuffleDemandsOnFirstDispatch(true).build();
      case FAIR -> Dispatchers::fair;
      case BROADCAST -> Dispatchers::broadcast;
      case PARTITION -> () -> Dispatchers.partition(n.partitions(), (Long e) -> partitionOf(n, e));
    };
  }

  static ProducerOptions<Long> options(Node n) {
    ProducerOptions.Builder<Long> b =
        ProducerOptions.<Long>builder()
            .name(n.name)
            .dispatcher(dispatcher(n))
            .bufferKeep(n.keep)
            .onDiscard(
                (producer, count, reason) -> {
                  n.reportedDiscards.addAndGet(count);
                  if (reason.startsWith("stopped (normal")) {
                    n.exitDiscards.addAndGet(count);
                  }
                  if (reason.contains("received and not handled")) {
                    n.inputDiscards.addAndGet(count);
                  }
                  return false;
                });
    if (n.bufferSize != ProducerOptions.DEFAULT_BUFFER) {
      b.bufferSize(n.bufferSize);
    }
    if (n.kind.producer() && n.accumulate) {
      b.demandMode(DemandMode.ACCUMULATE);
    }
    return b.build();
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomTopology_keepsDemandConservationOrderAndTermination(long seed) throws Exception {
    Topology t = generate(seed);
    SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    Map<Node, Set<String>> allowed = allowed(t);
    Set<Node> must = mustEnd(t, allowed);
    List<Thread> children = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads;
    StageSystem system = new StageSystem("fuzz-" + seed);
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream realErr = System.err;
    System.setErr(new java.io.PrintStream(err, true));
    try (LogRecorder log = new LogRecorder("dev.flowstage")) {
      try {
        for (Node n : t.nodes) {
          if (n.kind == Kind.STREAM) {
            continue; // starts reading with the late subscriptions
          }
          start(system, n, violations, children);
          // Registered before any exit: the failure is received here, so it must not be logged.
          n.stage.onExit();
        }
        // Release accumulating producers and make the late subscriptions, in a random order.
        List<Runnable> steps = new ArrayList<>();
        for (Node n : t.nodes) {
          if (n.kind.producer() && n.accumulate) {
            steps.add(() -> n.stage.demandMode(DemandMode.FORWARD));
          }
        }
        for (Edge e : t.edges) {
          if (e.late) {
            boolean afterFirst = r.nextBoolean();
            steps.add(
                () -> {
                  if (afterFirst) {
                    awaitEmittedOrExited(e.up);
                  }
                  if (e.down.kind == Kind.STREAM) {
                    read(system, e);
                  } else {
                    e.down.stage.cast(new SubscribeNow(e));
                  }
                });
          }
        }
        for (int i = steps.size() - 1; i > 0; i--) {
          Collections.swap(steps, i, r.nextInt(i + 1));
        }
        for (Runnable step : steps) {
          step.run();
        }
        for (Node n : t.nodes) {
          if (must.contains(n)) {
            awaitExit(n, t, system);
          }
        }
      } finally {
        for (Node n : t.nodes) {
          n.exitBeforeClose =
              n.reader == null && n.kind == Kind.STREAM ? null : n.ended().orElse(null);
        }
        threads = system.threads();
        system.close();
      }
      List<String> problems = new ArrayList<>(violations);
      check(t, allowed, must, problems);
      for (Thread th : threads) {
        if (th.isAlive()) {
          problems.add("stage thread alive after close: " + th.getName());
        }
      }
      for (Node n : t.nodes) {
        if (n.reader != null) {
          n.reader.join(WAIT.toMillis());
          if (n.reader.isAlive()) {
            problems.add("stream of " + n.name + " still read after close\n" + dump(n.reader));
          }
        }
      }
      for (Thread th : new ArrayList<>(children)) {
        th.join(WAIT.toMillis());
        if (th.isAlive()) {
          problems.add("supervisor child alive after close: " + th.getName());
        }
      }
      for (LogRecord rec : log.records()) {
        if (rec.getLevel().intValue() >= Level.SEVERE.intValue()
            || rec.getThrown() != null
            || !rec.getMessage().contains("expects a maximum demand")) {
          problems.add(
              "logged " + rec.getLevel() + ": " + rec.getMessage() + " " + rec.getThrown());
        }
      }
      if (err.size() > 0) {
        problems.add("printed to System.err:\n" + err);
      }
      if (!problems.isEmpty()) {
        fail(String.join("\n", problems) + "\n" + t + exits(t));
      }
    } finally {
      System.setErr(realErr);
    }
  }

  static void start(
      StageSystem system, Node n, ConcurrentLinkedQueue<String> violations, List<Thread> children) {
    switch (n.kind) {
      case COUNTING -> n.stage = system.startProducer(counting(n), options(n));
      case LAZY -> n.stage = system.startProducer(lazy(n), options(n));
      case ITERABLE -> n.stage = system.startProducer(iterable(n), options(n));
      case PC_MAP, PC_FILTER, PC_EXPAND ->
          n.stage = system.startProducerConsumer(producerConsumer(n, violations), options(n));
      case AUTO, MANUAL -> n.stage = system.startConsumer(n.name, consumer(n, violations));
      case SUPERVISOR -> {
        Edge e = n.ups.get(0);
        n.supervisor =
            ConsumerSupervisor.<Long>builder(
                    ev -> {
                      children.add(Thread.currentThread());
                      e.received.add(ev);
                    })
                .name(n.name)
                .subscribeTo(e.up.stage, e.options())
                .start(system);
        n.stage = n.supervisor.stage();
      }
    }
  }

  /** Reads a stream of {@code e.up} to its end on a thread of its own, as a stream's user does. */
  static void read(StageSystem system, Edge e) {
    Node n = e.down;
    n.reader =
        Thread.ofPlatform()
            .name("fuzz-stream-" + n.name)
            .daemon()
            .start(
                () -> {
                  ExitReason end;
                  try (Stream<Long> s = system.stream(List.of(e.up.stage), e.options())) {
                    s.forEach(e.received::add);
                    end = ExitReason.normal();
                  } catch (RuntimeException ex) {
                    end = ExitReason.failure(ex);
                  }
                  e.cancelled = end; // every event before it was read
                  n.streamEnd.complete(end);
                });
  }

  /**
   * Waits a little for {@code n}'s first event, so that the late subscription comes after it
   * started emitting; gives up quietly (it may have no one asking it yet), as this only perturbs
   * the timing.
   */
  static void awaitEmittedOrExited(Node n) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    while (n.emitted.isEmpty() && n.stage.isAlive() && System.nanoTime() < deadline) {
      sleep();
    }
  }

  static void sleep() {
    try {
      TimeUnit.MILLISECONDS.sleep(1); // polling a recorded state, not ordering events
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static void awaitExit(Node n, Topology t, StageSystem system) {
    try {
      (n.kind == Kind.STREAM ? n.streamEnd : n.stage.onExit().toCompletableFuture())
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(
          n.name + " did not end within " + WAIT + "\n" + t + exits(t) + dump(system), e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static String exits(Topology t) {
    StringBuilder b = new StringBuilder("exits:");
    for (Node n : t.nodes) {
      b.append(' ').append(n.name).append('=');
      b.append(n.exitBeforeClose == null ? "-" : label(n.exitBeforeClose));
      b.append("(emitted ").append(n.emitted.size()).append(')');
    }
    b.append("\nedges:");
    for (Edge e : t.edges) {
      b.append("\n  ").append(e).append(": received ").append(e.received.size());
      b.append(", cancelled ").append(e.cancelled == null ? "-" : label(e.cancelled));
    }
    return b.append('\n').toString();
  }

  static String dump(StageSystem system) {
    return "stage threads:\n" + dump(system.threads().toArray(Thread[]::new));
  }

  static String dump(Thread... threads) {
    StringBuilder b = new StringBuilder();
    for (Thread th : threads) {
      b.append(th.getName()).append(' ').append(th.getState()).append('\n');
      for (StackTraceElement el : th.getStackTrace()) {
        b.append("    at ").append(el).append('\n');
      }
    }
    return b.toString();
  }

  // ---------------------------------------------------------------- checks after close

  static void check(
      Topology t, Map<Node, Set<String>> allowed, Set<Node> must, List<String> problems) {
    for (Node n : t.nodes) {
      ExitReason reason = n.exitBeforeClose;
      if (reason != null && !allowed.get(n).contains(label(reason))) {
        problems.add(n.name + " exited " + label(reason) + ", allowed only " + allowed.get(n));
      }
      if (must.contains(n) && reason == null) {
        problems.add(n.name + " should have ended before close");
      }
    }
    for (Node s : t.nodes) {
      if (s.kind.emits()) {
        checkConservation(s, problems);
      }
    }
  }

  static void checkConservation(Node s, List<String> problems) {
    List<Long> emitted = new ArrayList<>(s.emitted);
    Map<Long, Integer> index = new HashMap<>();
    for (int i = 0; i < emitted.size(); i++) {
      if (index.put(emitted.get(i), i) != null) {
        problems.add(s.name + " emitted " + emitted.get(i) + " twice (test bug)");
      }
    }
    Set<Long> seenAcross = new HashSet<>();
    long total = 0;
    StageStats st = s.stage.stats();
    // Every discard is counted and reported once; a normal exit's leftovers only on a normal exit.
    if (st.discarded() != s.reportedDiscards.get()) {
      problems.add(
          s.name
              + ": discarded "
              + st.discarded()
              + " but its listener heard of "
              + s.reportedDiscards.get());
    }
    if (s.exitDiscards.get() > 0
        && !(s.stage.exitReason().orElse(null) instanceof ExitReason.Normal)) {
      problems.add(
          s.name
              + ": reported "
              + s.exitDiscards
              + " left at a normal exit, exited "
              + s.stage.exitReason());
    }
    // Ended normally (done(), or at once when a PERMANENT upstream ended: then what it still held
    // is counted as discarded) and every consumer saw that end: exact accounting.
    boolean clean =
        s.exitBeforeClose instanceof ExitReason.Normal
            && s.stage.exitReason().orElse(null) instanceof ExitReason.Normal;
    for (Edge e : s.downs) {
      List<Long> got = new ArrayList<>(e.received);
      total += got.size();
      int last = -1;
      for (long ev : got) {
        Integer i = index.get(ev);
        if (i == null) {
          problems.add(e + ": received " + ev + " that " + s.name + " never emitted");
          continue;
        }
        // A supervisor's children record their events concurrently: no order to check there.
        if (i <= last && e.down.kind != Kind.SUPERVISOR) {
          problems.add(
              e
                  + ": received "
                  + ev
                  + " (emitted #"
                  + i
                  + ") after #"
                  + last
                  + ": out of order or twice; received "
                  + got.size()
                  + " of "
                  + emitted.size());
        }
        last = i;
        switch (s.disp) {
          case DEMAND, SHUFFLED_DEMAND, FAIR -> {
            if (!seenAcross.add(ev)) {
              problems.add(e + ": " + ev + " also went to another subscription");
            }
          }
          case BROADCAST -> {
            if (!e.accepts(ev)) {
              problems.add(e + ": " + ev + " rejected by the selector");
            }
          }
          case PARTITION -> {
            int p = partitionOf(s, ev);
            if (p != e.partition) {
              problems.add(e + ": " + ev + " hashed to " + p);
            }
          }
        }
      }
      if (!(e.cancelled instanceof ExitReason.Normal)) {
        clean = false;
      }
      if (e.down.kind == Kind.SUPERVISOR) {
        clean = false;
      }
    }
    if (!clean) {
      return;
    }
    // Finished with every consumer there to the end: exact accounting. A producer-consumer's
    // unhandled input was emitted by its producers, not by it.
    long discarded = st.discarded() - s.inputDiscards.get();
    if (st.eventsOut() != total) {
      problems.add(s.name + ": eventsOut " + st.eventsOut() + " but subscribers received " + total);
    }
    switch (s.disp) {
      case DEMAND, SHUFFLED_DEMAND, FAIR, PARTITION -> {
        long dropped = 0;
        if (s.disp == Disp.PARTITION) {
          for (long ev : emitted) {
            if (partitionOf(s, ev) == Dispatchers.DROP) {
              dropped++;
            }
          }
          // An event the buffer discarded never met the hash.
          if (st.dropped() > dropped || dropped - st.dropped() > discarded) {
            problems.add(s.name + ": dropped " + st.dropped() + ", the hash dropped " + dropped);
          }
        }
        if (total + discarded + st.dropped() != emitted.size()) {
          problems.add(
              s.name
                  + ": emitted "
                  + emitted.size()
                  + " but subscribers received "
                  + total
                  + ", discarded "
                  + discarded
                  + ", dropped "
                  + st.dropped());
        }
      }
      case BROADCAST -> {
        for (Edge e : s.downs) {
          List<Long> got = new ArrayList<>(e.received);
          int from = got.isEmpty() ? emitted.size() : index.get(got.get(0));
          long expected = 0;
          for (int i = from; i < emitted.size(); i++) {
            if (e.accepts(emitted.get(i))) {
              expected++;
            }
          }
          if (expected - got.size() > discarded || expected < got.size()) {
            problems.add(
                e
                    + ": received "
                    + got.size()
                    + " of the "
                    + expected
                    + " accepted events from its first on; discarded "
                    + discarded);
          }
        }
      }
    }
  }
}
