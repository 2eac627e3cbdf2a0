package dev.flowstage.stage;

/**
 * An immutable snapshot of one stage's counters. Each counter is updated only by the stage's own
 * thread and read without locks, so a snapshot taken while the stage runs may mix counters from
 * slightly different instants.
 *
 * @param name the stage's name
 * @param eventsIn events received from producers
 * @param eventsOut events sent to consumers
 * @param asksSent ask messages sent upstream
 * @param asksReceived ask messages received from consumers
 * @param demandReceived total demand received from consumers (sum of asks)
 * @param bufferHighWater the most events the buffer ever held
 * @param discarded events the stage gave up and reported to its {@link DiscardListener}: dropped by
 *     the buffer (overflow, or no consumers when so configured), given up by a partition dispatcher
 *     for a consumer that left, or still held when the stage exited with {@link ExitReason.Normal}
 *     (its buffer, its dispatcher's queues, events held back in accumulate mode, and a
 *     producer-consumer's unhandled input, unless it had called {@code done()}); a shutdown or
 *     failure exit abandons what it holds without counting it (the stop was asked for, or the
 *     failure is reported itself)
 * @param dropped events the dispatcher dropped as asked: a partition hash that returned {@code
 *     Dispatchers.DROP} (Flow's {@code Options.DROP}); counted here, never logged
 * @param busyNanos time spent handling messages (callbacks included), in nanoseconds
 * @param messages messages handled
 */
public record StageStats(
    String name,
    long eventsIn,
    long eventsOut,
    long asksSent,
    long asksReceived,
    long demandReceived,
    long bufferHighWater,
    long discarded,
    long dropped,
    long busyNanos,
    long messages) {}
