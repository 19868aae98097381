#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is missing, builds, and shows what pacer-glib does today.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/build-aux/install-deps.sh"
[ -d _build ] || meson setup _build >/dev/null
meson compile -C _build >/dev/null

echo "== Shared fixtures: one local service for the whole run, four workers, one paced bucket =="
echo "   (examples/fixture-service.c: the fixture's setup starts the service once, its cleanup"
echo "   stops it once, after the run's last test; every test calls it through one PacerTokenBucket)"
report=$(mktemp)
FIXTURE_SERVICE_REPORT="$report" _build/pacer-glib/pacer-run -v -n 4 --cache-dir _build/demo-cache \
  _build/examples/fixture-service
cat "$report"
rm -f "$report"
echo

echo "== pacer-run: pacer-glib's own GTest programs, spread over every usable CPU =="
_build/pacer-glib/pacer-run -n auto --cache-dir _build/demo-cache \
  _build/tests/test-rate _build/tests/test-tdigest _build/tests/test-file-store \
  _build/tests/test-shared-json _build/tests/test-token-bucket
echo

echo "== PacerSharedJson: four worker processes update one JSON object under a lock =="
_build/examples/shared-counter 4 2000
echo

echo "== PacerTokenBucket: three workers call a local service, paced together at 50 calls/s =="
_build/examples/paced-workers 3
