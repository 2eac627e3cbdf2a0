package dev.flowstage.bench.wordcount;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Word count hand-rolled on virtual threads, as a careful user writes it without a library: the
 * main thread reads lines in batches into a bounded queue; {@code cores} mapper threads split each
 * line into words and route every word by its hash into a per-reducer buffer, handing full buffers
 * to that reducer's bounded queue; {@code cores} reducer threads count their own words (disjoint by
 * hash) in a {@code HashMap}. Batches amortize the queue hand-offs; bounded queues give
 * back-pressure. End-of-input is an empty batch, sent to every mapper, then (once all mappers are
 * done) to every reducer.
 *
 * <p>The reducers count in {@code long[]} cells changed in place. With {@code --boxed} ({@code
 * virtual-threads-boxed}) they use the README job's fold instead, {@code HashMap<String, Long>}
 * with {@code merge(word, 1L, Long::sum)}: the same user code as {@code flow-api-jdk}, so that job
 * can also be compared with a peer whose only difference is the framework (a boxed count stores a
 * fresh {@code Long} into a table node at every repeat, which the collector pays for).
 *
 * {@snippet lang="shell" :
 * java -cp flow-bench/target/benchmarks.jar dev.flowstage.bench.wordcount.VirtualThreadWordCount target/corpus/words-16m.txt
 * }
 */
public final class VirtualThreadWordCount {
  private static final int BATCH = 1024;
  private static final int QUEUE = 16;
  private static final List<String> END = List.of();

  private VirtualThreadWordCount() {}

  /**
   * Counts the words of the file given as the only argument.
   *
   * @param args the file
   * @throws Exception if the file cannot be read
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--boxed")) {
      WordCountMain.run(
          "virtual-threads-boxed",
          java.util.Arrays.copyOfRange(args, 1, args.length),
          f -> count(f, true));
    } else {
      WordCountMain.run("virtual-threads", args, VirtualThreadWordCount::count);
    }
  }

  /**
   * Counts the words of a UTF-8 file.
   *
   * @param file the file
   * @return the canonical result
   * @throws Exception if the file cannot be read or a worker fails
   */
  public static WordCountResult count(Path file) throws Exception {
    return count(file, false);
  }

  /**
   * Counts the words of a UTF-8 file, with {@code long[]} cells or, if {@code boxed}, boxed {@code
   * Long}s merged as the README job does.
   *
   * @param file the file
   * @param boxed whether the reducers use {@code merge(word, 1L, Long::sum)}
   * @return the canonical result
   * @throws Exception if the file cannot be read or a worker fails
   */
  public static WordCountResult count(Path file, boolean boxed) throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    BlockingQueue<List<String>> lines = new ArrayBlockingQueue<>(QUEUE * cores);
    List<BlockingQueue<List<String>>> reducerQueues = new ArrayList<>();
    for (int r = 0; r < cores; r++) {
      reducerQueues.add(new ArrayBlockingQueue<>(QUEUE));
    }
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Map<String, ?>>> reducers = new ArrayList<>();
      for (BlockingQueue<List<String>> q : reducerQueues) {
        reducers.add(threads.submit(() -> boxed ? reduceBoxed(q) : reduce(q)));
      }
      List<Future<?>> mappers = new ArrayList<>();
      for (int m = 0; m < cores; m++) {
        mappers.add(threads.submit(() -> map(lines, reducerQueues)));
      }
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        List<String> batch = new ArrayList<>(BATCH);
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          batch.add(line);
          if (batch.size() == BATCH) {
            put(lines, batch, mappers);
            batch = new ArrayList<>(BATCH);
          }
        }
        if (!batch.isEmpty()) {
          put(lines, batch, mappers);
        }
        for (int m = 0; m < cores; m++) {
          put(lines, END, mappers);
        }
      }
      for (Future<?> m : mappers) {
        m.get();
      }
      for (BlockingQueue<List<String>> q : reducerQueues) {
        q.put(END);
      }
      List<Map<String, ?>> counts = new ArrayList<>();
      for (Future<Map<String, ?>> r : reducers) {
        counts.add(r.get());
      }
      // Each word was counted by exactly one reducer: the maps are disjoint.
      return WordCountResult.of(
          sink ->
              counts.forEach(
                  m ->
                      m.forEach(
                          (w, c) ->
                              sink.accept(w, c instanceof long[] cell ? cell[0] : (Long) c))));
    }
  }

  /**
   * Puts a batch of lines, giving up if a mapper failed (so a failure cannot leave the reader
   * blocked on a queue nobody drains).
   */
  private static void put(
      BlockingQueue<List<String>> lines, List<String> batch, List<Future<?>> mappers)
      throws InterruptedException, ExecutionException {
    while (!lines.offer(batch, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      for (Future<?> m : mappers) {
        if (m.isDone()) {
          m.get(); // throws the mapper's failure
          throw new IllegalStateException("a mapper ended before the input did");
        }
      }
    }
  }

  private static Void map(
      BlockingQueue<List<String>> lines, List<BlockingQueue<List<String>>> reducers)
      throws InterruptedException {
    int n = reducers.size();
    List<List<String>> buffers = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      buffers.add(new ArrayList<>(BATCH));
    }
    for (List<String> batch = lines.take(); batch != END; batch = lines.take()) {
      for (String line : batch) {
        for (String word : line.split(" ")) {
          if (word.isEmpty()) {
            continue;
          }
          int r = Math.floorMod(word.hashCode() * 0x9E3779B9, n);
          List<String> buffer = buffers.get(r);
          buffer.add(word);
          if (buffer.size() == BATCH) {
            reducers.get(r).put(buffer);
            buffers.set(r, new ArrayList<>(BATCH));
          }
        }
      }
    }
    for (int r = 0; r < n; r++) {
      if (!buffers.get(r).isEmpty()) {
        reducers.get(r).put(buffers.get(r));
      }
    }
    return null;
  }

  private static Map<String, Long> reduceBoxed(BlockingQueue<List<String>> in)
      throws InterruptedException {
    Map<String, Long> counts = new HashMap<>();
    for (List<String> batch = in.take(); batch != END; batch = in.take()) {
      for (String word : batch) {
        counts.merge(word, 1L, Long::sum);
      }
    }
    return counts;
  }

  private static Map<String, long[]> reduce(BlockingQueue<List<String>> in)
      throws InterruptedException {
    Map<String, long[]> counts = new HashMap<>();
    for (List<String> batch = in.take(); batch != END; batch = in.take()) {
      for (String word : batch) {
        counts.computeIfAbsent(word, w -> new long[1])[0]++;
      }
    }
    return counts;
  }
}
