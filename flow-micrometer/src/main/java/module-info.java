/**
 * Micrometer meters for Flowstage: every running flow's and stage's counters, tagged by flow and
 * stage name.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer: automatic
module dev.flowstage.micrometer {
  requires transitive dev.flowstage.flow;
  requires transitive micrometer.core;

  exports dev.flowstage.micrometer;
}
