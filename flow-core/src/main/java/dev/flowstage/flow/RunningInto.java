package dev.flowstage.flow;

import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.Stage;

/**
 * A flow running into consumer stages of the caller's ({@link Flow#into}): a {@link RunningFlow}
 * that more consumers can join while it runs, and whose sources can be started holding their demand
 * until they are released. Elixir: the coordinator {@code Flow.into_stages} returns, which can be
 * subscribed to and told {@code GenStage.demand(coordinator, :forward)}.
 *
 * <p>Its {@link #await()} waits for a held flow to be released and to finish: call {@link
 * #release()} first, or from another thread. {@link #cancel()} (and {@link #close()}) end a held
 * flow as any other, without releasing it: every stage of the run stops and its thread exits, and
 * the sources never emit.
 */
public interface RunningInto extends RunningFlow<Void> {
  /**
   * Subscribes one more running consumer stage to every stage of the flow's last layer, as {@link
   * Flow#into} subscribes its consumers: with {@code CancelMode.TRANSIENT} and the last layer's
   * {@code maxDemand} and {@code minDemand}. It receives a share of what the last layer emits from
   * now on (each event goes to one consumer, as with the consumers given to {@code into}); on a
   * flow started holding its demand and not yet released, that is every event the others do not
   * take. The run then counts it among its consumers: the flow is stopped only once every one of
   * them has exited. Elixir: subscribing to the coordinator, which re-subscribes the subscriber to
   * every last-layer stage (there is no subscription to the coordinator here to cancel).
   *
   * <p>A stage of the last layer that finishes while this subscribes is skipped: it has nothing
   * more to emit. Returns once the consumer is subscribed to every other stage of the last layer.
   *
   * @param consumer a running consumer or producer-consumer (e.g. {@code StageSystem.startConsumer}
   *     or a {@code ConsumerSupervisor}'s {@code stage()})
   * @throws IllegalArgumentException if it is null or a producer ({@link Stage#kind()}), which
   *     cannot subscribe
   * @throws dev.flowstage.stage.StageNotAliveException if the consumer has exited
   * @throws IllegalStateException if the flow has ended (finished, failed, cancelled, or every
   *     consumer it fed has exited): nothing is left to subscribe to, and the consumer is left as
   *     it was
   */
  void subscribe(Stage<?> consumer);

  /**
   * Lets the sources of a flow started holding its demand ({@link Flow#into(java.util.List,
   * DemandMode)} with {@link DemandMode#ACCUMULATE}) emit: the demand the consumers have asked for
   * meanwhile reaches them, so every consumer subscribed before this call is in place for the first
   * event. Elixir: {@code GenStage.demand(coordinator, :forward)}. Once released, a flow is not
   * held again. Does nothing on a flow started forwarding its demand, on one already released, and
   * on one that has ended.
   */
  void release();
}
