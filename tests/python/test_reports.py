#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PacerRunner's reports written from Python through the typelib (PyGObject),
with the attempts of a retried test read from the results.

Prints TAP so meson reads each case."""

import json
import os
import sys
import tempfile

import gi

gi.require_version("Pacer", "1.0")
from gi.repository import GLib, Pacer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402


def main():
    tap = Tap()
    print("1..8")
    os.environ["FAKE_GTEST_TESTS"] = "pass:/py/pass,flaky:/py/flaky,fail:/py/fail"
    os.environ.pop("FAKE_GTEST_LOG", None)
    runner = Pacer.Runner.new([os.environ["FAKE_GTEST"]])
    runner.set_property("n-workers", 2)
    runner.set_property("retries", 1)
    runner.run(None)

    flaky = [r for r in runner.get_results() if r.get_path() == "/py/flaky"][0]
    attempts = flaky.get_failed_attempts()
    tap.check("a flaky test has its failed attempt", len(attempts) == 1, attempts)
    tap.check("the failed attempt is a failure",
              attempts[0].get_outcome() == Pacer.TestOutcome.FAIL, attempts[0].get_outcome())
    tap.check("the attempt ended before the passing one started",
              attempts[0].get_end_time() <= flaky.get_start_time() + 1e-5,
              (attempts[0].get_end_time(), flaky.get_start_time()))
    tap.check("attempts are counted", flaky.props.attempts == 2, flaky.props.attempts)

    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        runner.write_json(report)
        with open(report, encoding="utf-8") as f:
            data = json.load(f)
        tap.check("the JSON report has every result", data["counts"]["total"] == 3, data["counts"])
        tap.check("the JSON report names the seed", data["seed"] == runner.get_seed(), data["seed"])

        try:
            runner.write_junit_xml(os.path.join(tmp, "missing", "report.xml"))
            tap.check("a report that cannot be written raises", False)
        except GLib.Error as error:
            tap.check("a report that cannot be written raises",
                      error.matches(Pacer.error_quark(), Pacer.Error.IO), error)

    listed = runner.list_tests(None)
    tap.check("list_tests() gives each test, not run",
              [t.get_path() for t in listed] == ["/py/pass", "/py/flaky", "/py/fail"]
              and all(t.get_outcome() == Pacer.TestOutcome.NOT_RUN for t in listed),
              [(t.get_path(), t.get_outcome()) for t in listed])

    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
