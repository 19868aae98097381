#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Each translation in po/LINGUAS compiles with msgfmt --check (placeholders
# kept in number, order and type; a valid Plural-Forms header), has no fuzzy or
# untranslated entry, and holds every message the sources now have: a message
# added without running pacer-glib-1-update-po and translating it would show
# up in English.
top="$1"
cd "$top" || exit 1

for tool in msgfmt msgcmp xgettext; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "1..0 # SKIP $tool is not installed (Debian package gettext)"
    exit 0
  fi
done

langs=$(sed -e 's/#.*//' po/LINGUAS | tr -s ' \t' '\n' | sed '/^$/d')
if [ -z "$langs" ]; then
  echo "1..1"
  echo "not ok 1 po/LINGUAS names at least one language"
  exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The same keywords as i18n.gettext's glib preset.
if ! xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ \
       --keyword=C_:1c,2 --keyword=NC_:1c,2 --keyword=g_dngettext:2,3 \
       --files-from=po/POTFILES.in --output="$tmp/sources.pot" 2>"$tmp/xgettext.log"; then
  echo "Bail out! xgettext failed: $(cat "$tmp/xgettext.log")"
  exit 1
fi

echo "1..$(( $(printf '%s\n' "$langs" | wc -l) * 2 ))"
n=0
for lang in $langs; do
  po="po/$lang.po"

  n=$((n + 1))
  if stats=$(msgfmt --check --statistics --output-file=/dev/null "$po" 2>&1) &&
     ! printf '%s\n' "$stats" | grep -qE 'fuzzy|untranslated'; then
    echo "ok $n $po compiles with --check: $stats"
  else
    echo "not ok $n $po compiles with --check, every entry translated and none fuzzy"
    printf '%s\n' "$stats" | sed 's/^/# /'
  fi

  n=$((n + 1))
  if diff=$(msgcmp "$po" "$tmp/sources.pot" 2>&1); then
    echo "ok $n $po translates every message of the sources"
  else
    echo "not ok $n $po translates every message of the sources (run pacer-glib-1-update-po, then translate)"
    printf '%s\n' "$diff" | sed 's/^/# /'
  fi
done
