package dev.flowstage.stage.internal;

import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.SubscriptionOptions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** The messages stages exchange: the GenStage protocol as records (reference A2). */
sealed interface Message {
  /**
   * Producer to consumer: a non-empty batch of events on a subscription (one message per batch).
   */
  record Events(StageSubscription sub, List<?> events) implements Message {}

  /** Consumer to producer: {@code n} more events on a subscription. */
  record Ask(StageSubscription sub, long n) implements Message {}

  /** Consumer to producer: start a subscription; the producer completes {@code sub.accepted}. */
  record Subscribe(StageSubscription sub) implements Message {}

  /** Anyone to producer: cancel a subscription; the producer confirms with {@link Cancelled}. */
  record Cancel(StageSubscription sub, ExitReason reason) implements Message {}

  /** Producer to consumer: the subscription ended (confirmation or producer-initiated). */
  record Cancelled(StageSubscription sub, ExitReason reason) implements Message {}

  /**
   * Producer to consumer: the producer refused the subscription (e.g. its dispatcher rejected the
   * options). Like bad options in GenStage, it never stops the consumer.
   */
  record Refused(StageSubscription sub, ExitReason reason) implements Message {}

  /**
   * Outside to consumer: subscribe to {@code producer} and complete {@code result}; {@code awaited}
   * when a caller waits for it ({@code subscribeTo}, not {@code asyncSubscribeTo}), so a failure
   * thrown to it is received.
   */
  record SubscribeRequest(
      StageCell<?> producer,
      SubscriptionOptions options,
      CompletableFuture<dev.flowstage.stage.Subscription> result,
      boolean awaited)
      implements Message {}

  /** To a watcher: a watched stage exited. */
  record Down(StageCell<?> stage, ExitReason reason) implements Message {}

  /** A call; the stage completes {@code reply}. */
  record Call(Object request, CompletableFuture<Object> reply) implements Message {}

  /** A cast. */
  record Cast(Object message) implements Message {}

  /** A plain info for handleInfo. */
  record Info(Object message) implements Message {}

  /** An ordered info (sync/async info); {@code queued} is completed once queued, may be null. */
  record OrderedInfo(Object message, CompletableFuture<Void> queued) implements Message {}

  /** Producer to consumer: an ordered info reached this subscription after its events. */
  record ProducerInfoMessage(StageSubscription sub, Object message) implements Message {}

  /** Outside to stage: change the demand mode. */
  record SetDemandMode(DemandMode mode) implements Message {}

  /** Anyone to stage: stop with {@code reason} once the messages before this one are handled. */
  record Stop(ExitReason reason) implements Message {}

  /** Outside to stage: read something from the stage's state on its thread. */
  record Query(Function<StageCell<?>, Object> read, CompletableFuture<Object> reply)
      implements Message {}
}
