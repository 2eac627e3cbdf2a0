/**
 * The Flow DSL: a fluent, parallel, Enum-like API compiled onto flow-stages. {@code
 * dev.flowstage.flow.plan} is a flow's plan as data and {@code dev.flowstage.flow.logic} the
 * thread-free per-stage logic every engine runs; both are for backends and may change before 1.0.
 */
// dev.flowstage.test (the test kit) is built after us: a qualified export javac cannot resolve
@SuppressWarnings("module")
module dev.flowstage.flow {
  requires transitive dev.flowstage.stages;
  requires jdk.jfr;

  exports dev.flowstage.flow;
  exports dev.flowstage.flow.plan;
  exports dev.flowstage.flow.logic;
  exports dev.flowstage.flow.logic.words;
  // The flow-test kit's hook (FlowTestHook): for tests, so only the kit sees it on the module path.
  exports dev.flowstage.flow.testing to
      dev.flowstage.test;
}
