#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pacer-run(1) renders without a single groff warning, and documents every
# long option `pacer-run --help-all` prints: an option added without a word
# in the man page fails the suite.
man_page="$1"
pacer_run="$2"

if ! command -v groff >/dev/null 2>&1; then
  echo "1..0 # SKIP groff is not installed (Debian package groff-base)"
  exit 0
fi

echo "1..2"

if warnings=$(groff -man -ww -z "$man_page" 2>&1) && [ -z "$warnings" ]; then
  echo "ok 1 $man_page renders with groff -man -ww and no warning"
else
  echo "not ok 1 $man_page renders with groff -man -ww and no warning"
  printf '%s\n' "$warnings" | sed 's/^/# /'
fi

# The help in English, whatever the session's language; the page rendered
# as plain text on lines long enough that no option is broken.
options=$(LC_ALL=C LANGUAGE= "$pacer_run" --help-all |
          sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\}\(--[A-Za-z0-9][A-Za-z0-9-]*\).*/\2/p' | sort -u)
text=$(groff -man -Tascii -P-c -rLL=1000n -rHY=0 "$man_page" 2>/dev/null | sed 's/.\x08//g')

if [ -z "$options" ]; then
  echo "not ok 2 every long option of pacer-run --help-all is in $man_page"
  echo "# $pacer_run --help-all printed no option"
  exit 0
fi
missing=""
for option in $options; do
  # A whole word: --dist must not be found in --distance.
  printf '%s\n' "$text" | grep -qE -- "(^|[^A-Za-z0-9-])$option([^A-Za-z0-9-]|\$)" ||
    missing="$missing $option"
done
if [ -z "$missing" ]; then
  echo "ok 2 every long option of pacer-run --help-all ($(echo $options | wc -w)) is in $man_page"
else
  echo "not ok 2 every long option of pacer-run --help-all is in $man_page"
  for option in $missing; do
    echo "# undocumented: $option"
  done
fi
