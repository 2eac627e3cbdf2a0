/**
 * The stage runtime, not exported: the per-stage loop ({@code StageCell}), its mailbox, the
 * protocol messages, the buffer and the demand arithmetic. Everything except the {@code Stage}
 * handle methods and {@code StageRuntime} runs on one stage's virtual thread.
 *
 * <p>Memory ordering: statistics counters use opaque reads and writes (single writer); the mailbox
 * uses a volatile {@code parked} flag against lost wake-ups (see {@code Mailbox}).
 */
package dev.flowstage.stage.internal;
