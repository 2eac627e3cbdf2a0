# shellcheck shell=bash
# The JVM options scripts/flowstage starts the CLI with, shared with scripts/bench so that the
# benchmark measures the command as users run it. Source after java.sh (needs FLOWSTAGE_JAVA).
#
# A start-up cache makes a short run cheaper on a small machine: without it, class loading and
# the JIT compiler's warm-up take about a third of the CPU of a 256 MiB word count, and at two
# stages they compete with the counting for the two cores.
# - JDK 25+: an ahead-of-time cache (JEP 483/514/515: classes loaded and linked, method profiles),
#   recorded once by a training run (dev.flowstage.examples.cli.StartupTraining) after each build.
# - JDK 21-24: a dynamic CDS archive the JVM writes at the end of the first run
#   (-XX:+AutoCreateSharedArchive) and rewrites by itself when the jar changes.
# The cache is per set of JVM options (a cache made with other heap or GC settings is refused by
# the JVM with an error message), next to the jar, and rebuilt when the jar is newer.
# FLOWSTAGE_STARTUP_CACHE=off turns it off.

# flowstage_cli_opts JAR [JVM_OPTIONS...]: prints the cache options for running JAR with those JVM
# options (one per line), preparing the cache first when it is missing or older than the jar.
# Prints nothing when the cache is off or could not be made (the CLI then starts without it).
flowstage_cli_opts() {
  local jar=$1 feature key cache tmp log
  shift
  [ "${FLOWSTAGE_STARTUP_CACHE:-on}" = off ] && return 0
  feature=$(flowstage_java_feature "$FLOWSTAGE_JAVA")
  [ -n "$feature" ] || return 0
  # The JVM prints its warnings (unified logging) on standard output unless told otherwise; a cache
  # that cannot be used whole says so there, which broke --json output. They go to standard error.
  local fixed=(-Xlog:disable -Xlog:all=warning:stderr)
  if [ "$feature" -ge 25 ]; then
    # JDK 25 keys the adapters it caches by a hash of their signatures, which two signatures can
    # share; the run then warns at every start that it cannot link one (JDK-8364929, fixed in 26).
    # Adapters are cheap to make again, so the cache leaves them out.
    fixed+=(-XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching)
  fi
  key=$(printf '%s\n' "$feature" "${fixed[@]}" "$@" | cksum | cut -d' ' -f1)
  if [ "$feature" -lt 25 ]; then
    printf '%s\n' "${fixed[@]}" "-XX:SharedArchiveFile=${jar%.jar}-$key.jsa" \
      -XX:+AutoCreateSharedArchive
    return 0
  fi
  cache=${jar%.jar}-$key.aot
  if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
    echo "flowstage: recording the start-up cache (once per build, a few seconds)..." >&2
    tmp=$cache.$$.tmp
    log=$(mktemp)
    # The training run's own output is not the user's: shown only if the training fails.
    if "$FLOWSTAGE_JAVA" "${fixed[@]}" "$@" -XX:AOTCacheOutput="$tmp" -cp "$jar" \
        dev.flowstage.examples.cli.StartupTraining >"$log" 2>&1 && [ -f "$tmp" ]; then
      mv -f "$tmp" "$cache" # atomic: a concurrent run sees the old cache or the new one
    else
      cat "$log" >&2
      echo "flowstage: could not record the start-up cache; starting without it" >&2
      rm -f "$tmp" "$tmp.config" "$log"
      return 0
    fi
    rm -f "$tmp.config" "$log"
  fi
  printf '%s\n' "${fixed[@]}" "-XX:AOTCache=$cache"
}
