package dev.flowstage.flow.logic.words;

import java.io.InputStream;
import java.util.Objects;

/**
 * A whole stream as one chunk of the byte path: standard input for {@code flowstage wordcount -}. A
 * stream cannot be split or re-read, so one reading stage reads it in order, to its end, into its
 * buffer and counts it with the loops of a file's chunks, as it reads a gzip file ({@link
 * FileChunk#gzip}). A byte order mark of the charset it is read in (UTF-8's) is skipped at its
 * start and is never part of a word, as for a file.
 *
 * <p>The reader never closes the stream: it belongs to whoever made the chunk (standard input
 * outlives the count). It checks for an interrupt before each read, so a cancelled run stops
 * reading within one buffer; a read that blocks for input that never comes cannot be interrupted (a
 * pipe's read is not interruptible), and ends only when the stream does.
 *
 * @param name how messages name the stream, e.g. {@code "standard input"}
 * @param in the bytes, read from the chunk's start by one reading stage only, once
 */
public record StreamChunk(String name, InputStream in) implements ByteChunk {
  /** Checks that both are given. */
  public StreamChunk {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(in, "in");
  }

  @Override
  public String toString() {
    return "StreamChunk[" + name + "]";
  }
}
