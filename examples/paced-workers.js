// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Three worker processes call one local service, paced together at 50 calls
// a second by one Pacer.TokenBucket, and report drift and periodic metrics.
//
//   gjs -m paced-workers.js [SECONDS]
//
// The JavaScript counterpart of paced-workers.c, written the GJS way: one main
// loop per process, and the bucket's asynchronous acquire awaited as a
// promise, so a worker's loop stays free while it waits for its slot. The
// controller serves a small TCP service on 127.0.0.1 that counts the requests
// it gets each second, then runs this module three times as a worker with
// PACER_RUN_DIR set to one shared directory: that is all it takes for the
// workers' buckets named "service" to share their state, as they do under
// pacer-run.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Pacer from 'gi://Pacer';
import System from 'system';

const RATE = 50;
const N_WORKERS = 3;

Gio._promisify(Pacer.TokenBucket.prototype, 'acquire_async', 'acquire_finish');
Gio._promisify(Gio.SocketClient.prototype, 'connect_to_host_async', 'connect_to_host_finish');
Gio._promisify(Gio.InputStream.prototype, 'read_bytes_async', 'read_bytes_finish');
Gio._promisify(Gio.OutputStream.prototype, 'write_bytes_async', 'write_bytes_finish');
Gio._promisify(Gio.Subprocess.prototype, 'wait_check_async', 'wait_check_finish');

// The service

async function serve(connection, started, perSecond) {
    const request = await connection.get_input_stream().read_bytes_async(64, GLib.PRIORITY_DEFAULT, null);
    const second = Math.floor((GLib.get_monotonic_time() - started) / 1e6);
    if (request.get_size() > 0)
        perSecond[second] = (perSecond[second] ?? 0) + 1;
    await connection.get_output_stream().write_bytes_async(new GLib.Bytes('ok\n'), GLib.PRIORITY_DEFAULT, null);
    connection.close(null);
}

// A worker

function onDrift(bucket, event) {
    print(`[${Pacer.worker_get_id()}] drift ${(100 * event.drift).toFixed(0)}%: ` +
        `${(event.current_rate / 3600).toFixed(1)} calls/s instead of ${(event.target_rate / 3600).toFixed(1)}`);
}

function onPeriodicCheck(bucket, event) {
    // Every 100 calls of all workers together, in the worker that made the 100th.
    const verdict = event.wait_ratio > 1 ? 'the pacer holds calls back' : 'the service is the bottleneck';
    print(`[${Pacer.worker_get_id()}] ${event.call_count} calls, ` +
        `${(event.get_windowed_rate(60) / 3600).toFixed(1)} calls/s over 60 s, ` +
        `duration p50 ${(1000 * event.duration_p50).toFixed(2)} ms, ` +
        `wait p50 ${(1000 * event.wait_p50).toFixed(2)} ms, ` +
        `wait ratio ${event.wait_ratio.toFixed(1)} (${verdict})`);
}

async function callService(client, port) {
    try {
        const connection = await client.connect_to_host_async('127.0.0.1', port, null);
        await connection.get_output_stream().write_bytes_async(new GLib.Bytes('hello\n'), GLib.PRIORITY_DEFAULT,
            null);
        const reply = await connection.get_input_stream().read_bytes_async(8, GLib.PRIORITY_DEFAULT, null);
        connection.close(null);
        return reply.get_size() > 0;
    } catch (error) {
        return false;
    }
}

async function runWorker(port, seconds) {
    const bucket = Pacer.TokenBucket.new('service', Pacer.Rate.new_per_second(RATE));
    const client = new Gio.SocketClient();
    const end = GLib.get_monotonic_time() + seconds * 1e6;

    bucket.num_calls_between_checks = 100;
    bucket.seconds_before_first_check = 2.0;
    bucket.connect('drift', onDrift);
    bucket.connect('periodic-check', onPeriodicCheck);

    while (GLib.get_monotonic_time() < end) {
        let call;
        try {
            call = await bucket.acquire_async(5.0, null);
        } catch (error) {
            printerr(`[${Pacer.worker_get_id()}] ${error.message}`);
            return 1;
        }
        call.complete(await callService(client, port));
    }
    return 0;
}

// The controller

async function runController(seconds) {
    const service = new Gio.SocketService();
    const port = service.add_any_inet_port(null);
    const started = GLib.get_monotonic_time();
    const perSecond = [];

    // The service answers from this main loop while the workers run.
    service.connect('incoming', (_service, connection) => {
        serve(connection, started, perSecond).catch(logError);
        return true;
    });
    service.start();

    const gjs = GLib.file_read_link('/proc/self/exe');
    const script = GLib.filename_from_uri(import.meta.url)[0];
    const workers = [];
    for (let i = 0; i < N_WORKERS; i++) {
        const launcher = new Gio.SubprocessLauncher({flags: Gio.SubprocessFlags.NONE});
        launcher.setenv('PACED_WORKERS_PORT', String(port), true);
        launcher.setenv('PACER_WORKER', `gw${i}`, true);
        launcher.setenv('PACER_WORKER_COUNT', String(N_WORKERS), true);
        launcher.setenv('PACER_RUN_DIR', Pacer.worker_get_run_dir(), true);
        workers.push(launcher.spawnv([gjs, '-m', script, String(seconds)]));
    }

    let failed = 0;
    for (const worker of workers) {
        try {
            await worker.wait_check_async(null);
        } catch (error) {
            printerr(error.message);
            failed++;
        }
    }
    service.stop();

    const counts = Array.from({length: perSecond.length}, (_, s) => perSecond[s] ?? 0);
    print(`requests the service got, second by second (target ${RATE}): ${counts.join(' ')}`);
    return failed === 0 ? 0 : 1;
}

const seconds = System.programArgs.length > 0 ? Number(System.programArgs[0]) : 5;
const port = GLib.getenv('PACED_WORKERS_PORT');
const loop = new GLib.MainLoop(null, false);
let status = 1;

(port !== null ? runWorker(Number(port), seconds) : runController(seconds))
    .then(result => {
        status = result;
    })
    .catch(logError)
    .finally(() => loop.quit());
loop.run();
System.exit(status);
