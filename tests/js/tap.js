// SPDX-License-Identifier: LGPL-2.1-or-later
// The little TAP producer the GJS tests share, so meson counts each case.

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';

export class Tap {
    constructor(plan) {
        this.n = 0;
        this.failed = 0;
        print(`1..${plan}`);
    }

    check(name, condition, detail = '') {
        this.n++;
        if (condition) {
            print(`ok ${this.n} ${name}`);
        } else {
            this.failed++;
            print(`not ok ${this.n} ${name}`);
            for (const line of describe(detail).split('\n'))
                print(`# ${line}`);
        }
    }

    // Runs @func, which must throw a GLib.Error of @domain and @code.
    throws(name, func, domain, code, text = '') {
        try {
            func();
        } catch (error) {
            this.check(name, error instanceof GLib.Error && error.matches(domain, code) &&
                error.message.includes(text), error);
            return error;
        }
        this.check(name, false, 'no error thrown');
        return null;
    }

    get exitCode() {
        return this.failed === 0 && this.n > 0 ? 0 : 1;
    }
}

function describe(detail) {
    if (detail instanceof GLib.Error)
        return `${GLib.quark_to_string(detail.domain)} ${detail.code}: ${detail.message}`;
    if (typeof detail === 'string')
        return detail;
    try {
        return JSON.stringify(detail);
    } catch {
        return String(detail);
    }
}

// Runs @loop, failing rather than hanging when nothing quits it.
export function runLoop(loop, seconds = 20) {
    let expired = false;
    const guard = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, seconds, () => {
        expired = true;
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    loop.run();
    if (!expired)
        GLib.source_remove(guard);
    return !expired;
}

// A directory of its own, removed by the caller with removeTree().
export function makeTmpDir() {
    return GLib.dir_make_tmp('pacer-gjs-XXXXXX');
}

export function removeTree(path) {
    const dir = Gio.File.new_for_path(path);
    const children = dir.enumerate_children('standard::name,standard::type',
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    let info;
    while ((info = children.next_file(null)) !== null) {
        const child = dir.get_child(info.get_name());
        if (info.get_file_type() === Gio.FileType.DIRECTORY)
            removeTree(child.get_path());
        else
            child.delete(null);
    }
    children.close(null);
    dir.delete(null);
}
