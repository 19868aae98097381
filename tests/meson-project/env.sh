#!/bin/sh
# Passes only with meson's environment and working directory.
[ "$FIXTURE_VAR" = "from meson" ] || { echo "FIXTURE_VAR is '$FIXTURE_VAR'"; exit 1; }
[ -n "$MALLOC_PERTURB_" ] || { echo "no MALLOC_PERTURB_"; exit 1; }
[ -f meson-info/intro-tests.json ] || { echo "not in the build directory: $(pwd)"; exit 1; }
exit 0
