package dev.flowstage.stage.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatchers;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A producer-consumer with a broadcast dispatcher whose consumers have selectors, driven message by
 * message on the test thread (no stage thread): each consumer must receive its events in the order
 * the stage emitted them. Found by {@code TopologyFuzzProperties}: demand a selector's discards
 * credited back was served while the stage already handled its next input, so newer events reached
 * every consumer ahead of older ones still in the buffer.
 */
final class ProducerConsumerBroadcastOrderTest {
  private final StageRuntime runtime = new StageRuntime("pc-order");

  /** The stage under test, its consumers, and what each has received. */
  private final class Harness {
    final StageCell<Integer> pc;
    final StageSubscription upstream;
    final List<StageCell<Void>> consumers = new ArrayList<>();
    final List<StageSubscription> subs = new ArrayList<>();
    final List<List<Integer>> received = new ArrayList<>();
    final List<String> ops = new ArrayList<>();
    int next;

    Harness() {
      ProducerConsumer<Integer, Integer> pass =
          new ProducerConsumer<>() {
            @Override
            public void handleEvents(
                List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
              ctx.emit(List.copyOf(events));
            }
          };
      pc =
          new StageCell<>(
              runtime,
              "pc",
              new Callbacks.OfProducerConsumer(pass),
              ProducerOptions.<Integer>builder().dispatcher(Dispatchers::broadcast).build());
      pc.thread = Thread.currentThread(); // callbacks run here, as if on the stage's thread
      upstream = new StageSubscription(consumerCell("up"), pc, SubscriptionOptions.defaults());
      upstream.consumerActive = true; // no demand counter: each batch is handled whole
    }

    /** Subscribes a consumer; {@code mod > 0} selects the events not divisible by it. */
    void subscribe(int mod) {
      ops.add(
          "subscribe c" + consumers.size() + (mod > 0 ? " selecting e % " + mod + " != 0" : ""));
      SubscriptionOptions.Builder b = SubscriptionOptions.builder();
      if (mod > 0) {
        b.selector((Integer e) -> e % mod != 0);
      }
      StageCell<Void> c = consumerCell("c" + consumers.size());
      StageSubscription s = new StageSubscription(pc, c, b.build());
      consumers.add(c);
      subs.add(s);
      received.add(new ArrayList<>());
      pc.producer.onSubscribe(s);
      collect();
    }

    /** The next {@code n} integers arrive from upstream. */
    void input(int n) {
      List<Object> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(next++);
      }
      ops.add("input " + batch);
      pc.consumer.onEvents(new Message.Events(upstream, batch));
      collect();
    }

    void ask(int consumer, int n) {
      ops.add("c" + consumer + " asks " + n);
      pc.producer.onAsk(subs.get(consumer), n);
      collect();
    }

    private void collect() {
      for (int i = 0; i < consumers.size(); i++) {
        Message m;
        while ((m = consumers.get(i).mailbox.poll()) != null) {
          if (m instanceof Message.Events e) {
            for (Object o : e.events()) {
              received.get(i).add((Integer) o);
            }
          }
        }
      }
    }

    void assertInOrder() {
      for (int i = 0; i < consumers.size(); i++) {
        List<Integer> got = received.get(i);
        assertEquals(got.stream().sorted().toList(), got, "c" + i + " after " + ops);
      }
    }
  }

  private StageCell<Void> consumerCell(String name) {
    Consumer<Object> ignoring =
        new Consumer<>() {
          @Override
          public void handleEvents(List<Object> events, Subscription from, StageContext ctx) {}
        };
    return new StageCell<>(
        runtime, name, new Callbacks.OfConsumer(ignoring), ProducerOptions.defaults());
  }

  @Test
  void selectorsCreditDemand_bufferedEventsStillGoOutBeforeTheNextInput() {
    Harness h = new Harness();
    h.subscribe(3);
    h.ask(0, 4);
    h.subscribe(2);
    h.ask(0, 2);
    h.input(1);
    h.input(1);
    h.ask(1, 5);
    h.subscribe(3);
    h.input(1);
    h.input(2);
    h.input(2);
    h.ask(0, 5);
    h.ask(2, 4);
    h.input(4);
    h.ask(0, 2);
    h.ask(2, 3);
    h.ask(0, 4);
    h.ask(2, 5);
    h.input(4);
    h.input(5);
    h.input(4);
    h.ask(2, 4);
    h.ask(2, 3);
    h.ask(0, 5);
    h.input(3);
    h.ask(1, 5); // served 20 (its input waited) before 19 (in the buffer) before the fix
    h.assertInOrder();
  }

  @Test
  void randomSubscribeInputAndAsks_keepEachConsumersOrder() {
    for (long seed = 0; seed < 3000; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      Harness h = new Harness();
      for (int step = 0; step < 40; step++) {
        int op = r.nextInt(10);
        if ((op < 2 && h.consumers.size() < 3) || h.consumers.isEmpty()) {
          int mod = r.nextInt(4);
          h.subscribe(mod < 2 ? 0 : mod);
        } else if (op < 6) {
          h.input(r.nextInt(1, 6));
        } else {
          h.ask(r.nextInt(h.consumers.size()), r.nextInt(1, 6));
        }
      }
      h.assertInOrder();
    }
  }
}
