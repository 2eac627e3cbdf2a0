package dev.flowstage.stage.snippets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.supervisor.ConsumerSupervisor;
import dev.flowstage.stage.supervisor.Restart;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * The examples of flow-stages' Javadoc, compiled and run: the Javadoc shows the regions between
 * {@code @start region=...} and {@code @end} with {@code {@snippet class=... region=...}}
 * (javadoc's {@code --snippet-path} is src/test/java, see flow-stages' pom), and flow-core's
 * JavadocSnippetsTest checks every such reference resolves.
 */
final class StageSnippets {
  private final Set<String> downloaded = ConcurrentHashMap.newKeySet();
  private final CountDownLatch allDownloaded = new CountDownLatch(3);

  private void download(String url) {
    downloaded.add(url);
    allDownloaded.countDown();
  }

  @Test
  void stageSystem() {
    // @start region=stageSystem
    try (StageSystem system = new StageSystem("demo")) {
      Stage<Integer> numbers = system.startProducer(Producers.fromIterable(List.of(1, 2, 3)));
      List<Integer> all =
          system.<Integer>stream(List.of(numbers), SubscriptionOptions.defaults()).toList();
      assertEquals(List.of(1, 2, 3), all);
    }
    // @end
  }

  @Test
  void consumerSupervisor() throws InterruptedException {
    try (StageSystem system = new StageSystem("supervisor-demo")) {
      Stage<String> urls =
          system.startProducer(
              Producers.fromIterable(List.of("https://a", "https://b", "https://c")));
      // @start region=consumerSupervisor
      ConsumerSupervisor<String> sup =
          ConsumerSupervisor.<String>builder(url -> download(url))
              .restart(Restart.TRANSIENT)
              .subscribeTo(urls, SubscriptionOptions.builder().maxDemand(10).build())
              .start(system);
      // @end
      allDownloaded.await();
      assertEquals(Set.of("https://a", "https://b", "https://c"), downloaded);
    }
  }
}
