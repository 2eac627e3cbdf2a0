package dev.flowstage.examples.wordcount;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.FlowGraph;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.TriggerResult;
import java.io.IOException;
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
 * file source, which splits large files into byte ranges read in parallel; standard input and the
 * sample text through an enumerable source), flatMap them into words, partition by word so each
 * word is counted by exactly one stage, reduce to counts, and merge the partitions' local top N
 * into the global top N in one departition stage.
 *
 * <p>Run: {@code scripts/flowstage wordcount [PATH...]}
 */
public final class FlowWordCountEngine implements WordCountEngine {

  // snippet-start: flow-wordcount
  /**
   * The word count as a flow: words are counted per partition, and one last stage merges each
   * partition's totals (words, distinct words, local top N) into the result.
   *
   * @param lines the text, one event per line
   * @param tokenizer how lines are cut into words
   * @param top how many of the most frequent words to keep
   * @param stages how many counting stages
   * @return a flow that emits one {@link Totals}
   */
  public static Flow<Totals> wordCount(
      Flow<String> lines, Tokenizer tokenizer, int top, int stages) {
    return lines
        .flatMap(tokenizer::tokens) // fused into the reading layer: no stage per step
        .partition(o -> o.stages(stages)) // equal words always reach the same stage
        .reduce(WordCounts::new, WordCounts::add)
        .onTrigger((counts, trigger) -> TriggerResult.of(List.of(counts.totals(top)), counts))
        .departition(() -> new Totals(top), Totals::merge, totals -> totals);
  }

  // snippet-end: flow-wordcount

  @Override
  public WordCountResult run(WordCountJob job, LongAdder progress) throws IOException {
    Plan plan = plan(job, progress);
    long start = System.nanoTime();
    try (RunningFlow<List<Totals>> running = plan.flow.start(Collectors.toList())) {
      List<Totals> result = running.await();
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      FlowStatistics stats = running.statistics();
      Totals totals = result.isEmpty() ? new Totals(job.top()) : result.get(0);
      long malformed = stats.malformedInput();
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
              .collect(Collectors.toMap(FlowGraph.Node::id, FlowGraph.Node::label)));
    } catch (FlowException | UncheckedIOException e) {
      // A file that vanished fails the start; a read error fails a stage: both name the input.
      throw asIOException(e);
    }
  }

  @Override
  public String mermaid(WordCountJob job) {
    return plan(job, new LongAdder()).flow.graph().toMermaid();
  }

  /** A flow and the counters it updates while it runs. */
  private record Plan(Flow<Totals> flow, LongAdder lines, List<LineIterator> iterators) {}

  private static Plan plan(WordCountJob job, LongAdder progress) {
    UnaryOperator<dev.flowstage.flow.Options> layer =
        o -> o.stages(job.stages()).maxDemand(job.maxDemand()).charset(job.charset());
    LongAdder lines = new LongAdder();
    List<LineIterator> iterators = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<Flow<? extends String>> sources = new ArrayList<>();
    for (Input input : job.inputs()) {
      switch (input) {
        case Input.FileInput file -> files.add(file.path());
        case Input.StdinInput in -> iterators.add(new LineIterator(input, job, progress));
        case Input.SampleInput sample -> iterators.add(new LineIterator(input, job, progress));
      }
    }
    if (!files.isEmpty()) {
      // The file source reports no byte counts, so progress counts characters (+1 per newline).
      sources.add(
          Flow.fromFiles(files, layer)
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
    Flow<String> allLines =
        sources.size() == 1 ? narrow(sources.get(0)) : Flow.merge(sources, layer);
    return new Plan(
        wordCount(allLines, job.tokenizer(), job.top(), job.stages()), lines, iterators);
  }

  @SuppressWarnings("unchecked")
  private static Flow<String> narrow(Flow<? extends String> flow) {
    return (Flow<String>) flow; // a Flow only emits, so a Flow<? extends String> is a Flow<String>
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
  private static final class LineIterator implements Iterator<String> {
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
  }
}
