# SPDX-License-Identifier: LGPL-2.1-or-later
"""TAP output for the binding tests, which meson reads case by case
(protocol: 'tap'). Each test prints its own plan ("1..N") first and exits
1 when tap.failed is not 0.

The tests import this module from the folder they are in: Python puts a
script's folder first on sys.path, and the tests add it again in case it
runs with PYTHONSAFEPATH."""

import sys

from gi.repository import GLib


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        """One result; on a failure, @detail follows as TAP comments."""
        self.n += 1
        if condition:
            print(f"ok {self.n} {name}")
        else:
            self.failed += 1
            print(f"not ok {self.n} {name}")
            for line in str(detail).splitlines():
                print(f"# {line}")
        # meson reads the stream as it comes: a hang still shows what passed.
        sys.stdout.flush()

    def raises(self, name, func, domain, code, text=""):
        """One result: func() raises the GLib.Error domain/code, with text in
        its message. Returns the error, or None when none was raised."""
        try:
            func()
        except GLib.Error as error:
            self.check(name, error.matches(domain, code) and text in error.message,
                       f"{error.domain} {error.code}: {error.message}")
            return error
        self.check(name, False, "no error raised")
        return None
