package dev.flowstage.flink;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.flow.logic.Lines;
import dev.flowstage.flow.plan.Plan;
import java.io.File;
import java.io.IOException;
import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * A flow source that only Flink can feed: it stands in the plan as an {@code Iterable} (so the Flow
 * DSL builds on it as on any source) and the translator replaces it with a Flink stream. Iterating
 * it locally fails with a message saying to run the flow with {@link FlinkFlows}.
 */
abstract sealed class FlinkInput implements Iterable<Object>, Serializable {
  @Serial private static final long serialVersionUID = 1L;

  /** The accumulator (and job result entry) counting malformed input sequences of file sources. */
  static final String MALFORMED = "flowstage.malformedInput";

  /**
   * How the accumulators counting the files the file sources left out are named: this, then the
   * reason ({@link FileSelection.Skip#label}), as the local {@code FlowStatistics.skippedFiles}.
   */
  static final String SKIPPED = "flowstage.skippedFiles.";

  /** The stream of this input's events in {@code env}, read in {@code charset} where it matters. */
  abstract DataStream<Object> stream(StreamExecutionEnvironment env, Charset charset);

  /** Whether the input may be unbounded (the job then runs in Flink's automatic mode). */
  abstract boolean mayBeUnbounded();

  @Override
  public Iterator<Object> iterator() {
    throw new UnsupportedOperationException(
        "this flow reads "
            + this
            + ", which only Flink can feed: run it with FlinkFlows.toDataStream/collect, or use"
            + " Flow.fromFiles/fromEnumerable to run it on the local runtime");
  }

  /** An existing Flink stream (a {@code Source}'s, a Kafka topic's, another job part's). */
  static final class FromStream extends FlinkInput {
    @Serial private static final long serialVersionUID = 1L;
    // Only used on the client while the job is built; the plan is never shipped as a whole.
    private final transient DataStream<Object> stream;

    FromStream(DataStream<Object> stream) {
      this.stream = stream;
    }

    @Override
    DataStream<Object> stream(StreamExecutionEnvironment env, Charset charset) {
      if (stream == null) {
        throw new IllegalStateException("a Flow from a DataStream cannot be deserialized and run");
      }
      if (stream.getExecutionEnvironment() != env) {
        throw new IllegalArgumentException(
            "the flow's input DataStream belongs to another StreamExecutionEnvironment: pass"
                + " FlinkFlows.toDataStream/collect the environment that created the stream");
      }
      return stream;
    }

    @Override
    boolean mayBeUnbounded() {
      return true;
    }

    @Override
    public String toString() {
      return "a Flink DataStream";
    }
  }

  /**
   * Files or directories named by Flink file-system URIs or local paths, selected and read as their
   * {@link FileOptions} say.
   */
  static final class Files extends FlinkInput {
    @Serial private static final long serialVersionUID = 1L;

    private final String[] uris;
    private final FileOptions options;

    Files(List<String> uris, FileOptions options) {
      if (uris.isEmpty()) {
        throw new IllegalArgumentException("FlinkFlows.fromFiles needs at least one file or URI");
      }
      this.uris = uris.toArray(String[]::new);
      this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    DataStream<Object> stream(StreamExecutionEnvironment env, Charset charset) {
      long[] skipped = new long[FileSelection.Skip.values().length];
      return read(env, listed(skipped), skipped, charset, options);
    }

    /**
     * The files to read, as URIs: each named file, then each named folder's files in path order
     * over the whole walk (as the local file source lists a folder: {@code a-b/m.log} before {@code
     * a/n.log}, not folder by folder).
     */
    List<String> files() {
      return listed().stream().map(f -> f.f0).toList();
    }

    /**
     * As {@link #files()}, each with its size when listed: a reader that meets the end of a file
     * before that fails as the local source does ({@link Lines#checkListedSize}).
     */
    List<Tuple2<String, Long>> listed() {
      return listed(new long[FileSelection.Skip.values().length]);
    }

    /**
     * As {@link #listed()}, counting in {@code skipped} (per {@link FileSelection.Skip} ordinal)
     * what the walks leave out.
     */
    List<Tuple2<String, Long>> listed(long[] skipped) {
      List<Tuple2<String, Long>> files = new ArrayList<>();
      FileSelection selection = new FileSelection(options);
      for (String u : uris) {
        Path p = path(u);
        try {
          if ("file".equals(p.toUri().getScheme())) {
            list(
                FileSelection.LOCAL,
                java.nio.file.Path.of(p.toUri()),
                local -> Path.fromLocalFile(local.toFile()).toUri().toString(),
                selection,
                files,
                skipped);
          } else {
            list(
                new FlinkFileTree(p.getFileSystem()),
                p,
                other -> other.toUri().toString(),
                selection,
                files,
                skipped);
          }
        } catch (java.nio.file.NoSuchFileException e) {
          // As on the local engine: a missing path fails the run (here its build) with a
          // FlowException for the stage fromFiles, naming the file; the cause is the I/O error.
          throw new FlowException(Plan.Source.Files.STAGE, e);
        } catch (IOException e) {
          throw new FlowException(
              Plan.Source.Files.STAGE,
              new IOException(
                  "cannot list "
                      + u
                      + ": "
                      + e.getMessage()
                      + " (for s3://, hdfs://, ... the Flink client and cluster need the file"
                      + " system's plugin)",
                  e));
        }
      }
      return files;
    }

    @Override
    boolean mayBeUnbounded() {
      return false;
    }

    @Override
    public String toString() {
      return "files " + Arrays.toString(uris);
    }
  }

  /**
   * How a file is named in errors: a local file by its path, as the local file source names it (a
   * line too long, a truncated {@code .gz}: the same message on both engines), a file of another
   * file system by its URI.
   */
  static String named(Path p) {
    if ("file".equals(p.toUri().getScheme())) {
      return java.nio.file.Path.of(p.toUri()).toString();
    }
    return p.toString();
  }

  /** A URI with a scheme as is, a plain path made absolute on the client. */
  static Path path(String uriOrPath) {
    if (uriOrPath.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*") && !uriOrPath.matches("^[a-zA-Z]:.*")) {
      return new Path(uriOrPath);
    }
    return Path.fromLocalFile(new File(uriOrPath).getAbsoluteFile());
  }

  /**
   * A named path's files, each with its size, by the one walk every engine runs ({@link
   * FileSelection#walk(FileSelection.Tree, Object, FileSelection.Skipped)}): a local path through
   * {@code java.nio} ({@link FileSelection#LOCAL}: links and pipes met inside a folder skipped, a
   * linked folder given followed, so a link cycle ends; Flink's local file system would follow
   * every link and list pipes as empty files), another file system through Flink's ({@link
   * FlinkFileTree}). A named file is always read, and a named pipe (bash's {@code <(command)}, a
   * FIFO) with size -1, read whole by one subtask as the local source reads it. Each file is listed
   * by its URI ({@code uri}).
   */
  private static <P> void list(
      FileSelection.Tree<P> tree,
      P named,
      Function<P, String> uri,
      FileSelection selection,
      List<Tuple2<String, Long>> out,
      long[] skipped)
      throws IOException {
    FileSelection.Entry<P> entry = FileSelection.named(tree, named);
    if (entry.kind() == FileSelection.Kind.FOLDER) {
      for (FileSelection.Listed<P> f :
          selection.walk(tree, named, (path, why) -> skipped[why.ordinal()]++)) {
        out.add(Tuple2.of(uri.apply(f.path()), f.size()));
      }
    } else {
      out.add(
          Tuple2.of(
              uri.apply(named), entry.kind() == FileSelection.Kind.FILE ? entry.size() : -1L));
    }
  }

  /**
   * The lines of {@code files}: one subtask reads each file whole with flow-core's {@link Lines}
   * (the local line rules, byte order marks, {@code .gz}, binary files and line bound, as {@code
   * options} say), counting malformed input in the {@link #MALFORMED} accumulator, and what was
   * left out in the {@link #SKIPPED} ones: the listing's {@code skipped} (added once, by the first
   * subtask) and the files skipped as binary.
   */
  static DataStream<Object> read(
      StreamExecutionEnvironment env,
      List<Tuple2<String, Long>> files,
      long[] skipped,
      Charset charset,
      FileOptions options) {
    TypeInformation<Tuple2<String, Long>> type = Types.TUPLE(Types.STRING, Types.LONG);
    DataStream<Tuple2<String, Long>> names =
        files.isEmpty()
            ? env.fromData(List.of(Tuple2.of("", 0L)), type).filter(f -> false).name("no files")
            : env.fromData(files, type).name("files");
    return names
        .rebalance()
        .flatMap(new ReadLines(charset.name(), options, skipped))
        .returns(Translator.ANY)
        .name("read lines");
  }

  /**
   * Reads one file per input event (its URI and the size it was listed at), with the local file
   * source's line rules: the lines that start before its listed size (a file appended to while the
   * job runs gives the lines it had when listed, {@link Lines#reachedListedSize}); a file that ends
   * before its listed size shrank while the job ran and fails it, as on the local engine.
   */
  static final class ReadLines extends RichFlatMapFunction<Tuple2<String, Long>, Object> {
    @Serial private static final long serialVersionUID = 1L;
    private final String charset;
    private final FileOptions options;
    private final long[] listingSkipped;
    private transient LongCounter malformed;
    private transient LongCounter binary;

    ReadLines(String charset, FileOptions options) {
      this(charset, options, new long[FileSelection.Skip.values().length]);
    }

    ReadLines(String charset, FileOptions options, long[] listingSkipped) {
      this.charset = charset;
      this.options = options;
      this.listingSkipped = listingSkipped.clone();
    }

    @Override
    public void open(OpenContext context) {
      malformed = getRuntimeContext().getLongCounter(MALFORMED);
      for (FileSelection.Skip why : FileSelection.Skip.values()) {
        LongCounter c = getRuntimeContext().getLongCounter(SKIPPED + why.label());
        if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
          c.add(listingSkipped[why.ordinal()]); // the client's listing, counted once
        }
        if (why == FileSelection.Skip.BINARY) {
          binary = c;
        }
      }
    }

    @Override
    public void flatMap(Tuple2<String, Long> listed, Collector<Object> out) throws IOException {
      malformed.add(read(listed.f0, listed.f1, out));
    }

    /**
     * Gives {@code out} the lines of the file at {@code uri} that start before {@code listedSize},
     * as the local source's ranges read them.
     *
     * @return how many malformed input sequences were replaced
     * @throws IOException naming the file, if it cannot be read or shrank since it was listed
     */
    long read(String uri, long listedSize, Collector<Object> out) throws IOException {
      Path p = new Path(uri);
      String file = named(p);
      try (Lines lines =
          Lines.open(p.getFileSystem().open(p), file, Charset.forName(charset), options)) {
        String line;
        while (!lines.reachedListedSize(listedSize) && (line = lines.next()) != null) {
          out.collect(line);
        }
        lines.checkListedSize(listedSize);
        if (lines.skippedAsBinary() && binary != null) {
          binary.add(1);
        }
        return lines.malformed();
      } catch (IOException e) {
        // As the local source's producer: the file in the message (a truncated .gz, say).
        throw new IOException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
  }
}
