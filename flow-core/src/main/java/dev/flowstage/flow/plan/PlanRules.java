package dev.flowstage.flow.plan;

import dev.flowstage.flow.Options;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.internal.Describe;
import dev.flowstage.flow.internal.FlowPublisher;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Source;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.BaseStream;

/**
 * Every rule on the shape of a plan, in one place: {@code Flow} calls these before it adds an
 * operation or a layer, and the engines call {@link #runnable} before they materialize a plan.
 * Anything these accept runs; anything they reject fails with a message saying what to do instead.
 * The composition table in docs/guides/flow.md is what they allow (FlowCompositionTest runs every
 * cell of it).
 */
public final class PlanRules {
  private PlanRules() {}

  /**
   * Checks that {@code mapBatch} may be added: only at the start of a layer, before any other
   * operation, since it sees the batches the layer's stages are delivered.
   *
   * @param p the plan so far
   * @throws IllegalArgumentException otherwise
   */
  public static void mapBatch(Plan p) {
    for (Operation op : p.operations()) {
      if (!(op instanceof Operation.MapBatch)) {
        throw new IllegalArgumentException(
            "mapBatch(...) must come first in its layer, before any map or reduce: move it up or"
                + " call partition() before it");
      }
    }
  }

  /**
   * Checks that a reduce ({@code reduce}, {@code groupBy}, {@code emitAndReduce}) may be added: one
   * per layer, as in Elixir (the stage reduces its own events; a second reduce of the same stage's
   * output is a new layer).
   *
   * @param p the plan so far
   * @param what the operation, for the message
   * @throws IllegalArgumentException otherwise
   */
  public static void reduce(Plan p, String what) {
    if (reduces(p)) {
      throw new IllegalArgumentException(
          what
              + "(...) cannot follow another reduce/groupBy/emitAndReduce in the same layer: call"
              + " partition() or shuffle() between them, or use onTrigger(...)");
    }
  }

  /**
   * Returns whether the plan's last layer already reduces.
   *
   * @param p the plan
   * @return true if an operation of the layer reduces
   */
  public static boolean reduces(Plan p) {
    return p.operations().stream().anyMatch(Operation::reduces);
  }

  /**
   * Checks that {@code onTrigger} may be added: directly after the layer's reduce, once.
   *
   * @param p the plan so far
   * @throws IllegalArgumentException otherwise
   */
  public static void onTrigger(Plan p) {
    boolean reduce = false;
    boolean onTrigger = false;
    boolean after = false;
    for (Operation op : p.operations()) {
      if (op.reduces()) {
        reduce = true;
      } else if (op instanceof Operation.OnTrigger) {
        onTrigger = true;
      } else if (reduce) {
        after = true;
      }
    }
    if (!reduce) {
      throw new IllegalArgumentException(
          "onTrigger(...) must follow reduce/groupBy/emitAndReduce: it works on the accumulated"
              + " state");
    }
    if (onTrigger) {
      throw new IllegalArgumentException(
          "onTrigger(...) can be called once per reduce; put both steps in one function");
    }
    if (after) {
      throw new IllegalArgumentException(
          "onTrigger(...) must directly follow reduce/groupBy: move the map/filter after it");
    }
  }

  /**
   * Checks that options of a layer that does not route by key set no key or hash.
   *
   * @param o the options
   * @param what the operation, for the message
   * @throws IllegalArgumentException otherwise
   */
  public static void noRouting(Options o, String what) {
    if (o.key() != null || o.hash() != null) {
      throw new IllegalArgumentException(
          "key(...)/hash(...) route events of partition(...) and merge(...); "
              + what
              + " does not route by key: remove them from its options, or use"
              + " partition(o -> o.key(...)) to route by key");
    }
  }

  /**
   * Checks the options of a keyed aggregation ({@code countBy}, {@code reduceByKey}, {@code
   * aggregateByKey}): it routes by its own key, so the options set no key or hash.
   *
   * @param o the options of the aggregation's layer
   * @param what the operation, for the message
   * @throws IllegalArgumentException for a key or hash
   */
  public static void keyed(Options o, String what) {
    if (o.key() != null || o.hash() != null) {
      throw new IllegalArgumentException(
          what
              + "(key, ...) routes each event by its key, so its options cannot set key(...) or"
              + " hash(...): change the key function instead, or use partition(o -> o.hash(...))"
              + " followed by reduce(init, reducer, combiner)");
    }
  }

  /**
   * Checks that a side of a zip has a defined order: one source (or one stage: a zip or a
   * departition) followed only by per-event operations.
   *
   * @param p the side
   * @param side "left" or "right", for the message
   * @throws IllegalArgumentException otherwise
   */
  public static void zipSide(Plan p, String side) {
    boolean single =
        switch (p.source()) {
          case Source.Enumerables e -> e.enumerables().size() == 1;
          case Source.Files f -> f.paths().size() == 1;
          case Source.Zip z -> true;
          case Source.Departition d -> true;
          default -> false;
        };
    boolean stateless =
        p.operations().stream().noneMatch(op -> op.reduces() || op instanceof Operation.OnTrigger);
    if (!single || !stateless) {
      throw new IllegalArgumentException(
          "zip pairs events by position, which needs a defined order: the "
              + side
              + " side must be a single source (fromEnumerable of one source, or fromFiles of one"
              + " file), a zip or a departition, followed only by"
              + " map/flatMap/filter/reject/each/uniq/mapBatch, without partition/shuffle/merge/reduce;"
              + " got: "
              + Describe.plan(p).replace('\n', ' ')
              + ". Zip the sides before partitioning, or reduce after the zip");
    }
  }

  /**
   * Checks a bounded join's options and bound.
   *
   * @param o the join layer's options
   * @param maxHeld the most events one join stage may hold
   * @throws IllegalArgumentException for a bound below 1, a key or hash, or a window
   */
  public static void boundedJoin(Options o, long maxHeld) {
    join(o, maxHeld, "boundedJoin");
  }

  /**
   * Checks the options and bound of a join, naming it: {@code boundedJoin} or {@code windowJoin}.
   *
   * @param o the join layer's options
   * @param maxHeld the most events one join stage may hold
   * @param what the join, for the message
   * @throws IllegalArgumentException for a bound below 1, a key or hash, or a window
   */
  public static void join(Options o, long maxHeld, String what) {
    if (maxHeld < 1) {
      throw new IllegalArgumentException(
          what
              + " maxHeld must be at least 1 event per join stage, got: "
              + maxHeld
              + "; give the most events one join stage may hold");
    }
    noRouting(o, what);
    if (!(o.window() instanceof Window.Global)) {
      throw new IllegalArgumentException(
          what
              + (what.equals("windowJoin")
                  ? " joins per the window it is given"
                  : " joins over the whole input")
              + ": a "
              + o.window().kind()
              + " window in its options would only cut a reduce after the join; call"
              + " partition(o -> o.window(...)) after "
              + what
              + " and reduce there");
    }
  }

  /**
   * Checks the window of a {@code windowJoin}: a fixed window of event time without triggers or
   * lateness (its closing is what emits the outer rows and frees the window's events).
   *
   * @param window the window
   * @throws IllegalArgumentException otherwise
   */
  public static void windowJoin(Window window) {
    if (!(window instanceof Window.Fixed f)) {
      throw new IllegalArgumentException(
          "windowJoin joins per fixed window of event time, got a "
              + window.kind()
              + " window; use boundedJoin for the whole input");
    }
    Window.Triggers t = f.triggers();
    if (t.every() > 0 || !t.periodicallyMillis().isEmpty() || t.function() != null) {
      throw new IllegalArgumentException(
          "windowJoin emits pairs at once and outer rows when a window closes: its window takes no"
              + " triggers; remove them");
    }
    if (f.allowedLatenessMillis() > 0) {
      throw new IllegalArgumentException(
          "windowJoin closes a window when every input has moved past it; allowed lateness is not"
              + " supported: remove it");
    }
  }

  /**
   * Checks that the inputs of a merge, zip or join do not read one single-use source ({@code
   * fromEnumerable} of a {@code Stream} or an {@code Iterator}) twice, as a merge of a flow with
   * one derived from it would: such a source can be read by one producer only, so the plan could
   * not run.
   *
   * @param inputs the plans combined
   * @param what the operation, for the message
   * @throws IllegalArgumentException if a single-use source occurs more than once
   */
  public static void singleUseOnce(List<Plan> inputs, String what) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Plan p : inputs) {
      singleUseOnce(p, seen, what);
    }
  }

  /**
   * Returns the sources a run of {@code p} consumes, which a second run cannot read again: the
   * {@code Stream}s and {@code Iterator}s of its {@code fromEnumerable} sources, including those of
   * another flow whose {@code toPublisher()} it reads.
   *
   * @param p the plan
   * @return the single-use sources, each once
   */
  public static List<Object> readOnce(Plan p) {
    Set<Object> found = Collections.newSetFromMap(new IdentityHashMap<>());
    readOnce(p, found);
    return List.copyOf(found);
  }

  /**
   * Returns the running stages {@code p} routes through ({@code through(stage)}), including those
   * of another flow whose {@code toPublisher()} it reads: a run needs them alive.
   *
   * @param p the plan
   * @return the stage handles, each once
   */
  public static List<Object> throughStages(Plan p) {
    Set<Object> found = Collections.newSetFromMap(new IdentityHashMap<>());
    throughStages(p, found);
    return List.copyOf(found);
  }

  /** The layers a plan's source reads: the walks below recurse through these. */
  private static List<Plan> upstreams(Plan p) {
    return switch (p.source()) {
      case Source.Layer l -> l.upstream();
      case Source.Departition d -> List.of(d.upstream());
      case Source.Through t -> List.of(t.upstream());
      case Source.Zip z -> List.of(z.left(), z.right());
      case Source.Join j -> List.of(j.left(), j.right());
      default -> List.of(); // enumerables, stages and files read no layer
    };
  }

  private static void throughStages(Plan p, Set<Object> found) {
    if (p.source() instanceof Source.Through t) {
      found.addAll(t.stages());
    } else if (p.source() instanceof Source.Enumerables e) {
      for (Object s : e.enumerables()) {
        if (s instanceof FlowPublisher<?> fp) {
          throughStages(fp.plan(), found);
        }
      }
    }
    upstreams(p).forEach(u -> throughStages(u, found));
  }

  private static void readOnce(Plan p, Set<Object> found) {
    if (p.source() instanceof Source.Enumerables e) {
      for (Object s : e.enumerables()) {
        if (s instanceof BaseStream<?, ?> || s instanceof Iterator<?>) {
          found.add(s);
        } else if (s instanceof FlowPublisher<?> fp) {
          readOnce(fp.plan(), found);
        }
      }
    }
    upstreams(p).forEach(u -> readOnce(u, found));
  }

  private static void singleUseOnce(Plan p, Set<Object> seen, String what) {
    if (p.source() instanceof Source.Enumerables e) {
      for (Object s : e.enumerables()) {
        String kind =
            s instanceof BaseStream<?, ?> ? "Stream" : s instanceof Iterator<?> ? "Iterator" : null;
        String source = "Flow.fromEnumerable(" + kind + ")";
        if (s instanceof FlowPublisher<?> fp && !readOnce(fp.plan()).isEmpty()) {
          // Each subscription runs that flow again, which cannot read its source twice.
          kind = "publisher";
          source = "Flow.fromPublisher(flow.toPublisher()) of a flow reading a Stream or Iterator";
        } else if (s instanceof FlowPublisher<?> fp && !throughStages(fp.plan()).isEmpty()) {
          // Nor route twice through a running stage, which ends with its first run's input.
          kind = "publisher";
          source =
              "Flow.fromPublisher(flow.toPublisher()) of a flow through a running stage, which"
                  + " ends with one run's input";
        }
        if (kind != null && !seen.add(s)) {
          throw new IllegalArgumentException(
              what
                  + " reads the same "
                  + kind
                  + " ("
                  + source
                  + ") more than once, but it can be consumed once: read from a List (or"
                  + " another Iterable) to use a source in several branches of one flow");
        }
      }
    } // stages and files are read afresh by each producer
    upstreams(p).forEach(u -> singleUseOnce(u, seen, what));
  }

  /**
   * Checks that {@code what} may take these plans as its upstream: it closes their last layers
   * (nothing can be added to them any more), so a window on one that does not reduce, which {@link
   * #runnable} would reject only at the terminal, is rejected now, where the plan is built.
   *
   * @param upstream the plans whose last layers {@code what} closes
   * @param what the closing operation (partition, shuffle, merge, departition, countBy, ...)
   * @throws IllegalArgumentException for a window on a closed layer that does not reduce
   */
  public static void closes(List<Plan> upstream, String what) {
    for (Plan p : upstream) {
      if (windowWithoutReduce(p)) {
        throw new IllegalArgumentException(
            "a "
                + p.options().window().kind()
                + " window was set on a layer that does not reduce, and "
                + what
                + "(...) closes that layer: add reduce/groupBy/emitAndReduce (or uniq, per window)"
                + " before "
                + what
                + ", or remove the window");
      }
    }
  }

  private static boolean windowWithoutReduce(Plan p) {
    boolean uniq = p.operations().stream().anyMatch(op -> op instanceof Operation.Uniq);
    return !(p.options().window() instanceof Window.Global) && !reduces(p) && !uniq;
  }

  /**
   * Checks what only a whole layer shows, before an engine materializes it: a window needs a reduce
   * in its layer to cut.
   *
   * @param p a layer
   * @throws IllegalArgumentException for a window on a layer that does not reduce
   */
  public static void runnable(Plan p) {
    if (windowWithoutReduce(p)) {
      throw new IllegalArgumentException(
          "a "
              + p.options().window().kind()
              + " window was set on a layer that does not reduce: add reduce/groupBy/emitAndReduce"
              + " (or uniq, per window) after it, or remove the window");
    }
  }
}
