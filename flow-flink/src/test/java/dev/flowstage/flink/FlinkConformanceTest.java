package dev.flowstage.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One suite, two engines: seeded random plans (per-event chains, a partition with a random window
 * and trigger, a reduce, then a second partition or a departition) run on the local runtime and on
 * a mini cluster, compared as multisets. The first partition reads one ordered source, so its
 * order-sensitive windows (count, triggerEvery, fixed event time) see the same order on both; what
 * comes after it only sums, which any interleaving gives alike.
 */
final class FlinkConformanceTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .build());

  static LongStream seeds() {
    return LongStream.range(1, 25);
  }

  /** A random plan and its description, for the failure message. */
  private record Plan(Flow<?> flow, String description) {}

  private static Plan randomPlan(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Integer> input = new ArrayList<>();
    for (int i = 0, n = r.nextInt(0, 300); i < n; i++) {
      input.add(r.nextInt(0, 1000));
    }
    StringBuilder d = new StringBuilder("fromEnumerable(" + input.size() + " ints)");
    Flow<Integer> f = Flow.fromEnumerable(input, o -> o.stages(1));
    for (int i = 0, n = r.nextInt(0, 3); i < n; i++) {
      switch (r.nextInt(4)) {
        case 0 -> {
          f = f.map(x -> (x * 7 + 3) % 1000);
          d.append(".map");
        }
        case 1 -> {
          f = f.filter(x -> x % 3 != 0);
          d.append(".filter");
        }
        case 2 -> {
          f = f.flatMap(x -> List.of(x, x / 2));
          d.append(".flatMap");
        }
        default -> {
          f = f.reject(x -> x % 5 == 0);
          d.append(".reject");
        }
      }
    }
    int stages = r.nextInt(1, 4);
    boolean keyed = r.nextBoolean();
    Window window =
        switch (r.nextInt(5)) {
          case 0 -> Window.global();
          case 1 -> Window.global().triggerEvery(r.nextInt(1, 20));
          case 2 -> Window.count(r.nextInt(1, 30));
          case 3 -> Window.count(r.nextInt(5, 30)).triggerEvery(r.nextInt(1, 5));
          default -> Window.fixed(Duration.ofMillis(r.nextInt(50, 500)), x -> (Integer) x * 10L);
        };
    d.append(".partition(stages ").append(stages).append(keyed ? ", key x%7" : "");
    d.append(", ").append(window).append(")");
    Flow<Integer> partitioned =
        f.partition(
            o -> {
              var p = o.stages(stages).window(window);
              return keyed ? p.key(x -> (Integer) x % 7) : p;
            });
    Flow<Long> reduced;
    if (r.nextBoolean()) {
      reduced = partitioned.reduce(() -> 0L, (s, x) -> s + x);
      d.append(".reduce(sum)");
    } else {
      reduced = partitioned.reduce(() -> 0L, (s, x) -> s + 1);
      d.append(".reduce(count)");
    }
    Flow<?> last =
        switch (r.nextInt(3)) {
          case 0 -> {
            d.append(".partition(stages 2).reduce(sum)");
            yield reduced.partition(o -> o.stages(2)).reduce(() -> 0L, Long::sum);
          }
          case 1 -> {
            d.append(".departition(sum)");
            yield reduced.departition(() -> 0L, Long::sum, s -> s);
          }
          default -> {
            d.append(".map(x+1)");
            yield reduced.map(x -> x + 1);
          }
        };
    return new Plan(last, d.toString());
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomPlan_localAndFlink_sameMultiset(long seed) throws Exception {
    Plan plan = randomPlan(seed);
    List<String> local = new ArrayList<>();
    plan.flow().toList().forEach(e -> local.add(String.valueOf(e)));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    List<String> flink = new ArrayList<>();
    FlinkFlows.collect(env, plan.flow()).forEach(e -> flink.add(String.valueOf(e)));
    local.sort(null);
    flink.sort(null);
    assertEquals(local, flink, "seed " + seed + ": " + plan.description());
  }
}
