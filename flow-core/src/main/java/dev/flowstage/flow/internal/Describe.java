package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.Window;
import dev.flowstage.flow.logic.words.WordCountPlan;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Operation;
import dev.flowstage.flow.plan.Plan.Routing;
import dev.flowstage.flow.plan.Plan.Source;
import java.io.UncheckedIOException;

/** Renders plans as text and stage graphs for {@code Flow.describe()} and {@code Flow.graph()}. */
public final class Describe {
  private Describe() {}

  /**
   * Describes a plan: one line per layer (upstream layers indented below) and per operation.
   *
   * @param plan the last layer
   * @return the text
   */
  public static String plan(Plan plan) {
    StringBuilder sb = new StringBuilder();
    layer(plan, 0, sb);
    return sb.toString().stripTrailing();
  }

  /**
   * Returns the stage graph of a plan.
   *
   * @param plan the last layer
   * @return the graph
   * @throws dev.flowstage.flow.FlowException for the {@code fromFiles} stage if a file source's
   *     files cannot be listed or read, as every terminal throws it
   */
  public static FlowGraph graph(Plan plan) {
    try {
      return Topology.of(plan).graph();
    } catch (UncheckedIOException e) {
      // The graph lists a file source's files as a run does (which plan runs depends on them):
      // one that cannot be read is told as every terminal tells it.
      throw RunCoordinator.fileFailed(e);
    }
  }

  private static void layer(Plan p, int depth, StringBuilder sb) {
    String pad = "  ".repeat(depth);
    Options o = p.options();
    sb.append(pad).append(source(p.source())).append(" stages=").append(o.stages());
    sb.append(" demand=").append(o.effectiveMinDemand()).append("..").append(o.maxDemand());
    if (!(o.window() instanceof Window.Global)) {
      sb.append(" window=").append(o.window().kind());
    }
    sb.append('\n');
    for (Operation op : p.operations()) {
      sb.append(pad).append("  .").append(name(op)).append('\n');
    }
    switch (p.source()) {
      case Source.Layer l -> l.upstream().forEach(u -> layer(u, depth + 1, sb));
      case Source.Departition d -> layer(d.upstream(), depth + 1, sb);
      case Source.Through t -> layer(t.upstream(), depth + 1, sb);
      case Source.Zip z -> {
        layer(z.left(), depth + 1, sb);
        layer(z.right(), depth + 1, sb);
      }
      case Source.Join j -> {
        layer(j.left(), depth + 1, sb);
        layer(j.right(), depth + 1, sb);
      }
      default -> {}
    }
  }

  private static String source(Source s) {
    return switch (s) {
      case Source.Enumerables e
          when e.enumerables().size() == 1
              && e.enumerables().get(0) instanceof java.util.concurrent.Flow.Publisher<?> ->
          "fromPublisher";
      case Source.Enumerables e
          when e.enumerables().stream()
              .allMatch(x -> x instanceof dev.flowstage.flow.plan.ProducerFactory) ->
          "fromProducers(" + e.enumerables().size() + ")";
      case Source.Enumerables e -> "fromEnumerables(" + e.enumerables().size() + ")";
      case Source.Stages st -> "fromStages(" + st.producers().size() + ")";
      case Source.Files f -> "fromFiles(" + String.join(", ", f.paths()) + ")";
      case Source.Layer l ->
          switch (l.routing()) {
            case Routing.Partition p ->
                (l.upstream().size() > 1 ? "merge(" + l.upstream().size() + ")" : "partition")
                    + (p.hash() != null ? "(hash)" : p.key() != null ? "(key)" : "");
            case Routing.Shuffle sh -> "shuffle";
          };
      case Source.Departition d -> "departition";
      case Source.Through t -> "through(" + t.stages().size() + ")";
      case Source.Zip z -> "zip";
      case Source.Join j ->
          (j.window() instanceof Window.Global
                  ? "boundedJoin("
                  : "windowJoin(" + j.window().kind() + ", ")
              + j.mode()
              + ", maxHeld="
              + j.maxHeld()
              + ")";
    };
  }

  static String name(Operation op) {
    if (WordCountPlan.reads(op)) {
      return "fused word count: read words as bytes";
    }
    if (WordCountPlan.counts(op)) {
      return "fused word count: add shards";
    }
    return switch (op) {
      case Operation.MapBatch b -> "mapBatch";
      case Operation.Map m -> "map";
      case Operation.FlatMap f -> "flatMap";
      case Operation.Filter f -> "filter";
      case Operation.Reject r -> "reject";
      case Operation.Each e -> "each";
      case Operation.Uniq u -> "uniq";
      case Operation.Reduce r -> "reduce";
      case Operation.EmitAndReduce r -> "emitAndReduce";
      case Operation.OnTrigger t -> "onTrigger";
    };
  }
}
