// SPDX-License-Identifier: LGPL-2.1-or-later
// PacerSharedJson and PacerTokenBucket on a Redis store from GJS, against a
// redis-server of the test's own on a unix socket; skipped without one.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Pacer from 'gi://Pacer';
import System from 'system';

import {Tap, makeTmpDir, removeTree} from './tap.js';

function startServer(tmp) {
    const socket = GLib.build_filenamev([tmp, 'redis.sock']);
    const server = Gio.Subprocess.new(['redis-server', '--port', '0', '--unixsocket', socket,
        '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', tmp,
        '--logfile', GLib.build_filenamev([tmp, 'redis.log'])], Gio.SubprocessFlags.NONE);
    const uri = `unix://${socket}?prefix=gjs`;
    for (let i = 0; i < 1000; i++) {
        try {
            Pacer.Store.new_for_uri(uri, 'probe');
            return [server, uri];
        } catch (error) {
            GLib.usleep(10000);
        }
    }
    server.force_exit();
    throw new Error('redis-server did not start');
}

function main() {
    if (GLib.find_program_in_path('redis-server') === null) {
        print('1..0 # SKIP redis-server is not installed (Debian: apt install redis-server)');
        return 0;
    }

    const tap = new Tap(5);
    const tmp = makeTmpDir();
    const [server, uri] = startServer(tmp);
    try {
        const store = Pacer.Store.new_for_uri(uri, 'pacer_shared_gjs');
        tap.check('a Redis store changes values without a lock', store.is_lock_free());

        const shared = Pacer.SharedJson.new_for_store(store, -1);
        for (let i = 0; i < 10; i++) {
            shared.edit(data => {
                data.set_int_member('count', data.get_int_member_with_default('count', 0) + 1);
                return true;
            });
        }
        shared.edit(data => {
            data.set_int_member('count', -1);
            return false;
        });
        const count = shared.read().get_int_member('count');
        tap.check('edits land, and one that returns false writes nothing', count === 10, count);

        const bucket = Pacer.TokenBucket.new_for_shared_json(
            Pacer.SharedJson.new_for_store(Pacer.Store.new_for_uri(uri, 'pacer_shared_paced'), -1),
            Pacer.Rate.new_per_second(1000));
        const counts = [];
        for (let i = 0; i < 3; i++) {
            const call = bucket.acquire(5, null);
            counts.push(call.call_count);
            call.complete(true);
        }
        tap.check('a bucket on Redis counts its calls on the server', counts.join(',') === '1,2,3', counts);

        tap.throws('a server that is down throws Pacer.Error.IO naming it',
            () => Pacer.Store.new_for_uri('redis://127.0.0.1:1/0', 'x'),
            Pacer.error_quark(), Pacer.Error.IO, '127.0.0.1:1');
        tap.throws('a name with a slash throws Pacer.Error.INVALID_ARGUMENT',
            () => Pacer.Store.new_for_uri(uri, 'a/b'),
            Pacer.error_quark(), Pacer.Error.INVALID_ARGUMENT);
    } finally {
        server.force_exit();
        server.wait(null);
        removeTree(tmp);
    }
    return tap.exitCode;
}

System.exit(main());
