#!/bin/bash
# Sum the summaries of the `meson test` runs that `make check` made into one
# closing line: `N passed, M failed` (`, K skipped` when K > 0).
#
# usage: totals.sh LOGDIR RUN...
#   LOGDIR/RUN.log     the run's output (one `meson test` summary at most)
#   LOGDIR/RUN.status  the run's exit status
#
# passed  = Ok + Expected Fail
# failed  = Fail + Unexpected Pass + Timeout, plus 1 for every run that exited
#           non-zero without a meson failure to show for it (a build error,
#           a fuzzer crash, a missing test setup), so a red run is never "0 failed"
# skipped = Skipped
#
# Writes the line to LOGDIR/totals.txt, prints it last, exits 1 if failed > 0.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -u
logdir=$1; shift

passed=0 failed=0 skipped=0
for run in "$@"; do
  log=$logdir/$run.log
  status=$(cat "$logdir/$run.status" 2>/dev/null || echo 1)
  # The last value of each summary field in this log (meson prints the
  # summary once, at the end of a run).
  read -r ok xfail fail xpass skip tmo < <(
    awk '
      /^Ok:[ \t]+[0-9]+[ \t]*$/              { ok = $2 }
      /^Expected Fail:[ \t]+[0-9]+[ \t]*$/   { xfail = $3 }
      /^Fail:[ \t]+[0-9]+[ \t]*$/            { fail = $2 }
      /^Unexpected Pass:[ \t]+[0-9]+[ \t]*$/ { xpass = $3 }
      /^Skipped:[ \t]+[0-9]+[ \t]*$/         { skip = $2 }
      /^Timeout:[ \t]+[0-9]+[ \t]*$/         { tmo = $2 }
      END { printf "%d %d %d %d %d %d\n", ok, xfail, fail, xpass, skip, tmo }
    ' "$log" 2>/dev/null || echo "0 0 0 0 0 0")
  run_failed=$((fail + xpass + tmo))
  if [ "$status" != 0 ] && [ "$run_failed" = 0 ]; then
    echo "totals: $run exited $status with no meson test failure: counted as 1 failed" >&2
    run_failed=1
  fi
  passed=$((passed + ok + xfail))
  failed=$((failed + run_failed))
  skipped=$((skipped + skip))
  echo "totals: $run: $((ok + xfail)) passed, $run_failed failed, $skip skipped (exit $status)" >&2
done

line="$passed passed, $failed failed"
if [ "$skipped" -gt 0 ]; then
  line="$line, $skipped skipped"
fi
echo "$line" > "$logdir/totals.txt"
echo "$line"
[ "$failed" = 0 ]
