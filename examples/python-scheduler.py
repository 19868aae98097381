#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A PacerScheduler written in Python: tests matching a pattern run first.

Useful when a change touches one area and its tests should report before
the rest of the suite does.

    python-scheduler.py '/network/*' ./test-foo ./test-bar

The runner asks next_batch() whenever a worker is idle; a batch is a list of
test indices of one program, run by one process. Tests flagged ALONE (retries,
paths that are also suites) must be the only one in their batch.
"""

import fnmatch
import sys

import gi

gi.require_version("Pacer", "1.0")
from gi.repository import GObject, Pacer  # noqa: E402


class PriorityScheduler(GObject.Object, Pacer.Scheduler):
    """Hands out tests matching `pattern` before all others, listing order within each."""

    def __init__(self, pattern, batch_size=20):
        super().__init__()
        self.pattern = pattern
        self.batch_size = batch_size
        self.tests = {}      # index -> (program, path)
        self.pending = []    # [(priority, index, alone)], kept sorted

    def _queue(self, test, flags):
        program, path = self.tests[test]
        first = 0 if fnmatch.fnmatchcase(path, self.pattern) else 1
        alone = bool(flags & Pacer.ScheduleFlags.ALONE)
        self.pending.append((first, test, alone))
        self.pending.sort()

    def do_add_worker(self, worker):
        pass

    def do_remove_worker(self, worker):
        pass

    def do_add_test(self, test, program, path, expected_duration, flags):
        self.tests[test] = (program, path)
        self._queue(test, flags)

    def do_next_batch(self, worker):
        if not self.pending:
            return None
        first, head, alone = self.pending[0]
        if alone:
            del self.pending[0]
            return [head]
        program = self.tests[head][0]
        batch, rest = [], []
        for item in self.pending:
            # One program per batch, same priority, nothing that must run alone.
            if (len(batch) < self.batch_size and item[0] == first and not item[2]
                    and self.tests[item[1]][0] == program):
                batch.append(item[1])
            else:
                rest.append(item)
        self.pending = rest
        return batch

    def do_mark_test_complete(self, worker, test, duration):
        pass

    def do_mark_test_pending(self, test, flags):
        # The rest of a crashed batch, or a retry: back in line.
        self._queue(test, flags)

    def do_remove_pending(self):
        removed = [test for _, test, _ in self.pending]
        self.pending = []
        return removed

    def do_has_pending(self):
        return bool(self.pending)


def main(argv):
    if len(argv) < 3:
        print(f"usage: {argv[0]} PATTERN TEST-PROGRAM…", file=sys.stderr)
        return 2
    runner = Pacer.Runner.new(argv[2:])
    # Python must hold the scheduler too: the runner only borrows it until run().
    scheduler = PriorityScheduler(argv[1])
    runner.props.scheduler = scheduler
    runner.connect("test-finished", lambda _runner, result: print(
        f"[{result.get_worker() or '--'}] {result.get_outcome().value_nick.upper()} {result.get_path()}"))
    runner.run(None)
    failed = sum(runner.get_count(outcome) for outcome in
                 (Pacer.TestOutcome.FAIL, Pacer.TestOutcome.CRASH, Pacer.TestOutcome.TIMEOUT))
    print(f"{runner.get_count(Pacer.TestOutcome.PASS)} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
