// SPDX-License-Identifier: LGPL-2.1-or-later
// PacerSharedJson used through the typelib from GJS, by two processes at once.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Json from 'gi://Json';
import Pacer from 'gi://Pacer';
import System from 'system';

import {Tap, makeTmpDir, removeTree} from './tap.js';

const INCREMENTS = 300;

function increment(data) {
    data.set_int_member('count', data.get_int_member_with_default('count', 0) + 1);
    return true;
}

function child(path, count) {
    const shared = Pacer.SharedJson.new(path, null, -1);
    for (let i = 0; i < count; i++)
        shared.edit(increment);
    return 0;
}

function main() {
    const tap = new Tap(9);
    const tmp = makeTmpDir();
    try {
        const path = GLib.build_filenamev([tmp, 'pacer_shared_gjs.json']);
        const shared = Pacer.SharedJson.new(path, null, -1);
        tap.check('name drops the pacer_shared_ prefix', shared.get_name() === 'gjs', shared.get_name());
        tap.check('data-file and timeout are properties', shared.data_file === path && shared.timeout === -1,
            [shared.data_file, shared.timeout]);

        let seen = null;
        shared.edit(data => {
            seen = data.get_size();
            data.set_string_member('owner', 'gjs');
            return true;
        });
        tap.check('edit hands a closure the object and keeps what it sets',
            seen === 0 && shared.read().get_string_member('owner') === 'gjs', seen);

        shared.edit(data => {
            data.set_string_member('owner', 'nobody');
            return false;
        });
        tap.check('an edit that returns false writes nothing',
            shared.read().get_string_member('owner') === 'gjs');

        // Two other processes increment together; not one increment is lost.
        const gjs = GLib.file_read_link('/proc/self/exe');
        const script = GLib.filename_from_uri(import.meta.url)[0];
        const children = [0, 1].map(() => Gio.Subprocess.new(
            [gjs, '-m', script, '--child', path, String(INCREMENTS)], Gio.SubprocessFlags.NONE));
        const ok = children.map(c => c.wait_check(null));
        tap.check('both processes finished', ok.every(Boolean));
        const count = shared.read().get_int_member_with_default('count', 0);
        tap.check(`two processes x ${INCREMENTS} increments give ${2 * INCREMENTS}`,
            count === 2 * INCREMENTS, count);

        const update = new Json.Object();
        update.set_string_member('status', 'done');
        shared.update(update);
        const data = shared.read();
        tap.check('update merges keys', data.get_string_member('status') === 'done' &&
            data.get_int_member('count') === 2 * INCREMENTS && data.get_string_member('owner') === 'gjs');

        GLib.file_set_contents(path, '[1, 2]');
        const error = tap.throws('a JSON array raises Pacer.Error.CORRUPT_STATE', () => shared.read(),
            Pacer.error_quark(), Pacer.Error.CORRUPT_STATE, path);
        tap.check('an edit of corrupt state raises too, and its closure never runs', (() => {
            let ran = false;
            try {
                shared.edit(() => {
                    ran = true;
                    return true;
                });
            } catch (e) {
                return !ran && e.matches(Pacer.error_quark(), Pacer.Error.CORRUPT_STATE) && error !== null;
            }
            return false;
        })());
    } finally {
        removeTree(tmp);
    }
    return tap.exitCode;
}

const args = System.programArgs;
if (args.length === 3 && args[0] === '--child')
    System.exit(child(args[1], Number(args[2])));
else
    System.exit(main());
