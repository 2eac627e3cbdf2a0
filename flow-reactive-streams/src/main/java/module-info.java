/** Flows and stages as {@code org.reactivestreams} publishers and subscribers. */
// reactive-streams 1.0.4 is an automatic module (it ships an Automatic-Module-Name only).
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.flowstage.reactivestreams {
  requires transitive dev.flowstage.flow;
  requires transitive org.reactivestreams;

  exports dev.flowstage.reactivestreams;
}
