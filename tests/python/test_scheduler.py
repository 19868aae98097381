#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A PacerScheduler implemented in Python (examples/python-scheduler.py) runs
a PacerRunner over fake-gtest; every vfunc is overridden from Python.

    test_scheduler.py EXAMPLE FAKE-GTEST

Prints TAP so meson reads each case."""

import importlib.util
import os
import sys
import tempfile

import gi

gi.require_version("Pacer", "1.0")
from gi.repository import Pacer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402


def load_example(path):
    spec = importlib.util.spec_from_file_location("python_scheduler", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    example, fake_gtest = sys.argv[1], sys.argv[2]
    module = load_example(example)
    tap = Tap()
    print("1..8")

    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "log")
        os.environ["FAKE_GTEST_LOG"] = log
        os.environ["FAKE_GTEST_TESTS"] = ",".join([
            "pass:/a/1", "segv:/a/2", "pass:/a/3", "flaky:/net/1", "pass:/b/1", "pass:/net/2"])

        calls = {}

        def counting(name):
            def vfunc(self, *args):
                calls[name] = calls.get(name, 0) + 1
                return getattr(module.PriorityScheduler, name)(self, *args)
            return vfunc

        # A subclass overrides each vfunc again, so the runner's calls are counted.
        names = ("do_add_worker", "do_add_test", "do_next_batch", "do_mark_test_complete",
                 "do_mark_test_pending", "do_has_pending", "do_remove_pending")
        Counting = type("CountingScheduler", (module.PriorityScheduler,),
                        {name: counting(name) for name in names})
        scheduler = Counting("/net/*")

        runner = Pacer.Runner.new([fake_gtest])
        runner.props.scheduler = scheduler
        runner.props.n_workers = 1
        runner.props.retries = 1
        runner.run(None)

        results = {r.get_path(): r for r in runner.get_results()}
        tap.check("every test has one result", sorted(results) ==
                  ["/a/1", "/a/2", "/a/3", "/b/1", "/net/1", "/net/2"], sorted(results))
        tap.check("the crash is blamed on its test",
                  results["/a/2"].get_outcome() == Pacer.TestOutcome.CRASH, results["/a/2"].get_message())
        tap.check("a retry through mark_test_pending makes the flaky test flaky",
                  results["/net/1"].get_outcome() == Pacer.TestOutcome.FLAKY, results["/net/1"].get_message())
        tap.check("the rest of the crashed batch ran, once",
                  results["/a/3"].get_outcome() == Pacer.TestOutcome.PASS)

        with open(log) as f:
            started = [line.split()[0] for line in f]
        tap.check("tests matching the pattern ran first", started[:2] == ["/net/1", "/net/2"], started)
        tap.check("nothing but the retries ran twice",
                  sorted(started) == sorted(["/net/1", "/net/1", "/net/2", "/a/1", "/a/2", "/a/2", "/a/3", "/b/1"]),
                  started)
        tap.check("the runner called the Python vfuncs",
                  all(calls.get(name, 0) > 0 for name in names if name != "do_remove_pending"), calls)

        # remove_pending (a run stopping early) returns a list the runner reports as not run.
        os.environ["FAKE_GTEST_TESTS"] = "fail:/x/first,pass:/x/1,pass:/x/2"
        stopping = module.PriorityScheduler("/x/first")
        runner = Pacer.Runner.new([fake_gtest])
        runner.props.scheduler = stopping
        runner.props.n_workers = 1
        runner.props.maxfail = 1
        runner.run(None)
        tap.check("remove_pending from Python: the stopped run reports the rest not run",
                  runner.get_count(Pacer.TestOutcome.NOT_RUN) == 2
                  and runner.get_count(Pacer.TestOutcome.FAIL) == 1,
                  [(r.get_path(), r.get_outcome()) for r in runner.get_results()])

    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
