// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A Pacer.Scheduler written in JavaScript: tests matching a pattern run first.
//
// Useful when a change touches one area and its tests should report before
// the rest of the suite does.
//
//   gjs -m js-scheduler.js '/network/*' ./test-foo ./test-bar
//
// The JavaScript counterpart of python-scheduler.py. The runner asks
// vfunc_next_batch() whenever a worker is idle; a batch is an array of test
// indices of one program, run by one process. Tests flagged ALONE (retries,
// paths that are also suites) must be the only one in their batch.
//
// The module can also be imported for its PriorityScheduler class: it runs
// its command line only when gjs runs it.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Pacer from 'gi://Pacer';
import System from 'system';

// GLib's glob matching, as GTest users know it from -p and -s.
function matches(pattern, path) {
    return GLib.pattern_match_simple(pattern, path);
}

export const PriorityScheduler = GObject.registerClass({
    GTypeName: 'PacerExamplePriorityScheduler',
    Implements: [Pacer.Scheduler],
}, class PriorityScheduler extends GObject.Object {
    // Hands out tests matching @pattern before all others, listing order within each.
    _init(pattern, batchSize = 20) {
        super._init();
        this.pattern = pattern;
        this.batchSize = batchSize;
        this._tests = new Map(); // index -> {program, path}
        this._pending = []; // {first, test, alone}, kept sorted
    }

    _queue(test, flags) {
        const {path} = this._tests.get(test);
        this._pending.push({
            first: matches(this.pattern, path) ? 0 : 1,
            test,
            alone: (flags & Pacer.ScheduleFlags.ALONE) !== 0,
        });
        this._pending.sort((a, b) => a.first - b.first || a.test - b.test);
    }

    vfunc_add_worker(_worker) {
    }

    vfunc_remove_worker(_worker) {
    }

    vfunc_add_test(test, program, path, _expectedDuration, flags) {
        this._tests.set(test, {program, path});
        this._queue(test, flags);
    }

    vfunc_next_batch(_worker) {
        if (this._pending.length === 0)
            return null;
        const head = this._pending[0];
        if (head.alone) {
            this._pending.shift();
            return [head.test];
        }
        const program = this._tests.get(head.test).program;
        const batch = [], rest = [];
        for (const item of this._pending) {
            // One program per batch, same priority, nothing that must run alone.
            if (batch.length < this.batchSize && item.first === head.first && !item.alone &&
                this._tests.get(item.test).program === program)
                batch.push(item.test);
            else
                rest.push(item);
        }
        this._pending = rest;
        return batch;
    }

    vfunc_mark_test_complete(_worker, _test, _duration) {
    }

    vfunc_mark_test_pending(test, flags) {
        // The rest of a crashed batch, or a retry: back in line.
        this._queue(test, flags);
    }

    vfunc_remove_pending() {
        const removed = this._pending.map(item => item.test);
        this._pending = [];
        return removed;
    }

    vfunc_has_pending() {
        return this._pending.length > 0;
    }
});

// PASS, FAIL…: the enum's own value names.
function outcomeName(outcome) {
    return Object.keys(Pacer.TestOutcome).find(name => Pacer.TestOutcome[name] === outcome);
}

function main(argv) {
    if (argv.length < 2) {
        printerr(`usage: ${System.programInvocationName} PATTERN TEST-PROGRAM…`);
        return 2;
    }
    const runner = Pacer.Runner.new(argv.slice(1));
    runner.scheduler = new PriorityScheduler(argv[0]);
    runner.connect('test-finished', (_runner, result) => {
        print(`[${result.worker ?? '--'}] ${outcomeName(result.outcome)} ${result.path}`);
    });
    try {
        runner.run(null);
    } catch (error) {
        printerr(error.message);
        return 2;
    }
    const failed = [Pacer.TestOutcome.FAIL, Pacer.TestOutcome.CRASH, Pacer.TestOutcome.TIMEOUT]
        .reduce((sum, outcome) => sum + runner.get_count(outcome), 0);
    print(`${runner.get_count(Pacer.TestOutcome.PASS)} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
}

if (System.programPath === GLib.filename_from_uri(import.meta.url)[0])
    System.exit(main(System.programArgs));
