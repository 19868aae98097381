// SPDX-License-Identifier: LGPL-2.1-or-later
// PacerTokenBucket used through the typelib from GJS: properties, calls, a
// rate function written in JavaScript, signal handlers, the asynchronous
// acquire on a GLib main loop, cancellation, timeouts and max-calls.
//
// Timing checks only bound what a loaded machine cannot make shorter (a paced
// wait), never how fast it runs.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Pacer from 'gi://Pacer';
import System from 'system';

import {Tap, makeTmpDir, removeTree, runLoop} from './tap.js';

const PACER_ERROR = Pacer.error_quark();

let directory = null;
let made = 0;

function newBucket(perSecond) {
    made++;
    const path = GLib.build_filenamev([directory, `pacer_shared_bucket${made}.json`]);
    const shared = Pacer.SharedJson.new(path, null, -1);
    return Pacer.TokenBucket.new_for_shared_json(shared, Pacer.Rate.new_per_second(perSecond));
}

function state(bucket) {
    return bucket.get_shared_json().read();
}

function sleep(seconds) {
    GLib.usleep(seconds * 1e6);
}

function close(a, b, epsilon = 1e-9) {
    return Math.abs(a - b) <= epsilon * Math.max(1, Math.abs(a), Math.abs(b));
}

function properties(object) {
    const values = {};
    for (const pspec of object.constructor.list_properties())
        values[pspec.name] = String(object[pspec.name.replaceAll('-', '_')]);
    return values;
}

// Finishes an asynchronous acquire into @outcome: the call, or the error.
function finisher(outcome, loop, expected = 1) {
    return (source, result) => {
        try {
            outcome.push(source.acquire_finish(result));
        } catch (error) {
            outcome.push(error);
        }
        if (outcome.length === expected)
            loop.quit();
    };
}

function testProperties(tap) {
    let bucket = newBucket(10);
    tap.check('default properties',
        bucket.max_drift === 0.1 && bucket.num_calls_between_checks === 10 &&
        bucket.seconds_before_first_check === 60 && bucket.burst_capacity === 1 &&
        bucket.max_calls === -1 && bucket.refuse_over_max_calls === false,
        properties(bucket));
    tap.check("id is the shared state's name", bucket.id === bucket.get_shared_json().get_name(), bucket.id);
    tap.check('rate property holds the rate given', bucket.rate.equal(Pacer.Rate.new_per_second(10)),
        bucket.rate.to_string());

    const windows = bucket.rate_windows;
    tap.check('rate-windows is a GVariant of seconds',
        windows.get_type_string() === 'au' && windows.deepUnpack().join() === '60,300,900', windows.print(true));
    bucket.set_rate_windows([5, 30]);
    tap.check('set_rate_windows takes a JavaScript array', bucket.dup_rate_windows().deepUnpack().join() === '5,30');

    const notified = [];
    bucket.connect('notify::max-drift', (object, pspec) => notified.push(pspec.name));
    bucket.max_drift = 0.25;
    bucket.max_drift = 0.25;
    tap.check('setting a property notifies once, only on change',
        notified.join() === 'max-drift' && bucket.get_max_drift() === 0.25, notified);

    bucket.set_rate(Pacer.Rate.new_per_minute(90));
    tap.check('set_rate changes the rate property', bucket.dup_rate().get_calls_per_second() === 1.5);

    bucket = Pacer.TokenBucket.new('gjs-named', Pacer.Rate.new_per_hour(3600));
    const dataFile = bucket.get_shared_json().get_data_file();
    tap.check('a bucket made by name keeps its state in the run directory',
        bucket.get_id() === 'gjs-named' && dataFile.startsWith(Pacer.worker_get_run_dir()), dataFile);
}

function testCalls(tap) {
    const bucket = newBucket(1000);
    const before = Date.now() / 1000;
    const call = bucket.acquire(-1, null);
    tap.check('acquire gives a Pacer.Call', call instanceof Pacer.Call);
    tap.check('call properties',
        call.id === bucket.get_id() && call.calls_per_hour === 3600000 && call.call_count === 1 &&
        call.exceptions === 0 && call.seconds_waited >= 0 && call.slot_time >= call.start_time &&
        call.start_time >= before - 1 && call.start_time <= Date.now() / 1000 + 1,
        properties(call));
    call.complete(false);
    call.complete(false);
    const second = bucket.acquire(-1, null);
    tap.check('a call completed as failed counts one exception, however often completed',
        second.get_exceptions() === 1 && second.get_call_count() === 2 &&
        state(bucket).get_int_member('exceptions') === 1,
        [second.get_exceptions(), second.get_call_count()]);
    second.complete(true);
}

function testRateFunc(tap) {
    const bucket = newBucket(1);
    let asked = 0;
    bucket.set_rate_func(() => {
        asked++;
        return Pacer.Rate.new_per_second(50);
    });

    // At the bucket's own 1 call a second the second call would be 1 s away,
    // past the 0.5 s timeout.
    const calls = [];
    let error = null;
    try {
        for (let i = 0; i < 5; i++)
            calls.push(bucket.acquire(0.5, null));
    } catch (e) {
        error = e;
    }
    tap.check('a rate function written in JavaScript paces the calls',
        error === null && calls.length === 5 && asked === 5 && calls.every(c => c.calls_per_hour === 180000),
        error ?? calls.map(c => c.calls_per_hour));
    const gaps = calls.slice(1).map((c, i) => c.slot_time - calls[i].slot_time);
    tap.check("slots are the function's interval apart", gaps.every(g => g >= 0.019), gaps);

    bucket.set_rate_func(() => null);
    const call = bucket.acquire(-1, null);
    tap.check('a function returning null keeps the rate property', call.calls_per_hour === 3600,
        call.calls_per_hour);

    bucket.set_rate_func(null);
    tap.throws('without the function the rate property paces again: the next slot is past 0.5 s',
        () => bucket.acquire(0.5, null), PACER_ERROR, Pacer.Error.TIMEOUT);
}

function testTimeout(tap) {
    const bucket = newBucket(1);
    bucket.acquire(0, null);
    const began = GLib.get_monotonic_time();
    const error = tap.throws('a slot beyond the timeout throws Pacer.Error.TIMEOUT',
        () => bucket.acquire(0.5, null), PACER_ERROR, Pacer.Error.TIMEOUT);
    tap.check('the timeout error names the bucket and fails without waiting for the slot',
        error !== null && error.message.includes(bucket.get_id()) &&
        GLib.get_monotonic_time() - began < 900000, error);
    tap.check('a refused call reserves nothing', state(bucket).get_int_member('call_count') === 1);
}

function testSignals(tap) {
    const bucket = newBucket(1000);
    bucket.seconds_before_first_check = 0;
    bucket.num_calls_between_checks = 5;
    const drifts = [];
    const checks = [];
    bucket.connect('drift', (source, event) => drifts.push([source, event]));
    bucket.connect('periodic-check', (source, event) => checks.push([source, event]));

    // A caller that manages far fewer than the 1000 calls a second asked for:
    // at most 50 a second, a drift of at least 95 %.
    for (let i = 0; i < 30; i++) {
        bucket.acquire(-1, null).complete(true);
        sleep(0.02);
    }

    tap.check('periodic-check fires every 5 calls', checks.length === 6, checks.length);
    tap.check('drift fires for a caller far below the rate', drifts.length >= 1, drifts.length);
    if (drifts.length === 0 || checks.length === 0) {
        tap.check('drift event properties', false, 'no drift event');
        tap.check('periodic-check event properties', false, 'no periodic-check event');
        tap.check('periodic-check carries the merged duration digest', false, 'no periodic-check event');
        return;
    }

    let [source, event] = drifts[drifts.length - 1];
    tap.check('drift event properties',
        source === bucket && event instanceof Pacer.DriftEvent && event instanceof Pacer.Event &&
        event.limiter === bucket && event.limiter_id === bucket.get_id() && event.call_count % 5 === 0 &&
        event.target_rate === 3600000 && event.current_rate > 0 && event.current_rate < event.target_rate &&
        event.max_drift === 0.1 && event.drift > event.max_drift &&
        close(event.drift, Math.abs(event.current_rate - event.target_rate) / event.target_rate) &&
        event.elapsed_time > 0 &&
        event.state_snapshot.get_int_member('call_count') >= event.call_count,
        properties(event));

    [source, event] = checks[checks.length - 1];
    const windowed = event.get_windowed_rates();
    const rates = windowed.deepUnpack();
    tap.check('periodic-check event properties',
        source === bucket && event instanceof Pacer.PeriodicCheckEvent && event.call_count === 30 &&
        event.worker_count === Pacer.worker_get_count() && event.sample_count >= 20 &&
        event.target_rate === 3600000 && event.drift > 0.1 && event.wait_ratio >= 0 &&
        windowed.get_type_string() === 'a{ud}' && Object.keys(rates).join() === '60,300,900' &&
        close(event.get_windowed_rate(60), rates[60]) && Number.isNaN(event.get_windowed_rate(61)),
        properties(event));
    const digest = event.duration_digest;
    tap.check('periodic-check carries the merged duration digest as a Pacer.TDigest',
        digest instanceof Pacer.TDigest && digest.get_count() === event.sample_count &&
        close(digest.quantile(0.5), event.duration_p50) &&
        event.duration_p50 <= event.duration_p90 && event.duration_p90 <= event.duration_p99 &&
        event.wait_p50 <= event.wait_p99,
        properties(event));
}

function testMaxCalls(tap) {
    let bucket = newBucket(1000);
    bucket.max_calls = 3;
    const events = [];
    bucket.connect('max-calls', (source, event) => events.push(event));
    for (let i = 0; i < 8; i++)
        bucket.acquire(-1, null);
    tap.check('max-calls fires exactly once, at the call that reaches it',
        events.length === 1 && events[0] instanceof Pacer.MaxCallsEvent &&
        events[0].max_calls === 3 && events[0].call_count === 3,
        events.map(e => [e.max_calls, e.call_count]));

    bucket = newBucket(1000);
    bucket.set_property('max-calls', 2);
    bucket.set_property('refuse-over-max-calls', true);
    bucket.acquire(-1, null);
    bucket.acquire(-1, null);
    tap.throws('with refuse-over-max-calls the next call throws Pacer.Error.LIMIT_REACHED',
        () => bucket.acquire(-1, null), PACER_ERROR, Pacer.Error.LIMIT_REACHED);
}

function testAsync(tap) {
    let bucket = newBucket(20);
    const loop = GLib.MainLoop.new(null, false);
    const outcome = [];
    let ticks = 0;
    let last = 0;

    const ticker = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 5, () => {
        ticks++;
        return GLib.SOURCE_CONTINUE;
    });
    const began = GLib.get_monotonic_time();
    const finish = finisher(outcome, loop, 5);
    for (let i = 0; i < 5; i++) {
        bucket.acquire_async(-1, null, (source, result) => {
            last = GLib.get_monotonic_time();
            finish(source, result);
        });
    }
    const finished = runLoop(loop);
    GLib.source_remove(ticker);

    tap.check('five asynchronous acquires finish on the main loop',
        finished && outcome.length === 5 && outcome.every(c => c instanceof Pacer.Call), outcome);
    // Five calls at 20 a second span at least four intervals, 200 ms.
    tap.check('asynchronous acquires are paced while the loop keeps running',
        last - began >= 190000 && ticks >= 2 && state(bucket).get_int_member('call_count') === 5,
        [last - began, ticks]);

    // A timeout given to the asynchronous acquire: the next slot is 1 s away.
    bucket = newBucket(1);
    bucket.acquire(-1, null);
    outcome.length = 0;
    bucket.acquire_async(0.25, null, finisher(outcome, loop));
    runLoop(loop);
    tap.check('an asynchronous acquire past its timeout finishes with Pacer.Error.TIMEOUT',
        outcome.length === 1 && outcome[0] instanceof GLib.Error &&
        outcome[0].matches(PACER_ERROR, Pacer.Error.TIMEOUT), outcome);
}

function testAsyncCancelled(tap) {
    const bucket = newBucket(1);
    const loop = GLib.MainLoop.new(null, false);
    const outcome = [];
    bucket.acquire(-1, null);
    const tat = state(bucket).get_int_member('tat_us');

    let cancellable = new Gio.Cancellable();
    cancellable.cancel();
    bucket.acquire_async(-1, cancellable, finisher(outcome, loop));
    runLoop(loop);
    tap.check('an acquire cancelled before it starts throws Gio.IOErrorEnum.CANCELLED',
        outcome.length === 1 && outcome[0] instanceof GLib.Error &&
        outcome[0].matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), outcome);

    // The next slot is a second away: cancel 50 ms into the wait.
    outcome.length = 0;
    const waiting = new Gio.Cancellable();
    GLib.timeout_add(GLib.PRIORITY_DEFAULT, 50, () => {
        waiting.cancel();
        return GLib.SOURCE_REMOVE;
    });
    bucket.acquire_async(-1, waiting, finisher(outcome, loop));
    runLoop(loop);
    tap.check('an acquire cancelled while it waits throws Gio.IOErrorEnum.CANCELLED',
        outcome.length === 1 && outcome[0] instanceof GLib.Error &&
        outcome[0].matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), outcome);

    const data = state(bucket);
    tap.check('a cancelled acquire gives its slot back',
        data.get_int_member('call_count') === 1 && data.get_int_member('tat_us') === tat,
        [data.get_int_member('call_count'), data.get_int_member('tat_us'), tat]);

    cancellable = new Gio.Cancellable();
    cancellable.cancel();
    tap.throws('a cancelled synchronous acquire throws Gio.IOErrorEnum.CANCELLED',
        () => bucket.acquire(-1, cancellable), Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED);
}

const TESTS = [
    [testProperties, 8],
    [testCalls, 3],
    [testRateFunc, 4],
    [testTimeout, 3],
    [testSignals, 5],
    [testMaxCalls, 2],
    [testAsync, 3],
    [testAsyncCancelled, 4],
];

function main() {
    const tap = new Tap(TESTS.reduce((sum, [, n]) => sum + n, 0));
    directory = makeTmpDir();
    // Buckets made by name keep their state here rather than in a directory
    // of their own; set before the library reads it.
    const runDir = makeTmpDir();
    GLib.setenv('PACER_RUN_DIR', runDir, true);
    try {
        for (const [test] of TESTS)
            test(tap);
    } finally {
        removeTree(directory);
        removeTree(runDir);
    }
    return tap.exitCode;
}

System.exit(main());
