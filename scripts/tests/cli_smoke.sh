#!/usr/bin/env bash
# Runs the real command line as users start it (scripts/flowstage: the built jar, the start-up
# cache, the JVM options of scripts/lib/cli.sh) on a small file, and checks that its standard output
# is only the result: the JVM must not print there (a JDK 25 start-up cache warning once did, and
# broke --json). Run by scripts/test after the build, which made the jar.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=lib.sh
. "$root/scripts/tests/lib.sh"

printf 'the cat and the dog\nthe end\n' >"$tmp/in.txt"
for run in first second; do # the first records the start-up cache, the second uses it
  "$root/scripts/flowstage" wordcount --json --top 1 "$tmp/in.txt" >"$tmp/out" 2>"$tmp/err"
  check "$run run: exit status" 0 "$?"
  check "$run run: standard output is the JSON result alone" \
    '{"tokenizer":"words","files":1,"bytes":28,"lines":2,"words":7,"distinct":5,"malformed":0,"top":[{"word":"the","count":3}],' \
    "$(sed -E 's/"elapsedMs":[0-9]+.*$//' "$tmp/out")"
  check "$run run: one line" 1 "$(wc -l <"$tmp/out" | tr -d ' ')"
  check "$run run: nothing on standard error but the cache's note" "" \
    "$(grep -v '^flowstage: \(recording the start-up cache\|building\)' "$tmp/err")"
done

finish cli_smoke
