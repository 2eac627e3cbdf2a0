/**
 * The Flowstage stage runtime: producers, consumers and producer-consumers that exchange events
 * under demand, each on its own virtual thread (GenStage for Java).
 */
// dev.flowstage.flow is built after us: a qualified export javac cannot resolve
@SuppressWarnings("module")
module dev.flowstage.stages {
  exports dev.flowstage.stage;
  exports dev.flowstage.stage.dispatch;
  exports dev.flowstage.stage.supervisor;
  // The subscriber bridge (SubscriberConsumer), for Flow.toPublisher: one bridge for both layers.
  exports dev.flowstage.stage.internal to
      dev.flowstage.flow;
}
