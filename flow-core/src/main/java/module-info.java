/** The Flow DSL: a fluent, parallel, Enum-like API compiled onto flow-stages. */
@SuppressWarnings("requires-automatic") // fastutil ships an Automatic-Module-Name only
module dev.flowstage.flow {
  requires transitive dev.flowstage.stages;
  requires it.unimi.dsi.fastutil;
  requires jdk.jfr;

  exports dev.flowstage.flow;
}
