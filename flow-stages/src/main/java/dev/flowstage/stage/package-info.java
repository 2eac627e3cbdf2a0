/**
 * Stages that exchange events under demand: producers, consumers and producer-consumers, each on
 * its own virtual thread (GenStage for Java). Start them with {@link
 * dev.flowstage.stage.StageSystem}; the guide is {@code docs/guides/stages.md}.
 *
 * <h2>Protocol</h2>
 *
 * <ul>
 *   <li>Only consumers (and producer-consumers) subscribe; a subscription is a {@link
 *       dev.flowstage.stage.Subscription}, the same object on both sides.
 *   <li>A producer MUST NOT send a subscription more events than were asked on it; events MUST
 *       travel in batches, one message per non-empty batch, in emission order per subscription.
 *   <li>Demand is cumulative: two asks of 5 mean 10 outstanding. A producer that cannot serve
 *       demand now MUST remember it; nobody asks again for the same events.
 *   <li>An automatic consumer asks {@code maxDemand} on subscribing and re-asks {@code maxDemand -
 *       outstanding} after handling the chunk that brought outstanding demand to {@code minDemand}
 *       or below; each {@code handleEvents} call gets at most {@code maxDemand - minDemand} events
 *       of one subscription. A manual consumer asks by itself and receives batches whole.
 *   <li>A cancel MAY come from either side or any thread; the consumer learns of it after every
 *       event already sent to it, then its {@link dev.flowstage.stage.CancelMode} applies.
 *   <li>When a stage exits, each peer learns the {@link dev.flowstage.stage.ExitReason} (consumers
 *       through {@code handleCancel}, watchers through {@link dev.flowstage.stage.StageDown} and
 *       {@link dev.flowstage.stage.Stage#onExit()}); exits never propagate upstream.
 *   <li>An ordered info MUST be delivered after every event emitted before it, never before.
 *   <li>Sending to an exited stage MUST NOT block or throw; operations that need an answer fail
 *       with {@link dev.flowstage.stage.StageNotAliveException}.
 * </ul>
 *
 * <p>Every callback of a stage runs on that stage's thread, one at a time: keep state in fields,
 * without locks, and never block on another stage's reply from inside a callback of a stage it
 * waits on.
 */
package dev.flowstage.stage;
