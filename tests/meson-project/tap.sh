#!/bin/sh
# TAP with a skip, and a failure when asked.
echo "1..3"
echo "ok 1 first"
if [ "$1" = fail ]; then echo "not ok 2 second"; else echo "ok 2 second"; fi
echo "ok 3 third # SKIP not here"
