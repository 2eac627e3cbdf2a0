package dev.flowstage.flow.internal;

import dev.flowstage.flow.FlowClock;
import dev.flowstage.flow.plan.Plan;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.internal.SubscriberConsumer;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A flow as a {@link Flow.Publisher}: cold, each subscriber runs the plan anew, into flow-stages'
 * subscriber bridge ({@link SubscriberConsumer}, the one implementation of the subscriber rules
 * that {@code Publishers.of} uses too). Each subscription starts the bridge in a stage system of
 * its own (its {@code init} signals {@code onSubscribe}), runs the flow into it ({@link
 * RunCoordinator#startFeeding}) and tells it how the run ended, which it signals: {@code onError}
 * with the {@code FlowException} a terminal would throw, or {@code onComplete} once the subscriber
 * has taken every event. The bridge's own system is why the run's close (which stops its stages
 * when one fails) leaves it alive to say so. A subscriber that cancels, throws or asks wrongly ends
 * the bridge, and the run is cancelled with it.
 *
 * <p>One virtual thread per subscription waits for the run and then for the bridge, and closes the
 * bridge's system: after the subscriber's terminal signal or cancel, no thread of it is left.
 *
 * @param <T> the event type
 */
public final class FlowPublisher<T> implements Flow.Publisher<T> {
  private static final AtomicLong SUBSCRIPTIONS = new AtomicLong();

  private final Plan plan;
  private final FlowClock clock;

  /**
   * Creates the publisher of a plan; each subscription runs it on {@code clock}.
   *
   * @param plan the flow's plan
   * @param clock the flow's processing-time clock ({@code Flow.withClock})
   */
  public FlowPublisher(Plan plan, FlowClock clock) {
    this.plan = Objects.requireNonNull(plan, "plan");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Returns the plan each subscription runs: a flow reading this publisher sees through it to the
   * sources it reads once ({@code PlanRules.readOnce}).
   *
   * @return the plan
   */
  public Plan plan() {
    return plan;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber"); // rule 1.9
    // Only the bridge holds the subscriber, and drops it on a cancel (rule 3.13).
    SubscriberConsumer<T> bridge = SubscriberConsumer.forRun(subscriber);
    // Starting a run can take a while (listing files): not on the subscriber's thread.
    Thread.ofVirtual().name("flow-publisher").start(() -> feed(bridge));
  }

  private void feed(SubscriberConsumer<T> bridge) {
    try (StageSystem system =
        new StageSystem("flow-publisher-" + SUBSCRIPTIONS.incrementAndGet())) {
      Stage<Void> stage;
      try {
        stage = system.startConsumer(bridge);
      } catch (RuntimeException e) {
        bridge.refuse(e);
        return;
      }
      Throwable outcome = null;
      try {
        RunCoordinator.startFeeding(plan, stage, clock).awaitLastLayer().await();
      } catch (RuntimeException e) {
        // The run's FlowException, a plan that cannot start, or the cancel the bridge's exit made
        // (the bridge is gone then, and end() does nothing).
        outcome = e;
      }
      bridge.end(outcome);
      stage.onExit().toCompletableFuture().join(); // the subscriber has what it asked for, or left
    }
  }
}
