#!/usr/bin/env bash
# Tests scripts/lib/cli.sh (the CLI's start-up cache options) with fake JDKs; no real JVM is started.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=lib.sh
. "$root/scripts/tests/lib.sh"

# fake_java FILE VERSION: a java that prints VERSION for -version, logs every other call to
# $tmp/calls, and for -XX:AOTCacheOutput=F writes F (or fails when $tmp/fail-training exists).
fake_java() {
  cat >"$1" <<SCRIPT
#!/bin/sh
for a in "\$@"; do
  case \$a in
    -version) echo 'openjdk version "$2" 2026-01-01' >&2; exit 0 ;;
  esac
done
echo "\$*" >>"$tmp/calls"
for a in "\$@"; do
  case \$a in
    -XX:AOTCacheOutput=*)
      if [ -f "$tmp/fail-training" ]; then echo "training broke" >&2; exit 1; fi
      echo cache >"\${a#-XX:AOTCacheOutput=}" ;;
  esac
done
SCRIPT
  chmod +x "$1"
}

fake_java "$tmp/java25" 25.0.1
fake_java "$tmp/java21" 21.0.4
jar=$tmp/flowstage.jar
echo jar >"$jar"

# opts JAVA [JVM_OPTIONS...]: the options printed, on one line; stderr to $tmp/err.
opts() {
  (
    export FLOWSTAGE_JAVA=$1
    shift
    . "$root/scripts/lib/java.sh"
    . "$root/scripts/lib/cli.sh"
    flowstage_cli_opts "$jar" "$@" 2>"$tmp/err" | tr '\n' ' '
  )
}
calls() { [ -f "$tmp/calls" ] && wc -l <"$tmp/calls" | tr -d ' ' || echo 0; }

# has WORD LINE: whether the options on LINE include WORD.
has() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

first=$(opts "$tmp/java25")
case $first in *"-XX:AOTCache=$tmp/flowstage-"*.aot" ") check "JDK 25: an AOT cache next to the jar" ok ok ;;
  *) check "JDK 25: an AOT cache next to the jar" "-XX:AOTCache=$tmp/flowstage-KEY.aot" "$first" ;; esac
has -Xlog:all=warning:stderr "$first" && has -Xlog:disable "$first" &&
  check "JVM warnings on stderr, never mixed with the output" ok ok ||
  check "JVM warnings on stderr, never mixed with the output" "-Xlog:disable -Xlog:all=warning:stderr" "$first"
has -XX:-AOTAdapterCaching "$first" && has -XX:+UnlockDiagnosticVMOptions "$first" &&
  check "JDK 25: no adapters in the cache (JDK-8364929)" ok ok ||
  check "JDK 25: no adapters in the cache (JDK-8364929)" "-XX:-AOTAdapterCaching" "$first"
cache=${first##*-XX:AOTCache=}
cache=${cache% }
check "the cache was recorded" cache "$(cat "$cache" 2>/dev/null)"
check "recorded by one training run" 1 "$(calls)"
grep -q "dev.flowstage.examples.cli.StartupTraining" "$tmp/calls" && check "the training class ran" ok ok ||
  check "the training class ran" ok "$(cat "$tmp/calls")"
grep -q -- "-XX:-AOTAdapterCaching.*-XX:AOTCacheOutput" "$tmp/calls" &&
  check "trained with the adapters left out too" ok ok ||
  check "trained with the adapters left out too" ok "$(cat "$tmp/calls")"
check "the same options again: no new training" "$first" "$(opts "$tmp/java25")"
check "still one training run" 1 "$(calls)"
touch -d '+2 seconds' "$jar"
check "a newer jar: the same cache file" "$first" "$(opts "$tmp/java25")"
check "a newer jar: trained again" 2 "$(calls)"

other=$(opts "$tmp/java25" -Xmx128m)
[ "$other" != "$first" ] && check "other JVM options: another cache" ok ok ||
  check "other JVM options: another cache" "not $first" "$other"
grep -q -- "-Xmx128m -XX:AOTCacheOutput" "$tmp/calls" && check "trained with the same JVM options" ok ok ||
  check "trained with the same JVM options" ok "$(tail -1 "$tmp/calls")"

touch "$tmp/fail-training"
touch -d '+4 seconds' "$jar"
check "a failed training: no options" "" "$(opts "$tmp/java25")"
grep -q "training broke" "$tmp/err" && grep -q "starting without it" "$tmp/err" &&
  check "a failed training: its output and what happens next on stderr" ok ok ||
  check "a failed training: its output and what happens next on stderr" ok "$(cat "$tmp/err")"
check "a failed training: no temporary file left" "" "$(find "$tmp" -name '*.tmp*')"
rm -f "$tmp/fail-training"

before=$(calls)
cds=$(opts "$tmp/java21")
case $cds in "-Xlog:disable -Xlog:all=warning:stderr -XX:SharedArchiveFile=$tmp/flowstage-"*".jsa -XX:+AutoCreateSharedArchive ") check "JDK 21: a dynamic CDS archive, warnings on stderr" ok ok ;;
  *) check "JDK 21: a dynamic CDS archive, warnings on stderr" "-Xlog:disable -Xlog:all=warning:stderr -XX:SharedArchiveFile=... -XX:+AutoCreateSharedArchive" "$cds" ;; esac
check "JDK 21: no training run" "$before" "$(calls)"
check "turned off" "" "$(FLOWSTAGE_STARTUP_CACHE=off opts "$tmp/java25")"

finish cli_test
