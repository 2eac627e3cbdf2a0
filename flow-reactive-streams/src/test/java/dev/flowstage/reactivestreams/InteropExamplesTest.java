package dev.flowstage.reactivestreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.flowstage.flow.Flow;
import dev.flowstage.flow.FlowException;
import dev.flowstage.flow.RunningFlow;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Publishers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The examples of docs/guides/interop.md, run in the build (the guide's code blocks are copies of
 * the {@code snippet} regions here, checked by flow-examples' DocsSnippetsTest).
 */
final class InteropExamplesTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  void reactor_feedsAFlow_andTheResultIsAFlux() {
    // snippet-start: reactor
    Flux<String> lines = Flux.range(1, 3000).map(i -> "to be or not to be " + (i % 3));

    Flow<Map<String, Long>> counts =
        ReactiveStreamsFlows.fromPublisher(lines, o -> o.stages(2).maxDemand(500))
            .flatMap(line -> List.of(line.split(" ")))
            .partition()
            .reduce(
                HashMap<String, Long>::new,
                (m, word) -> {
                  m.merge(word, 1L, Long::sum);
                  return m;
                });

    Map<String, Long> total =
        Flux.from(ReactiveStreamsFlows.toPublisher(counts)) // one map per partition
            .flatMapIterable(Map::entrySet)
            .collectMap(Map.Entry::getKey, Map.Entry::getValue)
            .block(Duration.ofSeconds(30));
    // snippet-end: reactor
    assertEquals(6000L, total.get("to"));
    assertEquals(3000L, total.get("or"));
    assertEquals(1000L, total.get("0"));
    assertEquals(7, total.size());
  }

  @Test
  void reactor_takeCancelsTheFlow_andRequestsAreBatched() throws Exception {
    AtomicLong pulled = new AtomicLong();
    List<Long> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    Flux<Long> endless =
        Flux.<Long, Long>generate(
                () -> 0L,
                (i, sink) -> {
                  sink.next(i);
                  return i + 1;
                })
            .doOnNext(x -> pulled.incrementAndGet())
            .doOnRequest(requests::add)
            .doOnCancel(() -> cancelled.set(true));
    List<Long> first =
        Flux.from(
                ReactiveStreamsFlows.toPublisher(
                    ReactiveStreamsFlows.fromPublisher(endless, o -> o.stages(1).maxDemand(100))
                        .map(x -> x * 10)))
            .take(250)
            .collectList()
            .block(WAIT);
    assertEquals(250, first.size());
    assertEquals(0L, first.get(0));
    assertEquals(2490L, first.get(249));
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!cancelled.get() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertTrue(cancelled.get(), "the Flux's cancel did not reach the source");
    assertEquals(100L, requests.get(0), "the flow asks its source in maxDemand batches");
    assertTrue(requests.stream().allMatch(n -> n >= 50), () -> "requests " + requests);
  }

  @Test
  void reactor_errorFailsTheFlow_andTheFluxGetsTheFlowException() {
    Flux<Integer> broken =
        Flux.range(1, 100).concatWith(Flux.error(new IllegalStateException("upstream broke")));
    Flow<Integer> flow = ReactiveStreamsFlows.fromPublisher(broken, o -> o.stages(1));
    FlowException e =
        assertThrows(
            FlowException.class,
            () -> Flux.from(ReactiveStreamsFlows.toPublisher(flow)).blockLast(WAIT));
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void httpClient_bodyPublisher_feedsAFlow() throws Exception {
    byte[] body = "line\n".repeat(20_000).getBytes(StandardCharsets.UTF_8);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/lines",
        exchange -> {
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < body.length; i += 4096) {
              out.write(body, i, Math.min(4096, body.length - i));
            }
          }
        });
    server.start();
    try (HttpClient client = HttpClient.newHttpClient()) {
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/lines");
      // snippet-start: http-client
      HttpResponse<java.util.concurrent.Flow.Publisher<List<ByteBuffer>>> response =
          client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofPublisher());

      // The body arrives as chunks of buffers, read only as fast as the flow asks for them.
      long newlines =
          Flow.fromPublisher(response.body(), o -> o.stages(1).maxDemand(8))
              .map(
                  buffers -> {
                    long n = 0;
                    for (ByteBuffer b : buffers) {
                      while (b.hasRemaining()) {
                        n += b.get() == '\n' ? 1 : 0;
                      }
                    }
                    return n;
                  })
              .collect(Collectors.summingLong(Long::longValue));
      // snippet-end: http-client
      assertEquals(20_000L, newlines);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void future_composesWithAsyncCode() throws Exception {
    // snippet-start: future
    RunningFlow<Long> running =
        Flow.fromEnumerable(List.of("a", "bb", "ccc")).map(String::length).start(counting());
    CompletableFuture<String> report =
        running.toCompletableFuture().thenApply(n -> n + " events").orTimeout(30, TimeUnit.SECONDS);
    // running.toCompletableFuture().cancel(true) would cancel the flow itself.
    // snippet-end: future
    assertEquals("3 events", report.get(30, TimeUnit.SECONDS));
  }

  private static <T> java.util.stream.Collector<T, ?, Long> counting() {
    return Collectors.counting();
  }

  @Test
  void stages_publisherAndSubscriber() {
    // snippet-start: stages
    try (StageSystem system = new StageSystem("interop")) {
      // A producer stage fed by a publisher: consumers' demand becomes request(n).
      Stage<Integer> numbers =
          system.startProducer(
              ReactiveStreamsFlows.producer(Flux.range(1, 1000), Producers.OnCancel.STOP));
      // Running producer stages as a publisher: each subscriber gets a consumer stage.
      List<Integer> evens =
          Flux.from(org.reactivestreams.FlowAdapters.toPublisher(Publishers.of(system, numbers)))
              .filter(i -> i % 2 == 0)
              .collectList()
              .block(Duration.ofSeconds(30));
      // snippet-end: stages
      assertEquals(500, evens.size());
      assertEquals(2, evens.get(0));
    }
  }
}
