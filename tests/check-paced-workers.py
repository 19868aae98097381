#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs one of the paced-workers examples (C, Python or JavaScript) and checks
what it printed: every worker succeeded, a periodic check was reported, and
the service never got more calls than the rate allows over the whole run.

    check-paced-workers.py COMMAND [ARG…]

Prints TAP so meson reads each case. The bound only limits what load cannot
raise (a paced number of calls), never how many calls a slow machine made."""

import os
import re
import subprocess
import sys
import time

# Workers that each had a slot reserved as the run ended, plus the first call.
SLACK = 4
TOTALS = re.compile(r"^requests the service got, second by second \(target (\d+(?:\.\d+)?)\):((?: \d+)*)$",
                    re.MULTILINE)
CHECK = re.compile(r"^\[gw\d+\] (\d+) calls, [\d.]+ calls/s over 60 s, duration p50 [\d.]+ ms, "
                   r"wait p50 [\d.]+ ms, wait ratio [\d.]+ \(", re.MULTILINE)


def main():
    n = 0
    failed = 0

    def check(name, condition, detail=""):
        nonlocal n, failed
        n += 1
        print(f"{'ok' if condition else 'not ok'} {n} {name}")
        if not condition:
            failed += 1
            for line in str(detail).splitlines():
                print(f"# {line}")
        sys.stdout.flush()

    print("1..4")
    began = time.monotonic()
    # The example is a controller making a run of its own, even when this
    # suite itself runs under pacer-run.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PACER_")}
    result = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120, env=env)
    elapsed = time.monotonic() - began
    output = result.stdout + result.stderr

    check("the example and its workers exit successfully", result.returncode == 0, output)
    checks = [int(count) for count in CHECK.findall(result.stdout)]
    check("periodic-check is handled and reported every 100 calls",
          len(checks) >= 1 and all(count % 100 == 0 for count in checks), output)
    totals = TOTALS.search(result.stdout)
    check("the controller reports the service's requests second by second", totals is not None, output)
    if totals is None:
        check("the service got no more calls than the rate allows", False, "no totals")
    else:
        rate = float(totals.group(1))
        total = sum(int(count) for count in totals.group(2).split())
        allowed = rate * elapsed + SLACK
        check("the service got no more calls than the rate allows",
              max(checks, default=0) <= total <= allowed,
              f"{total} calls in {elapsed:.2f} s at {rate:g} a second, at most {allowed:.0f} allowed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
