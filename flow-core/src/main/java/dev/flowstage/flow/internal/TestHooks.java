package dev.flowstage.flow.internal;

import dev.flowstage.flow.Options;
import dev.flowstage.flow.SerializableFunction;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.flow.plan.Plan.Routing;
import dev.flowstage.flow.plan.Plan.Source;
import dev.flowstage.flow.testing.FlowTestHook.Perturbation;
import java.util.function.Supplier;

/**
 * The flow-test hook's side in the engine: {@link RunCoordinator} passes every plan through {@link
 * #apply} before building its topology; outside a {@link #with} body that is the identity. The
 * rewrite numbers layers in plan order (upstream first) and swaps options and partition keys, and
 * nothing else, so a perturbed run is still a run of the same plan.
 */
public final class TestHooks {
  private static final ThreadLocal<Perturbation> CURRENT = new ThreadLocal<>();

  private TestHooks() {}

  /**
   * Runs {@code body} with the perturbation set on this thread.
   *
   * @param p the perturbation
   * @param body the body
   * @param <X> the result type
   * @return the body's result
   */
  public static <X> X with(Perturbation p, Supplier<X> body) {
    Perturbation before = CURRENT.get();
    CURRENT.set(p);
    try {
      return body.get();
    } finally {
      if (before == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(before);
      }
    }
  }

  /**
   * The layer count of a plan, numbered as {@link #apply} numbers them.
   *
   * @param plan a flow's plan
   * @return the count
   */
  public static int layers(Object plan) {
    int[] next = {0};
    new Rewrite(null, next).plan((Plan) plan);
    return next[0];
  }

  /** The plan to run: {@code plan} itself unless a perturbation is set on this thread. */
  static Plan apply(Plan plan) {
    Perturbation p = CURRENT.get();
    return p == null ? plan : new Rewrite(p, new int[] {0}).plan(plan);
  }

  private record Rewrite(Perturbation p, int[] next) {
    Plan plan(Plan plan) {
      Source source = PlanTree.withUpstream(plan.source(), this::plan);
      if (source instanceof Source.Layer l) {
        source = new Source.Layer(l.upstream(), routing(l.routing()));
      }
      int index = next[0]++;
      if (p == null) {
        return plan;
      }
      Options declared = plan.options();
      Options o = p.layer(index, declared);
      boolean userHash =
          plan.source() instanceof Source.Layer l
              && l.routing() instanceof Routing.Partition part
              && part.hash() != null;
      if (userHash) {
        o = o.stages(declared.stages());
      }
      return new Plan(source, plan.operations(), o);
    }

    private Routing routing(Routing r) {
      if (p == null || !(r instanceof Routing.Partition part) || part.hash() != null) {
        return r;
      }
      Perturbation perturbation = p;
      SerializableFunction<Object, ?> key = part.key();
      SerializableFunction<Object, ?> routed =
          key == null ? e -> perturbation.routeKey(e) : e -> perturbation.routeKey(key.apply(e));
      return new Routing.Partition(routed, null);
    }
  }
}
