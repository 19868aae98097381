#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Counts test results from meson's testlog.json files: every TAP subtest counts
once; a test program that is not TAP, or that died before printing its plan's
worth of results, counts as one more result by its verdict.

Prints `N passed, N failed, N skipped` and exits 1 if anything failed or nothing ran."""

import json
import re
import sys

PLAN = re.compile(r"^\d+\.\.\d+", re.MULTILINE)
TAP_LINE = re.compile(r"^(not ok|ok)\b(?:\s+\d+)?[^#]*(#\s*(SKIP|TODO)\b.*)?", re.IGNORECASE)


def count(log_path):
    passed = failed = skipped = 0
    with open(log_path, encoding="utf-8", errors="replace") as log:
        for line in log:
            entry = json.loads(line)
            result = entry.get("result", "")
            tap_pass = tap_fail = tap_skip = 0
            stdout = entry.get("stdout") or ""
            if PLAN.search(stdout):
                for out_line in stdout.splitlines():
                    m = TAP_LINE.match(out_line)
                    if not m:
                        continue
                    directive = (m.group(3) or "").upper()
                    if directive == "SKIP":
                        tap_skip += 1
                    elif m.group(1) == "ok":
                        tap_pass += 1
                    elif directive == "TODO":
                        tap_skip += 1
                    else:
                        tap_fail += 1
            passed += tap_pass
            skipped += tap_skip
            failed += tap_fail
            if result in ("OK", "EXPECTEDFAIL"):
                if tap_pass + tap_skip + tap_fail == 0:
                    passed += 1
            elif result == "SKIP":
                if tap_pass + tap_skip + tap_fail == 0:
                    skipped += 1
            elif tap_fail == 0:
                # Crashed, timed out or exited non-zero with every printed subtest passing.
                failed += 1
    return passed, failed, skipped


def main():
    totals = [0, 0, 0]
    for path in sys.argv[1:]:
        for i, n in enumerate(count(path)):
            totals[i] += n
    passed, failed, skipped = totals
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
