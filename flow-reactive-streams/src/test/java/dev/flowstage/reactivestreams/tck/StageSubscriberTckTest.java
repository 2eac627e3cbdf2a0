package dev.flowstage.reactivestreams.tck;

import dev.flowstage.stage.Consumer;
import dev.flowstage.stage.Producers;
import dev.flowstage.stage.Stage;
import dev.flowstage.stage.StageContext;
import dev.flowstage.stage.StageSystem;
import dev.flowstage.stage.Subscription;
import dev.flowstage.stage.SubscriptionOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;
import org.testng.annotations.AfterMethod;

/**
 * The Reactive Streams TCK (subscriber rules, black box) for the subscriber of {@link
 * Producers#fromPublisher}: a producer stage with a consumer stage asking for events, so its
 * subscriber requests as a real pipeline makes it.
 *
 * <p>Skipped: the {@code untested_*} rules, which the TCK itself skips for every implementation (it
 * has no test for them); docs/guides/interop.md ("TCK status") says how each holds here.
 */
public class StageSubscriberTckTest extends FlowSubscriberBlackboxVerification<Long> {
  private final List<StageSystem> systems = new CopyOnWriteArrayList<>();

  /** Creates the verification with the shared environment. */
  public StageSubscriberTckTest() {
    super(Tck.env());
  }

  /** Stops every stage a test started. */
  @AfterMethod(alwaysRun = true)
  public void closeSystems() {
    systems.forEach(StageSystem::close);
    systems.clear();
  }

  @Override
  public Flow.Subscriber<Long> createFlowSubscriber() {
    StageSystem system = new StageSystem("tck");
    systems.add(system);
    Tck.Capturing<Long> capture = new Tck.Capturing<>();
    Stage<Long> producer =
        system.startProducer(Producers.fromPublisher(capture, Producers.OnCancel.STOP));
    Stage<Void> consumer =
        system.startConsumer(
            new Consumer<Long>() {
              @Override
              public void handleEvents(List<Long> events, Subscription from, StageContext ctx) {}
            });
    consumer.subscribeTo(producer, SubscriptionOptions.builder().maxDemand(8).minDemand(4).build());
    @SuppressWarnings("unchecked")
    Flow.Subscriber<Long> s = (Flow.Subscriber<Long>) capture.captured();
    return s;
  }

  @Override
  public Long createElement(int element) {
    return (long) element;
  }
}
