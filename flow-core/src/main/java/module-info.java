/**
 * The Flow DSL: a fluent, parallel, Enum-like API compiled onto flow-stages. {@code
 * dev.flowstage.flow.plan} is a flow's plan as data and {@code dev.flowstage.flow.logic} the
 * thread-free per-stage logic every engine runs; both are for backends and may change before 1.0.
 */
@SuppressWarnings("requires-automatic") // fastutil ships an Automatic-Module-Name only
module dev.flowstage.flow {
  requires transitive dev.flowstage.stages;
  requires it.unimi.dsi.fastutil;

  exports dev.flowstage.flow;
  exports dev.flowstage.flow.plan;
  exports dev.flowstage.flow.logic;
}
