package dev.flowstage.examples.wordcount;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/** One input of a word count: a file, standard input, or the built-in sample text. */
public sealed interface Input {
  /** {@return how the input is named in messages ({@code standard input} for {@code -})} */
  String name();

  /** {@return the size in bytes, or {@code -1} when it is not known in advance (standard input)} */
  long size();

  /**
   * Opens the input as lines.
   *
   * @param charset how bytes are decoded (the sample text ignores it: it is generated as text)
   * @param bytesRead told how many bytes were read, chunk by chunk, for progress
   * @return a line source that the caller closes
   * @throws IOException if the input cannot be opened
   */
  LineSource open(Charset charset, LongConsumer bytesRead) throws IOException;

  /**
   * A regular file.
   *
   * @param path the file
   * @param size its size in bytes when the job was planned
   * @param head its first bytes (up to {@link FileSniff#HEAD_BYTES}) as read when it was listed,
   *     for the binary check and the byte order mark, so that listing a folder of many small files
   *     opens each once before counting; {@code null} when not read (then they are read again where
   *     needed). Not part of the input's identity: {@code equals} compares path and size.
   */
  record FileInput(Path path, long size, byte[] head) implements Input {
    /**
     * A file whose first bytes were not read.
     *
     * @param path the file
     * @param size its size in bytes when the job was planned
     */
    public FileInput(Path path, long size) {
      this(path, size, null);
    }

    @Override
    public String name() {
      return path.toString();
    }

    @Override
    public LineSource open(Charset charset, LongConsumer bytesRead) throws IOException {
      return new DecodingLineSource(Files.newInputStream(path), charset, bytesRead);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FileInput f && f.path.equals(path) && f.size == size;
    }

    @Override
    public int hashCode() {
      return path.hashCode() * 31 + Long.hashCode(size);
    }

    @Override
    public String toString() {
      return "FileInput[path=" + path + ", size=" + size + "]";
    }
  }

  /**
   * Standard input ({@code -} on the command line); read once, never closed.
   *
   * @param in the stream to read
   */
  record StdinInput(InputStream in) implements Input {
    @Override
    public String name() {
      return "standard input";
    }

    @Override
    public long size() {
      return -1;
    }

    @Override
    public LineSource open(Charset charset, LongConsumer bytesRead) {
      // Closing a count must not close the process's standard input.
      InputStream unclosable =
          new FilterInputStream(in) {
            @Override
            public void close() {}
          };
      return new DecodingLineSource(unclosable, charset, bytesRead);
    }
  }

  /**
   * The built-in sample text, generated deterministically (see {@link SampleText}).
   *
   * @param sample the text
   */
  record SampleInput(SampleText sample) implements Input {
    @Override
    public String name() {
      return "<sample>";
    }

    @Override
    public long size() {
      return sample.totalBytes();
    }

    @Override
    public LineSource open(Charset charset, LongConsumer bytesRead) {
      return sample.lines(bytesRead);
    }
  }
}
