package dev.flowstage.examples.wordcount;

import dev.flowstage.flow.FileOptions;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.logic.FileSelection;
import dev.flowstage.flow.logic.words.ByteChunk;
import dev.flowstage.flow.logic.words.ByteReading;
import dev.flowstage.flow.logic.words.ByteWordCounts;
import dev.flowstage.flow.logic.words.ChunkGroup;
import dev.flowstage.flow.logic.words.FileChunk;
import dev.flowstage.flow.logic.words.Shard;
import dev.flowstage.flow.logic.words.ShardCounts;
import dev.flowstage.flow.logic.words.StreamChunk;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * The word count on the Flow DSL, as in Elixir Flow's README: read lines (files through the Flow
 * file source, which splits large files into byte ranges read in parallel; the sample text through
 * an enumerable source), flatMap them into words, partition by word so each word is counted by
 * exactly one stage, reduce to counts, and merge the partitions' local top N into the global top N
 * in one departition stage.
 *
 * <p>Files in UTF-8, US-ASCII or ISO-8859-1 take a byte path with the same results: an enumerable
 * source of {@link FileChunk}s of {@value FileChunk#DEFAULT_BYTES} bytes, taken one at a time by
 * the reading stages, each counting its chunks' words as raw bytes ({@link ByteWordCounts}) and
 * sending them on as bytes (ASCII words) or decoded (others) at each flush; the counting stages add
 * them up in byte-keyed tables ({@link ShardCounts}). A {@code .gz} file is one chunk, decompressed
 * in order by the reading stage that takes it ({@link FileChunk#gzip}); standard input in those
 * charsets is one chunk too, read in order to its end ({@link StreamChunk}, handed out first, so
 * the other reading stages share the files meanwhile). The sample and other charsets read lines
 * (standard input through an enumerable source, files through the Flow file source), as do files
 * whose byte order mark names another charset (UTF-16/32) and files that cannot be opened as gzip,
 * which the file source decodes (and reports the error naming the file).
 *
 * <p>Run: {@code scripts/flowstage wordcount [PATH...]}
 */
public final class FlowWordCountEngine implements WordCountEngine {
  /** 0: sized from the heap per job ({@link #defaultFlushAt}). */
  private final int flushAt;

  /** The chunk size of the byte path. */
  private final int chunkBytes;

  /**
   * Whether files and standard input in a charset the byte path supports take it ({@link
   * ByteWordCounts#supports}); tests turn it off to compare both paths on the same input.
   */
  private final boolean bytePath;

  /** Input bytes per stage ({@link #stagesFor}); tests use 1 to get many stages on tiny input. */
  private final long bytesPerStage;

  /** Creates the engine {@code flowstage wordcount} uses. */
  public FlowWordCountEngine() {
    this(0);
  }

  /**
   * Creates an engine whose reading stages flush their local counts at {@code flushAt} distinct
   * words (tests use tiny values to exercise flushing).
   */
  FlowWordCountEngine(int flushAt) {
    this(flushAt, FileChunk.DEFAULT_BYTES, true, BYTES_PER_STAGE);
  }

  /**
   * Creates an engine for tests: {@code flushAt} as above, the byte path's chunk size (tiny values
   * make many chunks, lines longer than a chunk and a growing buffer), and whether the byte path is
   * taken at all (so both paths can be compared on the same input). Every requested stage runs,
   * however small the input.
   */
  FlowWordCountEngine(int flushAt, int chunkBytes, boolean bytePath) {
    this(flushAt, chunkBytes, bytePath, 1);
  }

  private FlowWordCountEngine(int flushAt, int chunkBytes, boolean bytePath, long bytesPerStage) {
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("chunkBytes must be at least 1, got " + chunkBytes);
    }
    this.flushAt = flushAt;
    this.chunkBytes = chunkBytes;
    this.bytePath = bytePath;
    this.bytesPerStage = bytesPerStage;
  }

  /**
   * The word count as a flow: words are counted per partition, and one last stage merges each
   * partition's totals (words, distinct words, local top N) into the result.
   *
   * @param lines the text, one event per line
   * @param tokenizer how lines are cut into words
   * @param top how many of the most frequent words to keep
   * @param stages how many counting stages
   * @param maxDemand the largest batch a counting stage asks for
   * @return a flow that emits one {@link Totals}
   */
  // snippet-start: flow-wordcount
  public static Flow<Totals> wordCount(
      Flow<String> lines, Tokenizer tokenizer, int top, int stages, int maxDemand) {
    return lines
        .flatMap(tokenizer::tokens) // fused into the reading layer: no stage per step
        .partition(o -> o.stages(stages).maxDemand(maxDemand)) // a word always meets its stage
        .reduce(WordCounts::new, WordCounts::add) // each stage counts its own words
        .onTrigger((counts, trigger) -> TriggerResult.of(List.of(counts.totals(top)), counts))
        .departition(() -> new Totals(top), Totals::merge, totals -> totals); // one result
  }

  // snippet-end: flow-wordcount

  /**
   * The word count {@code flowstage wordcount} runs: as {@link #wordCount}, plus a combiner. Each
   * reading stage tokenizes its lines into a local count ({@link PartialCounts}), so the hot
   * lookups happen on the core that made the word; it sends partial counts, one {@link Shard} per
   * counting stage, when it holds {@code flushAt} distinct words and at the end. The partition
   * routes each shard to the stage that owns its words; that stage adds the partial counts. About
   * the CPU work of a single-thread loop in total, so it scales with cores (ADR 0003).
   *
   * @param lines the text, one event per line
   * @param tokenizer how lines are cut into words
   * @param top how many of the most frequent words to keep
   * @param stages how many counting stages
   * @param maxDemand the largest batch a counting stage asks for
   * @param flushAt how many distinct words a reading stage holds before sending them on, at least 1
   * @return a flow that emits one {@link Totals}
   */
  public static Flow<Totals> combinedWordCount(
      Flow<String> lines, Tokenizer tokenizer, int top, int stages, int maxDemand, int flushAt) {
    if (flushAt < 1) {
      throw new IllegalArgumentException("flushAt must be at least 1, got " + flushAt);
    }
    return totals(
        List.of(partialCounts(lines, tokenizer, stages, flushAt)), top, stages, maxDemand);
  }

  /** Tokenizes and counts locally, in the reading layer: one shard per counting stage per flush. */
  private static Flow<Shard> partialCounts(
      Flow<String> lines, Tokenizer tokenizer, int stages, int flushAt) {
    return lines.emitAndReduce(
        () -> new PartialCounts(tokenizer, stages, flushAt),
        (String line, PartialCounts counts) -> counts.add(line),
        (counts, trigger) -> TriggerResult.of(counts.drain(), counts));
  }

  /**
   * Routes the shards of one or more reading layers to the counting stages (the shard for stage i
   * goes to stage i, so a word always meets its stage), adds them up there, and merges the
   * partitions' totals into one.
   */
  private static Flow<Totals> totals(
      List<Flow<? extends Shard>> shards, int top, int stages, int maxDemand) {
    return routed(shards, stages, maxDemand)
        .reduce(ShardCounts::new, ShardCounts::merge) // each stage adds its words' partial counts
        .onTrigger((counts, trigger) -> TriggerResult.of(List.of(Totals.of(counts, top)), counts))
        .departition(() -> new Totals(top), Totals::merge, totals -> totals); // one result
  }

  /**
   * Every word of a counting stage with its count, in no particular order, for {@code --output}.
   */
  private static List<WordCountResult.WordFrequency> rows(ShardCounts counts) {
    List<WordCountResult.WordFrequency> rows = new ArrayList<>(counts.distinct());
    counts.forEach(
        count -> true, (word, count) -> rows.add(new WordCountResult.WordFrequency(word, count)));
    return rows;
  }

  /** The shards of the reading layers, routed to the counting stage that owns their words. */
  private static Flow<Shard> routed(List<Flow<? extends Shard>> shards, int stages, int maxDemand) {
    UnaryOperator<dev.flowstage.flow.Options> counting =
        o -> o.stages(stages).maxDemand(maxDemand).hash((Shard shard) -> shard.partition());
    return shards.size() == 1
        ? FlowWordCountEngine.<Shard>narrow(shards.get(0)).partition(counting)
        : Flow.<Shard>merge(shards, counting);
  }

  /**
   * How many distinct words a reading stage of the line path holds before it flushes: a sixteenth
   * of the heap shared by the {@code stages} reading stages, at about 100 bytes per word (the word
   * and its map slot), between 4096 and 2^20. With the default heap the whole vocabulary of most
   * texts fits, so each word crosses threads once per reading stage; with {@code -Xmx256m} and 2
   * stages about 80 000 words are held.
   */
  static int defaultFlushAt(int stages) {
    return ByteWordCounts.flushAt(Runtime.getRuntime().maxMemory() / 16, stages);
  }

  @Override
  public WordCountResult run(WordCountJob job, LongAdder progress) throws IOException {
    Plan plan = plan(job, progress);
    long start = System.nanoTime();
    Flow<Totals> flow = cast(plan.flow);
    try (RunningFlow<List<Totals>> running = flow.start(Collectors.toList())) {
      List<Totals> result = running.await();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      Totals totals = result.isEmpty() ? new Totals(job.top()) : result.get(0);
      return result(job, plan, totals, elapsed, running);
    } catch (FlowException | UncheckedIOException e) {
      // A file that vanished fails the start; a read error fails a stage: both name the input.
      throw asIOException(e);
    } finally {
      plan.closeResources();
    }
  }

  @Override
  public WordCountResult run(WordCountJob job, LongAdder progress, Path output, boolean overwrite)
      throws IOException {
    // The counting stages write their words as CSV; their totals meet here, not in a stage.
    Totals all = new Totals(job.top());
    Plan plan =
        plan(
            job,
            progress,
            (routed, top) ->
                routed
                    .reduce(ShardCounts::new, ShardCounts::merge)
                    .onTrigger(
                        (counts, trigger) -> {
                          Totals partition = Totals.of(counts, top);
                          synchronized (all) {
                            all.merge(partition);
                          }
                          return TriggerResult.of(rows(counts), counts);
                        }));
    long start = System.nanoTime();
    Flow<WordCountResult.WordFrequency> rows = cast(plan.flow);
    try (RunningFlow<List<Path>> running =
        rows.startWritingCsv(
            output,
            f -> List.of(f.word(), f.count()),
            o -> o.header("word", "count").overwrite(overwrite))) {
      running.await();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      synchronized (all) {
        return result(job, plan, all, elapsed, running);
      }
    } catch (FlowException | UncheckedIOException e) {
      throw asIOException(e);
    } finally {
      plan.closeResources();
    }
  }

  /** The result of a finished run: its totals, the counters its plan kept and its statistics. */
  private static WordCountResult result(
      WordCountJob job, Plan plan, Totals totals, Duration elapsed, RunningFlow<?> running) {
    FlowStatistics stats = running.statistics();
    long malformed = stats.malformedInput() + plan.malformed.sum();
    long bytes = 0;
    for (Input input : job.inputs()) {
      if (input instanceof Input.FileInput file) {
        bytes += file.size();
      }
    }
    for (LineIterator it : plan.iterators) {
      malformed += it.malformed();
      bytes += it.bytes.sum();
    }
    bytes += plan.streamBytes.sum();
    return new WordCountResult(
        job.inputs().size(),
        bytes,
        plan.lines.sum(),
        totals.words(),
        totals.distinct(),
        malformed,
        totals.top(),
        elapsed,
        stats.stages(),
        running.graph().nodes().stream()
            .collect(Collectors.toMap(FlowGraph.Node::id, FlowGraph.Node::label)),
        running.graph(),
        stats);
  }

  @Override
  public String mermaid(WordCountJob job) {
    return plan(job, new LongAdder()).flow.graph().toMermaid();
  }

  /**
   * A flow and the counters it updates while it runs: the lines and malformed input of every input
   * but the line iterators, which keep their own (with their bytes), the bytes of standard input
   * and named streams read on the byte path ({@code streamBytes}), and what the run opens that must
   * be closed once it has ended, however it ended ({@code resources}: named streams, line
   * iterators).
   */
  private record Plan(
      Flow<?> flow,
      LongAdder lines,
      LongAdder malformed,
      List<LineIterator> iterators,
      LongAdder streamBytes,
      List<Closeable> resources) {
    /**
     * Closes what the run opened: called once its stages have stopped. All are inputs read to their
     * end or abandoned with the run, so an error closing one loses nothing and is not allowed to
     * hide the run's own outcome.
     */
    void closeResources() {
      for (Closeable c : resources) {
        try {
          c.close();
        } catch (IOException ignored) {
          // an input's close: nothing written, nothing to lose
        }
      }
    }
  }

  /** The input one stage of a layer is worth: below it, more stages would only cost. */
  static final long BYTES_PER_STAGE = 256 << 10;

  /**
   * How many stages each layer runs: {@code --stages} at most, and one per {@link #BYTES_PER_STAGE}
   * of input when its size is known, so a tiny input takes one stage whatever {@code --stages} says
   * (layers are all-to-all, so n stages cost n^2 subscriptions).
   */
  static int stagesFor(WordCountJob job, long bytesPerStage) {
    long bytes = job.totalBytes();
    if (bytes < 0) {
      // Standard input: one stream, of unknown size, read by one producer; more counting stages
      // than a few per core cannot be busy, and each costs subscriptions all the same.
      return Math.min(job.stages(), 4 * Runtime.getRuntime().availableProcessors());
    }
    return Math.clamp((bytes + bytesPerStage - 1) / bytesPerStage, 1, job.stages());
  }

  /** What the counting layer ends with: the routed shards and the top N in, a flow out. */
  private interface Ending {
    Flow<?> end(Flow<Shard> routed, int top);
  }

  private Plan plan(WordCountJob job, LongAdder progress) {
    return plan(job, progress, null);
  }

  private Plan plan(WordCountJob job, LongAdder progress, Ending ending) {
    int stages = stagesFor(job, bytesPerStage);
    UnaryOperator<dev.flowstage.flow.Options> layer =
        o -> o.stages(stages).maxDemand(job.maxDemand()).charset(job.charset());
    int flush = flushAt > 0 ? flushAt : defaultFlushAt(stages);
    // The byte path's bound (flow-core's): a quarter of the heap, four times the line path's, so
    // under -Xmx256m a word crosses to its counting stage about a quarter as often (issue 15).
    int byteFlush = flushAt > 0 ? flushAt : ByteWordCounts.defaultFlushAt(stages);
    LongAdder lines = new LongAdder();
    LongAdder malformed = new LongAdder();
    List<LineIterator> iterators = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<Integer> marks = new ArrayList<>();
    List<Boolean> gzipped = new ArrayList<>();
    List<Long> sizes = new ArrayList<>();
    List<Path> lineFiles = new ArrayList<>();
    List<Flow<? extends String>> sources = new ArrayList<>();
    List<Flow<? extends Shard>> shards = new ArrayList<>();
    LongAdder streamBytes = new LongAdder();
    List<StreamChunk> streams = new ArrayList<>();
    List<Closeable> resources = new ArrayList<>();
    for (Input input : job.inputs()) {
      switch (input) {
        case Input.FileInput file -> {
          int mark = bytePath ? bytePathMark(file, job) : -1;
          if (mark >= 0) {
            files.add(file.path());
            marks.add(mark);
            gzipped.add(FileSniff.isGzip(file.path()));
            sizes.add(file.size()); // as listed: the chunks need no second look
          } else {
            lineFiles.add(file.path());
          }
        }
        case Input.StdinInput in -> {
          if (bytePath && ByteWordCounts.supports(job.charset())) {
            // One chunk, read in order by one reading stage; its mark is skipped as it is read.
            streams.add(new StreamChunk(in.name(), new Counted(in.in(), streamBytes)));
          } else {
            iterators.add(new LineIterator(input, job, progress)); // UTF-16/32, other charsets
          }
        }
        case Input.StreamInput in -> {
          if (bytePath && ByteWordCounts.supports(job.charset())) {
            OpenedOnRead bytes = new OpenedOnRead(in);
            resources.add(bytes);
            streams.add(new StreamChunk(in.name(), new Counted(bytes, streamBytes)));
          } else {
            iterators.add(new LineIterator(input, job, progress));
          }
        }
        case Input.SampleInput sample -> iterators.add(new LineIterator(input, job, progress));
      }
    }
    if (!files.isEmpty() || !streams.isEmpty()) {
      shards.add(
          byteWordCount(
              streams, files, marks, gzipped, sizes, job, stages, byteFlush, lines, malformed,
              progress));
    }
    if (!lineFiles.isEmpty()) {
      // UTF-16/32 and other charsets: the Flow file source (byte order marks, gunzip).
      // It reports no byte counts, so progress counts characters (+1 per newline).
      sources.add(
          Flow.fromFiles(lineFiles, layer, f -> f.charsetFromBom(job.charsetFromBom()))
              .map(
                  line -> {
                    lines.increment();
                    progress.add(line.length() + 1L);
                    return line;
                  }));
    }
    for (LineIterator it : iterators) {
      sources.add(
          Flow.<String>fromEnumerable(it, layer)
              .map(
                  line -> {
                    lines.increment();
                    return line;
                  }));
    }
    if (!sources.isEmpty()) {
      Flow<String> allLines =
          sources.size() == 1 ? narrow(sources.get(0)) : Flow.merge(sources, layer);
      shards.add(partialCounts(allLines, job.tokenizer(), stages, flush));
    }
    Flow<?> flow =
        ending == null
            ? totals(shards, job.top(), stages, job.maxDemand())
            : ending.end(routed(shards, stages, job.maxDemand()), job.top());
    resources.addAll(iterators);
    return new Plan(flow, lines, malformed, iterators, streamBytes, resources);
  }

  /**
   * Whether a file takes the byte path, and the length of the byte order mark it skips (of the
   * decompressed bytes of a {@code .gz} file): -1 for the line path (read in a charset the byte
   * path does not support, also when a mark says so, or a file that cannot be opened: the line path
   * reports it as it always did).
   */
  private static int bytePathMark(Input.FileInput file, WordCountJob job) {
    if (!ByteWordCounts.supports(job.charset())) {
      return -1;
    }
    byte[] head = file.head(); // read when the file was listed, if it was
    if (head == null) {
      try (java.io.InputStream in = FileSniff.open(file.path())) {
        head = in.readNBytes(4);
      } catch (IOException e) {
        return -1; // the line path reports it, naming the file (also a .gz file that is not gzip)
      }
    }
    // The file source's rule for the charset a mark selects (one definition for both paths): the
    // byte path takes the file when that is the job's charset, skipping the mark if there is one.
    FileSelection.Marked marked =
        new FileSelection(FileOptions.defaults().charsetFromBom(job.charsetFromBom()))
            .charset(head, job.charset());
    return marked.charset().equals(job.charset()) ? marked.bom() : -1;
  }

  /**
   * The byte path for files and standard input: one enumerable source of chunks, which the reading
   * stages take one at a time (so they share the work however the words are spread), each counting
   * its chunks' words as bytes ({@link ByteReading}) and emitting shards as the line path does.
   * Standard input and each named stream is one {@link StreamChunk}, handed out first: one stage
   * reads it to its end while the others share the files' chunks (or the other streams). With
   * streams alone there is a reading stage per stream, up to {@code stages} (more would get
   * nothing).
   */
  private Flow<Shard> byteWordCount(
      List<StreamChunk> streams,
      List<Path> files,
      List<Integer> marks,
      List<Boolean> gzipped,
      List<Long> sizes,
      WordCountJob job,
      int stages,
      int flush,
      LongAdder lines,
      LongAdder malformed,
      LongAdder progress) {
    int buffer = Math.min(chunkBytes, 1 << 20);
    // flow-core's reading stages (the fused frequencies() plan's too), with the CLI's settings.
    ByteReading reading =
        new ByteReading(
            job.charset().name(),
            job.tokenizer(),
            stages,
            flush,
            buffer,
            ByteWordCounts.NO_LINE_BOUND, // the CLI reads lines of any length
            lines,
            malformed,
            progress);
    // Small files' chunks go in groups: one hand-over per group, not per file.
    Iterable<ByteChunk> fileChunks =
        ChunkGroup.grouped(
            FileChunk.split(files, marks, gzipped, sizes, chunkBytes),
            chunkBytes,
            Math.max(1, stages));
    // Streams first; the files' chunks are listed (sizes read) when the source iterates.
    Iterable<ByteChunk> chunks =
        () ->
            java.util.stream.Stream.concat(
                    streams.stream(),
                    java.util.stream.StreamSupport.stream(fileChunks.spliterator(), false))
                .iterator();
    int readers = files.isEmpty() ? Math.clamp(streams.size(), 1, Math.max(1, stages)) : stages;
    return Flow.fromEnumerable(chunks, o -> o.stages(readers).maxDemand(1))
        .emitAndReduce(reading, ByteReading.reducer(), ByteReading.onTrigger());
  }

  /**
   * Standard input on the byte path, counting the bytes read for the summary; not closable, so
   * closing a count never closes the process's standard input (the reading stage does not close a
   * stream chunk anyway).
   */
  private static final class Counted extends FilterInputStream {
    private final LongAdder bytes;

    Counted(InputStream in, LongAdder bytes) {
      super(in);
      this.bytes = bytes;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        bytes.increment();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        bytes.add(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = in.skip(n);
      bytes.add(skipped);
      return skipped;
    }

    @Override
    public void close() {}
  }

  /** The plan's flow, as the ending that made it emits: {@code Totals}, or rows for output. */
  @SuppressWarnings("unchecked")
  private static <T> Flow<T> cast(Flow<?> flow) {
    return (Flow<T>) flow;
  }

  @SuppressWarnings("unchecked")
  private static <T> Flow<T> narrow(Flow<? extends T> flow) {
    return (Flow<T>) flow; // a Flow only emits, so a Flow<? extends T> is a Flow<T>
  }

  /** Turns a failed flow into the I/O error that caused it, or rethrows other failures. */
  private static IOException asIOException(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException io) {
        return new IOException(io.getMessage(), e);
      }
    }
    throw e;
  }

  /**
   * The lines of a non-file input as an iterator, for {@code Flow.fromEnumerable}: opened on the
   * first call (so describing the flow reads nothing), read on the source stage's thread only.
   */
  private static final class LineIterator implements Iterator<String>, Closeable {
    private final Input input;
    private final WordCountJob job;
    private final LongAdder progress;
    final LongAdder bytes = new LongAdder();
    private LineSource source;
    private String next;
    private boolean ended;
    private volatile long malformed;

    LineIterator(Input input, WordCountJob job, LongAdder progress) {
      this.input = input;
      this.job = job;
      this.progress = progress;
    }

    long malformed() {
      return malformed;
    }

    @Override
    public boolean hasNext() {
      if (next != null) {
        return true;
      }
      if (ended) {
        return false;
      }
      try {
        if (source == null) {
          source =
              input.open(
                  job.charset(),
                  n -> {
                    bytes.add(n);
                    progress.add(n);
                  });
        }
        next = source.nextLine();
        if (next == null) {
          ended = true;
          malformed = source.malformed();
          source.close();
        }
      } catch (IOException e) {
        ended = true;
        throw new UncheckedIOException(
            new IOException("cannot read " + input.name() + ": " + e.getMessage(), e));
      }
      return next != null;
    }

    @Override
    public String next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      String line = next;
      next = null;
      return line;
    }

    /** Closes its source if the run ended before the source did (a failure elsewhere). */
    @Override
    public void close() throws IOException {
      if (source != null && !ended) {
        ended = true;
        source.close();
      }
    }
  }

  /**
   * A named stream's bytes, opened by the first read, on the reading stage that takes its chunk (so
   * describing the flow opens nothing, and a FIFO's open waits there for its writer), and closed at
   * their end, or by {@link #close} once the run has ended before it.
   */
  private static final class OpenedOnRead extends InputStream {
    private final Input.StreamInput input;
    private volatile InputStream in;
    private volatile boolean closed;

    OpenedOnRead(Input.StreamInput input) {
      this.input = input;
    }

    private InputStream in() throws IOException {
      InputStream s = in;
      if (s != null) {
        return s;
      }
      s = input.bytes(); // not under the lock: opening a FIFO waits for its writer
      synchronized (this) {
        if (closed) {
          s.close();
          throw new IOException("stream closed");
        }
        in = s;
      }
      return s;
    }

    @Override
    public int read() throws IOException {
      if (closed) {
        return -1; // read to its end, or the run ended: nothing more is read
      }
      int b = in().read();
      if (b < 0) {
        close();
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (closed) {
        return -1;
      }
      int n = in().read(b, off, len);
      if (n < 0) {
        close();
      }
      return n;
    }

    @Override
    public synchronized void close() throws IOException {
      if (!closed) {
        closed = true;
        if (in != null) {
          in.close();
        }
      }
    }
  }
}
