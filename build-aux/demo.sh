#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is missing, builds, and shows what pacer-glib does today.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/build-aux/install-deps.sh"
[ -d _build ] || meson setup _build >/dev/null
meson compile -C _build >/dev/null

echo "== Shared state: four worker processes update one PacerSharedJson =="
_build/examples/shared-counter 4 2000
