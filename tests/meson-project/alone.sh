#!/bin/sh
# is_parallel: false: nothing else of this build runs meanwhile. $1 is the
# build directory: its GTest program and its sleeper name it.
if pgrep -f "$1/data-gtest|sleeper $1" >/dev/null; then
  echo "something else runs:"; pgrep -af "$1/data-gtest|sleeper $1"; exit 1
fi
exit 0
