#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The DOAP file parses as RDF/XML without warnings and says what GNOME's tools read.
doap="$1"
echo "1..4"
out=$(rapper -q -i rdfxml -o ntriples "$doap" 2>"${TMPDIR:-/tmp}/doap-err.$$"); status=$?
err=$(cat "${TMPDIR:-/tmp}/doap-err.$$"); rm -f "${TMPDIR:-/tmp}/doap-err.$$"
if [ $status -eq 0 ] && [ -z "$err" ]; then echo "ok 1 parses as RDF/XML"; else echo "not ok 1 parses as RDF/XML"; echo "$err" | sed 's/^/# /'; fi
n=0
check() {
  n=$((n + 1))
  if printf '%s\n' "$out" | grep -q "$2"; then echo "ok $((n + 1)) $1"; else echo "not ok $((n + 1)) $1"; fi
}
check "names the project" '<http://usefulinc.com/ns/doap#name> "pacer-glib"@en'
check "declares the licence" '<http://usefulinc.com/ns/doap#license> <https://spdx.org/licenses/LGPL-2.1-or-later.html>'
check "has a maintainer" '<http://usefulinc.com/ns/doap#maintainer>'
