#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pacer-run's memory when tests flood their output: the peak resident set
# (GNU time's "Maximum resident set size", pacer-run and its test processes
# alike) for one test printing 100 MB in lines, one printing a 50 MB line
# without a newline, and 200 failing tests printing 2 MB each; and how much
# of each output pacer-run kept.
#   benchmarks/output-flood.sh [BUILDDIR]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$top/_build"}
pacer_run="$build/pacer-glib/pacer-run"
fake="$build/tests/fake-gtest"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

measure () {
  label=$1 tests=$2 bytes=$3
  FAKE_GTEST_TESTS=$tests FAKE_GTEST_FLOOD_BYTES=$bytes \
    /usr/bin/time -f '%M %e' -o "$scratch/time" \
    "$pacer_run" -n 2 --json "$scratch/report.json" "$fake" >"$scratch/console" 2>&1 || true
  set -- $(tail -n 1 "$scratch/time")
  kept=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(max(len(x["output"] or "") for x in r))' "$scratch/report.json")
  awk -v label="$label" -v rss="$1" -v wall="$2" -v kept="$kept" -v console="$(stat -c %s "$scratch/console")" \
    'BEGIN { printf "| %-32s | %6.1f | %5.2f | %6.1f | %6.1f |\n", label, rss / 1024, wall, kept / 1024, console / 1048576 }'
}

many=$(python3 -c 'print(",".join("flood:/f/%03d" % i for i in range(200)))')

echo "| case | max RSS (MiB) | wall (s) | kept per test (KiB) | console (MiB) |"
echo "|---|---|---|---|---|"
measure "100 MB in lines of 100 bytes" "flood:/f/lines" 100000000
measure "one 50 MB line without newline" "longline:/f/line" 50000000
measure "200 failing tests x 2 MB" "$many" 2000000
