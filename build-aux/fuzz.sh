#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds the libFuzzer harnesses of fuzzing/ in _build-fuzz (clang, ASan, UBSan)
# and runs one of them on a scratch copy of its corpus:
#   build-aux/fuzz.sh [HARNESS [SECONDS [LIBFUZZER-ARGS…]]]
# Without a harness it only builds and lists them. New inputs the fuzzer finds
# go to _build-fuzz/fuzzing/corpus-HARNESS, crashes to _build-fuzz/fuzzing/.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
builddir=_build-fuzz

if [ ! -d "$builddir" ]; then
  CC=${CC:-clang-14} meson setup "$builddir" -Dfuzzing=enabled -Db_sanitize=address,undefined \
    -Db_lundef=false -Dintrospection=disabled -Dbuildtype=debugoptimized >/dev/null
fi
meson compile -C "$builddir" >/dev/null

if [ $# -eq 0 ]; then
  ls "$builddir/fuzzing" | sed -n 's/^fuzz-\(.*\)-libfuzzer$/\1/p'
  exit 0
fi

name=$1
seconds=${2:-60}
[ $# -ge 2 ] && shift 2 || shift $#
corpus="$builddir/fuzzing/corpus-$name"
mkdir -p "$corpus"
cp -n fuzzing/corpus/"$name"/* "$corpus"/ 2>/dev/null || true
cd "$builddir/fuzzing"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
exec "./fuzz-$name-libfuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$@" "corpus-$name"
