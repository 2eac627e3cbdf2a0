package dev.flowstage.examples.wordcount;

import dev.flowstage.examples.wordcount.WordCountResult.WordFrequency;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.LongConsumer;

/**
 * A word count on plain virtual threads and bounded queues, with the same shape as the Flow
 * version: one reader, {@code stages} tokenizers, {@code stages} counters fed by word hash, then
 * the top N.
 *
 * <p>Bounded queues give the back-pressure that demand gives in Flow: a full queue blocks its
 * writer, so at most about {@code 3 * stages * maxDemand} lines or words are in flight. Every batch
 * holds up to {@code maxDemand} events; nothing moves one event at a time.
 *
 * <p>This engine is the baseline the Flow engine is checked against in tests.
 */
public final class ThreadedWordCountEngine implements WordCountEngine {
  /** Sent once per consumer after the last batch; compared by identity. */
  private static final List<String> END = new ArrayList<>(0);

  @Override
  public WordCountResult run(WordCountJob job, LongConsumer bytesRead) throws IOException {
    long start = System.nanoTime();
    int n = job.stages();
    BlockingQueue<List<String>> lines = new ArrayBlockingQueue<>(2 * n);
    List<BlockingQueue<List<String>>> words = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      words.add(new ArrayBlockingQueue<>(2 * n));
    }
    Reader reader = new Reader(job, lines, bytesRead);
    List<Tokenize> tokenizers = new ArrayList<>(n);
    List<Count> counters = new ArrayList<>(n);
    List<Thread> threads = new ArrayList<>(2 * n + 1);
    for (int i = 0; i < n; i++) {
      Count count = new Count("count-" + i, job.top(), n, words.get(i));
      counters.add(count);
      threads.add(Thread.ofVirtual().name(count.name).start(count));
    }
    for (int i = 0; i < n; i++) {
      Tokenize tokenize = new Tokenize("tokenize-" + i, job, lines, words);
      tokenizers.add(tokenize);
      threads.add(Thread.ofVirtual().name(tokenize.name).start(tokenize));
    }
    threads.add(Thread.ofVirtual().name("read").start(reader));
    try {
      for (Thread t : threads) {
        t.join();
      }
    } catch (InterruptedException e) {
      threads.forEach(Thread::interrupt);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("word count interrupted");
    }
    if (reader.failure != null) {
      throw reader.failure;
    }
    for (Tokenize t : tokenizers) {
      if (t.failure != null) {
        throw t.failure;
      }
    }
    for (Count c : counters) {
      if (c.failure != null) {
        throw c.failure;
      }
    }

    List<StageStats> stats = new ArrayList<>();
    stats.add(new StageStats("read", 0, reader.lines, 0, reader.busyNanos / 1_000_000));
    long totalWords = 0;
    long localTops = 0;
    long distinct = 0;
    PriorityQueue<WordFrequency> merged = new PriorityQueue<>(WordFrequency.BY_COUNT_THEN_WORD);
    for (Tokenize t : tokenizers) {
      stats.add(new StageStats(t.name, t.linesIn, t.wordsOut, t.batches, t.busyNanos / 1_000_000));
    }
    for (Count c : counters) {
      stats.add(
          new StageStats(c.name, c.wordsIn, c.top.size(), c.batches, c.busyNanos / 1_000_000));
      totalWords += c.wordsIn;
      localTops += c.top.size();
      distinct += c.distinct;
      merged.addAll(c.top);
    }
    List<WordFrequency> top = new ArrayList<>(job.top());
    while (top.size() < job.top() && !merged.isEmpty()) {
      top.add(merged.poll());
    }
    stats.add(new StageStats("top", localTops, top.size(), n, 0));
    return new WordCountResult(
        job.inputs().size(),
        reader.bytes,
        reader.lines,
        totalWords,
        distinct,
        reader.malformed,
        top,
        Duration.ofNanos(System.nanoTime() - start),
        stats);
  }

  @Override
  public String mermaid(WordCountJob job) {
    int n = job.stages();
    StringBuilder out = new StringBuilder("flowchart LR\n");
    out.append("  read[\"read: ")
        .append(job.inputs().size())
        .append(job.inputs().size() == 1 ? " input" : " inputs")
        .append("\"]\n");
    StringBuilder tokenizers = new StringBuilder();
    StringBuilder counters = new StringBuilder();
    for (int i = 0; i < n; i++) {
      out.append("  tokenize")
          .append(i)
          .append("[\"tokenize-")
          .append(i)
          .append(": ")
          .append(job.tokenizer().cliName())
          .append("\"]\n");
      out.append("  count").append(i).append("[\"count-").append(i).append("\"]\n");
      tokenizers.append(i == 0 ? "" : " & ").append("tokenize").append(i);
      counters.append(i == 0 ? "" : " & ").append("count").append(i);
    }
    out.append("  top[\"top ").append(job.top()).append("\"]\n");
    out.append("  read -->|\"lines, batches of ")
        .append(job.maxDemand())
        .append("\"| ")
        .append(tokenizers)
        .append('\n');
    out.append("  ").append(tokenizers).append(" -->|\"words by hash\"| ").append(counters);
    out.append('\n');
    out.append("  ").append(counters).append(" -->|\"local top ").append(job.top());
    out.append("\"| top\n");
    return out.toString();
  }

  /** Which counter owns {@code word}: spreads the hash so similar words land apart. */
  static int partition(String word, int partitions) {
    int h = word.hashCode();
    return Math.floorMod(h ^ (h >>> 16), partitions);
  }

  private static void put(BlockingQueue<List<String>> queue, List<String> batch) {
    try {
      queue.put(batch);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new InterruptedIOException("word count interrupted"));
    }
  }

  /** Reads every input in order and sends its lines in batches of {@code maxDemand}. */
  private static final class Reader implements Runnable {
    private final WordCountJob job;
    private final BlockingQueue<List<String>> out;
    private final LongConsumer progress;
    long lines;
    long bytes;
    long malformed;
    long busyNanos;
    IOException failure;

    Reader(WordCountJob job, BlockingQueue<List<String>> out, LongConsumer progress) {
      this.job = job;
      this.out = out;
      this.progress = progress;
    }

    @Override
    public void run() {
      LongConsumer counting =
          n -> {
            bytes += n;
            progress.accept(n);
          };
      try {
        for (Input input : job.inputs()) {
          try (LineSource source = input.open(job.charset(), counting)) {
            List<String> batch = new ArrayList<>(job.maxDemand());
            long t0 = System.nanoTime();
            for (String line = source.nextLine(); line != null; line = source.nextLine()) {
              batch.add(line);
              if (batch.size() == job.maxDemand()) {
                busyNanos += System.nanoTime() - t0;
                lines += batch.size();
                put(out, batch);
                batch = new ArrayList<>(job.maxDemand());
                t0 = System.nanoTime();
              }
            }
            busyNanos += System.nanoTime() - t0;
            if (!batch.isEmpty()) {
              lines += batch.size();
              put(out, batch);
            }
            malformed += source.malformed();
          } catch (IOException e) {
            failure = new IOException(input.name() + ": " + e.getMessage(), e);
            return;
          }
        }
      } catch (UncheckedIOException e) {
        failure = e.getCause();
      } finally {
        for (int i = 0; i < job.stages(); i++) {
          put(out, END);
        }
      }
    }
  }

  /** Cuts lines into words and routes each word to its counter, in batches. */
  private static final class Tokenize implements Runnable {
    final String name;
    private final WordCountJob job;
    private final BlockingQueue<List<String>> in;
    private final List<BlockingQueue<List<String>>> out;
    long linesIn;
    long wordsOut;
    long batches;
    long busyNanos;
    IOException failure;

    Tokenize(
        String name,
        WordCountJob job,
        BlockingQueue<List<String>> in,
        List<BlockingQueue<List<String>>> out) {
      this.name = name;
      this.job = job;
      this.in = in;
      this.out = out;
    }

    @Override
    public void run() {
      int n = out.size();
      int batchSize = job.maxDemand();
      List<List<String>> pending = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        pending.add(new ArrayList<>(batchSize));
      }
      try {
        for (List<String> batch = in.take(); batch != END; batch = in.take()) {
          long t0 = System.nanoTime();
          batches++;
          linesIn += batch.size();
          for (String line : batch) {
            for (String word : job.tokenizer().tokens(line)) {
              int p = partition(word, n);
              List<String> words = pending.get(p);
              words.add(word);
              if (words.size() == batchSize) {
                wordsOut += words.size();
                put(out.get(p), words);
                pending.set(p, new ArrayList<>(batchSize));
              }
            }
          }
          busyNanos += System.nanoTime() - t0;
        }
        for (int p = 0; p < n; p++) {
          if (!pending.get(p).isEmpty()) {
            wordsOut += pending.get(p).size();
            put(out.get(p), pending.get(p));
          }
        }
      } catch (InterruptedException e) {
        failure = new InterruptedIOException("word count interrupted");
      } catch (RuntimeException e) {
        failure = new IOException(name + " failed: " + e, e);
      } finally {
        for (BlockingQueue<List<String>> q : out) {
          put(q, END);
        }
      }
    }
  }

  /** Counts the words of one partition and keeps its local top N. */
  private static final class Count implements Runnable {
    final String name;
    private final int topN;
    private final int producers;
    private final BlockingQueue<List<String>> in;
    long wordsIn;
    long batches;
    long busyNanos;
    long distinct;
    List<WordFrequency> top = List.of();
    IOException failure;

    Count(String name, int topN, int producers, BlockingQueue<List<String>> in) {
      this.name = name;
      this.topN = topN;
      this.producers = producers;
      this.in = in;
    }

    @Override
    public void run() {
      Map<String, long[]> counts = new HashMap<>();
      int ended = 0;
      try {
        while (ended < producers) {
          List<String> batch = in.take();
          if (batch == END) {
            ended++;
            continue;
          }
          if (failure != null) {
            continue; // keep draining so that no tokenizer blocks forever
          }
          long t0 = System.nanoTime();
          try {
            batches++;
            wordsIn += batch.size();
            for (String word : batch) {
              counts.computeIfAbsent(word, w -> new long[1])[0]++;
            }
          } catch (RuntimeException e) {
            failure = new IOException(name + " failed: " + e, e);
          }
          busyNanos += System.nanoTime() - t0;
        }
      } catch (InterruptedException e) {
        failure = new InterruptedIOException("word count interrupted");
        return;
      }
      distinct = counts.size();
      PriorityQueue<WordFrequency> worstFirst =
          new PriorityQueue<>(WordFrequency.BY_COUNT_THEN_WORD.reversed());
      for (Map.Entry<String, long[]> e : counts.entrySet()) {
        worstFirst.add(new WordFrequency(e.getKey(), e.getValue()[0]));
        if (worstFirst.size() > topN) {
          worstFirst.poll();
        }
      }
      List<WordFrequency> local = new ArrayList<>(worstFirst);
      local.sort(WordFrequency.BY_COUNT_THEN_WORD);
      top = local;
    }
  }
}
