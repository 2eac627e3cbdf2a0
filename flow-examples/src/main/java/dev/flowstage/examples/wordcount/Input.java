package dev.flowstage.examples.wordcount;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongConsumer;

/**
 * One input of a word count: a file, standard input, a named stream (a pipe, a FIFO), or the
 * built-in sample text.
 */
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
   * A named file that is not a regular file and not a folder: a pipe such as bash's {@code
   * <(command)} ({@code /dev/fd/63}), a FIFO, {@code /dev/stdin} on a pipe, a character device. It
   * is read once, in order, to its end, as standard input is, with no binary check (nothing can be
   * read twice); it is opened only when the count reads it (opening a FIFO waits for its writer)
   * and closed after. A name ending in {@code .gz} is gunzipped, as a file's is.
   *
   * @param path the file
   */
  record StreamInput(Path path) implements Input {
    @Override
    public String name() {
      return path.toString();
    }

    @Override
    public long size() {
      return -1;
    }

    @Override
    public LineSource open(Charset charset, LongConsumer bytesRead) throws IOException {
      return new DecodingLineSource(bytes(), charset, bytesRead);
    }

    /**
     * Opens its bytes: gunzipped when it is named {@code *.gz}.
     *
     * @return the stream, which the caller closes
     * @throws IOException if it cannot be opened, or is named {@code *.gz} and is not gzip
     */
    public InputStream bytes() throws IOException {
      return FileSniff.open(path);
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
