package dev.flowstage.reactivestreams.tck;

import dev.flowstage.flow.Flow;
import dev.flowstage.flow.RunningFlow;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterMethod;

/**
 * The Reactive Streams TCK (subscriber rules, black box) for the subscriber {@code
 * Flow.fromPublisher} subscribes: a running one-stage flow whose demand drives its requests.
 *
 * <p>Skipped: the {@code untested_*} rules, which the TCK itself skips for every implementation (it
 * has no test for them); docs/guides/interop.md ("TCK status") says how each holds here.
 */
public class FlowFromPublisherTckTest extends FlowSubscriberBlackboxVerification<Long> {
  private final List<RunningFlow<?>> flows = new CopyOnWriteArrayList<>();

  /** Creates the verification with the shared environment. */
  public FlowFromPublisherTckTest() {
    super(Tck.env());
  }

  /** Cancels every flow a test started (a no-op for those that finished). */
  @AfterMethod(alwaysRun = true)
  public void cancelFlows() {
    flows.forEach(RunningFlow::cancel);
    flows.clear();
  }

  @Override
  public java.util.concurrent.Flow.Subscriber<Long> createFlowSubscriber() {
    Tck.Capturing<Long> capture = new Tck.Capturing<>();
    flows.add(Flow.fromPublisher(capture, o -> o.stages(1).maxDemand(8)).start());
    @SuppressWarnings("unchecked")
    java.util.concurrent.Flow.Subscriber<Long> s =
        (java.util.concurrent.Flow.Subscriber<Long>) capture.captured();
    return s;
  }

  @Override
  public Long createElement(int element) {
    return (long) element;
  }
}
