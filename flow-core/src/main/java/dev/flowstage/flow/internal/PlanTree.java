package dev.flowstage.flow.internal;

import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Source;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Rewrites of a plan's tree of layers: one walk over the sources that hold upstream plans, for the
 * engine's rewrites of a plan before it runs ({@link TestHooks}, {@link FusedWordCount}).
 */
final class PlanTree {
  private PlanTree() {}

  /**
   * Returns {@code source} with each upstream plan replaced by {@code f} of it, called in plan
   * order (a layer's upstream in order, a zip's or join's left then right); {@code source} itself
   * when {@code f} changed none.
   *
   * @param source a layer's source
   * @param f the rewrite of one upstream plan
   * @return the rewritten source
   */
  static Source withUpstream(Source source, UnaryOperator<Plan> f) {
    return switch (source) {
      case Source.Layer l -> {
        List<Plan> ups = new ArrayList<>();
        boolean changed = false;
        for (Plan up : l.upstream()) {
          Plan u = f.apply(up);
          changed |= u != up;
          ups.add(u);
        }
        yield changed ? new Source.Layer(ups, l.routing()) : l;
      }
      case Source.Departition d -> {
        Plan up = f.apply(d.upstream());
        yield up == d.upstream() ? d : new Source.Departition(up, d.init(), d.merge(), d.done());
      }
      case Source.Through t -> {
        Plan up = f.apply(t.upstream());
        yield up == t.upstream() ? t : new Source.Through(up, t.stages());
      }
      case Source.Zip z -> {
        Plan left = f.apply(z.left());
        Plan right = f.apply(z.right());
        yield left == z.left() && right == z.right()
            ? z
            : new Source.Zip(left, right, z.combiner());
      }
      case Source.Join j -> {
        Plan left = f.apply(j.left());
        Plan right = f.apply(j.right());
        yield left == j.left() && right == j.right()
            ? j
            : new Source.Join(
                j.mode(),
                left,
                right,
                j.leftKey(),
                j.rightKey(),
                j.join(),
                j.maxHeld(),
                j.window());
      }
      default -> source;
    };
  }
}
