/**
 * The byte path of a word count over files (and the CLI's standard input, one {@link
 * dev.flowstage.flow.logic.words.StreamChunk}): reading stages that count a chunk's words as raw
 * bytes ({@link dev.flowstage.flow.logic.words.ByteWordCounts}, in the stages' functions {@link
 * dev.flowstage.flow.logic.words.ByteReading}), the partial counts that cross to the counting
 * stages ({@link dev.flowstage.flow.logic.words.Shard}) and the counting stages' tables ({@link
 * dev.flowstage.flow.logic.words.ShardCounts}). {@code flowstage wordcount} builds its flow from
 * them, and the local engine runs {@code fromFiles(...).flatMap(tokenizer).frequencies()} on them
 * ({@link dev.flowstage.flow.logic.words.WordCountPlan}, docs/adr/0009-fused-file-word-count.md).
 *
 * <p>For backends and the CLI, not for flow authors: may change before 1.0.
 */
package dev.flowstage.flow.logic.words;
