package dev.flowstage.examples.wordcount;

import java.io.Closeable;
import java.io.IOException;

/** A sequence of lines read from one input, consumed by one thread. */
public interface LineSource extends Closeable {
  /**
   * Returns the next line without its terminator ({@code \n}, or {@code \r\n}), or {@code null} at
   * the end of the input.
   *
   * @return the next line, or {@code null} when there is none
   * @throws IOException if the input cannot be read
   */
  String nextLine() throws IOException;

  /** {@return the number of malformed or unmappable byte sequences replaced by U+FFFD so far} */
  long malformed();

  @Override
  void close() throws IOException;
}
