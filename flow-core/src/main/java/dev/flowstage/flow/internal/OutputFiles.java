package dev.flowstage.flow.internal;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.OutputOptions;
import dev.flowstage.flow.RunningFlow;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The file output terminals: each stage of a flow's last layer writes its events as lines into its
 * own part file in a hidden staging directory next to the output directory; when the whole flow
 * succeeded the parts are renamed {@code part-00000}..., a {@code _SUCCESS} marker is added and the
 * staging directory is renamed to the output directory in one step. On failure or cancel the
 * staging directory is deleted: the output directory never holds a partial result.
 *
 * <p>A stage is known by its thread (each stage runs on one virtual thread), so writing needs no
 * routing and adds no stage: the write is an {@code each} fused into the last layer.
 */
public final class OutputFiles {
  private static final Pattern STAGE = Pattern.compile(".*g(\\d+)\\.(\\d+)$");

  private OutputFiles() {}

  /**
   * Starts {@code flow}, writing each event as the line {@code format} makes of it; the files are
   * committed (or the staging directory deleted) as soon as the flow has ended, whoever awaits it.
   *
   * @param flow the flow
   * @param dir the output directory
   * @param format one line per event, without its terminator
   * @param options overwrite, header, charset
   * @param <T> the event type
   * @return the running write; {@link RunningFlow#await()} returns the part files written
   * @throws UncheckedIOException if the directory exists (without overwrite) or cannot be created
   */
  public static <T> RunningFlow<List<Path>> start(
      Flow<T> flow, Path dir, Function<? super T, String> format, OutputOptions options) {
    Path target = dir.toAbsolutePath().normalize();
    if (target.getParent() == null) {
      throw new IllegalArgumentException("cannot write into the root directory " + dir);
    }
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !options.overwrite()) {
      throw new UncheckedIOException(
          new FileAlreadyExistsException(
              target.toString(),
              null,
              "the output directory exists; pass o -> o.overwrite(true) to replace it"));
    }
    Parts parts;
    try {
      Files.createDirectories(target.getParent());
      parts =
          new Parts(
              Files.createTempDirectory(
                  target.getParent(), "." + target.getFileName() + ".staging-"),
              options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the output directory " + target, e);
    }
    RunningFlow<Void> running;
    try {
      running = flow.each(event -> parts.write(format.apply(event))).filter(event -> false).start();
    } catch (RuntimeException | Error e) {
      parts.abort();
      throw e;
    }
    return new Writing(running, parts, target, options.overwrite());
  }

  /**
   * A running write: the flow's handle, plus the commit of its part files once the flow ended
   * successfully, or their deletion once it failed or was cancelled. The commit runs on the thread
   * that sees the flow end (a virtual thread of {@link FlowFuture}), so it happens even if nobody
   * calls {@link #await()}; a cancel after that commit does not undo it.
   */
  private static final class Writing implements RunningFlow<List<Path>> {
    private final RunningFlow<Void> running;
    private final CompletableFuture<List<Path>> written = new CompletableFuture<>();

    Writing(RunningFlow<Void> running, Parts parts, Path target, boolean overwrite) {
      this.running = running;
      running
          .toCompletableFuture()
          .whenComplete(
              (v, failure) -> {
                if (failure != null) {
                  parts.abort();
                  written.completeExceptionally(failure);
                  return;
                }
                try {
                  written.complete(parts.commit(target, overwrite));
                } catch (RuntimeException | Error e) {
                  parts.abort();
                  written.completeExceptionally(e);
                }
              });
    }

    @Override
    public List<Path> await() {
      try {
        return written.get();
      } catch (InterruptedException e) {
        // A cancel: stop every stage and delete their files before giving up. The flag is set
        // again after, so the caller still sees it.
        try {
          cancel();
        } finally {
          Thread.currentThread().interrupt();
        }
        throw new CancellationException("interrupted while writing");
      } catch (ExecutionException e) {
        switch (e.getCause()) {
          case RuntimeException r -> throw r;
          case Error r -> throw r;
          default -> throw new IllegalStateException(e.getCause());
        }
      }
    }

    @Override
    public boolean awaitTermination(Duration timeout) {
      try {
        written.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException | CancellationException e) {
        // ended, unsuccessfully: await() reports how
      }
      return running.awaitTermination(Duration.ZERO);
    }

    @Override
    public void cancel() {
      // An interrupt must not cut short the wait for the stages and the cleanup.
      boolean interrupted = Thread.interrupted();
      try {
        running.cancel();
        try {
          written.join();
        } catch (CompletionException | CancellationException e) {
          // cancelled (or failed before): the files are gone either way
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void trigger(String name) {
      running.trigger(name);
    }

    @Override
    public FlowStatistics statistics() {
      return running.statistics();
    }

    @Override
    public FlowGraph graph() {
      return running.graph();
    }

    @Override
    public boolean isTerminated() {
      return written.isDone() && running.isTerminated();
    }
  }

  /** The part files of one write, one per stage thread. */
  private static final class Parts {
    private final Path staging;
    private final Charset charset;
    private final List<String> header;
    private final Map<Thread, Part> byThread = new ConcurrentHashMap<>();
    private volatile boolean closed;

    Parts(Path staging, OutputOptions options) {
      this.staging = staging;
      this.charset = Charset.forName(options.charset());
      this.header = options.header();
    }

    void write(String line) {
      Part part = byThread.computeIfAbsent(Thread.currentThread(), this::open);
      part.write(line);
    }

    private Part open(Thread thread) {
      if (closed) {
        throw new IllegalStateException("the output was aborted");
      }
      Path file = staging.resolve("tmp-" + byThread.size() + "-" + thread.threadId());
      try {
        Part part = new Part(file, thread.getName(), Files.newBufferedWriter(file, charset));
        if (!header.isEmpty()) {
          part.write(Csv.row(header));
        }
        return part;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }

    List<Path> commit(Path target, boolean overwrite) {
      closed = true;
      List<Part> all = new ArrayList<>(byThread.values());
      all.sort(Comparator.comparing(Part::order).thenComparing(p -> p.file.toString()));
      List<Path> out = new ArrayList<>();
      try {
        for (Part p : all) {
          p.close();
        }
        for (int i = 0; i < all.size(); i++) {
          String name = String.format(java.util.Locale.ROOT, "part-%05d", i);
          Files.move(all.get(i).file, staging.resolve(name));
          out.add(target.resolve(name));
        }
        Files.createFile(staging.resolve("_SUCCESS"));
        Path old = null;
        if (overwrite && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          old = target.resolveSibling("." + target.getFileName() + ".old-" + staging.getFileName());
          move(target, old);
        }
        move(staging, target);
        if (old != null) {
          deleteTree(old);
        }
        return out;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot commit the output directory " + target, e);
      }
    }

    void abort() {
      closed = true;
      for (Part p : byThread.values()) {
        try {
          p.close();
        } catch (IOException e) {
          // being deleted anyway
        }
      }
      try {
        deleteTree(staging);
      } catch (IOException e) {
        // best effort: the staging directory is hidden and named as such
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** One stage's part file; writes are synchronized so the committing thread sees every line. */
  private static final class Part {
    final Path file;
    private final String threadName;
    private final BufferedWriter out;
    private boolean closed;

    Part(Path file, String threadName, BufferedWriter out) {
      this.file = file;
      this.threadName = threadName;
      this.out = out;
    }

    synchronized void write(String line) {
      if (closed) {
        throw new IllegalStateException("the output was aborted");
      }
      try {
        out.write(line);
        out.write('\n');
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + file, e);
      }
    }

    synchronized void close() throws IOException {
      if (!closed) {
        closed = true;
        out.close();
      }
    }

    /** The last layer's stage order (group, index) from the stage thread's name, when known. */
    long order() {
      Matcher m = STAGE.matcher(threadName);
      if (m.matches()) {
        return Long.parseLong(m.group(1)) << 32 | Long.parseLong(m.group(2));
      }
      return Long.MAX_VALUE;
    }
  }

  /** RFC 4180 rows: fields with a comma, quote, CR or LF are quoted, quotes doubled. */
  public static final class Csv {
    private Csv() {}

    /**
     * Formats one row.
     *
     * @param fields the fields; {@code null} is an empty field
     * @return the row, without a line terminator
     */
    public static String row(List<?> fields) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < fields.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        Object f = fields.get(i);
        String s = f == null ? "" : f.toString();
        if (s.indexOf(',') >= 0
            || s.indexOf('"') >= 0
            || s.indexOf('\n') >= 0
            || s.indexOf('\r') >= 0) {
          b.append('"').append(s.replace("\"", "\"\"")).append('"');
        } else {
          b.append(s);
        }
      }
      return b.toString();
    }
  }
}
