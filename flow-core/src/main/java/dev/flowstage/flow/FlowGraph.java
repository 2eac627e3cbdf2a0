package dev.flowstage.flow;

import java.util.List;

/**
 * The stage graph a flow runs: one node per group of identical stages (a source's producers, a
 * layer's stages), one edge per subscription pattern between groups. Rendered as text, Mermaid or
 * DOT.
 *
 * @param nodes the stage groups, upstream first
 * @param edges the subscriptions between groups
 */
public record FlowGraph(List<Node> nodes, List<Edge> edges) {
  /** Copies the lists. */
  public FlowGraph {
    nodes = List.copyOf(nodes);
    edges = List.copyOf(edges);
  }

  /**
   * A group of stages.
   *
   * @param id a stable id ({@code g0}, {@code g1}...), also the prefix of its stages' names
   * @param kind what the stages are: {@code enumerable}, {@code file}, {@code stage}, {@code
   *     map-reduce}, {@code zip}, {@code join}, {@code departition}; in a running flow's graph, its
   *     consumer of the last layer: {@code terminal} (what the caller reads) or {@code into} (the
   *     consumers {@code intoConsumers} started)
   * @param stages how many stages
   * @param operations the operations its stages run, comma-separated (may be empty)
   */
  public record Node(String id, String kind, int stages, String operations) {
    /**
     * Returns a one-line label: kind, count and operations.
     *
     * @return the label
     */
    public String label() {
      return kind + " x" + stages + (operations.isEmpty() ? "" : ": " + operations);
    }
  }

  /**
   * Every stage of {@code to} subscribes to every stage of {@code from}.
   *
   * @param from the upstream group's id
   * @param to the downstream group's id
   * @param dispatcher how {@code from} routes events: {@code demand} or {@code partition}
   */
  public record Edge(String from, String to, String dispatcher) {}

  /**
   * Renders the graph as plain text, one line per edge (or node without edges).
   *
   * @return the text
   */
  public String toText() {
    StringBuilder sb = new StringBuilder();
    for (Node n : nodes) {
      sb.append(n.id()).append(": ").append(n.label()).append('\n');
    }
    for (Edge e : edges) {
      sb.append(e.from())
          .append(" -[")
          .append(e.dispatcher())
          .append("]-> ")
          .append(e.to())
          .append('\n');
    }
    return sb.toString();
  }

  /**
   * Renders the graph as a Mermaid flowchart.
   *
   * @return the Mermaid source
   */
  public String toMermaid() {
    StringBuilder sb = new StringBuilder("flowchart LR\n");
    for (Node n : nodes) {
      sb.append("  ").append(n.id()).append("[\"").append(escape(n.label())).append("\"]\n");
    }
    for (Edge e : edges) {
      sb.append("  ")
          .append(e.from())
          .append(" -->|")
          .append(e.dispatcher())
          .append("| ")
          .append(e.to())
          .append('\n');
    }
    return sb.toString();
  }

  /**
   * Renders the graph in Graphviz DOT.
   *
   * @return the DOT source
   */
  public String toDot() {
    StringBuilder sb = new StringBuilder("digraph flow {\n  rankdir=LR;\n");
    for (Node n : nodes) {
      sb.append("  ")
          .append(n.id())
          .append(" [shape=box, label=\"")
          .append(escape(n.label()))
          .append("\"];\n");
    }
    for (Edge e : edges) {
      sb.append("  ")
          .append(e.from())
          .append(" -> ")
          .append(e.to())
          .append(" [label=\"")
          .append(e.dispatcher())
          .append("\"];\n");
    }
    return sb.append("}\n").toString();
  }

  private static String escape(String s) {
    return s.replace("\"", "'");
  }
}
