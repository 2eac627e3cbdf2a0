#!/usr/bin/env bash
# Tests scripts/release-check's verification (--verify-only) on fake repositories: a complete one
# passes; each deliberately broken one fails with a message naming the artifact and the missing item.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/java.sh
. "$root/scripts/lib/java.sh"
flowstage_find_jdk || exit 1
# shellcheck source=lib.sh
. "$root/scripts/tests/lib.sh"
v=1.0.0

meta='<url>https://example.org/x</url>
  <licenses><license><name>Apache-2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0.txt</url></license></licenses>
  <developers><developer><name>Someone</name></developer></developers>
  <scm><url>https://example.org/x</url><connection>scm:git:https://example.org/x.git</connection></scm>'

put() { # REPO ARTIFACT_ID FILE_SUFFIX: writes the file from stdin, with its checksums
  local dir=$1/org/example/$2/$v file
  mkdir -p "$dir"
  file=$dir/$2-$v$3
  cat >"$file"
  sha1sum "$file" | cut -d' ' -f1 >"$file.sha1"
  md5sum "$file" | cut -d' ' -f1 >"$file.md5"
}

# Five jars made once (a JVM start each) and copied: with a module descriptor, with an automatic
# module name, with neither, a sources jar and a javadoc jar.
make_jars() {
  local j=$tmp/jars
  mkdir -p "$j/mod/src" "$j/mod/classes" "$j/plain/a" "$j/src/a" "$j/doc"
  echo 'module a {}' >"$j/mod/src/module-info.java"
  "$JAVA_HOME/bin/javac" -d "$j/mod/classes" "$j/mod/src/module-info.java" || exit 1
  echo x >"$j/plain/a/A.class" && echo x >"$j/src/a/A.java" && echo x >"$j/doc/index.html"
  echo 'Automatic-Module-Name: org.example.a' >"$j/auto.mf"
  "$JAVA_HOME/bin/jar" --create --file "$j/module.jar" -C "$j/mod/classes" . &&
    "$JAVA_HOME/bin/jar" --create --file "$j/automatic.jar" --manifest "$j/auto.mf" -C "$j/plain" . &&
    "$JAVA_HOME/bin/jar" --create --file "$j/unnamed.jar" -C "$j/plain" . &&
    "$JAVA_HOME/bin/jar" --create --file "$j/sources.jar" -C "$j/src" . &&
    "$JAVA_HOME/bin/jar" --create --file "$j/javadoc.jar" -C "$j/doc" . || exit 1
}

jar_of() { # REPO ARTIFACT_ID SUFFIX KIND: KIND is module, automatic, unnamed, sources or javadoc
  put "$1" "$2" "$3" <"$tmp/jars/$4.jar"
}

library() { # REPO ARTIFACT_ID: a complete published jar module whose metadata comes from the parent
  put "$1" "$2" .pom <<POM
<project><modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>$v</version></parent>
  <artifactId>$2</artifactId><name>$2</name><description>The $2 library.</description>
</project>
POM
  jar_of "$1" "$2" .jar module
  jar_of "$1" "$2" -sources.jar sources
  jar_of "$1" "$2" -javadoc.jar javadoc
}

complete() { # REPO: a parent, a BOM and two libraries, all as Central wants them
  put "$1" parent .pom <<POM
<project><modelVersion>4.0.0</modelVersion>
  <groupId>org.example</groupId><artifactId>parent</artifactId><version>$v</version>
  <packaging>pom</packaging><name>Parent</name><description>The parent.</description>
  $meta
</project>
POM
  put "$1" bom .pom <<POM
<project><modelVersion>4.0.0</modelVersion>
  <groupId>org.example</groupId><artifactId>bom</artifactId><version>$v</version>
  <packaging>pom</packaging><name>BOM</name><description>The BOM.</description>
  $meta
  <dependencyManagement><dependencies>
    <dependency><groupId>org.example</groupId><artifactId>lib-a</artifactId><version>$v</version></dependency>
    <dependency><groupId>org.example</groupId><artifactId>lib-b</artifactId><version>$v</version></dependency>
  </dependencies></dependencyManagement>
</project>
POM
  library "$1" lib-a
  library "$1" lib-b
}

# expect NAME REPO CODE TEXT...: the checker exits with CODE and its output holds every TEXT.
expect() {
  local name=$1 repo=$2 code=$3 out actual text
  shift 3
  out=$("$JAVA_HOME/bin/java" -cp "$tmp/classes" ReleaseCheck "$repo" bom examples 2>&1)
  actual=$?
  if [ "$actual" != "$code" ]; then
    fail "$name: exit $actual, expected $code; output: $out"
    return
  fi
  for text in "$@"; do
    case $out in *"$text"*) ;; *)
      fail "$name: output lacks [$text]; output: $out"
      return ;;
    esac
  done
  pass
}

# Compiled once: the cases below run the same class scripts/release-check runs from source.
"$JAVA_HOME/bin/javac" -d "$tmp/classes" "$root/scripts/lib/ReleaseCheck.java" || exit 1
make_jars

n=0
fresh() { n=$((n + 1)) && r=$tmp/r$n && complete "$r"; } # sets r: a new complete repository
dir() { echo "$1/org/example/$2/$v"; }

fresh
expect "complete repository passes" "$r" 0 "release-check: OK, 4 artifacts"

fresh && rm "$(dir "$r" lib-b)/lib-b-$v-javadoc.jar"
expect "missing javadoc jar" "$r" 1 "lib-b: missing javadoc jar (lib-b-$v-javadoc.jar)" "FAILED, 1 problem"

fresh && rm "$(dir "$r" lib-a)/lib-a-$v-sources.jar"
expect "missing sources jar" "$r" 1 "lib-a: missing sources jar"

fresh && rm "$(dir "$r" lib-a)/lib-a-$v.jar.sha1"
expect "missing checksum" "$r" 1 "lib-a: missing sha1 checksum of its jar"

fresh && sed -i 's#<licenses>.*</licenses>##' "$(dir "$r" parent)/parent-$v.pom"
expect "no licenses, not even inherited" "$r" 1 "lib-a: pom has no <licenses><license><name>" \
  "lib-b: pom has no <licenses><license><name>" "parent: pom has no <licenses><license><url>"

fresh && sed -i 's#<scm>.*</scm>##' "$(dir "$r" bom)/bom-$v.pom"
expect "BOM without scm" "$r" 1 "bom: pom has no <scm><url>" "bom: pom has no <scm><connection>"

fresh && sed -i 's#<description>[^<]*</description>##' "$(dir "$r" lib-b)/lib-b-$v.pom"
expect "module without its own description" "$r" 1 "lib-b: pom has no <description> of its own"

fresh && rm -r "$(dir "$r" parent)"
expect "parent not deployed" "$r" 1 "lib-a: its parent org.example:parent:$v is not deployed"

fresh && jar_of "$r" lib-a .jar unnamed
expect "jar without a module name" "$r" 1 "lib-a: jar has no stable module name"

fresh && jar_of "$r" lib-a .jar automatic
expect "Automatic-Module-Name is a module name" "$r" 0 "release-check: OK"

fresh && library "$r" lib-c
expect "published module missing from the BOM" "$r" 1 "lib-c: published but not in bom"

fresh && library "$r" examples
expect "unpublished module deployed" "$r" 1 "examples: deployed, but it is not a library"

fresh && rm -r "$(dir "$r" lib-b)"
expect "BOM lists an unpublished module" "$r" 1 "bom: lists lib-b, which is not published"

fresh && sed -i "s#<packaging>pom</packaging><name>BOM#<parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>$v</version></parent><packaging>pom</packaging><name>BOM#" "$(dir "$r" bom)/bom-$v.pom"
expect "BOM with a parent" "$r" 1 "bom: has a <parent>"

fresh
out=$("$JAVA_HOME/bin/java" -cp "$tmp/classes" ReleaseCheck --signed "$r" bom 2>&1)
case $out in *"lib-a: missing signature (.asc) of its javadoc jar"*"parent: missing signature (.asc) of its pom"*)
  pass ;;
  *) fail "a signed release needs .asc files; output: $out" ;;
esac
for f in $(find "$r" -name '*.jar' -o -name '*.pom'); do echo sig >"$f.asc"; done
expect "unsigned check ignores signatures" "$r" 0 "release-check: OK"
out=$("$JAVA_HOME/bin/java" -cp "$tmp/classes" ReleaseCheck --signed "$r" bom 2>&1) &&
  pass || fail "signed repository: $out"

expect "empty repository" "$(mkdir -p "$tmp/empty" && echo "$tmp/empty")" 1 "nothing was deployed"

# The script's own entry point runs the same verification and fails the same way.
fresh && rm "$(dir "$r" lib-b)/lib-b-$v-javadoc.jar"
out=$(bash "$root/scripts/release-check" --verify-only "$r" 2>&1)
code=$?
if [ "$code" = 1 ] && case $out in *"lib-b: missing javadoc jar"*) true ;; *) false ;; esac; then
  pass
else
  fail "scripts/release-check --verify-only: exit $code; output: $out"
fi

finish release-check
