#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PacerSharedJson used through the typelib (PyGObject) from two processes.

Prints TAP so meson reads each case."""

import os
import subprocess
import sys
import tempfile

import gi

gi.require_version("Pacer", "1.0")
gi.require_version("Json", "1.0")
from gi.repository import GLib, Json, Pacer  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import Tap  # noqa: E402

INCREMENTS = 300


def increment(data):
    data.set_int_member("count", data.get_int_member_with_default("count", 0) + 1)
    return True


def child(path, count):
    shared = Pacer.SharedJson.new(path, None, -1)
    for _ in range(count):
        shared.edit(increment)
    return 0


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        return child(sys.argv[2], int(sys.argv[3]))

    tap = Tap()
    print("1..6")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "pacer_shared_python.json")
        shared = Pacer.SharedJson.new(path, None, -1)
        tap.check("name drops the pacer_shared_ prefix", shared.get_name() == "python", shared.get_name())
        tap.check("timeout is a property", shared.props.timeout == -1.0, shared.props.timeout)

        children = [
            subprocess.Popen([sys.executable, __file__, "--child", path, str(INCREMENTS)])
            for _ in range(2)
        ]
        codes = [c.wait() for c in children]
        tap.check("both processes finished", codes == [0, 0], codes)

        data = shared.read()
        count = data.get_int_member_with_default("count", 0)
        tap.check("two processes x 300 increments give 600", count == 2 * INCREMENTS, count)

        update = Json.Object()
        update.set_string_member("status", "done")
        shared.update(update)
        data = shared.read()
        tap.check("update merges keys",
                  data.get_string_member("status") == "done"
                  and data.get_int_member("count") == 2 * INCREMENTS)

        with open(path, "w") as f:
            f.write("[1, 2]")
        try:
            shared.read()
            tap.check("a JSON array raises a Pacer error", False, "no error raised")
        except GLib.Error as error:
            tap.check("a JSON array raises a Pacer error",
                      error.matches(Pacer.error_quark(), Pacer.Error.CORRUPT_STATE) and path in error.message,
                      error.message)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
