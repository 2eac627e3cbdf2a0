/**
 * The Flowstage stage runtime: producers, consumers and producer-consumers that exchange events
 * under demand, each on its own virtual thread (GenStage for Java).
 */
module dev.flowstage.stages {
  exports dev.flowstage.stage;
  exports dev.flowstage.stage.dispatch;
  exports dev.flowstage.stage.supervisor;
}
