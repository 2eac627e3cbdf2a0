package dev.flowstage.bench;

import dev.flowstage.stage.CancelMode;
import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.DemandMode;
import dev.flowstage.stage.ExitReason;
import dev.flowstage.stage.Peer;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerConsumer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageException;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import dev.flowstage.stage.dispatch.Dispatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The stages the Flowstage throughput benchmarks wire together, through the public flow-stages API
 * only: a producer of {@link Events}, a pass-through producer-consumer and a summing consumer.
 */
final class StageFixtures {
  /** A benchmark run that takes longer than this has hung: fail it instead of stalling JMH. */
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private StageFixtures() {}

  /** Emits all {@link Events} in order, exactly as much as asked, then finishes. */
  static final class EventSource implements Producer<Integer> {
    private final List<Integer> events = Arrays.asList(Events.all());
    private int next;

    @Override
    public void handleDemand(long demand, ProducerContext<Integer> ctx) {
      int n = (int) Math.min(demand, events.size() - next);
      if (n > 0) {
        // A view, not a copy: the runtime may keep it, and the events never change.
        ctx.emit(events.subList(next, next + n));
        next += n;
      }
      if (next == events.size()) {
        ctx.done();
      }
    }
  }

  /** Maps each event to the same value (a table look-up, no boxing) and emits the new batch. */
  static final class PassThrough implements ProducerConsumer<Integer, Integer> {
    private final Integer[] table = Events.all();

    @Override
    public void handleEvents(
        List<Integer> events, Subscription from, ProducerContext<Integer> ctx) {
      List<Integer> out = new ArrayList<>(events.size());
      for (Integer e : events) {
        out.add(table[e]);
      }
      ctx.emit(out);
    }

    @Override
    public void handleCancel(
        Peer peer, Subscription subscription, ExitReason reason, ProducerContext<Integer> ctx) {
      if (peer == Peer.PRODUCER && reason instanceof ExitReason.Normal) {
        ctx.done(); // upstream finished: finish once the last batch is delivered
      }
    }
  }

  /** Sums the events it receives; read {@link #sum()} after the stage exited. */
  static final class SumConsumer implements Consumer<Integer> {
    private volatile long sum; // written by the stage thread only, read after it exited

    @Override
    public void handleEvents(List<Integer> events, Subscription from, StageContext ctx) {
      long s = sum;
      for (Integer e : events) {
        s += e;
      }
      sum = s;
    }

    long sum() {
      return sum;
    }
  }

  /**
   * Runs source -> {@code middle} pass-through stages -> {@code consumers} summing consumers (the
   * last layer behind {@code dispatcher}), and returns the consumers' sums.
   */
  static long[] run(
      int middle,
      int consumers,
      int maxDemand,
      Supplier<? extends Dispatcher<Integer>> dispatcher,
      boolean partitioned) {
    try (StageSystem system = new StageSystem("bench")) {
      Stage<Integer> upstream =
          system.startProducer(
              new EventSource(),
              ProducerOptions.<Integer>builder()
                  .name("source")
                  .dispatcher(middle == 0 ? dispatcher : DefaultDispatcher.INSTANCE)
                  .demandMode(DemandMode.ACCUMULATE)
                  .build());
      Stage<Integer> source = upstream;
      SubscriptionOptions.Builder opts = SubscriptionOptions.builder().maxDemand(maxDemand);
      for (int k = 0; k < middle; k++) {
        Stage<Integer> stage =
            system.startProducerConsumer(
                new PassThrough(),
                ProducerOptions.<Integer>builder()
                    .name("middle-" + k)
                    .dispatcher(k == middle - 1 ? dispatcher : DefaultDispatcher.INSTANCE)
                    .build());
        // TRANSIENT: when the source finishes, the stage stays up to deliver what it holds and
        // finishes itself (PassThrough.handleCancel -> done()).
        stage.subscribeTo(upstream, opts.build().toBuilder().cancel(CancelMode.TRANSIENT).build());
        upstream = stage;
      }
      SumConsumer[] sums = new SumConsumer[consumers];
      List<Stage<Void>> stages = new ArrayList<>();
      for (int i = 0; i < consumers; i++) {
        sums[i] = new SumConsumer();
        Stage<Void> c = system.startConsumer("sum-" + i, sums[i]);
        c.subscribeTo(upstream, (partitioned ? opts.partition(i) : opts).build());
        stages.add(c);
      }
      source.demandMode(DemandMode.FORWARD); // every consumer is subscribed: start
      long[] result = new long[consumers];
      for (int i = 0; i < consumers; i++) {
        ExitReason reason = stages.get(i).awaitExit(TIMEOUT);
        if (!(reason instanceof ExitReason.Normal)) {
          throw new StageException("consumer " + i + " ended with " + reason);
        }
        result[i] = sums[i].sum();
      }
      return result;
    }
  }

  /** The runtime's default dispatcher (demand), as a supplier of a fresh instance. */
  private static final class DefaultDispatcher implements Supplier<Dispatcher<Integer>> {
    static final DefaultDispatcher INSTANCE = new DefaultDispatcher();

    @Override
    public Dispatcher<Integer> get() {
      return dev.flowstage.stage.dispatch.Dispatchers.demand();
    }
  }
}
