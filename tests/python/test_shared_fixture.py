#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PacerSharedFixture through the typelib (PyGObject): once per run, errors shared.

Prints TAP so meson reads each case."""

import os
import subprocess
import sys
import tempfile

import gi

gi.require_version("Pacer", "1.0")
gi.require_version("Json", "1.0")
from gi.repository import GLib, Gio, Json, Pacer  # noqa: E402

calls = []


def setup(fixture):
    calls.append(fixture.get_name())
    node = Json.Node.new(Json.NodeType.VALUE)
    node.set_string("/srv/data")
    return node


def failing_setup(fixture):
    calls.append(fixture.get_name())
    raise GLib.Error("no database")


def parse(fixture, data):
    return Gio.File.new_for_path(data.get_string())


def first_worker():
    state = Json.Object.new()
    state.set_int_member("count", 1)
    return state


def plain_child(marker):
    """A plain process whose cleanup is Python: run from Python's exit hook."""
    import atexit

    def cleanup(fixture, data):
        with open(marker, "a") as f:
            f.write("cleanup %s\n" % data.get_string())

    fixture = Pacer.SharedFixture.new("py-plain", setup)
    fixture.set_cleanup_func(cleanup)
    fixture.declare()
    atexit.register(Pacer.SharedFixture.run_exit_cleanups)
    fixture.get()
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--plain-child":
        return plain_child(sys.argv[2])

    results = []

    def check(name, condition):
        results.append((name, bool(condition)))

    os.environ["PACER_RUN_DIR"] = tempfile.mkdtemp(prefix="pacer-py-fixture-")

    one = Pacer.SharedFixture.new("py-data", setup)
    two = Pacer.SharedFixture.new("py-data", setup)
    one.set_parse_func(parse)
    check("setup returns the data", one.get().get_string() == "/srv/data")
    check("another fixture of the run loads it", two.get().get_string() == "/srv/data")
    check("the setup ran once", calls.count("py-data") == 1)
    check("parse makes an object", one.get_object().get_path() == "/srv/data")

    broken = Pacer.SharedFixture.new("py-broken", failing_setup)
    again = Pacer.SharedFixture.new("py-broken", failing_setup)
    for fixture in (broken, again):
        try:
            fixture.get()
            check("a failed setup raises", False)
        except GLib.Error as error:
            check("a failed setup raises its error", "no database" in error.message)
    check("a failed setup ran once", calls.count("py-broken") == 1)

    shared = Pacer.SharedFixture.new_for_shared_json("py-state", first_worker)
    state = shared.get_shared_json().read()
    check("on-first-worker initialises the state", state.get_int_member("count") == 1)

    # Without a runner the process is first and last; its Python cleanup
    # must run before the interpreter is gone, from Python's own exit hook.
    marker = os.path.join(os.environ["PACER_RUN_DIR"], "plain-cleanups")
    env = {key: value for key, value in os.environ.items()
           if key not in ("PACER_WORKER", "PACER_WORKER_COUNT", "PACER_TESTRUN_UID")}
    child = subprocess.run([sys.executable, __file__, "--plain-child", marker], env=env,
                           stderr=subprocess.PIPE, text=True, check=False)
    try:
        with open(marker) as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    check("a plain process runs its Python cleanup once, at exit",
          child.returncode == 0 and lines == ["cleanup /srv/data"] and "shutdown" not in child.stderr)

    print("1..%d" % len(results))
    for i, (name, ok) in enumerate(results, 1):
        print("%s %d %s" % ("ok" if ok else "not ok", i, name))
    return 0 if all(ok for _, ok in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
