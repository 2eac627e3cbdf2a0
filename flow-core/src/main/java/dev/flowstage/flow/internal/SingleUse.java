package dev.flowstage.flow.internal;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.stream.BaseStream;

/**
 * Remembers which single-use sources ({@code Stream}, {@code Iterator}) a run has already taken, so
 * that a second terminal on a flow over one fails saying why, instead of with the JDK's bare
 * "stream has already been operated upon" or, for an iterator, silently reading nothing.
 *
 * <p>Weak keys: a source is forgotten once no flow refers to it. Streams and iterators compare by
 * identity.
 */
final class SingleUse {
  private static final Map<Object, Boolean> TAKEN =
      Collections.synchronizedMap(new WeakHashMap<>());

  private SingleUse() {}

  /**
   * Claims a source for one run.
   *
   * @param source an enumerable source
   * @throws IllegalStateException if it is a stream or iterator that an earlier run took
   */
  static void claim(Object source) {
    if (source instanceof FlowPublisher<?> fp) {
      // That flow runs, and claims its sources, when this run subscribes: one an earlier run
      // consumed is refused here, before this run starts, not in the stage that subscribes.
      for (Object once : dev.flowstage.flow.plan.PlanRules.readOnce(fp.plan())) {
        if (TAKEN.containsKey(once)) {
          throw new IllegalStateException(
              "this flow reads the publisher of another flow (Flow.fromPublisher(flow.toPublisher()))"
                  + " that reads a Stream or Iterator, which an earlier run consumed; build both"
                  + " flows again from a fresh source, or read from a List (or another Iterable)"
                  + " to run them more than once");
        }
      }
      for (Object st : dev.flowstage.flow.plan.PlanRules.throughStages(fp.plan())) {
        if (st instanceof dev.flowstage.stage.Stage<?> stage && !stage.isAlive()) {
          throw new IllegalStateException(
              "this flow reads the publisher of another flow (Flow.fromPublisher(flow.toPublisher()))"
                  + " that runs through stage "
                  + stage.name()
                  + ", which has exited (an earlier run ended it); start a new stage and build"
                  + " that flow again, or use throughProducerConsumers(...), whose stages each run"
                  + " makes");
        }
      }
      return;
    }
    String kind =
        source instanceof BaseStream<?, ?>
            ? "Stream"
            : source instanceof Iterator<?> ? "Iterator" : null;
    if (kind == null) {
      return; // an Iterable is read afresh by each run
    }
    if (TAKEN.putIfAbsent(source, Boolean.TRUE) != null) {
      throw new IllegalStateException(
          "this flow reads a "
              + kind
              + " (Flow.fromEnumerable("
              + kind
              + ")), which can be consumed once, and an earlier terminal already ran it; build"
              + " the flow again from a fresh "
              + kind
              + ", or read from a List (or another Iterable) to run it more than once");
    }
  }
}
