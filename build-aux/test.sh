#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what is missing, configures, builds and runs the whole test suite.
#   build-aux/test.sh [--werror] [--asan] [--valgrind] [-- MESON-TEST-ARGS…]
# The last line is `N passed, N failed, N skipped`; the exit status is non-zero on any failure.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

werror=false
asan=false
valgrind=false
while [ $# -gt 0 ]; do
  case "$1" in
    --werror) werror=true ;;
    --asan) asan=true ;;
    --valgrind) valgrind=true ;;
    --) shift; break ;;
    *) echo "usage: $0 [--werror] [--asan] [--valgrind] [-- MESON-TEST-ARGS…]" >&2; exit 2 ;;
  esac
  shift
done

"$top/build-aux/install-deps.sh"

builddir=_build
options="-Dwerror=$werror"
if $asan; then
  builddir=_build-asan
  # Introspection loads the library into interpreters that were not built with ASan.
  options="$options -Db_sanitize=address,undefined -Db_lundef=false -Dintrospection=disabled"
  export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
fi

if [ -d "$builddir" ]; then
  # shellcheck disable=SC2086
  meson setup --reconfigure "$builddir" $options >/dev/null
else
  # shellcheck disable=SC2086
  meson setup "$builddir" $options >/dev/null
fi
meson compile -C "$builddir"

status=0
if $valgrind; then
  log="$builddir/meson-logs/testlog-valgrind.json"
  rm -f "$log"
  # Interpreters and shell scripts are not ours to check for leaks.
  meson test -C "$builddir" --setup valgrind --print-errorlogs \
    --no-suite bindings --no-suite packaging --no-suite examples --no-suite docs "$@" || status=$?
else
  log="$builddir/meson-logs/testlog.json"
  rm -f "$log"
  meson test -C "$builddir" --print-errorlogs "$@" || status=$?
fi

/usr/bin/python3 "$top/build-aux/summarize-tests.py" "$log" || status=1
exit $status
