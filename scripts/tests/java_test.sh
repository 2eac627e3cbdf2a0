#!/usr/bin/env bash
# Tests scripts/lib/java.sh (JDK discovery) with fake JDKs; no real JVM is started.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=lib.sh
. "$root/scripts/tests/lib.sh"

# fake_jdk DIR VERSION: a JDK home whose java prints VERSION like the real one does.
fake_jdk() {
  mkdir -p "$1/bin"
  printf '#!/bin/sh\necho "openjdk version \\"%s\\" 2026-01-01" >&2\n' "$2" >"$1/bin/java"
  printf '#!/bin/sh\nexit 0\n' >"$1/bin/javac"
  chmod +x "$1/bin/java" "$1/bin/javac"
}

# find_with JAVA_HOME PATH ROOT: prints the JAVA_HOME chosen, or "exit=N: message".
find_with() {
  (
    unset JAVA_HOME
    [ -n "$1" ] && export JAVA_HOME=$1
    export PATH=$2 FLOWSTAGE_JVM_ROOT=$3
    . "$root/scripts/lib/java.sh"
    if flowstage_find_jdk 2>"$tmp/err"; then echo "$JAVA_HOME"; else echo "exit=$?: $(cat "$tmp/err")"; fi
  )
}

# fake_jdk_release DIR VERSION: a JDK home with a release file; its java fails if started, so a
# result shows that the release file was read instead of starting a JVM.
fake_jdk_release() {
  mkdir -p "$1/bin"
  printf '#!/bin/sh\necho started >>"%s/started"\nexit 1\n' "$1" >"$1/bin/java"
  printf '#!/bin/sh\nexit 0\n' >"$1/bin/javac"
  printf 'IMPLEMENTOR="Test"\nJAVA_RUNTIME_VERSION="%s+9"\nJAVA_VERSION="%s"\n' "$2" "$2" >"$1/release"
  chmod +x "$1/bin/java" "$1/bin/javac"
}

fake_jdk "$tmp/jdk17" 17.0.15
fake_jdk "$tmp/jdk21" 21.0.4
fake_jdk "$tmp/jdk8" 1.8.0_412
fake_jdk "$tmp/jvm/jdk-21" 21.0.2
fake_jdk "$tmp/jvm/jdk-25" 25.0.3
fake_jdk "$tmp/jvm/jdk-17" 17.0.1
mkdir -p "$tmp/empty" "$tmp/path17" "$tmp/path21"
ln -s "$tmp/jdk17/bin/java" "$tmp/path17/java"
ln -s "$tmp/jdk21/bin/java" "$tmp/path21/java"
base=/usr/bin:/bin

check "JAVA_HOME 21+ wins" "$tmp/jdk21" "$(find_with "$tmp/jdk21" "$tmp/path17:$base" "$tmp/jvm")"
check "JAVA_HOME 17 skipped, PATH 21 used" "$tmp/jdk21" "$(find_with "$tmp/jdk17" "$tmp/path21:$base" "$tmp/jvm")"
check "newest under the JVM root" "$tmp/jvm/jdk-25" "$(find_with "$tmp/jdk17" "$tmp/path17:$base" "$tmp/jvm")"
check "Java 8 version string parsed" "$tmp/jvm/jdk-25" "$(find_with "$tmp/jdk8" "$tmp/path17:$base" "$tmp/jvm")"
none=$(find_with /nonexistent "$tmp/path17:$base" "$tmp/empty")
check "nothing found fails" "exit=1" "${none%%:*}"
case $none in *"needs a JDK 21 or newer"*"JAVA_HOME"*) check "message says what to do" ok ok ;;
  *) check "message says what to do" "a clear message" "$none" ;; esac

# The release file decides without starting a JVM; a 17 is skipped by it alike.
fake_jdk_release "$tmp/rel/jdk-26" 26.0.1
fake_jdk_release "$tmp/rel17" 17.0.15
check "release file read (no JVM started)" "$tmp/rel/jdk-26" "$(find_with "$tmp/rel17" "$tmp/path17:$base" "$tmp/rel")"
check "no java started for the release file" "absent" "$([ -e "$tmp/rel/jdk-26/started" ] || [ -e "$tmp/rel17/started" ] && echo started || echo absent)"
check "feature from the release file" 26 "$(. "$root/scripts/lib/java.sh"; flowstage_java_feature "$tmp/rel/jdk-26/bin/java")"

# The real entry points fail fast, with the message and a non-zero code, when no JDK 21+ exists.
for script in test flowstage format; do
  out=$(env -i HOME="$HOME" JAVA_HOME=/nonexistent PATH="$tmp/path17:$base" FLOWSTAGE_JVM_ROOT="$tmp/empty" \
    bash "$root/scripts/$script" 2>&1)
  code=$?
  check "scripts/$script exit code" 1 "$code"
  case $out in *"needs a JDK 21 or newer"*) check "scripts/$script message" ok ok ;;
    *) check "scripts/$script message" "the JDK message" "$out" ;; esac
done

finish jdk-discovery
