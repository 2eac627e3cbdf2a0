# shellcheck shell=bash
# Sourced by every shell test in scripts/tests: a temporary directory $tmp (removed at exit) and the
# pass/fail counting, so each test only says what it checks.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

pass() { passed=$((passed + 1)); }

fail() { # MESSAGE: counts a failure and prints it to stderr
  failed=$((failed + 1))
  echo "FAIL $1" >&2
}

check() { # NAME EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then pass; else fail "$1: expected [$2], got [$3]"; fi
}

finish() { # SUITE: prints the counts; fails when any check failed
  echo "$1: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
