# shellcheck shell=bash
# Finds a JDK 21+ for Flowstage's scripts. Source it, then call flowstage_find_jdk.
#
# Order: $JAVA_HOME if it is 21+, then `java` on PATH if it is 21+, then the newest 21+ JDK under
# $FLOWSTAGE_JVM_ROOT (default /usr/lib/jvm). On success it exports JAVA_HOME and sets FLOWSTAGE_JAVA;
# otherwise it prints one line saying what is needed and returns 1.

FLOWSTAGE_MIN_JAVA=21

# Prints the feature version (8, 17, 21, 25 ...) of the java binary $1, or nothing if it cannot tell
# (not executable, or no release file and `java -version` does not run).
# A JDK's `release` file (JAVA_VERSION="25.0.3", in every JDK image) is read first: starting a JVM
# only to ask its version costs 30-40 ms each time, several times per `scripts/flowstage` call.
flowstage_java_feature() {
  local java=$1 line version="" release
  [ -x "$java" ] || return 0
  release=${java%/bin/java}/release
  if [ "$release" != "$java/release" ] && [ -f "$release" ]; then
    while IFS= read -r line; do
      case $line in JAVA_VERSION=*) version=${line#JAVA_VERSION=} && break ;; esac
    done <"$release"
    version=${version//\"/}
  fi
  if [ -z "$version" ]; then
    line=$("$java" -version 2>&1 | grep -m1 -E 'version "[^"]+"') || return 0
    version=${line#*version \"}
    version=${version%%\"*}
  fi
  case $version in
    1.*) version=${version#1.} ;; # "1.8.0_412" is Java 8
  esac
  version=${version%%[!0-9]*}
  [ -n "$version" ] && echo "$version"
}

# True if the JDK home $1 has a java (and javac, since we compile) of version 21+.
flowstage_is_jdk21() {
  local home=$1 feature
  [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  feature=$(flowstage_java_feature "$home/bin/java")
  [ -n "$feature" ] && [ "$feature" -ge "$FLOWSTAGE_MIN_JAVA" ]
}

flowstage_find_jdk() {
  local candidate best="" best_feature=0 feature root=${FLOWSTAGE_JVM_ROOT:-/usr/lib/jvm}
  if [ -n "${JAVA_HOME:-}" ] && flowstage_is_jdk21 "$JAVA_HOME"; then
    best=$JAVA_HOME
  fi
  if [ -z "$best" ] && candidate=$(command -v java 2>/dev/null); then
    candidate=$(readlink -f "$candidate")
    candidate=${candidate%/bin/java}
    if flowstage_is_jdk21 "$candidate"; then best=$candidate; fi
  fi
  if [ -z "$best" ] && [ -d "$root" ]; then
    for candidate in "$root"/*; do
      [ -d "$candidate" ] && [ ! -L "$candidate" ] || continue
      flowstage_is_jdk21 "$candidate" || continue
      feature=$(flowstage_java_feature "$candidate/bin/java")
      if [ "$feature" -gt "$best_feature" ]; then
        best=$candidate
        best_feature=$feature
      fi
    done
  fi
  if [ -z "$best" ]; then
    echo "flowstage: needs a JDK $FLOWSTAGE_MIN_JAVA or newer (virtual threads), found none in JAVA_HOME, on PATH or under $root; install one and run: export JAVA_HOME=/path/to/jdk-21" >&2
    return 1
  fi
  export JAVA_HOME=$best
  FLOWSTAGE_JAVA=$best/bin/java
}
