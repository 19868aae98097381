#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PacerSharedJson and PacerTokenBucket on a Redis store, through the typelib,
from two processes, against a redis-server of the test's own on a unix socket.

Prints TAP so meson reads each case; skips when redis-server is missing."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Pacer", "1.0")
from gi.repository import GLib, Pacer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402

INCREMENTS = 200


def increment(data):
    data.set_int_member("count", data.get_int_member_with_default("count", 0) + 1)
    return True


def child(uri, count):
    store = Pacer.Store.new_for_uri(uri, "pacer_shared_python")
    shared = Pacer.SharedJson.new_for_store(store, -1)
    for _ in range(count):
        shared.edit(increment)
    return 0


def start_server(tmp):
    socket = os.path.join(tmp, "redis.sock")
    server = subprocess.Popen(["redis-server", "--port", "0", "--unixsocket", socket,
                               "--unixsocketperm", "700", "--save", "", "--appendonly", "no",
                               "--dir", tmp, "--logfile", os.path.join(tmp, "redis.log")])
    uri = f"unix://{socket}?prefix=py"
    for _ in range(1000):
        try:
            Pacer.Store.new_for_uri(uri, "probe")
            return server, uri
        except GLib.Error:
            if server.poll() is not None:
                break
            time.sleep(0.01)
    server.kill()
    raise RuntimeError("redis-server did not start")


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        return child(sys.argv[2], int(sys.argv[3]))

    if shutil.which("redis-server") is None:
        print("1..0 # SKIP redis-server is not installed (Debian: apt install redis-server)")
        return 0

    tap = Tap()
    print("1..7")
    with tempfile.TemporaryDirectory() as tmp:
        server, uri = start_server(tmp)
        try:
            store = Pacer.Store.new_for_uri(uri, "pacer_shared_python")
            tap.check("a Redis store changes values without a lock", store.is_lock_free())
            shared = Pacer.SharedJson.new_for_store(store, -1)
            tap.check("its name drops the pacer_shared_ prefix", shared.get_name() == "python",
                      shared.get_name())

            children = [subprocess.Popen([sys.executable, __file__, "--child", uri, str(INCREMENTS)])
                        for _ in range(2)]
            codes = [c.wait() for c in children]
            count = shared.read().get_int_member_with_default("count", 0)
            tap.check("two processes editing at once lose no edit", codes == [0, 0] and count == 2 * INCREMENTS,
                      f"{codes} {count}")

            shared.edit(lambda data: data.set_int_member("count", -1) or False)
            count = shared.read().get_int_member("count")
            tap.check("an edit that returns False writes nothing", count == 2 * INCREMENTS, count)

            bucket = Pacer.TokenBucket.new_for_shared_json(
                Pacer.SharedJson.new_for_store(Pacer.Store.new_for_uri(uri, "pacer_shared_paced"), -1),
                Pacer.Rate.new_per_second(1000))
            counts = []
            for _ in range(5):
                call = bucket.acquire(5, None)
                counts.append(call.props.call_count)
                call.complete(True)
            tap.check("a bucket on Redis counts its calls on the server", counts == [1, 2, 3, 4, 5], counts)

            tap.raises("a server that is down raises Pacer.Error.IO naming it",
                       lambda: Pacer.Store.new_for_uri("redis://127.0.0.1:1/0", "x"),
                       Pacer.error_quark(), Pacer.Error.IO, "127.0.0.1:1")
            tap.raises("a store URI of an unknown kind raises Pacer.Error.INVALID_ARGUMENT",
                       lambda: Pacer.Store.new_for_uri("gopher://x/", "x"),
                       Pacer.error_quark(), Pacer.Error.INVALID_ARGUMENT)
        finally:
            server.kill()
            server.wait()

    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
