#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every source file with a translatable message is listed in po/POTFILES.in,
# and every file listed there exists: a message missing from the catalogue
# would stay English in every language.
top="$1"
cd "$top" || exit 1
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort -u)
used=$(grep -lE '(^|[^A-Za-z0-9_])N?_\("' pacer-glib/*.c | sort -u)
echo "1..2"
missing=$(printf '%s\n' "$used" | while read -r f; do printf '%s\n' "$listed" | grep -qx "$f" || echo "$f"; done)
if [ -z "$missing" ]; then
  echo "ok 1 every file with a translatable message is in po/POTFILES.in"
else
  echo "not ok 1 every file with a translatable message is in po/POTFILES.in"
  printf '%s\n' "$missing" | sed 's/^/# missing: /'
fi
gone=$(printf '%s\n' "$listed" | while read -r f; do [ -f "$f" ] || echo "$f"; done)
if [ -z "$gone" ]; then
  echo "ok 2 every file in po/POTFILES.in exists"
else
  echo "not ok 2 every file in po/POTFILES.in exists"
  printf '%s\n' "$gone" | sed 's/^/# gone: /'
fi
