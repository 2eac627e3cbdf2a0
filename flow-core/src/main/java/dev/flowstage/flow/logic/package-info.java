/**
 * The per-stage semantics of every Flow operator, once, for every engine: a {@link
 * dev.flowstage.flow.logic.StageLogic} is a single-threaded state machine fed batches, input ends,
 * the end of the input and timer calls with a time passed in, appending what it emits to a list. It
 * starts no thread and reads no clock. The local runtime's stages (flow-core {@code LayerStage})
 * and flow-flink's operators wrap the same classes: fused chains, reduce and emitAndReduce, windows
 * and triggers, pre-reduce and merge, zip and join state.
 *
 * <p>For backends, not for flow authors: may change before 1.0.
 */
package dev.flowstage.flow.logic;
