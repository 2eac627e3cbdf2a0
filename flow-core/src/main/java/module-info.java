/** The Flow DSL: a fluent, parallel, Enum-like API compiled onto flow-stages. */
// fastutil ships an Automatic-Module-Name only; dev.flowstage.test (the test kit) is built after us
@SuppressWarnings({"requires-automatic", "module"})
module dev.flowstage.flow {
  requires transitive dev.flowstage.stages;
  requires it.unimi.dsi.fastutil;

  exports dev.flowstage.flow;
  // The flow-test kit's hook (FlowTestHook): for tests, so only the kit sees it on the module path.
  exports dev.flowstage.flow.testing to
      dev.flowstage.test;
}
