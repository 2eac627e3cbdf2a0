package dev.flowstage.examples.workerpool;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.Producer;
import dev.flowstage.stage.ProducerContext;
import dev.flowstage.stage.ProducerOptions;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A worker pool fed by a job queue that is empty when the workers first ask: the pending-demand
 * pattern. {@code handleDemand} is called only when consumers ask, so a producer that has nothing
 * to give must <em>remember</em> the demand and serve it later, here when jobs are cast to it.
 *
 * <p>Run: {@code scripts/flowstage example worker-pool}
 */
public final class WorkerPoolExample {
  private WorkerPoolExample() {}

  /**
   * A unit of work.
   *
   * @param id its number
   */
  public record Job(int id) {}

  /** Tells the queue no more jobs will come: it finishes once the last job is handed out. */
  private record NoMoreJobs() {}

  // snippet-start: pending-demand
  /** Holds jobs and the demand it could not serve yet; hands out jobs as both are available. */
  static final class JobQueue implements Producer<Job> {
    private final ArrayDeque<Job> jobs = new ArrayDeque<>();
    private final PrintWriter out;
    private final CountDownLatch demandSeen;
    private long pendingDemand;
    private boolean noMoreJobs;

    JobQueue(PrintWriter out, CountDownLatch demandSeen) {
      this.out = out;
      this.demandSeen = demandSeen;
    }

    @Override
    public void handleDemand(long demand, ProducerContext<Job> ctx) {
      pendingDemand += demand; // remember it: handleDemand is not called again for it
      out.println("queue: workers asked for " + demand + ", pending demand " + pendingDemand);
      for (long i = 0; i < demand; i++) {
        demandSeen.countDown();
      }
      dispatch(ctx);
    }

    @Override
    public void handleCast(Object message, ProducerContext<Job> ctx) {
      switch (message) {
        case Job job -> jobs.add(job);
        case NoMoreJobs n -> noMoreJobs = true;
        default -> throw new IllegalArgumentException("unexpected message " + message);
      }
      dispatch(ctx);
    }

    private void dispatch(ProducerContext<Job> ctx) {
      List<Job> batch = new ArrayList<>();
      while (pendingDemand > 0 && !jobs.isEmpty()) {
        batch.add(jobs.poll());
        pendingDemand--;
      }
      ctx.emit(batch);
      if (noMoreJobs && jobs.isEmpty()) {
        ctx.done();
      }
    }
  }

  // snippet-end: pending-demand

  /** Runs one job at a time and records who ran what. */
  static final class Worker implements Consumer<Job> {
    private final String name;
    private final PrintWriter out;
    private final Map<Integer, String> ranBy;

    Worker(String name, PrintWriter out, Map<Integer, String> ranBy) {
      this.name = name;
      this.out = out;
      this.ranBy = ranBy;
    }

    @Override
    public void handleEvents(List<Job> jobs, Subscription from, StageContext ctx) {
      for (Job job : jobs) {
        out.println(name + " runs job " + job.id());
        ranBy.put(job.id(), name);
      }
    }
  }

  /**
   * Starts three workers on an empty queue, then adds ten jobs and waits for the pool to drain.
   *
   * @param out where the narrative goes
   * @return for each job id, the worker that ran it
   * @throws InterruptedException if interrupted while waiting
   */
  public static Map<Integer, String> run(PrintWriter out) throws InterruptedException {
    int workers = 3;
    Map<Integer, String> ranBy = new ConcurrentHashMap<>();
    CountDownLatch demandSeen = new CountDownLatch(workers);
    try (StageSystem system = new StageSystem("worker-pool")) {
      Stage<Job> queue =
          system.startProducer(
              new JobQueue(out, demandSeen), ProducerOptions.<Job>builder().name("jobs").build());
      List<Stage<Void>> pool = new ArrayList<>();
      for (int i = 1; i <= workers; i++) {
        Stage<Void> worker =
            system.startConsumer("worker-" + i, new Worker("worker-" + i, out, ranBy));
        // One job at a time per worker: ask for 1, ask again when it is done.
        worker.subscribeTo(queue, SubscriptionOptions.builder().maxDemand(1).minDemand(0).build());
        pool.add(worker);
      }
      if (!demandSeen.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("workers did not ask within 30 s");
      }
      out.println("All " + workers + " workers are waiting; the queue remembers their demand.");
      for (int id = 1; id <= 10; id++) {
        queue.cast(new Job(id));
      }
      queue.cast(new NoMoreJobs());
      for (Stage<Void> worker : pool) {
        worker.awaitExit(Duration.ofSeconds(30));
      }
      out.println("Ten jobs ran, each exactly once; the queue finished and every worker stopped.");
      out.flush();
      return Map.copyOf(ranBy);
    }
  }

  /**
   * Runs the example on standard output.
   *
   * @param args ignored
   * @throws InterruptedException if interrupted
   */
  public static void main(String[] args) throws InterruptedException {
    run(new PrintWriter(System.out, true));
  }
}
