package dev.flowstage.flow.logic.words;

/**
 * One piece of work of the byte path's reading stages, the event of their {@code emitAndReduce}
 * ({@link ByteReading#reducer()}): a byte range of a file ({@link FileChunk}, a whole file for
 * gzip) or a whole stream that cannot be split or re-read ({@link StreamChunk}, the CLI's standard
 * input), or consecutive small files' chunks taken together ({@link ChunkGroup}). All are counted
 * by the same loops ({@link ByteWordCounts#add}).
 */
public sealed interface ByteChunk permits FileChunk, StreamChunk, ChunkGroup {}
