// SPDX-License-Identifier: LGPL-2.1-or-later
// Pacer.SharedFixture from GJS, across several gjs processes: a setup that
// runs once for all of them, a failing setup whose error every process gets,
// and the make_shared_json flavour with its on-first-worker and
// on-last-worker callbacks written in JavaScript.
//
//   gjs -m test-shared-fixture.js                 the test, printing TAP
//   gjs -m test-shared-fixture.js --child MODE    one worker process
//
// The workers are this module again. First three of them share a run
// directory made here, started with Gio.Subprocess as pacer-run would start
// them; then a Pacer.Runner runs three of them, so that its teardown pass
// starts one again to run the cleanups and on-last-worker, in JavaScript.
// (A plain gjs process cannot run them itself: they are due at exit, when
// GJS refuses to call into JavaScript any more.)

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Json from 'gi://Json';
import Pacer from 'gi://Pacer';
import System from 'system';

import {Tap, makeTmpDir, removeTree} from './tap.js';

const N_WORKERS = 3;
const DATA = '/srv/data';

Gio._promisify(Gio.Subprocess.prototype, 'communicate_utf8_async', 'communicate_utf8_finish');

// Child -----------------------------------------------------------------------

// One line per callback run, appended by every process to the file
// FIXTURE_LOG names: `WHAT WORKER PID DETAIL`.
function log(what, detail = '') {
    const file = Gio.File.new_for_path(GLib.getenv('FIXTURE_LOG'));
    const stream = file.append_to(Gio.FileCreateFlags.NONE, null);
    const when = Pacer.SharedFixture.is_teardown() ? 'teardown' : 'test';
    stream.write_all(`${what} ${Pacer.worker_get_id()} ${when} ${detail}\n`, null);
    stream.close(null);
}

function child(mode) {
    const data = Pacer.SharedFixture.new('js-data', () => {
        log('setup');
        // Slow enough that the other workers come while it computes.
        GLib.usleep(200000);
        const node = Json.Node.new(Json.NodeType.VALUE);
        node.set_string(DATA);
        return node;
    });
    data.set_parse_func((_fixture, node) => Gio.File.new_for_path(node.get_string()));

    const broken = Pacer.SharedFixture.new('js-broken', () => {
        log('broken-setup');
        throw new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND, 'no database');
    });

    const state = Pacer.SharedFixture.new_for_shared_json('js-state', () => {
        log('first');
        const first = new Json.Object();
        first.set_int_member('count', 0);
        return first;
    });

    if (mode === 'runner') {
        data.set_cleanup_func((_fixture, node) => {
            log('cleanup', node.get_string());
            return true;
        });
        state.set_on_last_worker(final => {
            log('last', String(final.get_int_member('count')));
            return true;
        });
    }

    // In teardown mode the first declare runs what is pending and exits.
    for (const fixture of [data, broken, state])
        fixture.declare();

    const report = {worker: Pacer.worker_get_id()};
    report.data = data.get().get_string();
    report.object = data.get_object().get_path();
    try {
        broken.get();
        report.error = null;
    } catch (error) {
        report.error = {
            matches: error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.NOT_FOUND),
            message: error.message,
        };
    }
    let count = null;
    state.get_shared_json().edit(shared => {
        count = shared.get_int_member('count') + 1;
        shared.set_int_member('count', count);
        return true;
    });
    report.count = count;
    print(JSON.stringify(report));
    return 0;
}

// Parent ----------------------------------------------------------------------

function readLog(path) {
    if (!GLib.file_test(path, GLib.FileTest.EXISTS))
        return [];
    const [, contents] = GLib.file_get_contents(path);
    return new TextDecoder().decode(contents).split('\n').filter(line => line !== '').map(line => {
        const [what, worker, when, ...detail] = line.split(' ');
        return {what, worker, when, detail: detail.join(' ')};
    });
}

function events(entries, what) {
    return entries.filter(entry => entry.what === what);
}

function childArgv(mode) {
    return [GLib.file_read_link('/proc/self/exe'), '-m', GLib.filename_from_uri(import.meta.url)[0],
        '--child', mode];
}

// Three workers of one run, started at once, as pacer-run starts them.
async function spawnWorkers(runDir, logPath) {
    const workers = [];
    for (let i = 0; i < N_WORKERS; i++) {
        const launcher = new Gio.SubprocessLauncher({flags: Gio.SubprocessFlags.STDOUT_PIPE});
        launcher.setenv('PACER_RUN_DIR', runDir, true);
        launcher.setenv('PACER_WORKER', `gw${i}`, true);
        launcher.setenv('PACER_WORKER_COUNT', String(N_WORKERS), true);
        launcher.setenv('FIXTURE_LOG', logPath, true);
        workers.push(launcher.spawnv(childArgv('plain')));
    }
    const reports = [];
    for (const worker of workers) {
        const [stdout] = await worker.communicate_utf8_async(null, null);
        reports.push(worker.get_successful() ? JSON.parse(stdout) : {status: worker.get_exit_status()});
    }
    return reports;
}

function checkWorkers(tap, reports, entries) {
    tap.check('every worker process ran to its end', reports.every(report => report.worker !== undefined),
        reports);

    const setups = events(entries, 'setup');
    tap.check('the setup ran once across the processes', setups.length === 1, entries);
    tap.check('every process got the data, and parsed it into an object',
        reports.every(report => report.data === DATA && report.object === DATA), reports);

    const brokenSetups = events(entries, 'broken-setup');
    tap.check('a failing setup ran once too', brokenSetups.length === 1, entries);
    tap.check('every process got its GLib.Error, domain and code kept',
        reports.every(report => report.error?.matches && report.error.message.includes('no database')), reports);
    const culprit = brokenSetups[0]?.worker;
    tap.check('the error names the worker whose setup failed',
        culprit !== undefined && reports.every(report => report.error?.message.includes(`worker ${culprit}`)),
        reports.map(report => report.error?.message));

    tap.check('on-first-worker ran once', events(entries, 'first').length === 1, entries);
    tap.check('the shared JSON state saw every edit once',
        JSON.stringify(reports.map(report => report.count).sort()) === JSON.stringify([1, 2, 3]), reports);
}

// The same workers under a Pacer.Runner, which ends the run with a teardown pass.
function runUnderRunner(logPath) {
    const runner = Pacer.Runner.new([]);
    runner.n_workers = N_WORKERS;
    for (let i = 0; i < N_WORKERS; i++)
        runner.add_command(Pacer.TestCommand.new(`worker${i}`, childArgv('runner')));
    GLib.setenv('FIXTURE_LOG', logPath, true);
    try {
        runner.run(null);
    } finally {
        GLib.unsetenv('FIXTURE_LOG');
    }
    return runner;
}

function checkRunner(tap, runner, entries) {
    tap.check('the runner ran the three gjs workers, and they passed',
        runner.get_results().length === N_WORKERS && runner.get_count(Pacer.TestOutcome.PASS) === N_WORKERS,
        runner.get_results().map(result => [result.program, result.outcome, result.message, result.output]));
    tap.check('under the runner too, setup and on-first-worker ran once',
        events(entries, 'setup').length === 1 && events(entries, 'first').length === 1, entries);

    const last = events(entries, 'last');
    tap.check('on-last-worker ran once, in JavaScript, in the teardown pass',
        last.length === 1 && last[0].when === 'teardown', entries);
    tap.check('on-last-worker saw the state every worker left', last[0]?.detail === String(N_WORKERS), last);
    const cleanups = events(entries, 'cleanup');
    tap.check('the cleanup ran once, in the teardown pass, with the data',
        cleanups.length === 1 && cleanups[0].when === 'teardown' && cleanups[0].detail === DATA, entries);
    tap.check('the runner reports no cleanup failure', (runner.get_cleanup_failures() ?? []).length === 0,
        runner.get_cleanup_failures());
}

async function parent() {
    const tap = new Tap(14);
    const tmp = makeTmpDir();
    try {
        // dir_make_tmp makes it 0700, as the runner makes its run directories.
        const runDir = GLib.build_filenamev([tmp, 'run']);
        GLib.mkdir_with_parents(runDir, 0o700);
        const plainLog = GLib.build_filenamev([tmp, 'plain.log']);
        const reports = await spawnWorkers(runDir, plainLog);
        checkWorkers(tap, reports, readLog(plainLog));

        const runnerLog = GLib.build_filenamev([tmp, 'runner.log']);
        const runner = runUnderRunner(runnerLog);
        checkRunner(tap, runner, readLog(runnerLog));
    } finally {
        removeTree(tmp);
    }
    return tap.exitCode;
}

const args = System.programArgs;
if (args[0] === '--child') {
    // Asked to list its tests, as the runner asks every program: it has none.
    System.exit(args.includes('-l') ? 0 : child(args[1]));
}

const loop = new GLib.MainLoop(null, false);
let status = 1;
parent().then(result => {
    status = result;
}).catch(error => {
    logError(error);
}).finally(() => loop.quit());
loop.run();
System.exit(status);
