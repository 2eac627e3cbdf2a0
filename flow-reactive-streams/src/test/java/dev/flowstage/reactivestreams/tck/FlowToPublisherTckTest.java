package dev.flowstage.reactivestreams.tck;

import dev.flowstage.flow.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The Reactive Streams TCK (publisher rules) for {@code Flow.toPublisher()}: each publisher is a
 * one-stage flow over {@code 0 .. n-1} with a map, so events cross a source stage, a layer stage
 * and the terminal before they reach the subscriber.
 *
 * <p>Skipped: the {@code untested_*} rules, which the TCK itself skips for every implementation (it
 * has no test for them); docs/guides/interop.md ("TCK status") says how each holds here.
 */
public class FlowToPublisherTckTest extends FlowPublisherVerification<Long> {
  /** Creates the verification with the shared environment. */
  public FlowToPublisherTckTest() {
    super(Tck.env(), Tck.GC_TIMEOUT_MILLIS);
  }

  @Override
  public java.util.concurrent.Flow.Publisher<Long> createFlowPublisher(long elements) {
    return Flow.fromEnumerable(Tck.range(elements), o -> o.stages(1).maxDemand(16))
        .map(x -> x + 0)
        .toPublisher();
  }

  @Override
  public java.util.concurrent.Flow.Publisher<Long> createFailedFlowPublisher() {
    return Flow.fromEnumerable(Tck.failing(), o -> o.stages(1)).toPublisher();
  }
}
