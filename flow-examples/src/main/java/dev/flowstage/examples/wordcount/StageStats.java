package dev.flowstage.examples.wordcount;

/**
 * What one stage of a word count did.
 *
 * @param name the stage's name in the graph (for example {@code count-2})
 * @param eventsIn events received (lines for tokenizers, words for counters)
 * @param eventsOut events emitted
 * @param batchesIn batches received; {@code eventsIn / batchesIn} is the average batch size
 * @param busyMillis time spent working on batches, not waiting for them
 */
public record StageStats(
    String name, long eventsIn, long eventsOut, long batchesIn, long busyMillis) {}
