package dev.flowstage.flow.testing;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Options;
import dev.flowstage.flow.internal.TestHooks;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Test hook for the flow-test kit ({@code dev.flowstage.test}): runs a body in which every flow
 * started on the calling thread is perturbed, so a user's pipeline is checked under stage counts,
 * demand bounds and partition mappings it did not choose. Not for production code: exported only to
 * {@code dev.flowstage.test}; outside a {@link #with} body flows run exactly as planned.
 */
public final class FlowTestHook {
  private FlowTestHook() {}

  /** How the flows started inside {@link #with} are perturbed. */
  public interface Perturbation {
    /**
     * The options layer {@code index} runs with instead of its declared ones. Layers are numbered
     * in plan order: sources first, then each downstream layer (0 is the first source). Layers that
     * route with a user {@code hash(...)} keep their stage count whatever this returns.
     *
     * @param index the layer number
     * @param declared the options the pipeline declared
     * @return the options to run with
     */
    Options layer(int index, Options declared);

    /**
     * The key a partition routes by, in place of the declared key {@code key} (the whole event when
     * no key was given). Equal keys must give equal results (grouping stays); the result's {@code
     * hashCode} picks the partition. Called on the upstream stage for every routed event, so it may
     * also yield to perturb arrival order.
     *
     * @param key the declared key of an event
     * @return the key to hash
     */
    Object routeKey(Object key);
  }

  /**
   * Runs {@code body} with flows started on this thread perturbed by {@code perturbation}.
   *
   * @param perturbation the perturbation
   * @param body the body, which starts flows
   * @param <X> the body's result type
   * @return the body's result
   */
  public static <X> X with(Perturbation perturbation, Supplier<X> body) {
    return TestHooks.with(Objects.requireNonNull(perturbation, "perturbation"), body);
  }

  /**
   * The number of layers of a flow, as {@link Perturbation#layer} numbers them.
   *
   * @param flow the flow
   * @return the layer count, at least 1
   */
  public static int layers(Flow<?> flow) {
    return TestHooks.layers(flow.plan());
  }
}
