// SPDX-License-Identifier: LGPL-2.1-or-later
// A Pacer.Scheduler written in JavaScript (examples/js-scheduler.js) drives a
// Pacer.Runner over fake-gtest: every vfunc is overridden from GJS, through a
// crash, a retry, an early stop, the runner's signals, and run_async on a
// main loop, with a cancellation.
//
//   gjs -m test-scheduler.js FAKE-GTEST
//
// One worker slot wherever an exact sequence is checked, so the checks hold
// on a loaded machine; nothing here measures time.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Pacer from 'gi://Pacer';
import System from 'system';

import {PriorityScheduler} from '../../examples/js-scheduler.js';
import {Tap, makeTmpDir, removeTree, runLoop} from './tap.js';

const VFUNCS = ['add_worker', 'remove_worker', 'add_test', 'next_batch', 'mark_test_complete',
    'mark_test_pending', 'remove_pending', 'has_pending', 'mark_process_overhead'];

// The example again, with every vfunc counted on its way through. A subclass
// names the interface once more: GJS only hooks up the vfuncs of interfaces
// a class lists itself.
const CountingScheduler = GObject.registerClass({
    Implements: [Pacer.Scheduler],
}, class CountingScheduler extends PriorityScheduler {
    _init(pattern, batchSize) {
        super._init(pattern, batchSize);
        this.calls = Object.fromEntries(VFUNCS.map(name => [name, 0]));
        this.workers = [];
        this.batches = [];
        this.removed = [];
        this.overheads = [];
    }

    vfunc_add_worker(worker) {
        this.calls.add_worker++;
        this.workers.push(worker);
        super.vfunc_add_worker(worker);
    }

    vfunc_remove_worker(worker) {
        this.calls.remove_worker++;
        super.vfunc_remove_worker(worker);
    }

    vfunc_add_test(test, program, path, expectedDuration, flags) {
        this.calls.add_test++;
        super.vfunc_add_test(test, program, path, expectedDuration, flags);
    }

    vfunc_next_batch(worker) {
        this.calls.next_batch++;
        const batch = super.vfunc_next_batch(worker);
        if (batch !== null)
            this.batches.push(batch);
        return batch;
    }

    vfunc_mark_test_complete(worker, test, duration) {
        this.calls.mark_test_complete++;
        super.vfunc_mark_test_complete(worker, test, duration);
    }

    vfunc_mark_test_pending(test, flags) {
        this.calls.mark_test_pending++;
        super.vfunc_mark_test_pending(test, flags);
    }

    vfunc_remove_pending() {
        this.calls.remove_pending++;
        const removed = super.vfunc_remove_pending();
        this.removed.push(...removed);
        return removed;
    }

    vfunc_has_pending() {
        this.calls.has_pending++;
        return super.vfunc_has_pending();
    }

    // Optional, and not in the example: the runner still finds it here.
    vfunc_mark_process_overhead(program, seconds) {
        this.calls.mark_process_overhead++;
        this.overheads.push([program, seconds]);
    }
});

function newRunner(program, scheduler, properties = {}) {
    const runner = Pacer.Runner.new([program]);
    runner.scheduler = scheduler;
    runner.n_workers = 1;
    Object.assign(runner, properties);
    return runner;
}

// Every result of @runner by path.
function byPath(runner) {
    return Object.fromEntries(runner.get_results().map(result => [result.path, result]));
}

function started(log) {
    const [, contents] = GLib.file_get_contents(log);
    return new TextDecoder().decode(contents).split('\n').filter(line => line !== '')
        .map(line => line.split(' ')[0]);
}

function sorted(array) {
    return [...array].sort();
}

function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
}

// A crash, a retry and a priority, run synchronously.
function testCrashAndRetry(tap, program, tmp) {
    const log = GLib.build_filenamev([tmp, 'crash-and-retry.log']);
    GLib.setenv('FAKE_GTEST_LOG', log, true);
    GLib.setenv('FAKE_GTEST_TESTS',
        'pass:/a/1,segv:/a/2,pass:/a/3,flaky:/net/1,pass:/b/1,pass:/net/2', true);

    const scheduler = new CountingScheduler('/net/*', 20);
    const runner = newRunner(program, scheduler, {retries: 1});
    const signals = [];
    runner.connect('run-started', () => signals.push('run-started'));
    runner.connect('test-finished', (_runner, result) => signals.push(result.path));
    runner.connect('run-finished', () => signals.push('run-finished'));

    tap.check('run() with a JavaScript scheduler returns true', runner.run(null) === true);
    GLib.unsetenv('FAKE_GTEST_LOG');

    const results = byPath(runner);
    tap.check('every test has one result', same(sorted(Object.keys(results)),
        ['/a/1', '/a/2', '/a/3', '/b/1', '/net/1', '/net/2']), Object.keys(results));

    const crash = results['/a/2'];
    tap.check('the crash is blamed on its test, with its output',
        crash.outcome === Pacer.TestOutcome.CRASH && crash.message !== null &&
        crash.output.includes('segv: output before the crash'), [crash.outcome, crash.message, crash.output]);

    const flaky = results['/net/1'];
    const failedAttempts = flaky.get_failed_attempts();
    tap.check('a retry through mark_test_pending makes the flaky test flaky',
        flaky.outcome === Pacer.TestOutcome.FLAKY && flaky.attempts === 2 &&
        failedAttempts.length === 1 && failedAttempts[0].outcome === Pacer.TestOutcome.FAIL,
        [flaky.outcome, flaky.attempts, failedAttempts.length]);
    tap.check('the rest of the crashed batch ran, once',
        results['/a/3'].outcome === Pacer.TestOutcome.PASS && results['/a/3'].attempts === 1);

    const ran = started(log);
    tap.check('tests matching the pattern ran first', same(ran.slice(0, 2), ['/net/1', '/net/2']), ran);
    tap.check('nothing but the retries ran twice', same(sorted(ran),
        sorted(['/net/1', '/net/1', '/net/2', '/a/1', '/a/2', '/a/2', '/a/3', '/b/1'])), ran);

    const pass = results['/b/1'];
    tap.check('results carry their program, worker and times',
        pass.program === program && pass.worker === 'gw0' && pass.duration >= 0 &&
        pass.start_time > 0 && pass.start_time <= pass.end_time,
        [pass.program, pass.worker, pass.duration, pass.start_time, pass.end_time]);
    // Only what failed gets the command that reruns it alone.
    tap.check('the crash carries the command that reruns it alone',
        crash.command[0] === program && crash.command.includes('/a/2') && pass.command.length === 0,
        [crash.command, pass.command]);

    const calls = scheduler.calls;
    tap.check('add_worker and add_test: one worker, six tests',
        calls.add_worker === 1 && same(scheduler.workers, ['gw0']) && calls.add_test === 6, calls);
    // Eight attempts in all: six tests, and a second go for the crash and the flaky one.
    tap.check('mark_test_complete once per attempt', calls.mark_test_complete === 8, calls);
    // Back in line: /a/3 and /net/2, the rest of the crashed batch, then the two retries.
    tap.check('mark_test_pending for the rest of the crashed batch and each retry',
        calls.mark_test_pending === 4, calls);
    // Handed out: every test, again the two the crash sent back, and the two retries.
    tap.check('next_batch handed out every test, then what came back',
        same(sorted(scheduler.batches.flat()), [0, 1, 1, 2, 2, 3, 3, 4, 5, 5]) &&
        calls.next_batch > scheduler.batches.length, [calls, scheduler.batches]);
    tap.check('retries come alone', scheduler.batches.filter(batch => batch.length === 1).length >= 2,
        scheduler.batches);
    tap.check('has_pending asked; remove_pending and remove_worker not needed',
        calls.has_pending > 0 && calls.remove_pending === 0 && calls.remove_worker === 0, calls);
    tap.check('the optional mark_process_overhead reaches JavaScript',
        calls.mark_process_overhead > 0 &&
        scheduler.overheads.every(([where, seconds]) => where === program && seconds >= 0), scheduler.overheads);

    const finished = signals.filter(name => name.startsWith('/'));
    tap.check('test-finished once per test, between run-started and run-finished',
        signals[0] === 'run-started' && signals[signals.length - 1] === 'run-finished' &&
        signals.filter(name => name === 'run-started').length === 1 &&
        signals.filter(name => name === 'run-finished').length === 1 &&
        same(sorted(finished), sorted(Object.keys(results))), signals);
}

// -x (maxfail 1): the scheduler gives the rest back through remove_pending.
function testEarlyStop(tap, program) {
    GLib.setenv('FAKE_GTEST_TESTS', 'pass:/x/0,fail:/x/first,pass:/x/1,pass:/x/2', true);
    const scheduler = new CountingScheduler('/x/first', 20);
    const runner = newRunner(program, scheduler, {maxfail: 1});

    tap.check('a run stopped by maxfail still returns true', runner.run(null) === true);
    const results = byPath(runner);
    tap.check('the failure stops the run: one failure, three not run',
        runner.get_count(Pacer.TestOutcome.FAIL) === 1 && runner.get_count(Pacer.TestOutcome.NOT_RUN) === 3 &&
        results['/x/first'].outcome === Pacer.TestOutcome.FAIL,
        runner.get_results().map(result => [result.path, result.outcome]));
    tap.check('remove_pending from JavaScript gives back what had not run',
        scheduler.calls.remove_pending >= 1 && same(sorted(scheduler.removed), [0, 2, 3]) &&
        !scheduler.vfunc_has_pending(), [scheduler.calls, scheduler.removed]);
    tap.check('tests given back are reported not run, with why',
        ['/x/0', '/x/1', '/x/2'].every(path => results[path].outcome === Pacer.TestOutcome.NOT_RUN &&
            results[path].message !== null));
}

// run_async on a main loop, over two workers, one test a batch.
function testAsync(tap, program) {
    GLib.setenv('FAKE_GTEST_TESTS', 'pass:/y/0,pass:/y/1,segv:/y/2,pass:/y/3,pass:/y/4,pass:/y/5', true);
    const scheduler = new CountingScheduler('/y/2', 1);
    const runner = newRunner(program, scheduler, {n_workers: 2});
    const loop = new GLib.MainLoop(null, false);
    let finishedWhileRunning = 0, ended = null;

    runner.connect('test-finished', () => {
        if (ended === null)
            finishedWhileRunning++;
    });
    runner.run_async(null, (source, result) => {
        try {
            ended = source.run_finish(result);
        } catch (error) {
            ended = error;
        }
        loop.quit();
    });

    tap.check('run_async finishes on the main loop', runLoop(loop, 60) && ended === true, ended);
    tap.check('test-finished is emitted on the loop before the run ends', finishedWhileRunning === 6,
        finishedWhileRunning);
    const workers = new Set(runner.get_results().map(result => result.worker));
    tap.check('both worker slots joined the JavaScript scheduler',
        same(sorted(scheduler.workers), ['gw0', 'gw1']) && [...workers].every(w => w === 'gw0' || w === 'gw1'),
        [scheduler.workers, [...workers]]);
    tap.check('one test a batch, as the scheduler chose',
        scheduler.batches.every(batch => batch.length === 1) && scheduler.batches.length === 6, scheduler.batches);
    tap.check('the async run counts what the sync one would',
        runner.get_count(Pacer.TestOutcome.PASS) === 5 && runner.get_count(Pacer.TestOutcome.CRASH) === 1);
}

// Cancelling run_async once the scheduler has handed out a test that never ends.
function testCancel(tap, program) {
    GLib.setenv('FAKE_GTEST_TESTS', 'hang:/z/hang,pass:/z/after', true);
    const cancellable = new Gio.Cancellable();
    const scheduler = new CountingScheduler('/z/hang', 1);
    const runner = newRunner(program, scheduler);
    const loop = new GLib.MainLoop(null, false);
    let ended = null;

    // Cancelled from the loop, once the test that hangs is handed out.
    let polling = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 50, () => {
        if (scheduler.batches.length === 0)
            return GLib.SOURCE_CONTINUE;
        cancellable.cancel();
        polling = 0;
        return GLib.SOURCE_REMOVE;
    });
    runner.run_async(cancellable, (source, result) => {
        try {
            ended = source.run_finish(result);
        } catch (error) {
            ended = error;
        }
        loop.quit();
    });

    const quit = runLoop(loop, 60);
    if (polling !== 0)
        GLib.source_remove(polling);
    tap.check('cancelling run_async ends it with G_IO_ERROR_CANCELLED',
        quit && ended instanceof GLib.Error && ended.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), ended);
    const results = byPath(runner);
    tap.check('the test never handed out is reported not run',
        results['/z/after']?.outcome === Pacer.TestOutcome.NOT_RUN,
        runner.get_results().map(result => [result.path, result.outcome]));
}

function main(argv) {
    if (argv.length !== 1) {
        printerr('usage: test-scheduler.js FAKE-GTEST');
        return 2;
    }
    const program = argv[0];
    const tap = new Tap(28);
    const tmp = makeTmpDir();
    try {
        testCrashAndRetry(tap, program, tmp);
        testEarlyStop(tap, program);
        testAsync(tap, program);
        testCancel(tap, program);
    } finally {
        removeTree(tmp);
    }
    return tap.exitCode;
}

System.exit(main(System.programArgs));
