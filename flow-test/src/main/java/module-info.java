/**
 * The Flowstage test kit: same-as-sequential checks of flows with shrinking ({@code FlowCheck}), a
 * virtual clock for windows and triggers, and probes for stage-level tests.
 */
module dev.flowstage.test {
  requires transitive dev.flowstage.flow;

  exports dev.flowstage.test;
}
