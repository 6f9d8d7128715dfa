#!/usr/bin/env bash
# Runs each test suite (a make target) in turn, whatever the others did, and
# ends with one summary line: "check: N passed, M failed".  Exits 1 when any
# suite failed.  usage: tests/run-suites.sh TARGET...
set -uo pipefail
make=${MAKE:-make}
passed=0 failed=0 failures=()
for suite in "$@"; do
  echo "=== suite $suite"
  start=$SECONDS
  if $make --no-print-directory "$suite"; then
    passed=$((passed + 1)); echo "=== suite $suite: passed ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); failures+=("$suite"); echo "=== suite $suite: FAILED ($((SECONDS - start)) s)"
  fi
done
((failed)) && echo "failed suites: ${failures[*]}"
echo "check: $passed passed, $failed failed"
((failed == 0))
