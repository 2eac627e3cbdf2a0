package dev.flowstage.examples.guides;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowStatistics;
import dev.flowstage.flow.KeyCount;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.flow.RunningInto;
import dev.flowstage.flow.Tokenizer;
import dev.flowstage.flow.TriggerDecision;
import dev.flowstage.flow.TriggerResult;
import dev.flowstage.flow.Window;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatchers;
import dev.flowstage.stage.supervisor.ConsumerSupervisor;
import dev.flowstage.stage.supervisor.Restart;
import it.unimi.dsi.fastutil.objects.Object2LongOpenHashMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code blocks of the guides (flow, windows, dispatchers, consumer-supervisor), compiled and
 * run: each guide block is a copy of a {@code snippet-start}/{@code snippet-end} region here, and
 * DocsSnippetsTest fails when one drifts.
 */
final class GuideSnippets {
  @TempDir Path dir;

  @Test
  void flowWordCount() throws IOException {
    List<Path> paths = List.of(Files.writeString(dir.resolve("a.txt"), "to be or not to be\n"));
    // snippet-start: guide-flow-wordcount
    Map<String, Long> counts =
        Flow.fromFiles(paths, o -> o) // byte ranges read in parallel
            .flatMap(line -> Arrays.asList(line.split(" ")))
            .filter(w -> !w.isEmpty())
            .partition() // same word -> same stage
            .reduce(
                Object2LongOpenHashMap<String>::new,
                (m, w) -> {
                  m.addTo(w, 1);
                  return m;
                },
                (m, more) -> { // the combiner: reading stages count their own words first
                  more.object2LongEntrySet()
                      .fastForEach(e -> m.addTo(e.getKey(), e.getLongValue()));
                  return m;
                })
            .departition(
                HashMap<String, Long>::new,
                (all, m) -> {
                  m.object2LongEntrySet()
                      .forEach(e -> all.merge(e.getKey(), e.getLongValue(), Long::sum));
                  return all;
                },
                all -> all)
            .toList()
            .get(0);
    // snippet-end: guide-flow-wordcount
    assertEquals(Map.of("to", 2L, "be", 2L, "or", 1L, "not", 1L), counts);
  }

  @Test
  void flowCountBy() throws IOException {
    List<Path> paths = List.of(Files.writeString(dir.resolve("a.txt"), "to be or not to be\n"));
    // snippet-start: guide-flow-countby
    List<KeyCount<String>> top10 =
        Flow.fromFiles(paths, o -> o)
            .flatMap(Tokenizer.SPACE) // split on ' ', empty strings dropped
            .frequencies() // countBy(word -> word): one KeyCount per word, pre-counted
            .takeSort(10, KeyCount.byCountDescending()) // count, highest first; ties by key
            .toList()
            .get(0);
    // snippet-end: guide-flow-countby
    assertEquals("[be=2, to=2, not=1, or=1]", top10.toString());
  }

  @Test
  void flowStatistics() {
    Flow<Map<String, Long>> flow =
        Flow.fromEnumerable(List.of("a", "b", "a"))
            .partition(o -> o.stages(1))
            .reduce(
                HashMap<String, Long>::new,
                (m, w) -> {
                  m.merge(w, 1L, Long::sum);
                  return m;
                });
    // snippet-start: guide-flow-statistics
    RunningFlow<List<Map<String, Long>>> run = flow.start(Collectors.toList());
    Map<String, Long> counts = run.await().get(0); // throws FlowException on failure
    FlowStatistics stats = run.statistics(); // per-stage events in/out, asks, demand, busy
    String table = stats.toText();
    String mermaid = run.graph().toMermaid(); // or flow.graph() before running
    long malformed = stats.malformedInput(); // replaced bytes in the files
    // snippet-end: guide-flow-statistics
    assertEquals(Map.of("a", 2L, "b", 1L), counts);
    assertTrue(!table.isEmpty() && mermaid.startsWith("flowchart"));
    assertEquals(0, malformed);
  }

  /** Stands in for an HTTP client in the IO-bound example. */
  private static final class Http {
    String get(String url) {
      return "page of " + url;
    }
  }

  @Test
  void ioBound() {
    List<String> urls = List.of("u1", "u2", "u3");
    Http http = new Http();
    List<String> pages =
        // snippet-start: guide-flow-io-bound
        Flow.fromEnumerable(urls, o -> o.stages(1))
            .partition(o -> o.stages(64).maxDemand(1)) // 64 concurrent fetches, one event each
            .map(url -> http.get(url))
            .toList();
    // snippet-end: guide-flow-io-bound
    assertEquals(3, pages.size());
  }

  // snippet-start: guide-flow-own-stages
  /** Groups events into lists of {@code size}; the last list holds what is left. */
  static final class Batches implements ProducerConsumer<Integer, List<Integer>> {
    private final int size;
    private List<Integer> batch = new ArrayList<>();

    Batches(int size) {
      this.size = size;
    }

    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<List<Integer>> ctx) {
      for (Integer e : events) {
        batch.add(e);
        if (batch.size() == size) {
          ctx.emit(batch);
          batch = new ArrayList<>();
        }
      }
    }

    @Override
    public void handleCancel(
        Peer peer, Subscription s, ExitReason reason, ProducerContext<List<Integer>> ctx) {
      if (peer == Peer.PRODUCER && ctx.producers().isEmpty() && !batch.isEmpty()) {
        ctx.emit(batch); // the input has ended: the run then ends this stage
      }
    }
  }

  // snippet-end: guide-flow-own-stages

  @Test
  void ownStages() {
    ConcurrentLinkedQueue<List<Integer>> written = new ConcurrentLinkedQueue<>();
    // snippet-start: guide-flow-own-stages-run
    Flow.fromEnumerable(IntStream.rangeClosed(1, 10).boxed().toList(), o -> o.stages(1))
        .<List<Integer>>throughProducerConsumers(List.of(() -> new Batches(4)), o -> o.stages(1))
        .intoConsumers(
            List.of(
                () ->
                    (List<List<Integer>> batches, Subscription from, StageContext ctx) ->
                        written.addAll(batches))) // a sink of yours: a batched write
        .await(); // every batch has been written
    // snippet-end: guide-flow-own-stages-run
    assertEquals(
        List.of(List.of(1, 2, 3, 4), List.of(5, 6, 7, 8), List.of(9, 10)), List.copyOf(written));
  }

  @Test
  void intoHeld() {
    ConcurrentLinkedQueue<Integer> written = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> audited = new ConcurrentLinkedQueue<>();
    try (StageSystem system = new StageSystem("sinks")) {
      Stage<Void> writer =
          system.startConsumer(
              "writer",
              (List<Integer> events, Subscription from, StageContext ctx) ->
                  written.addAll(events));
      Stage<Void> audit =
          system.startConsumer(
              "audit",
              (List<Integer> events, Subscription from, StageContext ctx) ->
                  audited.addAll(events));
      // snippet-start: guide-flow-into-held
      RunningInto run =
          Flow.fromEnumerable(IntStream.rangeClosed(1, 100).boxed().toList())
              .map(i -> i * 10)
              .into(List.of(writer), DemandMode.ACCUMULATE); // wired, nothing emitted yet
      run.subscribe(audit); // one more consumer, in place before the first event
      run.release(); // now the sources emit: writer and audit share every event
      run.await();
      // snippet-end: guide-flow-into-held
      for (Stage<Void> s : List.of(writer, audit)) {
        s.stop(ExitReason.normal()); // after the events already sent to it
        s.awaitExit(Duration.ofSeconds(30));
      }
    }
    List<Integer> all = new ArrayList<>(written);
    all.addAll(audited);
    all.sort(null);
    assertEquals(IntStream.rangeClosed(1, 100).mapToObj(i -> i * 10).toList(), all);
  }

  private record Payment(long amount) {}

  @Test
  void countWindows() {
    List<Payment> events = IntStream.range(0, 2500).mapToObj(i -> new Payment(1)).toList();
    List<String> panes =
        // snippet-start: guide-windows-count
        Flow.fromEnumerable(events, o -> o.stages(1))
            .partition(o -> o.stages(4).window(Window.count(1000)))
            .reduce(() -> 0L, (sum, e) -> sum + e.amount())
            .onTrigger((sum, t) -> TriggerResult.of(List.of(t.windowId() + ": " + sum), 0L))
            .toList();
    // snippet-end: guide-windows-count
    assertTrue(panes.contains("0: 1000"), panes::toString);
  }

  @Test
  void punctuation() {
    // snippet-start: guide-windows-punctuation
    Window punctuated =
        Window.global()
            .<String, Integer>trigger(
                () -> 0,
                (events, seen) -> {
                  int i = events.indexOf("END");
                  return i < 0
                      ? TriggerDecision.cont(seen + events.size()) // reduce all, no fire
                      : TriggerDecision.fire(
                          "punctuation",
                          events.subList(0, i), // reduce these,
                          events.subList(i + 1, events.size()), // fire, go on with the rest
                          0);
                });
    // snippet-end: guide-windows-punctuation
    List<Object> out =
        Flow.fromEnumerable(List.of("a", "b", "END", "c"), o -> o.stages(1))
            .partition(o -> o.stages(1).window(punctuated))
            .reduce(() -> 0, (n, e) -> n + 1)
            .onTrigger((n, t) -> TriggerResult.of(List.<Object>of(t.name() + "=" + n), 0))
            .toList();
    assertEquals(List.of("punctuation=2", "done=1"), out);
  }

  private record Event(int shard) {}

  private record Order(int customerId, boolean test, String region) {}

  @Test
  void dispatchers() {
    // snippet-start: guide-dispatchers-factories
    ProducerOptions.<Event>builder().dispatcher(Dispatchers::broadcast).build();
    ProducerOptions.<Event>builder()
        .dispatcher(() -> Dispatchers.partition(4, e -> e.shard()))
        .build();
    // snippet-end: guide-dispatchers-factories
    // snippet-start: guide-dispatchers-partition
    Dispatchers.partition(4); // partitions 0..3, hashCode-based
    Dispatchers.partition(4, (Order o) -> Math.floorMod(o.customerId(), 4));
    Dispatchers.partition(
        4, (Order o) -> o.test() ? Dispatchers.DROP : Math.floorMod(o.customerId(), 4));
    Dispatchers.partition(List.of("eu", "us"), (Order o) -> o.region()); // names; null drops
    // snippet-end: guide-dispatchers-partition
  }

  private record Url(String value) {}

  /** A producer of a few URLs, then done. */
  private static final class UrlQueue implements Producer<Url> {
    private final ArrayDeque<Url> urls =
        new ArrayDeque<>(List.of(new Url("a"), new Url("b"), new Url("c")));

    @Override
    public void handleDemand(long demand, ProducerContext<Url> ctx) {
      List<Url> batch = new ArrayList<>();
      while (demand-- > 0 && !urls.isEmpty()) {
        batch.add(urls.poll());
      }
      ctx.emit(batch);
      if (urls.isEmpty()) {
        ctx.done();
      }
    }
  }

  private final ConcurrentLinkedQueue<Url> downloaded = new ConcurrentLinkedQueue<>();

  private void download(Url url) {
    downloaded.add(url);
  }

  @Test
  void consumerSupervisor() throws Exception {
    // snippet-start: guide-consumer-supervisor
    try (StageSystem system = new StageSystem("jobs")) {
      Stage<Url> urls = system.startProducer(new UrlQueue());
      ConsumerSupervisor<Url> downloads =
          ConsumerSupervisor.<Url>builder(url -> download(url)) // a ChildTask<Url>
              .restart(Restart.TRANSIENT) // retry a failed download
              .maxRestarts(3, Duration.ofSeconds(5))
              .subscribeTo(urls, SubscriptionOptions.builder().maxDemand(10).minDemand(5).build())
              .start(system);
      // ... the downloads run, each on its own virtual thread
      // snippet-end: guide-consumer-supervisor
      assertTrue(downloads.stage().name() != null);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (downloaded.size() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      // snippet-start: guide-consumer-supervisor
    }
    // snippet-end: guide-consumer-supervisor
    assertEquals(3, downloaded.size());
  }
}
