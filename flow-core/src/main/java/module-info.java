/** The Flow DSL: a fluent, parallel, Enum-like API compiled onto flow-stages. */
module dev.flowstage.flow {
  requires transitive dev.flowstage.stages;
  requires jdk.jfr;

  exports dev.flowstage.flow;
}
